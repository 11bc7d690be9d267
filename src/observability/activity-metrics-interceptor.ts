import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { processMetrics } from './metrics';

/**
 * Counts `lcs_activity_retries_total{activity_type}`: every activity attempt after the first, when it
 * starts (so a retry is counted whether it then succeeds or fails). Registered in `workerInterceptors`.
 */
export const activityRetryMetrics: ActivityInterceptorsFactory = (ctx) => {
  if (ctx.info.attempt > 1) processMetrics().activityRetried(ctx.info.activityType);
  return {};
};
