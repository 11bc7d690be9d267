import { createHmac } from 'node:crypto';

/** Lowercase hex HMAC-SHA256 of `message` keyed by `key`; each simulator's signature.ts says what the message is. */
export function hmacSha256Hex(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}
