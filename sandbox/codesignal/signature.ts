import { createHmac } from 'node:crypto';

/**
 * `X-CodeSignal-Signature`: hex HMAC-SHA256 keyed by the endpoint secret over
 * endpointUrl + eventType + triggeredOn, with empty strings when absent (the verification ping has neither).
 */
export function codeSignalSignature(secret: string, endpointUrl: string, event = '', triggeredOn: number | '' = ''): string {
  return createHmac('sha256', secret).update(`${endpointUrl}${event}${triggeredOn}`).digest('hex');
}
