import type { RequestHandler } from 'express';
import { authed } from './context';
import { tooManyRequests } from './errors';
import type { RateLimitConfig } from './options';

/**
 * Lever's limit changing at run time ("may vary with server load", lever-api.md §1.6): from `startedAt`,
 * each phase's limit for its `seconds`, then the last phase's limit for good (10,5,10 ends at 10).
 */
export interface RateLimitSchedule {
  startedAt: number;
  phases: Array<RateLimitConfig & { seconds: number }>;
}

/** The limit in force at `now`: the schedule's phase when one is set, else the account's `rateLimit`. */
export function rateLimitAt(settings: { rateLimit: RateLimitConfig; rateLimitSchedule?: RateLimitSchedule | null }, now: number): RateLimitConfig {
  const schedule = settings.rateLimitSchedule;
  if (!schedule || schedule.phases.length === 0 || now < schedule.startedAt) return settings.rateLimit;
  let end = schedule.startedAt;
  for (const phase of schedule.phases) {
    end += phase.seconds * 1000;
    if (now < end) return { perSecond: phase.perSecond, burst: phase.burst };
  }
  const last = schedule.phases[schedule.phases.length - 1]!;
  return { perSecond: last.perSecond, burst: last.burst };
}

/**
 * Requests Lever grants from `from` to `to` at the limit of each moment (the integral of the rate; the
 * bucket's initial burst not counted): what a client's share of the granted rate is measured against.
 */
export function grantedBetween(settings: Parameters<typeof rateLimitAt>[0], from: number, to: number): number {
  const bounds = [from, to];
  const schedule = settings.rateLimitSchedule;
  if (schedule) {
    let end = schedule.startedAt;
    bounds.push(end);
    for (const phase of schedule.phases) bounds.push((end += phase.seconds * 1000));
  }
  const cuts = [...new Set(bounds.filter((t) => t >= from && t <= to))].sort((a, b) => a - b);
  let granted = 0;
  for (let i = 1; i < cuts.length; i++) granted += (rateLimitAt(settings, cuts[i - 1]!).perSecond * (cuts[i]! - cuts[i - 1]!)) / 1000;
  return granted;
}

/** One key's bucket: `content` tokens as of `at`, refilled continuously at the limit of the moment. */
interface Bucket { content: number; at: number }

/**
 * One token bucket per API key, as Lever limits per credential. A changed limit (settings or schedule)
 * applies from that moment to the same bucket: its tokens are kept (capped at the new burst), never
 * refilled or emptied by the change itself.
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes a token; on refusal returns the whole seconds until one is back. */
  take(key: string, config: RateLimitConfig, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { content: config.burst, at: now })); // Lever's buckets start full
    bucket.content = Math.min(config.burst, bucket.content + (Math.max(0, now - bucket.at) * config.perSecond) / 1000);
    bucket.at = now;
    if (bucket.content >= 1) {
      bucket.content -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.content) / config.perSecond)) };
  }

  clear(): void { this.buckets.clear(); }
}

/** Counts every authenticated /v1 request, whatever it later answers. */
export function rateLimit(limiter: KeyRateLimiter, sendRetryAfter: boolean): RequestHandler {
  return (req, _res, next) => {
    const { account, apiKey, trace } = authed(req);
    const now = Date.now();
    const verdict = limiter.take(apiKey.key, rateLimitAt(account.settings, now), now);
    if (!verdict.ok) {
      trace.rateLimited = true;
      throw tooManyRequests(sendRetryAfter ? verdict.retryAfterSeconds : null);
    }
    next();
  };
}
