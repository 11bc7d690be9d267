import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The processes under `pid`, children first found through /proc (Linux). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    // a zombie has been stopped; only its parent has not read its status yet
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('benchmarks: interrupted', () => {
  jest.setTimeout(240_000);

  it('a SIGINT to the benchmark alone stops the Temporal server, PostgreSQL, the API and the worker it started', async () => {
    // its own process group, so only the benchmark's process gets the signal (the harder case than a terminal's Ctrl-C, which reaches every process)
    const bench = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/ingress.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => bench.once('exit', (code) => resolve(code)));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      bench.stderr!.on('data', (d: Buffer) => {
        stderr += d;
        if (stderr.includes('bench: stack up')) resolve();
      });
      void exited.then(() => reject(new Error(`the benchmark exited before its stack was up:\n${stderr}`)));
    });
    const started = descendants(bench.pid!);
    try {
      // the Temporal dev server, PostgreSQL (with its own children), the API and the worker
      expect(started.length).toBeGreaterThanOrEqual(4);

      process.kill(bench.pid!, 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running a minute after SIGINT'), 60_000)))]);
      clearTimeout(timer);
      expect(code).toBe(130);
      expect(stderr).toContain('bench: SIGINT: stopping the servers, the API and the worker');
      expect(started.filter(alive)).toEqual([]);
    } finally {
      // whatever the outcome, nothing of it outlives the test
      for (const pid of [bench.pid!, ...started].filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });
});
