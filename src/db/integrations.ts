import { z } from 'zod';
import type { Db } from './pool';

/** What an admin sends to create an integration; secrets are write-only. */
export const integrationInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  lever: z.object({
    apiKey: z.string().min(1),
    // Lever gives each webhook subscription its own signing token, so an integration may hold several.
    webhookSigningTokens: z.array(z.string().min(8)).min(1).max(20),
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
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: IntegrationRow): Integration => ({
  id: r.id,
  name: r.name,
  leverApiKey: r.lever_api_key,
  leverWebhookSigningTokens: r.lever_webhook_signing_tokens,
  codesignalApiKey: r.codesignal_api_key,
  codesignalWebhookSecret: r.codesignal_webhook_secret,
  settings: r.settings,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createIntegration(db: Db, input: IntegrationInput): Promise<Integration> {
  const { rows } = await db.query<IntegrationRow>(
    `INSERT INTO integrations (name, lever_api_key, lever_webhook_signing_tokens, codesignal_api_key, codesignal_webhook_secret, settings)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [input.name, input.lever.apiKey, input.lever.webhookSigningTokens, input.codesignal.apiKey, input.codesignal.webhookSecret ?? null, input.settings],
  );
  return fromRow(rows[0]!);
}

/** Unknown and malformed ids both read as "not found", so callers answer 404 either way. */
export async function findIntegration(db: Db, id: string): Promise<Integration | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * Webhook ingress looks an integration up on every delivery; a short-lived cache keeps that off the
 * database on the hot path. A changed signing token takes effect within `ttlMs`.
 */
export function cachedIntegrationLookup(db: Db, ttlMs: number, now: () => number = Date.now) {
  const cache = new Map<string, { value: Integration | undefined; expiresAt: number }>();
  return async (id: string): Promise<Integration | undefined> => {
    const hit = cache.get(id);
    if (hit && hit.expiresAt > now()) return hit.value;
    const value = await findIntegration(db, id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { value, expiresAt: now() + ttlMs });
    return value;
  };
}

export async function updateIntegrationSettings(db: Db, id: string, settings: Record<string, unknown>): Promise<Integration | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const { rows } = await db.query<IntegrationRow>(
    'UPDATE integrations SET settings = $2, updated_at = now() WHERE id = $1 RETURNING *',
    [id, settings],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function findIntegrationByName(db: Db, name: string): Promise<Integration | undefined> {
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations WHERE name = $1 ORDER BY created_at LIMIT 1', [name]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Replaces the webhook secrets, e.g. after new subscriptions were registered. */
export async function updateWebhookSecrets(
  db: Db,
  id: string,
  secrets: { leverWebhookSigningTokens: string[]; codesignalWebhookSecret: string | null },
): Promise<void> {
  await db.query(
    'UPDATE integrations SET lever_webhook_signing_tokens = $2, codesignal_webhook_secret = $3, updated_at = now() WHERE id = $1',
    [id, secrets.leverWebhookSigningTokens, secrets.codesignalWebhookSecret],
  );
}

export async function listIntegrations(db: Db): Promise<Integration[]> {
  const { rows } = await db.query<IntegrationRow>('SELECT * FROM integrations ORDER BY created_at');
  return rows.map(fromRow);
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

export async function updateIntegrationCredentials(db: Db, id: string, input: CredentialsInput): Promise<Integration | undefined> {
  if (!uuidPattern.test(id)) return undefined;
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
      input.lever?.apiKey ?? null,
      input.lever?.webhookSigningTokens ?? null,
      input.codesignal?.apiKey ?? null,
      input.codesignal?.webhookSecret !== undefined,
      input.codesignal?.webhookSecret ?? null,
    ],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}
