import type { Db } from '../../db/pool';

/**
 * Lever delivery tokens seen by the ingress (migrations/…_lever-delivery-tokens.sql). Lever signs only
 * `token + triggeredAt`, so a token is remembered with a hash of the body it came with: the same token
 * cannot carry another body while a delivery with its triggeredAt is still accepted.
 */

export interface DeliveryTokenClaim {
  integrationId: string;
  token: string;
  /** SHA-256 of the raw request body, as received. */
  bodySha256: Buffer;
  /** Until when a delivery with this token's triggeredAt is accepted; the row is kept that long. */
  expiresAt: Date;
}

/**
 * - `new`: first time this token is seen; it is now remembered with this body.
 * - `again`: seen before with this body, but never answered 2xx (the earlier attempt failed or is in
 *   flight): act on it again — the candidate workflow drops an event it already has by its key.
 * - `duplicate`: seen before with this body and answered 2xx (marked with the delivery's record,
 *   db/webhook-deliveries.ts): nothing more to do.
 * - `replayed`: seen before with another body: a captured token reused on an altered delivery.
 */
export type DeliveryTokenVerdict = 'new' | 'again' | 'duplicate' | 'replayed';

/**
 * Remembers the token, or says how it was seen before. Concurrent claims of one token see one winner:
 * the insert waits for a concurrent one and, having lost, the read that follows (a new statement, so a
 * new snapshot under READ COMMITTED) sees the winner's row.
 */
export async function claimLeverDeliveryToken(db: Db, claim: DeliveryTokenClaim): Promise<DeliveryTokenVerdict> {
  for (let attempt = 0; ; attempt++) {
    const inserted = await db.query(
      `INSERT INTO lever_delivery_tokens (integration_id, token, body_sha256, expires_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT (integration_id, token) DO NOTHING`,
      [claim.integrationId, claim.token, claim.bodySha256, claim.expiresAt],
    );
    if (inserted.rowCount === 1) return 'new';
    const { rows } = await db.query<{ body_sha256: Buffer; answered: boolean }>(
      `SELECT body_sha256, answered FROM lever_delivery_tokens WHERE integration_id = $1 AND token = $2`,
      [claim.integrationId, claim.token],
    );
    const seen = rows[0];
    // pruned between the two statements (it had expired): claim it afresh, once
    if (!seen) {
      if (attempt === 0) continue;
      return 'new';
    }
    if (!seen.body_sha256.equals(claim.bodySha256)) return 'replayed';
    return seen.answered ? 'duplicate' : 'again';
  }
}

/** Deletes tokens past their expiry (no delivery with them is accepted any more); answers how many. */
export async function pruneLeverDeliveryTokens(db: Db): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM lever_delivery_tokens WHERE expires_at < now()`);
  return rowCount ?? 0;
}
