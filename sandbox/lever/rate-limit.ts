import type { RequestHandler } from 'express';
import { TokenBucket } from 'limiter';
import { authed } from './context';
import { tooManyRequests } from './errors';
import type { RateLimitConfig } from './options';

interface KeyBucket { bucket: TokenBucket; config: RateLimitConfig }

/** One token bucket per API key, as Lever limits per credential. */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, KeyBucket>();

  /** Takes a token; on refusal returns the whole seconds until one is back. */
  take(key: string, config: RateLimitConfig): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const { bucket } = this.bucketFor(key, config);
    if (bucket.tryRemoveTokens(1)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.content) / config.perSecond)) };
  }

  clear(): void { this.buckets.clear(); }

  private bucketFor(key: string, config: RateLimitConfig): KeyBucket {
    const existing = this.buckets.get(key);
    if (existing && existing.config.perSecond === config.perSecond && existing.config.burst === config.burst) return existing;
    const bucket = new TokenBucket({ bucketSize: config.burst, tokensPerInterval: config.perSecond, interval: 'second' });
    bucket.content = config.burst; // limiter starts buckets empty; Lever's starts full
    const entry = { bucket, config: { ...config } };
    this.buckets.set(key, entry);
    return entry;
  }
}

/** Counts every authenticated /v1 request, whatever it later answers. */
export function rateLimit(limiter: KeyRateLimiter, sendRetryAfter: boolean): RequestHandler {
  return (req, _res, next) => {
    const { account, apiKey, trace } = authed(req);
    const verdict = limiter.take(apiKey.key, account.settings.rateLimit);
    if (!verdict.ok) {
      trace.rateLimited = true;
      throw tooManyRequests(sendRetryAfter ? verdict.retryAfterSeconds : null);
    }
    next();
  };
}
