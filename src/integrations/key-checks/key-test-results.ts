import type { Db } from '../../db/pool';
import type { KeyCheck } from './key-check';

/** The two stored API keys of an integration that a TEST checks. */
export const keyServices = ['lever', 'codesignal'] as const;
export type KeyService = (typeof keyServices)[number];

/** How the last TEST of a stored key went; no key, hint or permission detail, only the missing names. */
export interface KeyTestResult {
  checkedAt: string;
  ok: boolean;
  keyValid: boolean;
  missing: string[];
}

const keyColumn: Record<KeyService, string> = { lever: 'lever_api_key', codesignal: 'codesignal_api_key' };

/**
 * Which key is stored now, as an opaque value (its sealed form, never shown, logged or stored
 * elsewhere): read before the TEST reads the key, and compared when its result is recorded, so a key
 * replaced while it was being tested gets no result of the key before it. undefined: no integration.
 */
export async function storedKeyVersion(db: Db, integrationId: string, service: KeyService): Promise<string | undefined> {
  const { rows } = await db.query<{ sealed: string }>(`SELECT ${keyColumn[service]} AS sealed FROM integrations WHERE id = $1`, [integrationId]);
  return rows[0]?.sealed;
}

/**
 * Records a TEST of the stored key, if that key (`version`, from storedKeyVersion) is still the stored
 * one: FOR SHARE waits for a PATCH replacing it and then finds no row, so the new key stays untested.
 * Answers whether it was recorded.
 */
export async function recordKeyTest(db: Db, integrationId: string, service: KeyService, version: string, check: KeyCheck): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO integration_key_tests (integration_id, service, checked_at, ok, key_valid, missing)
     SELECT id, $2, $4, $5, $6, $7 FROM integrations WHERE id = $1 AND ${keyColumn[service]} = $3 FOR SHARE
     ON CONFLICT (integration_id, service) DO UPDATE
       SET checked_at = EXCLUDED.checked_at, ok = EXCLUDED.ok, key_valid = EXCLUDED.key_valid, missing = EXCLUDED.missing
       WHERE integration_key_tests.checked_at <= EXCLUDED.checked_at`,
    [integrationId, service, version, check.checkedAt, check.ok, check.keyValid, check.missing],
  );
  return rowCount === 1;
}

/** Forgets the TEST results of the keys just replaced: a new key is untested. */
export async function clearKeyTests(db: Db, integrationId: string, services: readonly KeyService[]): Promise<void> {
  if (services.length === 0) return;
  await db.query('DELETE FROM integration_key_tests WHERE integration_id = $1 AND service = ANY($2::text[])', [integrationId, services]);
}

/** The last TEST of each stored key of the given integrations; a key never tested (since it was saved) is null. */
export async function keyTestsOf(db: Db, integrationIds: readonly string[]): Promise<Map<string, Record<KeyService, KeyTestResult | null>>> {
  const { rows } = await db.query<{ integration_id: string; service: KeyService; checked_at: Date; ok: boolean; key_valid: boolean; missing: string[] }>(
    'SELECT integration_id, service, checked_at, ok, key_valid, missing FROM integration_key_tests WHERE integration_id = ANY($1::uuid[])',
    [integrationIds],
  );
  const tests = new Map(integrationIds.map((id) => [id, { lever: null, codesignal: null } as Record<KeyService, KeyTestResult | null>]));
  for (const r of rows) {
    const of = tests.get(r.integration_id);
    if (of) of[r.service] = { checkedAt: r.checked_at.toISOString(), ok: r.ok, keyValid: r.key_valid, missing: r.missing };
  }
  return tests;
}
