/**
 * The fault decisions both simulators make the same way. Each simulator keeps its own config schema,
 * where the seed lives, how latency is applied and what an injected error or throttle looks like on the wire.
 */

/** The counters and rates the decisions read; the counters are decremented in place as they fire. */
export interface FaultDials {
  /** Share of requests answered 500 or 503 (even odds) before anything runs. */
  errorRate: number;
  /** Share of requests throttled on top of the real rate limit. */
  rateLimitRate: number;
  /** Share of committed writes answered by destroying the socket. */
  dropAfterCommitRate: number;
  /** The next n requests fail (with the status the caller names). */
  failNext: number;
  /** The next n requests are throttled. */
  rateLimitNext: number;
  /** The next n committed writes are dropped. */
  dropNext: number;
}

export type PreExecutionFault = { kind: 'error'; status: 500 | 503 } | { kind: 'throttle' } | null;

/** Draws only for non-zero rates, so a seed gives the same outcomes whatever else is configured. */
export function chance(random: () => number, rate: number): boolean {
  return rate > 0 && random() < rate;
}

/** Asked once per request before it runs: `failNext`, then `errorRate`, then `rateLimitNext`, then `rateLimitRate`. */
export function preExecutionFault(dials: FaultDials, random: () => number, failNextStatus: 500 | 503): PreExecutionFault {
  if (dials.failNext > 0) {
    dials.failNext -= 1;
    return { kind: 'error', status: failNextStatus };
  }
  if (chance(random, dials.errorRate)) return { kind: 'error', status: random() < 0.5 ? 500 : 503 };
  if (dials.rateLimitNext > 0) {
    dials.rateLimitNext -= 1;
    return { kind: 'throttle' };
  }
  if (chance(random, dials.rateLimitRate)) return { kind: 'throttle' };
  return null;
}

/** Asked once per committed write: `dropNext` first, then `dropAfterCommitRate`. */
export function dropAfterCommit(dials: FaultDials, random: () => number): boolean {
  if (dials.dropNext > 0) {
    dials.dropNext -= 1;
    return true;
  }
  return chance(random, dials.dropAfterCommitRate);
}
