import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowService } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Config } from './config';
import type { Logger } from './log';

/** A worker's place in a Temporal Worker Deployment (README "Upgrading workflows"). */
export interface WorkerVersion {
  deploymentName: string;
  buildId: string;
  /** Another party (the Temporal Worker Controller) sets the deployment's current and ramping versions. */
  managedRouting?: boolean;
}

/** Where `npm run build` writes the build id, next to dist/worker.js. */
export const buildIdFile = path.join(__dirname, 'build-id');

/** The package version and, in a git checkout, the short commit: what `npm run build` writes to dist/build-id. */
export function buildIdFromSource(root = path.join(__dirname, '..')): string {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return commit ? `${version}+${commit}` : version;
  } catch {
    return version;
  }
}

/**
 * The worker's version, or none (unversioned). `auto` is on only under the Temporal Worker Controller, which
 * names the deployment and the build in TEMPORAL_DEPLOYMENT_NAME / TEMPORAL_WORKER_BUILD_ID on each version's
 * pods and owns the routing (`managedRouting`: the worker never makes itself current); its names win over
 * WORKER_BUILD_ID / WORKER_DEPLOYMENT_NAME. Otherwise the build id is WORKER_BUILD_ID, else the build's
 * dist/build-id, else the source's (development).
 */
export function workerVersionFrom(config: Config): WorkerVersion | undefined {
  const controller = config.TEMPORAL_WORKER_BUILD_ID !== undefined;
  if (config.WORKER_VERSIONING === 'off' || (config.WORKER_VERSIONING === 'auto' && !controller)) return undefined;
  // under the controller its names win: it routes by them, whatever else the pod's settings say
  const buildId = (controller ? config.TEMPORAL_WORKER_BUILD_ID : config.WORKER_BUILD_ID) ?? (existsSync(buildIdFile) ? readFileSync(buildIdFile, 'utf8').trim() : buildIdFromSource());
  const deploymentName = (controller ? config.TEMPORAL_DEPLOYMENT_NAME : undefined) ?? config.WORKER_DEPLOYMENT_NAME ?? 'lever-codesignal';
  return { deploymentName, buildId, ...(controller ? { managedRouting: true } : {}) };
}

/**
 * Every workflow is pinned to the version that started it (short flows finish on the code they began
 * with); the candidate workflow is pinned too but moves to the Current Version at its next continue-as-new.
 */
export function deploymentOptions(version: WorkerVersion): WorkerDeploymentOptions {
  return { useWorkerVersioning: true, version: { deploymentName: version.deploymentName, buildId: version.buildId }, defaultVersioningBehavior: 'PINNED' };
}

/**
 * A versioned worker gets tasks only for the deployment's Current (or Ramping) Version and the workflows
 * pinned to it; a deployment without one (the first start) adopts this worker's version as Current.
 * Later versions are promoted by the rollout (scripts/rollout-version.sh), never by a starting worker —
 * except with `always` (the one-process dev stack, `npm start`: each start's version becomes current).
 * The version becomes known to the server only once the worker polls: retried until then.
 */
export async function adoptVersionIfFirst(
  service: WorkflowService,
  namespace: string,
  version: WorkerVersion,
  logger: Logger,
  opts: { always?: boolean; timeoutMs?: number } = {},
): Promise<'adopted' | 'has-current'> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { workerDeploymentInfo, conflictToken } = await service.describeWorkerDeployment({ namespace, deploymentName: version.deploymentName });
      // servers before 1.29 (docker-compose's 1.28) answer with the deprecated `<deployment>.<build id>` strings only
      const routing = workerDeploymentInfo?.routingConfig;
      const current = routing?.currentDeploymentVersion?.buildId || buildIdOfVersionString(version.deploymentName, routing?.currentVersion);
      if (current === version.buildId || (current && !opts.always)) return 'has-current';
      const known = (workerDeploymentInfo?.versionSummaries ?? []).some((v) => (v.deploymentVersion?.buildId || buildIdOfVersionString(version.deploymentName, v.version)) === version.buildId);
      if (known) {
        await service.setWorkerDeploymentCurrentVersion({ namespace, deploymentName: version.deploymentName, buildId: version.buildId, version: `${version.deploymentName}.${version.buildId}`, conflictToken, identity: 'worker-start', ignoreMissingTaskQueues: true });
        logger.info({ ...version, previous: current ?? null }, 'worker deployment version made current');
        await routingPropagated(service, namespace, version, deadline, logger);
        return 'adopted';
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`worker deployment ${version.deploymentName}: version ${version.buildId} was not registered within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Waits until the server says the new routing has reached every task queue partition (a workflow
 * started before that may still be dispatched to the previous version, and stays pinned to it). Servers
 * that do not report the state (before 1.29) answer nothing to wait for. Past the deadline it only logs.
 */
async function routingPropagated(service: WorkflowService, namespace: string, version: WorkerVersion, deadline: number, logger: Logger): Promise<void> {
  const inProgress = temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
  for (;;) {
    const { workerDeploymentInfo } = await service.describeWorkerDeployment({ namespace, deploymentName: version.deploymentName });
    if (workerDeploymentInfo?.routingConfigUpdateState !== inProgress) return;
    if (Date.now() > deadline) {
      logger.warn(version, 'worker deployment routing still propagating; new workflows may start on the previous version for a moment');
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The build id in a deprecated version string (`<deployment>.<build id>`); undefined for none or `__unversioned__`. */
function buildIdOfVersionString(deploymentName: string, version: string | null | undefined): string | undefined {
  return version?.startsWith(`${deploymentName}.`) ? version.slice(deploymentName.length + 1) : undefined;
}
