import { hmacSha256Hex } from '../shared/hmac';

/** Lever's webhook signature: lowercase hex HMAC-SHA256 over `token + triggeredAt` (the body is not signed). */
export function leverWebhookSignature(signatureToken: string, token: string, triggeredAt: number): string {
  return hmacSha256Hex(signatureToken, token + String(triggeredAt));
}
