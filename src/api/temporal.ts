import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../log';
import { HttpError } from './errors';

/** What a route needs to call Temporal: the client, the API's deadline for one call, a logger. */
export interface TemporalCallDeps {
  temporal: Client;
  /** TEMPORAL_RPC_TIMEOUT_MS: a route never waits longer than this for one Temporal call. */
  temporalTimeoutMs: number;
  logger: Logger;
}

/** Runs one Temporal call under the API's deadline (or a longer one the caller names). */
export const withinDeadline = <T>(deps: Pick<TemporalCallDeps, 'temporal' | 'temporalTimeoutMs'>, call: () => Promise<T>, timeoutMs = deps.temporalTimeoutMs): Promise<T> =>
  deps.temporal.connection.withDeadline(Date.now() + timeoutMs, call);

/**
 * The one way a route records something in Temporal: the call under the API's deadline, and a
 * Temporal that does not answer in time (or at all) becomes a 503 `temporal_unavailable` with
 * Retry-After, which Lever, CodeSignal and the sourcing caller retry. Nothing was recorded, so the
 * retry is safe. An answer Temporal did give that the route handles itself (by default: no such
 * workflow) is passed through unchanged.
 */
export async function temporalOr503<T>(
  deps: TemporalCallDeps,
  what: string,
  call: () => Promise<T>,
  opts: { passThrough?: (err: unknown) => boolean; log?: Logger } = {},
): Promise<T> {
  const passThrough = opts.passThrough ?? ((err: unknown) => err instanceof WorkflowNotFoundError);
  try {
    return await withinDeadline(deps, call);
  } catch (err) {
    if (passThrough(err)) throw err;
    (opts.log ?? deps.logger).warn({ err: (err as Error).message }, `Temporal unavailable; ${what} is answered 503 for the sender to retry`);
    throw new HttpError(503, 'temporal_unavailable', `${what} could not be recorded; retry later`, undefined, { 'Retry-After': '30' });
  }
}
