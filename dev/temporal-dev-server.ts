import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from '../src/log';
import { customSearchAttributes } from '../src/workflows/shared/search-attributes';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
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
  verbose: boolean;
  logger: Logger;
}

const codecArgs = (opts: DevServerOptions) => (opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []);

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
    '--namespace', opts.namespace,
    '--log-level', opts.verbose ? 'info' : 'error',
    '--ui-disable-news-fetch',
    ...codecArgs(opts),
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
  ];
  const child = spawn(opts.binary, args, { stdio: ['ignore', opts.verbose ? 'inherit' : 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilServing(address, child, exited);
  opts.logger.debug({ address, dbFile }, 'temporal dev server started');
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
      extraArgs: codecArgs(opts),
    },
  });
  return { address: env.address, uiUrl: `http://localhost:${opts.uiPort}`, stop: () => env.teardown() };
}
