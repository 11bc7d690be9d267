import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { Pool } from 'pg';
import { dataKeyStoreFrom } from '../../src/crypto/data-keys';
import { newMasterKey } from '../../src/crypto/keys';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres';
import { createLogger } from '../../src/log';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { startDevServer, type SqliteJournal } from '../../dev/temporal-dev-server';
import { onFreePorts } from '../../test/support/free-port';

/** `K=V,K=V` from a benchmark's command line (`--env`, `--worker-env`) as an environment. */
export function envPairs(option: string, text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').filter(Boolean).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1) throw new Error(`${option} takes K=V pairs, got ${kv}`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
}

/**
 * The data converter of the stack's own processes (its key, its database's candidate data keys), for a
 * benchmark's Temporal client. Its pool's idle connections are ended when the stack stops PostgreSQL:
 * that is expected, not an error that may crash the benchmark before it has stopped the rest of the stack.
 */
export function benchDataConverter(stack: Pick<BenchStack, 'encryptionKey' | 'databaseUrl'>): DataConverter {
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 2, allowExitOnIdle: true });
  pool.on('error', () => undefined);
  return dataConverterFor({ ENCRYPTION_KEY: stack.encryptionKey }, dataKeyStoreFrom(pool, { ENCRYPTION_KEY: stack.encryptionKey }));
}

export interface BenchStack {
  dataDir: string;
  temporalAddress: string;
  databaseUrl: string;
  adminToken: string;
  /** ENCRYPTION_KEY of the API and the worker, for benchmarks that write integrations to the database. */
  encryptionKey: string;
  /** Where the API listens; also its PUBLIC_URL, so the sandboxes call back here. */
  baseUrl: string;
  api: ChildProcess;
  worker: ChildProcess;
  /** One more API process on the same servers (the first one has migrated), e.g. with other settings; stopped with the stack. */
  startApi(env?: Record<string, string>): Promise<{ baseUrl: string; process: ChildProcess }>;
  /** Stops the worker (SIGTERM, drained) and starts a fresh one, e.g. from a build or with NODE_OPTIONS. */
  restartWorker(opts?: { entry?: string; env?: Record<string, string> }): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Given to both the API and the worker, on top of the servers' addresses and secrets. */
  env?: Record<string, string>;
  /** Given to the worker only. */
  workerEnv?: Record<string, string>;
  /** The Temporal server's task queue fairness (dev/temporal-dev-server.ts); default on. */
  fairness?: boolean;
  /** How the Temporal dev server's SQLite file commits (dev/temporal-dev-server.ts); default write-ahead log. */
  sqliteJournal?: SqliteJournal;
}

/**
 * Starts one of the production entry points (API or worker) as its own process — a `.ts` source under
 * ts-node, or a built `.js` — and resolves once it logs `readyLine` (an info line: LOG_LEVEL stays at
 * info). Its stdout goes to a log file in the data directory, its stderr to ours; `spawned` hears of
 * the process at once, so the stack stops it even when interrupted before it is ready.
 */
export function spawnEntry(entry: string, env: Record<string, string>, readyLine: string, logFile: string, spawned: (child: ChildProcess) => void): Promise<ChildProcess> {
  const args = entry.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only', entry] : [entry];
  const child = spawn(process.execPath, args, {
    cwd: path.join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // known to the stack before it is ready: an interrupt during its start stops it too
  spawned(child);
  child.stdout!.pipe(createWriteStream(logFile, { flags: 'a' }));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not log "${readyLine}" within 3 minutes (log: ${logFile})`));
    }, 180_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = () => {
      clearTimeout(timer);
      // stopped by an interrupt while starting: the benchmark exits with the signal's status, not this error
      if (interrupting) return;
      reject(new Error(`${entry} exited during start (log: ${logFile}):\n${out}`));
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Set once Ctrl-C or SIGTERM reached the benchmark: what the stack is starting is stopped, not failed. */
let interrupting = false;
/** Whether Ctrl-C or SIGTERM reached the benchmark: its stack is stopping and the benchmark exits once it has stopped, so a failure it caused is not the benchmark's. */
export const isInterrupted = (): boolean => interrupting;

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The production topology on this machine: Temporal dev server and embedded PostgreSQL as servers,
 * the API and the worker each in its own process. On a failed start everything already running is stopped.
 */
export async function startBenchStack(opts: BenchStackOptions = {}): Promise<BenchStack> {
  const logger = createLogger('warn', 'bench');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-bench-'));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: Error) => console.error(`bench: stopping failed: ${err.message}`));
  };
  // Ctrl-C (or a SIGTERM) stops every process the stack started before the benchmark exits, also when
  // only the benchmark's own process gets the signal (servers run in process groups of their own).
  const interrupted = (signal: NodeJS.Signals) => {
    interrupting = true;
    console.error(`bench: ${signal}: stopping the servers, the API and the worker`);
    void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // every API and worker process, stopped in reverse order of start (one already gone is skipped)
  const children: ChildProcess[] = [];
  const track = (child: ChildProcess) => {
    children.push(child);
    stops.push(() => stopChild(child));
  };
  // A benchmark that dies without stopping its stack (an uncaught error, process.exit) takes its API and
  // worker processes with it instead of leaving them polling; the servers stop with their own process.
  process.once('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  try {
    // Servers in their own processes, told their ports up front: on ports free a moment ago, started
    // again on new ones when another process took one first (onFreePorts).
    const binary = findTemporalBinary('temporal', undefined, process.env.PATH ?? '');
    const temporal = await onFreePorts(2, ([port, uiPort]) => startDevServer({ binary, dataDir, port, uiPort, namespace: 'default', verbose: false, logger, fairness: opts.fairness, sqliteJournal: opts.sqliteJournal }));
    stops.push(temporal.stop);
    const postgres = await onFreePorts(1, ([port]) => startEmbeddedPostgres(dataDir, port, logger));
    stops.push(postgres.stop);

    const adminToken = randomBytes(24).toString('hex');
    const encryptionKey = newMasterKey();
    const linkSigningSecret = randomBytes(32).toString('hex');
    // The API migrates the database, so it starts first.
    const { api, env, port } = await onFreePorts(1, async ([port]) => {
      const env = {
        TEMPORAL_ADDRESS: temporal.address,
        DATABASE_URL: postgres.url,
        ADMIN_TOKEN: adminToken,
        LINK_SIGNING_SECRET: linkSigningSecret,
        ENCRYPTION_KEY: encryptionKey,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        // API and worker each on a free port (both would take 9464 on one machine); a benchmark may set `off`
        METRICS_PORT: '0',
        ...opts.env,
      };
      return { api: await spawnEntry('src/api/server.ts', env, 'api listening', path.join(dataDir, 'api.log'), track), env, port };
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const startWorker = ({ entry = 'src/worker.ts', env: extraEnv = {} }: { entry?: string; env?: Record<string, string> } = {}) =>
      spawnEntry(entry, { ...env, ...opts.workerEnv, ...extraEnv }, 'worker started', path.join(dataDir, 'worker.log'), track);
    let worker = await startWorker();
    console.error(`bench: stack up (data ${dataDir})`);

    const stack: BenchStack = {
      dataDir,
      temporalAddress: temporal.address,
      databaseUrl: postgres.url,
      adminToken,
      encryptionKey,
      baseUrl,
      api,
      get worker() {
        return worker;
      },
      startApi: async (extraEnv = {}) => {
        const started = await onFreePorts(1, async ([port]) => {
          const apiEnv = { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...extraEnv };
          return { port, process: await spawnEntry('src/api/server.ts', apiEnv, 'api listening', path.join(dataDir, `api-${port}.log`), track) };
        });
        return { baseUrl: `http://127.0.0.1:${started.port}`, process: started.process };
      },
      restartWorker: async (restart) => {
        await stopChild(worker);
        worker = await startWorker(restart);
        return worker;
      },
      stop: stopAll,
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
