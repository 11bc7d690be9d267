import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/**
 * The stable type and message of what stopped a flow: the activity's ApplicationFailure when there is
 * one — also when retries ran out of time, where it is the last attempt's failure under the timeout.
 */
export function failureOf(err: unknown, fallbackType: string): { type: string; message: string } {
  const cause = causeOf(err);
  return {
    type: cause instanceof ApplicationFailure && cause.type ? cause.type : fallbackType,
    message: cause instanceof Error ? cause.message : String(cause),
  };
}

/** What an activity's failure carries under it: the ApplicationFailure it threw (the last attempt's, once retries ran out of time). */
function causeOf(err: unknown): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof TimeoutFailure && cause.cause instanceof ApplicationFailure ? cause.cause : cause;
}

/** The first detail of that ApplicationFailure (src/activities/shared/failures.ts puts the HTTP status there; writeAssessmentSteps the step). */
export function failureDetail(err: unknown): Record<string, unknown> | undefined {
  const cause = causeOf(err);
  const detail = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>) : undefined;
}
