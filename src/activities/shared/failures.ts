import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { ExternalApiError } from '../../external-api-error';

/**
 * Turns an API error into the failure Temporal acts on: retryable ones (5xx, 429, timeouts) are
 * retried with backoff (after Retry-After when given); the rest stop the activity at once, with a
 * stable type such as `Lever.Forbidden` that workflows and operators can read, and the HTTP status in its details.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof ExternalApiError)) return err;
  const service = err.service === 'lever' ? 'Lever' : 'CodeSignal';
  return ApplicationFailure.create({
    type: `${service}.${err.code}`,
    message: err.message,
    nonRetryable: !err.retryable,
    // the status names a stop (src/workflows/shared/stops.ts): 401, 403, 404 … mean different fixes
    details: [{ status: err.status ?? null }],
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

/** Every activity's error leaves through `toActivityFailure`; anything else passes through unchanged. */
export const failureMappingInterceptor: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    try {
      return await next(input);
    } catch (err) {
      throw toActivityFailure(err);
    }
  },
};

/**
 * The worker's activity interceptor (`interceptors.activity`), registered once where workers are
 * created (`workerInterceptors` in src/worker.ts): activity factories need not map errors themselves.
 */
export const activityFailureMapping: ActivityInterceptorsFactory = () => ({ inbound: failureMappingInterceptor });
