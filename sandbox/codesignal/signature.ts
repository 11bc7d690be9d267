import { hmacSha256Hex } from '../shared/hmac';

/**
 * `X-CodeSignal-Signature`: hex HMAC-SHA256 keyed by the endpoint secret over
 * endpointUrl + eventType + triggeredOn, with empty strings when absent (the verification ping has neither).
 */
export function codeSignalSignature(secret: string, endpointUrl: string, event = '', triggeredOn: number | '' = ''): string {
  return hmacSha256Hex(secret, `${endpointUrl}${event}${triggeredOn}`);
}
