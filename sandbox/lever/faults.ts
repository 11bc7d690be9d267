import type { Request, RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { dropAfterCommit, preExecutionFault } from '../shared/faults';
import { createPrng } from '../shared/prng';
import { authed } from './context';
import { LeverError, tooManyRequests } from './errors';

const rate = z.number().min(0).max(1);
const count = z.number().int().min(0);

export const faultConfigSchema = z.object({
  /** Share of /v1 requests answered 500 or 503 before anything happens. */
  errorRate: rate,
  /** Share of /v1 requests answered 429 on top of the token bucket. */
  rateLimitRate: rate,
  /** Delay added to every /v1 request. */
  latencyMs: z.number().int().min(0).max(120_000),
  /** Share of successful writes that commit, then lose their connection without an answer. */
  dropAfterCommitRate: rate,
  /** The next n /v1 requests answer 503. */
  failNext: count,
  /** The next n /v1 requests answer 429. */
  rateLimitNext: count,
  /** The next n successful writes commit, then drop the connection. */
  dropNext: count,
});

export type FaultConfig = z.infer<typeof faultConfigSchema>;

export const faultPatchSchema = faultConfigSchema.partial().extend({ seed: z.number().int().min(0).optional() });
export type FaultPatch = z.infer<typeof faultPatchSchema>;

export const NO_FAULTS: FaultConfig = {
  errorRate: 0, rateLimitRate: 0, latencyMs: 0, dropAfterCommitRate: 0, failNext: 0, rateLimitNext: 0, dropNext: 0,
};

export interface FaultState {
  config: FaultConfig;
  seed: number;
  random: () => number;
}

export function createFaultState(seed: number): FaultState {
  return { config: { ...NO_FAULTS }, seed, random: createPrng(seed) };
}

/** Merges a patch; a new seed restarts the PRNG so a run can be replayed. */
export function applyFaultPatch(state: FaultState, patch: FaultPatch): void {
  const { seed, ...config } = patch;
  state.config = { ...state.config, ...config };
  if (seed !== undefined) {
    state.seed = seed;
    state.random = createPrng(seed);
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Runs after authentication and the token bucket; never mounted on the control API. */
export function injectFaults(sendRetryAfter: boolean): RequestHandler {
  return async (req, res, next) => {
    const { account, trace } = authed(req);
    const faults = account.faults;
    const { config } = faults;
    if (config.latencyMs > 0) {
      trace.faults.push('latency');
      await sleep(config.latencyMs);
    }
    const fault = preExecutionFault(config, faults.random, 503);
    if (fault?.kind === 'error') {
      trace.faults.push('error');
      throw fault.status === 503
        ? new LeverError(503, 'ServiceUnavailable', 'Service temporarily unavailable (injected fault)')
        : new LeverError(500, 'InternalServer', 'Internal server error (injected fault)');
    }
    if (fault?.kind === 'throttle') {
      trace.faults.push('rateLimited');
      throw tooManyRequests(sendRetryAfter ? 1 : null);
    }
    if (WRITE_METHODS.has(req.method)) armDropAfterCommit(req, res, faults);
    next();
  };
}

/** Lets the handler commit, then destroys the socket instead of sending a success answer. */
function armDropAfterCommit(req: Request, res: Response, faults: FaultState): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    const committed = res.statusCode >= 200 && res.statusCode < 300;
    if (committed && dropAfterCommit(faults.config, faults.random)) {
      authed(req).trace.faults.push('dropped');
      res.socket?.destroy();
      return res;
    }
    return end(...args);
  }) as Response['end'];
}
