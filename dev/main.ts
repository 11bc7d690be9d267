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
import { createPool, type Db } from '../src/db/pool';
import { createLogger, type Logger } from '../src/log';
import { newMasterKey } from '../src/crypto/keys';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { sealStoredSecrets } from '../src/integrations/repository';
import { readOrCreateSecret } from '../src/secret-file';
import { findTemporalBinary } from './temporal-binaries';
import { registerSearchAttributes } from '../src/temporal/connection';
import { dataKeyStoreFrom } from '../src/crypto/data-keys';
import { dataConverterFor } from '../src/temporal/payload-codec';
import { startDevServer } from './temporal-dev-server';
import { createCandidateWorker, installRuntime } from '../src/worker';
import { limitActivitiesPerOrganization } from '../src/temporal/fairness';
import { adoptVersionIfFirst, workerVersionFrom } from '../src/worker-versioning';
import { temporalUiPath } from '../src/api/temporal-ui-proxy';
import { lockDataDir } from './instance-lock';
import { checkDatabase, connectTemporal } from '../src/startup-checks';
import { startTracing, temporalClientInterceptors } from '../src/observability/tracing';
import { startConfiguredMetricsServer, temporalMetricsBindAddress } from '../src/observability/metrics-server';

/** The web UI's admin when ADMIN_EMAIL is not set; its password is generated into DATA_DIR. */
const devAdminEmail = 'admin@example.com';

/**
 * Development: everything in one process on embedded defaults — PostgreSQL and the Temporal dev
 * server under DATA_DIR (unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), the worker and the API.
 * One per data directory: a second start while one runs stops at once, naming the first.
 */
async function main(): Promise<void> {
  let config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const dataDir = path.resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  // Development keeps its generated encryption key next to the data it protects.
  config = { ...config, ENCRYPTION_KEY: config.ENCRYPTION_KEY ?? readOrCreateSecret(path.join(dataDir, 'encryption-key'), newMasterKey) };
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [{ name: 'pid file', stop: async () => releaseLock() }];
  // before the clients and the worker are made; stopped last, so the spans of the shutdown are exported too
  const tracing = startTracing(config, 'dev');
  stops.push({ name: 'tracing', stop: tracing.shutdown });
  // A step that cannot finish (e.g. the worker draining towards a Temporal server that died) must not
  // keep the process from stopping: each gets the worker's grace period and a margin.
  const stepTimeoutMs = (config.WORKER_SHUTDOWN_GRACE_SECONDS + 20) * 1000;
  let stopping = false;
  const shutdown = async (signal: string) => {
    stopping = true;
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
      ? await startSandboxes({
          leverPort: config.SANDBOX_LEVER_PORT,
          codesignalPort: config.SANDBOX_CODESIGNAL_PORT,
          quiet: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace',
          // Their records live as long as PostgreSQL's and Temporal's: a waiting candidate still exists after a restart.
          persist: { dataDir, onSaveError: (err) => logger.warn({ err: err.message }, 'sandbox state not saved') },
        })
      : undefined;
    if (sandboxes) {
      stops.push({ name: 'sandboxes', stop: sandboxes.close });
      config = { ...config, leverApiUrl: sandboxes.lever.apiUrl, codesignalApiUrl: sandboxes.codesignal.graphqlUrl };
    }

    // an external database or Temporal is checked first, like the production entries do, naming the variable
    if (config.DATABASE_URL) await checkDatabase(config.DATABASE_URL, { timeoutMs: config.STARTUP_CHECK_TIMEOUT_MS });
    const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT, logger);
    if (embedded) stops.push({ name: 'postgres', stop: embedded.stop });
    const databaseUrl = config.DATABASE_URL ?? embedded!.url;
    await migrate(databaseUrl, logger);
    const db = createPool(databaseUrl, logger);
    stops.push({ name: 'database pool', stop: () => db.end() });
    if (embedded) expectAdminShutdownWhenStopping(db, logger, () => stopping);
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
          // The API serves the UI at /temporal (src/api/temporal-ui-proxy.ts), so the codec endpoint is on the
          // page's own origin, whatever host the admin uses, and the browser sends the session cookie with it.
          uiPublicPath: temporalUiPath,
          codecEndpoint: '/codec',
          verbose: config.DEV_VERBOSE_SERVERS,
          logger,
        });
    if (devServer) {
      stops.push({ name: 'temporal dev server', stop: devServer.stop });
      config = {
        ...config,
        TEMPORAL_UI_UPSTREAM: config.TEMPORAL_UI_UPSTREAM ?? new URL(devServer.uiUrl).origin,
        temporalUiUrl: config.TEMPORAL_UI_URL?.replace(/\/+$/, '') ?? `${config.publicUrl}${temporalUiPath}`,
      };
    }
    const temporalAddress = config.TEMPORAL_ADDRESS ?? devServer!.address;

    const connection = config.TEMPORAL_ADDRESS
      ? await connectTemporal({ address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, timeoutMs: config.STARTUP_CHECK_TIMEOUT_MS })
      : await Connection.connect({ address: temporalAddress });
    stops.push({ name: 'temporal client', stop: () => connection.close() });
    const dataConverter = dataConverterFor(config, dataKeyStoreFrom(db, config));
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors: temporalClientInterceptors() });
    await registerSearchAttributes(temporal, logger);

    const linkSigningSecret = config.LINK_SIGNING_SECRET ?? readOrCreateSecret(path.join(dataDir, 'link-signing-secret'));
    const temporalMetricsAddress = await temporalMetricsBindAddress(config);
    installRuntime(logger, [], temporalMetricsAddress);
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
    const version = workerVersionFrom(config);
    const worker = await createCandidateWorker({
      connection: workerConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db, logger, ...activityDepsFrom(config, linkSigningSecret) },
      dataConverter,
      shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      version,
    });
    await limitActivitiesPerOrganization(connection.workflowService, config, logger);
    const running = worker.run();
    stops.push({
      name: 'worker',
      stop: async () => {
        worker.shutdown();
        await running;
      },
    });
    // one process, one worker: each start's version becomes current (README "Upgrading workflows")
    if (version) await adoptVersionIfFirst(connection.workflowService, config.TEMPORAL_NAMESPACE, version, logger, { always: true }).catch((err: unknown) => logger.warn({ err }, 'could not check the deployment\'s current version'));

    const adminToken = config.ADMIN_TOKEN ?? readOrCreateSecret(path.join(dataDir, 'admin-token'));
    const adminEmail = config.ADMIN_EMAIL ?? devAdminEmail;
    await ensureAdmin(db, adminEmail, config.ADMIN_PASSWORD ?? readOrCreateSecret(path.join(dataDir, 'admin-password')));
    const api = await listen({ config: { ...config, ADMIN_TOKEN: adminToken, LINK_SIGNING_SECRET: linkSigningSecret }, db, temporal, logger }, config.PORT, config.HOST);
    stops.push({ name: 'api', stop: api.close });
    // a port already taken (another npm start) only costs this process its metrics
    const metricsServer = await startConfiguredMetricsServer(config, { db, logger, temporalMetricsAddress, bestEffort: true });
    if (metricsServer) stops.push({ name: 'metrics', stop: metricsServer.close });
    const demo = sandboxes ? demoWalkthrough(sandboxes, await ensureDemoIntegration(db, box, sandboxes, config.publicUrl)) : undefined;

    console.log(
      [
        '',
        'Lever <> CodeSignal integration is running',
        `  API              ${config.publicUrl}  (health: ${config.publicUrl}/readyz)`,
        `  Temporal         ${temporalAddress}  namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
        `  Temporal Web UI  ${temporalUiLine(config)}`,
        `  Metrics          ${metricsServer ? metricsServer.url : config.METRICS_PORT === 'off' ? 'off (METRICS_PORT=off)' : `none: METRICS_PORT ${config.METRICS_PORT} was taken`}`,
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

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      void shutdown(signal).then(() => process.exit(0));
    });
  }
}

/**
 * Ctrl-C in a terminal signals the whole process group, so the embedded PostgreSQL gets it too and ends
 * every connection at once ("terminating connection due to administrator command", 57P01) while the
 * service is still stopping in order. That is the shutdown, not a lost connection: logged at debug.
 * (The signal and the connections' end arrive together, so an admin shutdown is judged a moment later.)
 */
function expectAdminShutdownWhenStopping(db: Db, logger: Logger, isStopping: () => boolean): void {
  db.removeAllListeners('error');
  db.on('error', (err: Error & { code?: string }) => {
    const judge = () =>
      err.code === '57P01' && isStopping()
        ? logger.debug({ err: err.message }, 'database connection ended by the embedded PostgreSQL shutting down')
        : logger.warn({ err: err.message }, 'idle database connection lost');
    if (err.code === '57P01') setTimeout(judge, 250).unref();
    else judge();
  });
}

/** Where the banner sends an operator for the Temporal Web UI. */
function temporalUiLine(config: { temporalUiUrl: string | undefined; TEMPORAL_UI_UPSTREAM?: string }): string {
  if (!config.temporalUiUrl) return '(external Temporal: use its own UI)';
  return config.TEMPORAL_UI_UPSTREAM ? `${config.temporalUiUrl}  (as a logged-in admin: payloads shown decoded)` : config.temporalUiUrl;
}

// A wrong setting or a second start is one line, as in the production entries, not a stack trace.
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
