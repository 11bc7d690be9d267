import { ApplicationFailure } from '@temporalio/activity';
import { ExternalApiError } from '../../external-api-error';

/**
 * Turns an API error into the failure Temporal acts on: retryable ones (5xx, 429, timeouts) are
 * retried with backoff (after Retry-After when given); the rest stop the activity at once, with a
 * stable type such as `Lever.Forbidden` that workflows and operators can read.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof ExternalApiError)) return err;
  const service = err.service === 'lever' ? 'Lever' : 'CodeSignal';
  return ApplicationFailure.create({
    type: `${service}.${err.code}`,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/** Wraps every activity of a factory so API errors leave it as Temporal failures. */
export function withFailureMapping<T extends AsyncFunctions>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
