import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The status feed's signature (docs/sync.md, "Status feed"): `t=<ms>,v1=<hex>` where the hex is
 * HMAC-SHA256 keyed with the integration's feed secret over `<t>.<raw body>`. Unlike CodeSignal's own
 * webhook signature it covers the body, and the time lets a receiver refuse a replayed delivery.
 */
export function signFeedBody(secret: string, rawBody: string, at: number): string {
  const mac = createHmac('sha256', secret).update(`${at}.${rawBody}`).digest('hex');
  return `t=${at},v1=${mac}`;
}

export type FeedSignatureCheck = { ok: true; at: number } | { ok: false; reason: string };

/** Checks a feed signature header against the raw body; `maxAgeMs` bounds replays (and clock skew both ways). */
export function verifyFeedSignature(secret: string, rawBody: string, header: string | undefined, now: number, maxAgeMs = 5 * 60_000): FeedSignatureCheck {
  if (!header) return { ok: false, reason: 'signature header missing' };
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(t) || !given) return { ok: false, reason: 'signature header malformed' };
  if (Math.abs(now - t) > maxAgeMs) return { ok: false, reason: 'signature too old or in the future' };
  const expected = Buffer.from(signFeedBody(secret, rawBody, t).split('v1=')[1]!, 'utf8');
  const actual = Buffer.from(given, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, at: t };
}
