import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { appendLeverSigningToken, removeLeverSigningTokens } from '../repository';

/** A Lever webhook subscription the service made through Lever's API (migration lever-webhook-registrations). */
export interface Registration {
  webhookId: string;
  event: string;
  url: string;
  /** SHA-256 (hex) of the signing token its create answered; the token itself is sealed with the integration's. */
  tokenSha256: string;
}

export const tokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

interface RegistrationRow {
  webhook_id: string;
  event: string;
  url: string;
  token_sha256: Buffer;
}

export async function listRegistrations(db: Pick<Db, 'query'>, integrationId: string): Promise<Registration[]> {
  const { rows } = await db.query<RegistrationRow>(
    'SELECT webhook_id, event, url, token_sha256 FROM lever_webhook_registrations WHERE integration_id = $1 ORDER BY created_at, webhook_id',
    [integrationId],
  );
  return rows.map((r) => ({ webhookId: r.webhook_id, event: r.event, url: r.url, tokenSha256: r.token_sha256.toString('hex') }));
}

async function inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * The registrations of one integration, changed under a session-level advisory lock held for the whole
 * register or remove (Lever calls included), so two admins' clicks never make two subscriptions for one event.
 */
export interface RegistrationStore {
  list(): Promise<Registration[]>;
  /** The new subscription and its signing token, in one transaction: the token where the ingress reads it. */
  record(webhookId: string, event: string, url: string, signatureToken: string): Promise<void>;
  /** Forgets subscriptions (deleted in Lever, or gone) and the signing tokens they were made with. */
  forget(registrations: readonly Registration[]): Promise<void>;
}

/**
 * Runs `work` holding the integration's registration lock, or answers undefined at once when another
 * register or remove holds it. A connection that could not unlock is closed, which frees the lock.
 */
export async function withRegistrationLock<T>(db: Db, box: SecretBox, integrationId: string, work: (store: RegistrationStore) => Promise<T>): Promise<{ value: T } | undefined> {
  const client = await db.connect();
  const lockKey = `lever-webhook-registration:${integrationId}`;
  let held = false;
  let unusable = false;
  const store: RegistrationStore = {
    list: () => listRegistrations(client, integrationId),
    record: (webhookId, event, url, signatureToken) =>
      inTransaction(client, async () => {
        await client.query(
          `INSERT INTO lever_webhook_registrations (integration_id, webhook_id, event, url, token_sha256) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (integration_id, webhook_id) DO UPDATE SET event = EXCLUDED.event, url = EXCLUDED.url, token_sha256 = EXCLUDED.token_sha256`,
          [integrationId, webhookId, event, url, Buffer.from(tokenSha256(signatureToken), 'hex')],
        );
        await appendLeverSigningToken(client, box, integrationId, signatureToken);
      }),
    forget: async (registrations) => {
      if (registrations.length === 0) return;
      const hashes = new Set(registrations.map((r) => r.tokenSha256));
      await inTransaction(client, async () => {
        await removeLeverSigningTokens(client, box, integrationId, (token) => hashes.has(tokenSha256(token)));
        await client.query('DELETE FROM lever_webhook_registrations WHERE integration_id = $1 AND webhook_id = ANY($2::text[])', [
          integrationId,
          registrations.map((r) => r.webhookId),
        ]);
      });
    },
  };
  try {
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held', [lockKey]);
    held = rows[0]?.held === true;
    return held ? { value: await work(store) } : undefined;
  } finally {
    if (held) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch(() => (unusable = true));
    client.release(unusable);
  }
}
