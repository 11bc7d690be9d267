import { createHmac, hkdfSync } from 'node:crypto';
import type { Config } from '../config';
import { keyRingFrom } from '../crypto/keys';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from './pool';

/**
 * The candidate directory behind the admin UI's candidate search (README "Candidate timeline"): who a
 * Lever opportunity is, as the service last read it from Lever. Names and e-mails are sealed with the
 * secrets-at-rest SecretBox, bound to their row and column; an e-mail is findable only exactly,
 * through a keyed hash (HMAC-SHA256) of the normalized address; a name only by opening the
 * integration's names server-side (`searchByName`, bounded). Nothing here is stored in plain text.
 */

export interface CandidateEntry {
  opportunityId: string;
  name: string;
  emails: string[];
  lastSeenAt: Date;
}

export interface CandidateDirectory {
  /** Upserts what Lever just showed of the opportunity; `last_seen_at` moves to now. */
  record(entry: { integrationId: string; opportunityId: string; name: string; emails: readonly string[] }): Promise<void>;
  get(integrationId: string, opportunityId: string): Promise<CandidateEntry | null>;
  /** The names of those of the opportunities the directory knows (lists that would otherwise show ids alone). */
  names(integrationId: string, opportunityIds: readonly string[]): Promise<Map<string, string>>;
  /** Candidates with exactly this address (case and surrounding spaces aside). */
  findByEmail(integrationId: string, email: string, limit: number): Promise<CandidateEntry[]>;
  /**
   * Case-insensitive substring match on names (accents ignored) among the `scanLimit` most recently
   * seen candidates of the integration; `truncated` says the integration has more than were opened.
   */
  searchByName(integrationId: string, text: string, opts: { limit: number; scanLimit: number }): Promise<{ candidates: CandidateEntry[]; truncated: boolean }>;
}

/**
 * The names the directory knows of these opportunities (null/undefined ids skipped), for admin lists
 * that would otherwise show ids alone; without a directory, none.
 */
export async function candidateNames(
  directory: CandidateDirectory | undefined,
  integrationId: string,
  opportunityIds: ReadonlyArray<string | null | undefined>,
): Promise<Map<string, string>> {
  return directory ? directory.names(integrationId, opportunityIds.filter((id): id is string => !!id)) : new Map<string, string>();
}

/** How many of an integration's most recently seen names a name search opens at most. */
export const nameSearchScanLimit = 5_000;
/** E-mails kept per candidate (Lever allows several). */
const emailsKept = 20;

/**
 * The HMAC keys of e-mail hashes, the current first: derived from each secrets-at-rest key (ENCRYPTION_KEY
 * and ENCRYPTION_KEYS_PREVIOUS), so a row hashed before a key rotation is still found until it is seen again.
 */
export function candidateEmailKeysFrom(config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>): Buffer[] {
  const ring = keyRingFrom(config, 'secrets-at-rest');
  const keys = [ring.current, ...[...ring.byId.values()].filter((k) => k.id !== ring.current.id)];
  return keys.map((k) => Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'lever-codesignal/candidate-email-hash', 32)));
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
/** Lower case without accents, so "Ada" finds "ÁDA" and "lovelace" "Lovelace". */
export const foldName = (name: string): string => name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const hashEmail = (key: Buffer, integrationId: string, email: string): string =>
  createHmac('sha256', key).update(`${integrationId}\n${normalizeEmail(email)}`).digest('base64');

interface Row {
  opportunity_id: string;
  name_sealed: string;
  emails_sealed: string;
  last_seen_at: Date;
}

export function createCandidateDirectory(deps: { db: Db; box: SecretBox; emailKeys: readonly Buffer[] }): CandidateDirectory {
  const { db, box, emailKeys } = deps;
  const context = (integrationId: string, opportunityId: string, column: 'name' | 'emails') => `candidate_directory/${integrationId}/${opportunityId}/${column}`;
  const open = (integrationId: string, row: Row): CandidateEntry => ({
    opportunityId: row.opportunity_id,
    name: box.open(row.name_sealed, context(integrationId, row.opportunity_id, 'name')),
    emails: JSON.parse(box.open(row.emails_sealed, context(integrationId, row.opportunity_id, 'emails'))) as string[],
    lastSeenAt: row.last_seen_at,
  });
  /**
   * For lists (names, searches): a row that does not open (sealed under a key no longer in the ring, or
   * altered) is left out, so one bad row never fails Activity, Sourcing or a search; `get` still throws.
   */
  const openAll = (integrationId: string, rows: readonly Row[]): CandidateEntry[] =>
    rows.flatMap((row) => {
      try {
        return [open(integrationId, row)];
      } catch {
        return [];
      }
    });
  const columns = 'opportunity_id, name_sealed, emails_sealed, last_seen_at';

  return {
    async record({ integrationId, opportunityId, name, emails }) {
      const kept = [...new Set(emails.map((e) => e.trim()).filter(Boolean))].slice(0, emailsKept);
      const hashes = [...new Set(kept.map((e) => hashEmail(emailKeys[0]!, integrationId, e)))];
      await db.query(
        `INSERT INTO candidate_directory (integration_id, opportunity_id, name_sealed, emails_sealed, email_hashes, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (integration_id, opportunity_id) DO UPDATE
         SET name_sealed = EXCLUDED.name_sealed, emails_sealed = EXCLUDED.emails_sealed, email_hashes = EXCLUDED.email_hashes, last_seen_at = now()`,
        [
          integrationId,
          opportunityId,
          box.seal(name, context(integrationId, opportunityId, 'name')),
          box.seal(JSON.stringify(kept), context(integrationId, opportunityId, 'emails')),
          hashes,
        ],
      );
    },

    async get(integrationId, opportunityId) {
      const { rows } = await db.query<Row>(`SELECT ${columns} FROM candidate_directory WHERE integration_id = $1 AND opportunity_id = $2`, [integrationId, opportunityId]);
      return rows[0] ? open(integrationId, rows[0]) : null;
    },

    async names(integrationId, opportunityIds) {
      const ids = [...new Set(opportunityIds)];
      if (ids.length === 0) return new Map();
      const { rows } = await db.query<Row>(`SELECT ${columns} FROM candidate_directory WHERE integration_id = $1 AND opportunity_id = ANY($2::text[])`, [integrationId, ids]);
      return new Map(openAll(integrationId, rows).map((c) => [c.opportunityId, c.name]));
    },

    async findByEmail(integrationId, email, limit) {
      const hashes = emailKeys.map((key) => hashEmail(key, integrationId, email));
      const { rows } = await db.query<Row>(
        `SELECT ${columns} FROM candidate_directory WHERE integration_id = $1 AND email_hashes && $2::text[] ORDER BY last_seen_at DESC LIMIT $3`,
        [integrationId, hashes, limit],
      );
      // the hash matched; the opened addresses confirm it (a hash collision never shows another candidate)
      const wanted = normalizeEmail(email);
      return openAll(integrationId, rows).filter((c) => c.emails.some((e) => normalizeEmail(e) === wanted));
    },

    async searchByName(integrationId, text, { limit, scanLimit }) {
      const { rows } = await db.query<Row>(
        `SELECT ${columns} FROM candidate_directory WHERE integration_id = $1 ORDER BY last_seen_at DESC LIMIT $2`,
        [integrationId, scanLimit + 1],
      );
      const wanted = foldName(text.trim());
      const candidates: CandidateEntry[] = [];
      for (const entry of openAll(integrationId, rows.slice(0, scanLimit))) {
        if (!foldName(entry.name).includes(wanted)) continue;
        candidates.push(entry);
        if (candidates.length >= limit) break;
      }
      return { candidates, truncated: rows.length > scanLimit };
    },
  };
}
