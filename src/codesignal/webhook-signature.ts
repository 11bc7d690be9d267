import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-CodeSignal-Signature`: hex HMAC-SHA256 keyed by the endpoint secret over
 * configuredUrl + event + triggeredOn (reference §8), with empty strings for what is absent — the
 * verification ping has no body, so it signs the URL alone. The body itself is NOT covered.
 */
export function codesignalSignature(secret: string, configuredUrl: string, event?: string, triggeredOn?: number | string): string {
  return createHmac('sha256', secret).update(`${configuredUrl}${event ?? ''}${triggeredOn ?? ''}`).digest('hex');
}

/** What the signature reads from a delivery; the parsed body, or null/undefined for the empty ping. */
export interface SignedFields {
  event?: string | undefined;
  triggeredOn?: number | string | undefined;
}

/**
 * Timing-safe check of the header against the URL exactly as configured in CodeSignal (not the URL
 * seen behind a proxy). Anything but one well-formed hex digest is invalid.
 */
export function codesignalSignatureIsValid(
  secret: string,
  configuredUrl: string,
  body: SignedFields | null | undefined,
  header: string | readonly string[] | undefined,
): boolean {
  const given = typeof header === 'string' ? header.trim() : header?.length === 1 ? header[0]!.trim() : undefined;
  if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = codesignalSignature(secret, configuredUrl, body?.event, body?.triggeredOn);
  return timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
}
