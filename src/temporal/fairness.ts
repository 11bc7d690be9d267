import { createHash } from 'node:crypto';
import type { Priority } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import type { Logger } from '../log';

/** Temporal's limit on a fairness key. */
const maxFairnessKeyBytes = 64;

/**
 * The priority every workflow the service starts for an integration carries: its fairness key is the
 * integration's id, so on a server with task queue fairness (`matching.enableFairness`) the matching
 * service keeps one virtual queue per integration on the shared task queue and dispatches from them in
 * turn, and one organization's bulk move cannot starve another's (README, Architecture, "Fairness between organizations").
 * Children, activities and continue-as-new runs inherit it. A server without fairness ignores the key
 * (tasks go first-in first-out, as before). Integration ids are UUIDs (36 bytes); a longer id is hashed
 * to stay under Temporal's 64-byte limit.
 */
export function integrationPriority(integrationId: string): Priority {
  const fairnessKey = Buffer.byteLength(integrationId) <= maxFairnessKeyBytes ? integrationId : createHash('sha256').update(integrationId).digest('base64url');
  return { fairnessKey };
}

/** What the worker needs of Temporal's service to configure its task queue (a client's or a NativeConnection's). */
interface TaskQueueConfigService {
  updateTaskQueueConfig(request: temporal.api.workflowservice.v1.IUpdateTaskQueueConfigRequest): Promise<unknown>;
}

/**
 * TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: Temporal's per-fairness-key rate limit on the activity task
 * queue, so the matching service hands out one integration's activities no faster than this and keeps the rest
 * in the queue, where they hold no worker slot (README "Fairness between organizations"). Set at each worker
 * start (the same value again is a no-op); without a value the service leaves the queue's setting alone
 * (answers undefined). Answers whether it was applied; a server that refuses it (older than 1.29, fairness off)
 * is logged, not fatal.
 */
export async function limitActivitiesPerOrganization(
  service: TaskQueueConfigService,
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION'>,
  logger: Pick<Logger, 'info' | 'error'>,
): Promise<boolean | undefined> {
  const { TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: perSecond } = config;
  if (perSecond === undefined) return undefined;
  try {
    await service.updateTaskQueueConfig({
      namespace,
      identity: 'lever-codesignal worker',
      taskQueue,
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      updateFairnessKeyRateLimitDefault: {
        rateLimit: { requestsPerSecond: perSecond },
        reason: 'TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION',
      },
    });
    logger.info({ taskQueue, perSecond }, 'activities per organization limited on the task queue');
    return true;
  } catch (err) {
    logger.error(
      { taskQueue, error: err instanceof Error ? err.message : String(err) },
      'TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION not applied: the Temporal server did not take the task queue setting',
    );
    return false;
  }
}
