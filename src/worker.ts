import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { IllegalStateError, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString, DefaultLogger, type WorkerInterceptors } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { activityFailureMapping } from './activities/shared/failures';
import { activityDepsFrom, DEFAULT_WORKFLOW_TASK_SLOTS, loadConfig, requireExternal } from './config';
import { createPool } from './db/pool';
import { checkDependencies, firstLineOf, StartupCheckError } from './startup-checks';
import { createLogger, type Logger } from './log';
import { dataKeyStoreFrom } from './crypto/data-keys';
import { dataConverterFor, failureConverterPath, workerDataConverter } from './temporal/payload-codec';
import { connectOptionsOf } from './temporal/connect-options';
import { limitActivitiesPerOrganization } from './temporal/fairness';
import { workerSinks, workflowInterceptorModules } from './observability/worker-wiring';
import { activityTracing, startTracing, tracingEnabled } from './observability/tracing';
import { startConfiguredMetricsServer, temporalMetricsBindAddress } from './observability/metrics-server';
import { activityRetryMetrics } from './observability/activity-metrics-interceptor';
import { adoptVersionIfFirst, deploymentOptions, workerVersionFrom, type WorkerVersion } from './worker-versioning';

export interface CandidateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** The same as the clients' (`dataConverterFor`): payloads are encrypted on the way to Temporal. */
  dataConverter: DataConverter;
  shutdownGraceSeconds: number;
  /** Most candidates wait for days; caching only the active ones keeps memory flat with thousands waiting. */
  maxCachedWorkflows?: number;
  /** Workflow tasks held at once; default DEFAULT_WORKFLOW_TASK_SLOTS (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS). */
  maxConcurrentWorkflowTasks?: number;
  /** A bundle made by `bundleWorkflows` (the test run makes one for all its workers); default: see `workflowSource`. */
  workflowBundlePath?: string;
  /** Worker Versioning (README "Upgrading workflows"): this worker is this version of a Worker Deployment; unversioned without. */
  version?: WorkerVersion;
}

/** The service's workflows bundled as a worker loads them, with the failure converter; `npm run build` writes it once. */
export async function bundleWorkflows(opts: { tracing: boolean }): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), workflowInterceptorModules: workflowInterceptorModules(opts), failureConverterPath });
  return code;
}

/** The prebuilt bundle's file (npm run build): one with the OpenTelemetry workflow interceptors, one without. */
export const workflowBundleFile = (opts: { tracing: boolean }): string => `workflow-bundle${opts.tracing ? '-traced' : ''}.js`;

/** The given or prebuilt bundle (npm run build) in production; bundling from source in development. Traced only while tracing runs. */
function workflowSource(bundlePath?: string): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = bundlePath ?? path.join(__dirname, workflowBundleFile({ tracing: tracingEnabled() }));
  return existsSync(bundle) ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('./workflows') };
}

/**
 * The interceptors every worker of this service runs with — this one, the dev stack's (which uses
 * createCandidateWorker) and any a test creates itself: API errors (ExternalApiError) leave every
 * activity as the Temporal failure they stand for (toActivityFailure).
 */
export function workerInterceptors(): WorkerInterceptors {
  // tracing outermost: the activity's span holds the failure as mapped
  return { activity: [activityTracing, activityFailureMapping, activityRetryMetrics] };
}

/**
 * Waits for `worker.run()` to end. A worker that drained (state STOPPED) can still fail its last step: the SDK's
 * native bridge may hold a second reference to the worker for an instant after its last poll returned, and
 * finalizing it then fails with IllegalStateError "Worker still in use" (seen once in CI at a test's shutdown).
 * Every task was finished or handed back by then and the reference goes with that poll, so this counts as stopped;
 * any other failure, or one before the drain, is returned as is.
 */
export async function workerStopped(worker: Pick<Worker, 'getState'>, running: Promise<void>): Promise<void> {
  try {
    await running;
  } catch (err) {
    if (worker.getState() === 'STOPPED' && err instanceof IllegalStateError && err.message.startsWith('Worker still in use')) return;
    throw err;
  }
}

/** How long after the grace time a worker stops waiting for cancelled activities (`shutdownForceTime`). */
export const shutdownForceAfterGraceSeconds = 5;

export function createCandidateWorker(opts: CandidateWorkerOptions): Promise<Worker> {
  const source = workflowSource(opts.workflowBundlePath);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...source,
    activities: createActivities(opts.deps),
    // a bundle holds its workflow interceptor modules already (bundleWorkflows); bundling from source adds them here
    interceptors: { ...workerInterceptors(), ...('workflowsPath' in source ? { workflowModules: workflowInterceptorModules({ tracing: tracingEnabled() }) } : {}) },
    sinks: workerSinks({ logger: opts.deps.logger }),
    dataConverter: workerDataConverter(opts.dataConverter),
    shutdownGraceTime: `${opts.shutdownGraceSeconds}s`,
    // Activities still running after the grace time are cancelled; one that does not end then (a call that ignores
    // the cancellation) would keep the process waiting for it. 5 s later the worker gives up (`run()` rejects) and
    // the process exits (main); the server times the attempt out and retries it.
    shutdownForceTime: `${opts.shutdownGraceSeconds + shutdownForceAfterGraceSeconds}s`,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    // Workflow task pollers scaled by the server's hints (docs/benchmarks.md, "A burst of 5,000"): with the fixed
    // default (10, a fifth of them on the normal queue) a burst's new workflows and the ones evicted from the
    // sticky cache waited on a single normal-queue poller while the sticky pollers idled.
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    // Few workflow tasks at once, so the rest wait in the task queue, ordered by fairness key: with the SDK's 40,
    // one organization's bulk move filled them and another's task queued behind 40 in this process (docs/benchmarks.md,
    // "Workflow task slots"). Too few (3) and the sticky queue's tasks time out to the normal queue.
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTasks ?? DEFAULT_WORKFLOW_TASK_SLOTS,
    // No eager activity dispatch: an activity handed back with the workflow task's answer skips the task queue, so
    // its organization's new activities took freed slots ahead of another organization's waiting ones, past
    // fairness and past TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION (docs/benchmarks.md, "Activities per organization").
    maxEagerActivityReservationsPerWorkflowTask: 0,
    ...(opts.version ? { workerDeploymentOptions: deploymentOptions(opts.version) } : {}),
  });
}

/**
 * Routes the SDK's own logs through our logger (which redacts secrets); with `metricsBindAddress`
 * (temporalMetricsBindAddress), the SDK's Prometheus exporter listens there (the metrics listener appends it).
 */
export function installRuntime(logger: Logger, shutdownSignals: NodeJS.Signals[], metricsBindAddress?: string): void {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => logger[entry.level === 'ERROR' ? 'error' : 'warn'](entry.meta ?? {}, entry.message)),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(metricsBindAddress ? { metrics: { prometheus: { bindAddress: metricsBindAddress, useSecondsForDurations: true } } } : {}),
    },
    shutdownSignals,
  });
}

/** Production entry: connects to an external Temporal and PostgreSQL and polls until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireExternal(config, 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY');
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const tracing = startTracing(config, 'worker');
  // Before anything else: PostgreSQL (migrated by the API) and Temporal (with the API's search attributes) answer.
  await (await checkDependencies(config, 'worker')).close();
  const temporalMetricsAddress = await temporalMetricsBindAddress(config);
  installRuntime(logger, ['SIGINT', 'SIGTERM'], temporalMetricsAddress);
  const connection = await NativeConnection.connect(connectOptionsOf(config.temporal)).catch((err: unknown) => {
    throw new StartupCheckError(`${config.temporal.variable}: the worker cannot connect to Temporal at ${config.temporal.address} (${firstLineOf(err)})`);
  });
  const db = createPool(config.DATABASE_URL!, logger);
  const metricsServer = await startConfiguredMetricsServer(config, { db, logger, temporalMetricsAddress });
  const version = workerVersionFrom(config);
  try {
    const worker = await createCandidateWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db, logger, ...activityDepsFrom(config, config.LINK_SIGNING_SECRET!) },
      dataConverter: dataConverterFor(config, dataKeyStoreFrom(db, config)),
      shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      version,
    });
    await limitActivitiesPerOrganization(connection.workflowService, config, logger);
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, ...version }, 'worker started');
    // the Runtime drains the worker on these (installRuntime); noted here to tell a forced stop from a failure
    let shutdownRequested = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (shutdownRequested = true));
    const running = worker.run();
    // under the Worker Controller the controller alone makes versions current (it holds the deployment's manager identity)
    if (version && !version.managedRouting) await adoptVersionIfFirst(connection.workflowService, config.TEMPORAL_NAMESPACE, version, logger).catch((err: unknown) => logger.warn({ err }, 'could not check the deployment\'s current version'));
    const failure = await workerStopped(worker, running).then(() => undefined, (err: unknown) => err ?? new Error('worker failed'));
    if (failure !== undefined && shutdownRequested) {
      // shutdownForceTime passed (the SDK then fails run() with GracefulShutdownPeriodExpiredError or, when the
      // activity still holds the worker, with the error of finalizing it): the process ends here, connections and all
      logger.error({ graceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS, afterSeconds: shutdownForceAfterGraceSeconds, error: firstLineOf(failure) }, 'activities still running after the grace time and their cancellation; stopping without them (the server times their attempts out and retries them)');
      process.exit(1);
    }
    if (failure !== undefined) throw failure;
    logger.info('worker drained and stopped');
  } finally {
    await metricsServer?.close();
    await connection.close();
    await db.end();
    await tracing.shutdown();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
