import { randomUUID } from 'node:crypto';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { Pool } from 'pg';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { listen } from '../../src/api/server';
import { activityDepsFrom, loadConfig, type Config } from '../../src/config';
import { dataKeyStoreFrom, type DataKeyStore } from '../../src/crypto/data-keys';
import { secretBoxFrom } from '../../src/crypto/secret-box';
import { createIntegration, type Integration, type IntegrationInput } from '../../src/integrations/repository';
import { createPool, type Db } from '../../src/db/pool';
import { createLogger } from '../../src/log';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { temporalClientInterceptors, tracingEnabled } from '../../src/observability/tracing';
import { workerSinks } from '../../src/observability/worker-wiring';
import { listeningSocket } from './free-port';
import { createCandidateWorker, workerStopped } from '../../src/worker';
import { testWorkflowBundle } from './workflow-bundle';

export const adminToken = 'test-admin-token-0123456789';
/** A fixed key for tests (never used outside them). */
export const testEncryptionKey = Buffer.alloc(32, 7).toString('base64');
let sharedDataKeys: DataKeyStore | undefined;
/**
 * The candidates' data keys (crypto-shredding) in the run's shared database, as the service's processes
 * keep them; its pool lets the test process exit when idle.
 */
export function testDataKeys(): DataKeyStore {
  if (!sharedDataKeys) {
    const pool = new Pool({ connectionString: process.env.TEST_DATABASE_URL!, max: 2, allowExitOnIdle: true });
    // an idle connection ended by the run's PostgreSQL stopping (a single file runs in jest's own process, before its teardown)
    pool.on('error', () => undefined);
    sharedDataKeys = dataKeyStoreFrom(pool, { ENCRYPTION_KEY: testEncryptionKey });
  }
  return sharedDataKeys;
}
/**
 * What the service's clients and workers use with the test key; every test client and worker takes it.
 * `dataKeys: false` is the service key alone, for histories recorded into files (a candidate's data key
 * lives in one database; a fixture must open anywhere).
 */
export const testDataConverter = (opts: { dataKeys?: false } = {}) =>
  dataConverterFor({ ENCRYPTION_KEY: testEncryptionKey }, opts.dataKeys === false ? undefined : testDataKeys());
/** Seals and opens stored secrets as the stack's API and worker do. */
export const testSecretBox = secretBoxFrom({ ENCRYPTION_KEY: testEncryptionKey });
export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');
/** The sinks of the bundle's workflow interceptors (src/observability/worker-wiring.ts), for a test's own Worker.create or replay. */
export const testWorkerSinks = () => workerSinks({ logger: testLogger });

/** The config the service would parse, pointed at the run's servers, with overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: process.env.TEST_DATABASE_URL!,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    ADMIN_TOKEN: adminToken,
    LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789abcdef',
    ENCRYPTION_KEY: testEncryptionKey,
    SANDBOX: 'off',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    // no sweep of every test integration mid-run; test/workflows/reconciliation turns it on
    RECONCILIATION_SCHEDULES: 'off',
    PORT: '0',
    HOST: '127.0.0.1',
    ...overrides,
  });
}

export interface TestStack {
  config: Config;
  db: Db;
  client: Client;
  baseUrl: string;
  worker?: Worker;
  stop(): Promise<void>;
}

/**
 * A client connection a test may close while one of its calls waits between retries: Temporal's retry
 * interceptor re-sends on a timer, and a re-send on a closed channel throws from that timer (an uncaught
 * error that fails the whole suite after its tests passed). close() stops new retries, waits out the
 * pending re-sends (the backoff is capped at 5 s) and then closes the channel.
 */
export async function closableConnection(options: { address: string; lazy?: boolean }): Promise<{ connection: Connection; close(): Promise<void> }> {
  const retry = defaultGrpcRetryOptions();
  let closing = false;
  const pending = new Set<Promise<void>>();
  const interceptor = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !closing && retry.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = retry.delayFunction(attempt, status);
      // settles a little after the interceptor's own timer has re-sent
      const resent: Promise<void> = new Promise((resolve) => setTimeout(resolve, ms + 50).unref()).then(() => void pending.delete(resent));
      pending.add(resent);
      return ms;
    },
  });
  const connectOptions = { address: options.address, interceptors: [interceptor] };
  const connection = options.lazy ? Connection.lazy(connectOptions) : await Connection.connect(connectOptions);
  return {
    connection,
    close: async () => {
      closing = true;
      while (pending.size > 0) await Promise.all([...pending]);
      await connection.close();
    },
  };
}

/** API (+ worker unless disabled) on a fresh task queue against the run's Temporal and PostgreSQL. */
export async function startStack(opts: { worker?: boolean; config?: Record<string, string>; temporal?: Client } = {}): Promise<TestStack> {
  // bound before the config is made (its PUBLIC_URL names the port), and handed to the API as it is
  const socket = await listeningSocket();
  const config = testConfig({ PORT: String(socket.port), PUBLIC_URL: `http://127.0.0.1:${socket.port}`, ...opts.config });
  const db = createPool(config.DATABASE_URL!, testLogger);
  const connection = opts.temporal ? undefined : await closableConnection({ address: config.TEMPORAL_ADDRESS! });
  // as the API's (src/api/server.ts): with tracing started (test/observability/tracing.test.ts), a start or signal carries the trace
  // histories recorded into files (test/support/record-*.ts) use the service key alone: a fixture must open without this database
  const dataKeys = process.env.RECORD_HISTORIES === '1' ? undefined : dataKeyStoreFrom(db, config);
  const client = opts.temporal ?? new Client({ connection: connection!.connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config, dataKeys), interceptors: temporalClientInterceptors() });
  const api = await listen({ config, db, temporal: client, logger: testLogger }, socket.server, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${api.port}`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let workerConnection: NativeConnection | undefined;
  if (opts.worker !== false) {
    workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
    worker = await createCandidateWorker({
      connection: workerConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db, logger: testLogger, ...activityDepsFrom(config, config.LINK_SIGNING_SECRET!) },
      dataConverter: dataConverterFor(config, dataKeys),
      shutdownGraceSeconds: 1,
      // the traced bundle while the test process traces (test/observability/tracing.test.ts), as src/worker.ts chooses
      workflowBundlePath: testWorkflowBundle({ traced: tracingEnabled() }).codePath,
    });
    running = worker.run();
  }
  return {
    config,
    db,
    client,
    baseUrl,
    worker,
    stop: async () => {
      await api.close();
      if (worker) {
        worker.shutdown();
        await workerStopped(worker, running!);
      }
      await workerConnection?.close();
      await connection?.close();
      await db.end();
    },
  };
}

export const signingToken = () => `sign-${randomUUID()}`;

export async function insertIntegration(db: Db, overrides: Partial<IntegrationInput> = {}): Promise<Integration> {
  return createIntegration(db, testSecretBox, {
    name: `Acme ${randomUUID().slice(0, 8)}`,
    lever: { apiKey: 'lever-key', webhookSigningTokens: [signingToken()] },
    codesignal: { apiKey: 'codesignal-key', webhookSecret: 'codesignal-secret' },
    settings: {},
    ...overrides,
  });
}

/** Polls until the check passes; tests wait on state, never on fixed sleeps. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
