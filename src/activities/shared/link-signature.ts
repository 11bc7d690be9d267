import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a link the service puts on a Lever opportunity: an HMAC over what the link is for
 * and the ids it opens, so a link works for that one thing only and a changed id is not a valid link.
 */
export function linkSignature(secret: string, purpose: string, ids: readonly string[]): string {
  return createHmac('sha256', secret).update([purpose, ...ids].join('\n')).digest('base64url');
}

/** Constant-time check of a link's `sig` against the one expected for `purpose` and `ids`. */
export function linkSignatureMatches(secret: string, purpose: string, ids: readonly string[], given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(linkSignature(secret, purpose, ids));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
