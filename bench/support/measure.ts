import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident and peak resident memory of a process in MB (10^6 bytes), from /proc/<pid>/status (which counts KiB). */
export function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => (Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024) / 1e6;
  return { rssMB: mb('VmRSS'), peakMB: mb('VmHWM') };
}

/** `/proc/<pid>/stat` from field 3 on (after the parenthesised command name): field N is at index N - 3. */
const statFields = (pid: number | string): string[] => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');

/** CPU time (user + system) a process has used so far, in seconds: fields 14 and 15. */
export function cpuSecondsOf(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU time (user + system) of a process and every process below it, live or exited (PostgreSQL's backends under its postmaster), in seconds. */
export function treeCpuSecondsOf(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(entry)[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while listed
    }
  }
  // and what its exited children used (cutime + cstime, fields 16 and 17), so the sum never goes down when a backend exits
  let total = 0;
  try {
    const fields = statFields(pid);
    total += (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
  const visit = (p: number) => {
    try {
      total += cpuSecondsOf(p);
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

/** Polls `done` until it is true or the deadline passes; resolves with whether it became true. */
export async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Runs `op` over `items` with at most `concurrency` in flight; counts failures instead of throwing. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, op: (item: T, index: number) => Promise<void>): Promise<{ failures: number; firstError?: unknown }> {
  let next = 0;
  let failures = 0;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        try {
          await op(items[i]!, i);
        } catch (err) {
          failures++;
          firstError ??= err;
        }
      }
    }),
  );
  return { failures, firstError };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const millis = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** Processes whose command line names the stack's data directory: the Temporal dev server and PostgreSQL. */
export function serverPids(dataDir: string): Array<{ pid: number; name: string }> {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-af', dataDir]).toString();
  } catch {
    return [];
  }
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, ...cmd] = line.split(' ');
      const command = cmd.join(' ');
      return { pid: Number(pid), name: /temporal/.test(command) ? 'Temporal server' : /postgres/.test(command) ? 'PostgreSQL' : command.slice(0, 30) };
    })
    .filter((p) => p.pid !== process.pid);
}
