import { createHmac, randomBytes } from 'node:crypto';

/** Builds a delivery exactly as Lever does (computed here independently of the service's code): a fresh 48-char token per delivery, signature over token + triggeredAt. */
export function signedLeverDelivery(signingToken: string, event: string, data: Record<string, unknown>, triggeredAt = Date.now()) {
  const token = randomBytes(24).toString('hex');
  return { triggeredAt, event, data, token, signature: createHmac('sha256', signingToken).update(token + String(triggeredAt)).digest('hex') };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Response bodies in tests are checked field by field, so read them untyped. */
export const readJson = (res: Response): Promise<any> => res.json();
