import { createHmac } from 'node:crypto';

/** Lever's webhook signature: lowercase hex HMAC-SHA256 over `token + triggeredAt` (the body is not signed). */
export function leverWebhookSignature(signatureToken: string, token: string, triggeredAt: number): string {
  return createHmac('sha256', signatureToken).update(token + String(triggeredAt)).digest('hex');
}
