import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { followsHandBack } from '../activities/shared/attempt';
import { processMetrics } from './metrics';

/**
 * Counts `lcs_activity_retries_total{activity_type}`: every activity attempt after the first, when it
 * starts (so a retry is counted whether it then succeeds or fails); not one after attempts that only handed
 * their worker slot back (src/activities/shared/attempt.ts). Registered in `workerInterceptors`.
 */
export const activityRetryMetrics: ActivityInterceptorsFactory = (ctx) => {
  if (ctx.info.attempt > 1 && !followsHandBack(ctx.info)) processMetrics().activityRetried(ctx.info.activityType);
  return {};
};
