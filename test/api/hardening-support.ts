import { connect } from 'node:net';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { listen } from '../../src/api/server';
import type { Config } from '../../src/config';
import type { Db } from '../../src/db/pool';
import { createPool } from '../../src/db/pool';
import { createLogger, type Logger } from '../../src/log';
import { dataKeyStoreFrom } from '../../src/crypto/data-keys';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';
import { testConfig, testLogger } from '../support/stack';

/** One pino line as written. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const pinoLevel = { info: 30, warn: 40, error: 50 } as const;

/**
 * The API alone (no worker: nothing may run anyway) against the run's Temporal and PostgreSQL, with a
 * logger at debug level whose lines the test reads — the stack's own logger is silent.
 */
export async function startCapturedApi(overrides: Record<string, string> = {}) {
  const lines: LogLine[] = [];
  const logger = createLogger('debug', 'api', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const config: Config = testConfig(overrides);
  const db: Db = createPool(config.DATABASE_URL!, testLogger);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config, dataKeyStoreFrom(db, config)) });
  const api = await listen({ config, db, temporal: client, logger }, 0, '127.0.0.1');
  return {
    config,
    db,
    client,
    server: api.server,
    port: api.port,
    baseUrl: `http://127.0.0.1:${api.port}`,
    lines,
    /** Lines at warn level or above: a client error must never produce one. */
    loud: () => lines.filter((l) => l.level >= pinoLevel.warn),
    errors: () => lines.filter((l) => l.level >= pinoLevel.error),
    /** Nothing reached Temporal for this opportunity. */
    async expectNoWorkflow(integrationId: string, opportunityId: string) {
      await expect(client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    },
    async deliveries(integrationId: string): Promise<Array<{ outcome: string; http_status: number; reason: string | null }>> {
      const { rows } = await db.query('SELECT outcome, http_status, reason FROM webhook_deliveries WHERE integration_id = $1', [integrationId]);
      return rows;
    },
    stop: async () => {
      await api.close();
      await connection.close();
      await db.end();
    },
  };
}
export type CapturedApi = Awaited<ReturnType<typeof startCapturedApi>>;

/**
 * Sends raw bytes on one connection and collects what comes back until the server closes it (or
 * `timeoutMs` passes). `then: 'end'` half-closes after writing, `'destroy'` resets at once, `'wait'`
 * keeps the connection open for the server to decide.
 */
export function rawExchange(port: number, bytes: string | Buffer, opts: { then?: 'end' | 'destroy' | 'wait'; timeoutMs?: number } = {}) {
  const startedAt = Date.now();
  return new Promise<{ text: string; elapsedMs: number; firstByteMs: number; closedByServer: boolean }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    let firstByteMs = -1;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), elapsedMs: Date.now() - startedAt, firstByteMs, closedByServer });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
    socket.on('data', (chunk) => {
      if (firstByteMs < 0) firstByteMs = Date.now() - startedAt;
      chunks.push(chunk);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? finish(true) : reject(err)));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (opts.then === 'end') socket.end();
        if (opts.then === 'destroy') finish(false);
      });
    });
  });
}

/** The status line and JSON body of a raw HTTP/1.1 answer. */
export function parseRawAnswer(text: string): { status: number; headers: string; body: unknown } {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const raw = rest.join('\r\n\r\n');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = raw;
  }
  return { status, headers: head, body };
}

/** Lets queued log writes and the error handler's async bookkeeping finish. */
export const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ErrorLogs {
  errors(): unknown[];
  restore(): void;
}

type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Records the arguments of every call at `levels` of the service's pino logger, and of the children
 * made from it from now on, into `into` (whatever the logger's own level); answers the undo.
 */
export function recordLogCalls(logger: Logger, levels: readonly LogLevel[], into: unknown[]): () => void {
  const undo: Array<() => void> = [];
  const wrap = (l: Logger) => {
    const originals = levels.map((level) => [level, l[level]] as const);
    const { child } = l;
    for (const [level, original] of originals) {
      l[level] = ((...args: unknown[]) => {
        into.push(args);
        return (original as (...a: unknown[]) => void).apply(l, args);
      }) as Logger[LogLevel];
    }
    l.child = ((...args: Parameters<Logger['child']>) => {
      const c = child.apply(l, args);
      wrap(c as unknown as Logger);
      return c;
    }) as Logger['child'];
    undo.push(() => {
      for (const [level, original] of originals) l[level] = original;
      l.child = child;
    });
  };
  wrap(logger);
  return () => undo.forEach((u) => u());
}

/**
 * Everything logged at error level while a whole-product harness runs: by the service's pino logger
 * (children included) and by Temporal's runtime logger (workflows, activities, worker).
 */
export function captureErrorLogs(logger: Logger): ErrorLogs {
  const seen: unknown[] = [];
  const undoPino = recordLogCalls(logger, ['error'], seen);
  const runtime = jest.spyOn(DefaultLogger.prototype, 'log');
  return {
    errors: () => [...seen, ...runtime.mock.calls.filter(([level]) => level === 'ERROR')],
    restore: () => {
      undoPino();
      runtime.mockRestore();
    },
  };
}
