import type { Db } from '../../db/pool';

/** A CodeSignal sourcing candidate and the Lever opportunity it was imported as. */
export interface CandidateLink {
  integrationId: string;
  codesignalCandidateId: string;
  leverOpportunityId: string;
  leverContactId: string | null;
  candidateEmail: string | null;
  /** created: the import made the opportunity; linked: an active opportunity for the e-mail already existed. */
  outcome: 'created' | 'linked';
  requestedByCodesignalUserId: string | null;
  createdByLeverUserId: string;
  /** The requester had no mapped Lever user, so the integration's default Lever user acted. */
  creatorFallback: boolean;
  /** Lever matched the e-mail to an existing contact when creating: a new opportunity on that contact. */
  contactDeduped: boolean;
  createdAt: Date;
}

interface LinkRow {
  integration_id: string;
  codesignal_candidate_id: string;
  lever_opportunity_id: string;
  lever_contact_id: string | null;
  candidate_email: string | null;
  outcome: 'created' | 'linked';
  requested_by_codesignal_user_id: string | null;
  created_by_lever_user_id: string;
  creator_fallback: boolean;
  contact_deduped: boolean;
  created_at: Date;
}

const fromRow = (r: LinkRow): CandidateLink => ({
  integrationId: r.integration_id,
  codesignalCandidateId: r.codesignal_candidate_id,
  leverOpportunityId: r.lever_opportunity_id,
  leverContactId: r.lever_contact_id,
  candidateEmail: r.candidate_email,
  outcome: r.outcome,
  requestedByCodesignalUserId: r.requested_by_codesignal_user_id,
  createdByLeverUserId: r.created_by_lever_user_id,
  creatorFallback: r.creator_fallback,
  contactDeduped: r.contact_deduped,
  createdAt: r.created_at,
});

export async function findCandidateLink(db: Db, integrationId: string, codesignalCandidateId: string): Promise<CandidateLink | undefined> {
  const { rows } = await db.query<LinkRow>(
    'SELECT * FROM candidate_links WHERE integration_id = $1 AND codesignal_candidate_id = $2',
    [integrationId, codesignalCandidateId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Every CodeSignal candidate imported as this opportunity (several when they share an e-mail). */
export async function findCandidateLinksByOpportunity(db: Db, integrationId: string, leverOpportunityId: string): Promise<CandidateLink[]> {
  const { rows } = await db.query<LinkRow>(
    'SELECT * FROM candidate_links WHERE integration_id = $1 AND lever_opportunity_id = $2 ORDER BY created_at',
    [integrationId, leverOpportunityId],
  );
  return rows.map(fromRow);
}

/** Idempotent: the first recorded link wins and is returned. */
export async function recordCandidateLink(db: Db, link: Omit<CandidateLink, 'createdAt'>): Promise<CandidateLink> {
  await db.query(
    `INSERT INTO candidate_links (integration_id, codesignal_candidate_id, lever_opportunity_id, lever_contact_id, candidate_email, outcome,
       requested_by_codesignal_user_id, created_by_lever_user_id, creator_fallback, contact_deduped)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (integration_id, codesignal_candidate_id) DO NOTHING`,
    [
      link.integrationId, link.codesignalCandidateId, link.leverOpportunityId, link.leverContactId, link.candidateEmail, link.outcome,
      link.requestedByCodesignalUserId, link.createdByLeverUserId, link.creatorFallback, link.contactDeduped,
    ],
  );
  return (await findCandidateLink(db, link.integrationId, link.codesignalCandidateId))!;
}

const personKey = (email: string) => email.trim().toLowerCase();

/**
 * Takes the lease on importing one person (integration + e-mail) for `ttlMs`, or answers false while
 * another holder's lease runs. Two imports of the same person, even under different CodeSignal
 * candidate ids or as overlapping attempts of one activity, then look up Lever and create one at a
 * time. A lease, not a lock: nothing holds a database connection across Lever calls, and a crashed
 * holder's lease simply expires.
 */
export async function claimImport(db: Db, integrationId: string, email: string, holder: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO import_claims (integration_id, person_key, holder, expires_at)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (integration_id, person_key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE import_claims.expires_at < now() OR import_claims.holder = EXCLUDED.holder`,
    [integrationId, personKey(email), holder, ttlMs],
  );
  return rowCount === 1;
}

export async function releaseImportClaim(db: Db, integrationId: string, email: string, holder: string): Promise<void> {
  await db.query('DELETE FROM import_claims WHERE integration_id = $1 AND person_key = $2 AND holder = $3', [integrationId, personKey(email), holder]);
}

/** The integration's imports, newest first (the admin UI's list). */
export async function listCandidateLinks(db: Db, integrationId: string, limit: number): Promise<CandidateLink[]> {
  const { rows } = await db.query<LinkRow>('SELECT * FROM candidate_links WHERE integration_id = $1 ORDER BY created_at DESC LIMIT $2', [integrationId, limit]);
  return rows.map(fromRow);
}
