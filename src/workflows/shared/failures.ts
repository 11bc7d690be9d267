import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/**
 * The stable type and message of what stopped a flow: the activity's ApplicationFailure when there is
 * one — also when retries ran out of time, where it is the last attempt's failure under the timeout.
 */
export function failureOf(err: unknown, fallbackType: string): { type: string; message: string } {
  let cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure && cause.cause instanceof ApplicationFailure) cause = cause.cause;
  return {
    type: cause instanceof ApplicationFailure && cause.type ? cause.type : fallbackType,
    message: cause instanceof Error ? cause.message : String(cause),
  };
}
