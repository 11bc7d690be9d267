import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lever signs `token + triggeredAt` (not the body) with the subscription's signing token. */
export function leverSignature(signingToken: string, token: string, triggeredAt: number): string {
  return createHmac('sha256', signingToken).update(token + String(triggeredAt)).digest('hex');
}

/** Timing-safe check against each of the integration's signing tokens (one per Lever subscription). */
export function leverSignatureIsValid(
  signingTokens: readonly string[],
  body: { token: string; triggeredAt: number; signature?: string | undefined },
): boolean {
  if (!body.signature) return false;
  const given = Buffer.from(body.signature, 'utf8');
  let valid = false;
  for (const key of signingTokens) {
    const expected = Buffer.from(leverSignature(key, body.token, body.triggeredAt), 'utf8');
    // Check every token so the time taken does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
