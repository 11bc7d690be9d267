import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from '../src/log';
import { customSearchAttributes } from '../src/workflows/shared/search-attributes';

export interface DevServer {
  address: string;
  /** The Web UI's own address (bound to 127.0.0.1), under its public path: what the API's /temporal proxy forwards to. */
  uiUrl: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: string | undefined;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Where the Web UI sends payloads to be decoded (the API's /codec); the UI calls it from the browser. */
  codecEndpoint?: string;
  /** The path the Web UI is served under (`--ui-public-path`), so the API can serve it at the same path; default `/`. */
  uiPublicPath?: string;
  verbose: boolean;
  logger: Logger;
  /** Task queue fairness (`matching.enableFairness`); default on. Off only to measure without it (bench/fairness.ts). */
  fairness?: boolean;
  /**
   * How the SQLite file commits: `wal` (default) writes ahead and syncs at checkpoints, `rollback` is SQLite's own
   * default (a rollback journal synced on every commit). Only to measure the difference (bench/dev-server-persistence.ts).
   */
  sqliteJournal?: SqliteJournal;
}

export type SqliteJournal = 'wal' | 'rollback';

const uiArgs = (opts: DevServerOptions) => [
  ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
  ...(opts.uiPublicPath ? ['--ui-public-path', opts.uiPublicPath] : []),
];
/**
 * Task queue fairness (README, Architecture, "Fairness between organizations"): workflows carry their integration's id as fairness key
 * (src/temporal/fairness.ts), and with this the matching service dispatches from one virtual queue per key in
 * turn, so one organization's backlog does not starve another's.
 */
const fairnessArgs = (opts: DevServerOptions) => [
  '--dynamic-config-value', `matching.enableFairness=${opts.fairness ?? true}`,
  // Fairness holds within a task queue partition: new tasks go to one partition, so all of them are ordered by
  // key (docs/benchmarks.md, "One task queue partition"). Reads stay at the default 4, so tasks an earlier
  // start wrote into the other partitions are still dispatched (their empty pollers forward to the first).
  '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
];
/**
 * The dev server's SQLite file in write-ahead-log mode with `synchronous=normal` (README, Architecture, "The dev server's SQLite
 * file"): every workflow task, activity and timer is a transaction, and with SQLite's own default (a rollback journal
 * created, synced and deleted on every commit) the server spends its time waiting on the disk (bench:persistence:
 * 2.7× the workflows per second with this). A commit survives a crash of any process; only the last commits
 * before a power loss or kernel crash may be lost, never the file's consistency. Production runs Temporal on PostgreSQL.
 */
const sqliteArgs = (opts: DevServerOptions) =>
  (opts.sqliteJournal ?? 'wal') === 'wal' ? ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'] : [];
const uiUrlOf = (opts: DevServerOptions) => `http://127.0.0.1:${opts.uiPort}${opts.uiPublicPath ?? ''}`;

/**
 * Runs the Temporal CLI dev server with its SQLite file under the data directory and the Web UI.
 * Stopped with SIGTERM so SQLite is closed cleanly; a second start reuses the file.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const dir = path.resolve(opts.dataDir, 'temporal');
  mkdirSync(dir, { recursive: true });
  const dbFile = path.join(dir, 'temporal.db');
  if (!opts.binary) return startDownloadedDevServer(opts, dbFile);

  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--db-filename', dbFile,
    ...sqliteArgs(opts),
    '--namespace', opts.namespace,
    '--log-level', opts.verbose ? 'info' : 'error',
    '--ui-disable-news-fetch',
    ...uiArgs(opts),
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    ...fairnessArgs(opts),
  ];
  const child = spawn(opts.binary, args, { stdio: ['ignore', opts.verbose ? 'inherit' : 'ignore', 'pipe'] });
  forwardErrors(child, opts.verbose);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilServing(address, child, exited);
  opts.logger.debug({ address, dbFile }, 'temporal dev server started');
  return {
    address,
    uiUrl: uiUrlOf(opts),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The UI server says on every start under a public path that it sends no content security policy (its
 * per-request nonces assume the root path); that is why the API serves it to admins only (temporal-ui-proxy.ts).
 * Said once in the README, not on every start; everything else the server writes to stderr is passed on.
 */
const expectedWarning = /CSP IS DISABLED WHEN USING PUBLIC PATH/;

function forwardErrors(child: ChildProcess, verbose: boolean): void {
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (verbose || !expectedWarning.test(line)) process.stderr.write(`${line}\n`);
  });
}

async function waitUntilServing(address: string, child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`temporal dev server exited with code ${exitCode} (is port ${address} in use?)`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`temporal dev server did not answer on ${address} within 60 s`);
}

/** No binary on this machine: let @temporalio/testing download the CLI (needs internet). */
async function startDownloadedDevServer(opts: DevServerOptions, dbFile: string): Promise<DevServer> {
  opts.logger.warn('no Temporal CLI found in TEMPORAL_CLI_PATH, .tools/bin or PATH; downloading it');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      dbFilename: dbFile,
      port: opts.port,
      ui: true,
      uiPort: opts.uiPort,
      namespace: opts.namespace,
      searchAttributes: customSearchAttributes,
      extraArgs: [...sqliteArgs(opts), ...uiArgs(opts), ...fairnessArgs(opts)],
    },
  });
  return { address: env.address, uiUrl: uiUrlOf(opts), stop: () => env.teardown() };
}
