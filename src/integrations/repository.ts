import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import type { Logger } from '../log';
import { isCanonicalUuid } from '../workflows/shared/ids';
import type { Db } from '../db/pool';

/** What an admin sends to create an integration; secrets are write-only. */
export const integrationInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  lever: z.object({
    apiKey: z.string().min(1),
    // Lever gives each webhook subscription its own signing token, so an integration may hold several.
    // Lever shows a signing token only once the webhook URL (which names the integration) is
    // registered there, so an integration may start without one; deliveries are refused until then.
    webhookSigningTokens: z.array(z.string().min(8)).max(20).default([]),
  }),
  codesignal: z.object({
    apiKey: z.string().min(1),
    webhookSecret: z.string().min(8).optional(),
  }),
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type IntegrationInput = z.infer<typeof integrationInputSchema>;

export interface Integration {
  id: string;
  name: string;
  leverApiKey: string;
  leverWebhookSigningTokens: string[];
  codesignalApiKey: string;
  codesignalWebhookSecret: string | null;
  /** The sourcing contract (docs/sync.md): when the sourcing API token was made (null: none, the API refuses every call). */
  sourcingTokenCreatedAt: Date | null;
  /** Where the status feed goes, and the secret that signs it; null: no feed is sent. */
  sourcingFeedUrl: string | null;
  sourcingFeedSecret: string | null;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface IntegrationRow {
  id: string;
  name: string;
  lever_api_key: string;
  lever_webhook_signing_tokens: string[];
  codesignal_api_key: string;
  codesignal_webhook_secret: string | null;
  sourcing_token_created_at: Date | null;
  sourcing_feed_url: string | null;
  sourcing_feed_secret: string | null;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** The columns that hold secrets: sealed in the database, plain text only in memory. */
type SecretColumn = 'lever_api_key' | 'lever_webhook_signing_tokens' | 'codesignal_api_key' | 'codesignal_webhook_secret' | 'sourcing_feed_secret';

/** Where a secret is stored; its ciphertext is bound to it, so it opens in no other row or column. */
const secretContext = (id: string, column: SecretColumn) => `integrations/${id}/${column}`;

function sealer(box: SecretBox, id: string) {
  const seal = (column: SecretColumn, value: string) => box.seal(value, secretContext(id, column));
  return {
    seal,
    /** null and undefined (not given) both stay null, for the SQL to keep or clear the column. */
    sealOrNull: (column: SecretColumn, value: string | null | undefined) => (value == null ? null : seal(column, value)),
    sealAll: (column: SecretColumn, values: readonly string[] | undefined) => values?.map((v) => seal(column, v)) ?? null,
  };
}

function fromRow(box: SecretBox, r: IntegrationRow): Integration {
  const open = (column: SecretColumn, value: string) => box.open(value, secretContext(r.id, column));
  return {
    id: r.id,
    name: r.name,
    leverApiKey: open('lever_api_key', r.lever_api_key),
    leverWebhookSigningTokens: r.lever_webhook_signing_tokens.map((t) => open('lever_webhook_signing_tokens', t)),
    codesignalApiKey: open('codesignal_api_key', r.codesignal_api_key),
    codesignalWebhookSecret: r.codesignal_webhook_secret === null ? null : open('codesignal_webhook_secret', r.codesignal_webhook_secret),
    sourcingTokenCreatedAt: r.sourcing_token_created_at,
    sourcingFeedUrl: r.sourcing_feed_url,
    sourcingFeedSecret: r.sourcing_feed_secret === null ? null : open('sourcing_feed_secret', r.sourcing_feed_secret),
    settings: r.settings,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Only the id as it was made (a lower-case UUID) names an integration. PostgreSQL's uuid type would match
 * `ABC…` to `abc…`, but the id goes into workflow ids and sealed secrets are bound to it as a string, so
 * any other spelling is no integration.
 */
const isIntegrationId = isCanonicalUuid;

/** The id is made here rather than by the INSERT: the sealed secrets are bound to it. */
export async function createIntegration(db: Db, box: SecretBox, input: IntegrationInput): Promise<Integration> {
  const id = randomUUID();
  const { seal, sealAll, sealOrNull } = sealer(box, id);
  const { rows } = await db.query<IntegrationRow>(
    `INSERT INTO integrations (id, name, lever_api_key, lever_webhook_signing_tokens, codesignal_api_key, codesignal_webhook_secret, settings)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      id,
      input.name,
      seal('lever_api_key', input.lever.apiKey),
      sealAll('lever_webhook_signing_tokens', input.lever.webhookSigningTokens),
      seal('codesignal_api_key', input.codesignal.apiKey),
      sealOrNull('codesignal_webhook_secret', input.codesignal.webhookSecret),
      input.settings,
    ],
  );
  return fromRow(box, rows[0]!);
}

/** Unknown and malformed ids both read as "not found", so callers answer 404 either way. */
export async function findIntegration(db: Db, box: SecretBox, id: string): Promise<Integration | undefined> {
  if (!isIntegrationId(id)) return undefined;
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations WHERE id = $1', [id]);
  return rows[0] ? fromRow(box, rows[0]) : undefined;
}

/**
 * Webhook ingress looks an integration up on every delivery; a short-lived cache keeps that off the
 * database on the hot path. A changed signing token takes effect within `ttlMs`.
 */
/** `fresh`: read the database now (and refresh the cache), for what must see a change at once. */
export type IntegrationLookup = (id: string, opts?: { fresh?: boolean }) => Promise<Integration | undefined>;

export function cachedIntegrationLookup(db: Db, box: SecretBox, ttlMs: number, now: () => number = Date.now): IntegrationLookup {
  const cache = new Map<string, { value: Integration | undefined; expiresAt: number }>();
  return async (id, opts = {}) => {
    const hit = cache.get(id);
    if (hit && hit.expiresAt > now() && !opts.fresh) return hit.value;
    const value = await findIntegration(db, box, id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { value, expiresAt: now() + ttlMs });
    return value;
  };
}

export async function updateIntegrationSettings(db: Db, box: SecretBox, id: string, settings: Record<string, unknown>): Promise<Integration | undefined> {
  if (!isIntegrationId(id)) return undefined;
  const { rows } = await db.query<IntegrationRow>(
    'UPDATE integrations SET settings = $2, updated_at = now() WHERE id = $1 RETURNING *',
    [id, settings],
  );
  return rows[0] ? fromRow(box, rows[0]) : undefined;
}

export async function findIntegrationByName(db: Db, box: SecretBox, name: string): Promise<Integration | undefined> {
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations WHERE name = $1 ORDER BY created_at LIMIT 1', [name]);
  return rows[0] ? fromRow(box, rows[0]) : undefined;
}

/** Replaces the webhook secrets, e.g. after new subscriptions were registered. */
export async function updateWebhookSecrets(
  db: Db,
  box: SecretBox,
  id: string,
  secrets: { leverWebhookSigningTokens: string[]; codesignalWebhookSecret: string | null },
): Promise<void> {
  const { sealAll, sealOrNull } = sealer(box, id);
  await db.query(
    'UPDATE integrations SET lever_webhook_signing_tokens = $2, codesignal_webhook_secret = $3, updated_at = now() WHERE id = $1',
    [id, sealAll('lever_webhook_signing_tokens', secrets.leverWebhookSigningTokens), sealOrNull('codesignal_webhook_secret', secrets.codesignalWebhookSecret)],
  );
}

/** A pool or one of its clients (inside a transaction). */
type Queryable = Pick<Db, 'query'>;

/**
 * Adds one Lever signing token to the integration's (webhook-registration/: the token a
 * `POST /webhooks` answered), sealed like the others, where the ingress reads them.
 */
export async function appendLeverSigningToken(q: Queryable, box: SecretBox, id: string, token: string): Promise<void> {
  await q.query(
    'UPDATE integrations SET lever_webhook_signing_tokens = array_append(lever_webhook_signing_tokens, $2), updated_at = now() WHERE id = $1',
    [id, sealer(box, id).seal('lever_webhook_signing_tokens', token)],
  );
}

/** Removes the Lever signing tokens `drop` picks (their plain text is shown to it only); the others stay as sealed. Answers how many went. */
export async function removeLeverSigningTokens(q: Queryable, box: SecretBox, id: string, drop: (token: string) => boolean): Promise<number> {
  const { rows } = await q.query<Pick<IntegrationRow, 'lever_webhook_signing_tokens'>>('SELECT lever_webhook_signing_tokens FROM integrations WHERE id = $1 FOR UPDATE', [id]);
  if (!rows[0]) return 0;
  const sealed = rows[0].lever_webhook_signing_tokens;
  const kept = sealed.filter((t) => !drop(box.open(t, secretContext(id, 'lever_webhook_signing_tokens'))));
  if (kept.length === sealed.length) return 0;
  await q.query('UPDATE integrations SET lever_webhook_signing_tokens = $2, updated_at = now() WHERE id = $1', [id, kept]);
  return sealed.length - kept.length;
}

export async function listIntegrations(db: Db, box: SecretBox): Promise<Integration[]> {
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations ORDER BY created_at');
  return rows.map((r) => fromRow(box, r));
}

/** A partial credentials change from the admin: only what is given is replaced. */
export const credentialsInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    lever: z.object({ apiKey: z.string().min(1), webhookSigningTokens: z.array(z.string().min(8)).min(1).max(20) }).partial(),
    codesignal: z.object({ apiKey: z.string().min(1), webhookSecret: z.string().min(8).nullable() }).partial(),
  })
  .partial();
export type CredentialsInput = z.infer<typeof credentialsInputSchema>;

export async function updateIntegrationCredentials(db: Db, box: SecretBox, id: string, input: CredentialsInput): Promise<Integration | undefined> {
  if (!isIntegrationId(id)) return undefined;
  const { sealAll, sealOrNull } = sealer(box, id);
  const { rows } = await db.query<IntegrationRow>(
    `UPDATE integrations SET
       name = COALESCE($2, name),
       lever_api_key = COALESCE($3, lever_api_key),
       lever_webhook_signing_tokens = COALESCE($4, lever_webhook_signing_tokens),
       codesignal_api_key = COALESCE($5, codesignal_api_key),
       codesignal_webhook_secret = CASE WHEN $6::boolean THEN $7 ELSE codesignal_webhook_secret END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      input.name ?? null,
      sealOrNull('lever_api_key', input.lever?.apiKey),
      sealAll('lever_webhook_signing_tokens', input.lever?.webhookSigningTokens),
      sealOrNull('codesignal_api_key', input.codesignal?.apiKey),
      input.codesignal?.webhookSecret !== undefined,
      sealOrNull('codesignal_webhook_secret', input.codesignal?.webhookSecret),
    ],
  );
  return rows[0] ? fromRow(box, rows[0]) : undefined;
}

/**
 * At start: seals the secrets that databases from before encryption hold in plain text, and seals
 * again with the current key those a previous key sealed. One transaction, so a failure changes
 * nothing; a second run finds nothing to do.
 */
export async function sealStoredSecrets(db: Db, box: SecretBox, logger: Logger): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Pick<IntegrationRow, 'id' | SecretColumn>>(
      'SELECT id, lever_api_key, lever_webhook_signing_tokens, codesignal_api_key, codesignal_webhook_secret, sourcing_feed_secret FROM integrations ORDER BY id FOR UPDATE',
    );
    let sealed = 0;
    for (const r of rows) {
      let changed = false;
      const upgrade = (column: SecretColumn, value: string) => {
        const next = box.upgrade(value, secretContext(r.id, column));
        changed ||= next !== value;
        return next;
      };
      const values = [
        upgrade('lever_api_key', r.lever_api_key),
        r.lever_webhook_signing_tokens.map((t) => upgrade('lever_webhook_signing_tokens', t)),
        upgrade('codesignal_api_key', r.codesignal_api_key),
        r.codesignal_webhook_secret === null ? null : upgrade('codesignal_webhook_secret', r.codesignal_webhook_secret),
        r.sourcing_feed_secret === null ? null : upgrade('sourcing_feed_secret', r.sourcing_feed_secret),
      ];
      if (!changed) continue;
      await client.query(
        'UPDATE integrations SET lever_api_key = $2, lever_webhook_signing_tokens = $3, codesignal_api_key = $4, codesignal_webhook_secret = $5, sourcing_feed_secret = $6 WHERE id = $1',
        [r.id, ...values],
      );
      sealed++;
    }
    await client.query('COMMIT');
    if (sealed > 0) logger.info({ integrations: sealed }, 'stored secrets sealed with the current encryption key');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Makes a new sourcing API token for the integration (docs/sync.md), replacing any earlier one at once.
 * Only its SHA-256 is stored: 256 random bits need no slow hash, and the token is shown only this once.
 */
export async function rotateSourcingToken(db: Db, id: string): Promise<string | undefined> {
  if (!isIntegrationId(id)) return undefined;
  const token = `cs_src_${randomBytes(32).toString('base64url')}`;
  const { rowCount } = await db.query(
    'UPDATE integrations SET sourcing_token_sha256 = $2, sourcing_token_created_at = now(), updated_at = now() WHERE id = $1',
    [id, sha256(token)],
  );
  return rowCount === 1 ? token : undefined;
}

/** Whether `token` is the integration's sourcing token; compared by hash in the database (constant for the caller). */
export async function sourcingTokenMatches(db: Db, id: string, token: string): Promise<boolean> {
  if (!isIntegrationId(id) || token.length > 200) return false;
  const { rowCount } = await db.query('SELECT 1 FROM integrations WHERE id = $1 AND sourcing_token_sha256 = $2', [id, sha256(token)]);
  return rowCount === 1;
}

/**
 * Sets where the status feed goes. A first URL gets a new signing secret (answered once, for the
 * receiver); `rotateSecret` makes a new one; a null URL stops the feed and forgets the secret.
 */
export async function setSourcingFeed(
  db: Db,
  box: SecretBox,
  id: string,
  feed: { url: string | null; rotateSecret?: boolean },
): Promise<{ integration: Integration; newSecret: string | null } | undefined> {
  const current = await findIntegration(db, box, id);
  if (!current) return undefined;
  const needsSecret = feed.url !== null && (feed.rotateSecret === true || current.sourcingFeedSecret === null);
  const newSecret = needsSecret ? `whsec_${randomBytes(32).toString('base64url')}` : null;
  const { sealOrNull } = sealer(box, id);
  const { rows } = await db.query<IntegrationRow>(
    `UPDATE integrations SET sourcing_feed_url = $2,
       sourcing_feed_secret = CASE WHEN $2::text IS NULL THEN NULL WHEN $3::text IS NOT NULL THEN $3 ELSE sourcing_feed_secret END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, feed.url, sealOrNull('sourcing_feed_secret', newSecret)],
  );
  return { integration: fromRow(box, rows[0]!), newSecret };
}
