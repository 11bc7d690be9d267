import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { listen } from '../src/api/server';
import { activityDepsFrom, loadConfig } from '../src/config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { demoWalkthrough, ensureDemoIntegration } from '../sandbox/demo-integration';
import { startSandboxes } from '../sandbox/start';
import { ensureAdmin } from '../src/api/admin/admin-users';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import { createLogger } from '../src/log';
import { newMasterKey } from '../src/crypto/keys';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { sealStoredSecrets } from '../src/integrations/repository';
import { readOrCreateSecret } from '../src/secret-file';
import { findTemporalBinary } from './temporal-binaries';
import { registerSearchAttributes } from '../src/temporal/connection';
import { dataConverterFor } from '../src/temporal/payload-codec';
import { startDevServer } from './temporal-dev-server';
import { createCandidateWorker, installRuntime } from '../src/worker';

/** The web UI's admin when ADMIN_EMAIL is not set; its password is generated into DATA_DIR. */
const devAdminEmail = 'admin@example.com';

/**
 * Development: everything in one process on embedded defaults — PostgreSQL and the Temporal dev
 * server under DATA_DIR (unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), the worker and the API.
 */
async function main(): Promise<void> {
  let config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const dataDir = path.resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // Development keeps its generated encryption key next to the data it protects.
  config = { ...config, ENCRYPTION_KEY: config.ENCRYPTION_KEY ?? readOrCreateSecret(path.join(dataDir, 'encryption-key'), newMasterKey) };
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  // A step that cannot finish (e.g. the worker draining towards a Temporal server that died) must not
  // keep the process from stopping: each gets the worker's grace period and a margin.
  const stepTimeoutMs = (config.WORKER_SHUTDOWN_GRACE_SECONDS + 20) * 1000;
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    for (const { name, stop } of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer after ${stepTimeoutMs / 1000} s`)), stepTimeoutMs);
      });
      await Promise.race([stop(), timedOut])
        .catch((err: Error) => logger.error({ err: err.message }, `stopping ${name} failed`))
        .finally(() => clearTimeout(timer));
    }
    logger.info('stopped');
  };

  try {
    const sandboxes = config.useSandboxes
      ? await startSandboxes({ leverPort: config.SANDBOX_LEVER_PORT, codesignalPort: config.SANDBOX_CODESIGNAL_PORT, quiet: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace' })
      : undefined;
    if (sandboxes) {
      stops.push({ name: 'sandboxes', stop: sandboxes.close });
      config = { ...config, leverApiUrl: sandboxes.lever.apiUrl, codesignalApiUrl: sandboxes.codesignal.graphqlUrl };
    }

    const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT, logger);
    if (embedded) stops.push({ name: 'postgres', stop: embedded.stop });
    const databaseUrl = config.DATABASE_URL ?? embedded!.url;
    await migrate(databaseUrl, logger);
    const db = createPool(databaseUrl, logger);
    stops.push({ name: 'database pool', stop: () => db.end() });
    const box = secretBoxFrom(config);
    await sealStoredSecrets(db, box, logger);

    const devServer = config.TEMPORAL_ADDRESS
      ? undefined
      : await startDevServer({
          binary: findTemporalBinary('temporal', config.TEMPORAL_CLI_PATH, config.PATH),
          dataDir,
          port: config.TEMPORAL_DEV_PORT,
          uiPort: config.TEMPORAL_UI_PORT,
          namespace: config.TEMPORAL_NAMESPACE,
          codecEndpoint: `${config.publicUrl}/codec`,
          verbose: config.DEV_VERBOSE_SERVERS,
          logger,
        });
    if (devServer) stops.push({ name: 'temporal dev server', stop: devServer.stop });
    const temporalAddress = config.TEMPORAL_ADDRESS ?? devServer!.address;

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push({ name: 'temporal client', stop: () => connection.close() });
    const dataConverter = dataConverterFor(config);
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    await registerSearchAttributes(temporal, logger);

    const linkSigningSecret = config.LINK_SIGNING_SECRET ?? readOrCreateSecret(path.join(dataDir, 'link-signing-secret'));
    installRuntime(logger, []);
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
    const worker = await createCandidateWorker({
      connection: workerConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db, logger, ...activityDepsFrom(config, linkSigningSecret) },
      dataConverter,
      shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    });
    const running = worker.run();
    stops.push({
      name: 'worker',
      stop: async () => {
        worker.shutdown();
        await running;
      },
    });

    const adminToken = config.ADMIN_TOKEN ?? readOrCreateSecret(path.join(dataDir, 'admin-token'));
    const adminEmail = config.ADMIN_EMAIL ?? devAdminEmail;
    await ensureAdmin(db, adminEmail, config.ADMIN_PASSWORD ?? readOrCreateSecret(path.join(dataDir, 'admin-password')));
    const api = await listen({ config: { ...config, ADMIN_TOKEN: adminToken, LINK_SIGNING_SECRET: linkSigningSecret }, db, temporal, logger }, config.PORT, config.HOST);
    stops.push({ name: 'api', stop: api.close });
    const demo = sandboxes ? demoWalkthrough(sandboxes, await ensureDemoIntegration(db, box, sandboxes, config.publicUrl)) : undefined;

    console.log(
      [
        '',
        'Lever <> CodeSignal integration is running',
        `  API              ${config.publicUrl}  (health: ${config.publicUrl}/readyz)`,
        `  Temporal         ${temporalAddress}  namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
        `  Temporal Web UI  ${devServer?.uiUrl ?? '(external Temporal: use its own UI)'}`,
        `  PostgreSQL       ${embedded ? `embedded, 127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}` : 'DATABASE_URL'}`,
        `  Data directory   ${dataDir}`,
        `  Set-up web UI    ${config.publicUrl}/admin/  log in as ${adminEmail}, password ${config.ADMIN_PASSWORD ? 'from ADMIN_PASSWORD' : `in ${path.join(dataDir, 'admin-password')}`}`,
        `  Admin API token  ${config.ADMIN_TOKEN ? 'from ADMIN_TOKEN' : `in ${path.join(dataDir, 'admin-token')}`}`,
        ...(demo ? ['', demo, ''] : []),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'start-up failed');
    await shutdown('startup-failure');
    process.exit(1);
  }

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(signal).then(() => process.exit(0));
    });
  }
}

void main();
