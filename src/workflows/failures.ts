import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The stable type and message of what stopped a flow: the activity's ApplicationFailure when there is one. */
export function failureOf(err: unknown, fallbackType: string): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return {
    type: cause instanceof ApplicationFailure && cause.type ? cause.type : fallbackType,
    message: cause instanceof Error ? cause.message : String(cause),
  };
}
