import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool';
import type { PublicLinkDecision, PublicLinkPlan } from '../../workflows/public-links/messages';
import { defaultPublicLinkSettings, type MatchReason, type PublicLinkSettings, type PublicLinkState } from '../../integrations/public-link-settings';

// ---- settings

interface SettingsRow {
  enabled: boolean;
  test_ids: string[];
  interval_minutes: number;
  look_back_days: number;
  on_match: PublicLinkSettings['onMatch'];
  on_no_match: PublicLinkSettings['onNoMatch'];
  updated_at: Date;
}

export interface StoredPublicLinkSettings extends PublicLinkSettings {
  /** Null while the integration has never saved them (the defaults apply). */
  updatedAt: Date | null;
}

const settingsFrom = (r: SettingsRow): StoredPublicLinkSettings => ({
  enabled: r.enabled,
  testIds: r.test_ids,
  intervalMinutes: r.interval_minutes,
  lookBackDays: r.look_back_days,
  onMatch: r.on_match,
  onNoMatch: r.on_no_match,
  updatedAt: r.updated_at,
});

export async function loadPublicLinkSettings(db: Db, integrationId: string): Promise<StoredPublicLinkSettings> {
  const { rows } = await db.query<SettingsRow>('SELECT * FROM public_link_settings WHERE integration_id = $1', [integrationId]);
  return rows[0] ? settingsFrom(rows[0]) : { ...defaultPublicLinkSettings, updatedAt: null };
}

export async function savePublicLinkSettings(db: Db, integrationId: string, s: PublicLinkSettings): Promise<StoredPublicLinkSettings> {
  const { rows } = await db.query<SettingsRow>(
    `INSERT INTO public_link_settings (integration_id, enabled, test_ids, interval_minutes, look_back_days, on_match, on_no_match, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (integration_id) DO UPDATE SET enabled = $2, test_ids = $3, interval_minutes = $4, look_back_days = $5,
       on_match = $6, on_no_match = $7, updated_at = now()
     RETURNING *`,
    [integrationId, s.enabled, s.testIds, s.intervalMinutes, s.lookBackDays, s.onMatch, s.onNoMatch],
  );
  return settingsFrom(rows[0]!);
}

/** Every integration (or those asked for) whose public-link results are on, with its settings (for the schedules at start). */
export async function listEnabledPublicLinkSettings(db: Db, integrationIds?: string[]): Promise<Array<{ integrationId: string; settings: StoredPublicLinkSettings }>> {
  const { rows } = await db.query<SettingsRow & { integration_id: string }>(
    'SELECT * FROM public_link_settings WHERE enabled AND ($1::uuid[] IS NULL OR integration_id = ANY($1::uuid[])) ORDER BY integration_id',
    [integrationIds ?? null],
  );
  return rows.map((r) => ({ integrationId: r.integration_id, settings: settingsFrom(r) }));
}

// ---- sessions

interface SessionRow {
  integration_id: string;
  session_id: string;
  test_id: string;
  test_title: string | null;
  finished_at: Date | null;
  candidate_name: string | null;
  candidate_email: string | null;
  score: number | null;
  max_score: number | null;
  state: PublicLinkState;
  action: 'post' | 'import' | null;
  opportunity_id: string | null;
  match_opportunity_ids: string[];
  match_reason: MatchReason;
  decided_by: 'auto' | 'admin' | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PublicLinkSessionRecord {
  integrationId: string;
  sessionId: string;
  testId: string;
  testTitle: string | null;
  finishedAt: Date | null;
  candidateName: string | null;
  candidateEmail: string | null;
  score: number | null;
  maxScore: number | null;
  state: PublicLinkState;
  action: 'post' | 'import' | null;
  opportunityId: string | null;
  matchOpportunityIds: string[];
  matchReason: MatchReason;
  decidedBy: 'auto' | 'admin' | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const sessionFrom = (r: SessionRow): PublicLinkSessionRecord => ({
  integrationId: r.integration_id,
  sessionId: r.session_id,
  testId: r.test_id,
  testTitle: r.test_title,
  finishedAt: r.finished_at,
  candidateName: r.candidate_name,
  candidateEmail: r.candidate_email,
  score: r.score,
  maxScore: r.max_score,
  state: r.state,
  action: r.action,
  opportunityId: r.opportunity_id,
  matchOpportunityIds: r.match_opportunity_ids,
  matchReason: r.match_reason,
  decidedBy: r.decided_by,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What a session workflow does next, from its recorded row. */
export function planOf(r: PublicLinkSessionRecord): PublicLinkPlan {
  if (r.state !== 'processing') return { state: r.state };
  if (r.action === 'post' && r.opportunityId) return { state: 'processing', action: 'post', opportunityId: r.opportunityId };
  return { state: 'processing', action: 'import', opportunityId: r.opportunityId };
}

export async function findPublicLinkSession(db: Db | PoolClient, integrationId: string, sessionId: string): Promise<PublicLinkSessionRecord | undefined> {
  const { rows } = await db.query<SessionRow>('SELECT * FROM public_link_sessions WHERE integration_id = $1 AND session_id = $2', [integrationId, sessionId]);
  return rows[0] ? sessionFrom(rows[0]) : undefined;
}

export type NewPublicLinkSession = Omit<PublicLinkSessionRecord, 'error' | 'createdAt' | 'updatedAt'>;

/**
 * Records a session the first time it is taken up and answers the row as it now is: when a row already
 * exists (an earlier attempt whose answer was lost, or another run), that one wins and is answered.
 */
export async function recordPublicLinkSession(db: Db, s: NewPublicLinkSession): Promise<PublicLinkSessionRecord> {
  await db.query(
    `INSERT INTO public_link_sessions (integration_id, session_id, test_id, test_title, finished_at, candidate_name, candidate_email, score, max_score,
       state, action, opportunity_id, match_opportunity_ids, match_reason, decided_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (integration_id, session_id) DO NOTHING`,
    [
      s.integrationId, s.sessionId, s.testId, s.testTitle, s.finishedAt, s.candidateName, s.candidateEmail, s.score, s.maxScore,
      s.state, s.action, s.opportunityId, s.matchOpportunityIds, s.matchReason, s.decidedBy,
    ],
  );
  return (await findPublicLinkSession(db, s.integrationId, s.sessionId))!;
}

/**
 * Records an admin's decision on a pending or failed session, atomically: of two decisions at once only
 * one changes the row (the other finds it no longer pending). A post or import becomes `processing`,
 * a dismissal is final. Answers the row as it now is (unchanged when it was not waiting for a decision).
 */
export async function decidePublicLinkSession(db: Db, integrationId: string, sessionId: string, decision: PublicLinkDecision): Promise<PublicLinkSessionRecord | undefined> {
  const [state, action, opportunityId] =
    decision.action === 'dismiss' ? ['dismissed', null, null] : decision.action === 'post' ? ['processing', 'post', decision.opportunityId] : ['processing', 'import', null];
  await db.query(
    `UPDATE public_link_sessions SET state = $3, action = $4, opportunity_id = $5, decided_by = 'admin', error = NULL, updated_at = now()
     WHERE integration_id = $1 AND session_id = $2 AND state IN ('pending', 'failed')`,
    [integrationId, sessionId, state, action, opportunityId],
  );
  return findPublicLinkSession(db, integrationId, sessionId);
}

/** The New Lead an import created or found, kept before anything is posted so a retry posts to the same one. */
export async function setImportedOpportunity(db: Db, integrationId: string, sessionId: string, opportunityId: string): Promise<void> {
  await db.query(
    `UPDATE public_link_sessions SET opportunity_id = $3, updated_at = now()
     WHERE integration_id = $1 AND session_id = $2 AND state = 'processing' AND action = 'import' AND opportunity_id IS NULL`,
    [integrationId, sessionId, opportunityId],
  );
}

/** `processing` → `posted` / `imported` (idempotent: a row already finished stays as it is). */
export async function finishPublicLinkSession(db: Db, integrationId: string, sessionId: string, state: 'posted' | 'imported', opportunityId: string): Promise<void> {
  await db.query(
    `UPDATE public_link_sessions SET state = $3, opportunity_id = $4, updated_at = now()
     WHERE integration_id = $1 AND session_id = $2 AND state = 'processing'`,
    [integrationId, sessionId, state, opportunityId],
  );
}

/** `processing` → `failed` with the error's message; an admin can decide again. */
export async function failPublicLinkSession(db: Db, integrationId: string, sessionId: string, message: string): Promise<void> {
  await db.query(
    `UPDATE public_link_sessions SET state = 'failed', error = $3, updated_at = now()
     WHERE integration_id = $1 AND session_id = $2 AND state = 'processing'`,
    [integrationId, sessionId, message.slice(0, 1000)],
  );
}

export async function listPublicLinkSessions(
  db: Db,
  integrationId: string,
  filter: { state?: PublicLinkState; limit: number },
): Promise<PublicLinkSessionRecord[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT * FROM public_link_sessions WHERE integration_id = $1 AND ($2::text IS NULL OR state = $2)
     ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT $3`,
    [integrationId, filter.state ?? null, filter.limit],
  );
  return rows.map(sessionFrom);
}

/** Of these session ids, the ones already taken up (any row) with their state. */
export async function recordedPublicLinkStates(db: Db, integrationId: string, sessionIds: string[]): Promise<Map<string, PublicLinkState>> {
  if (sessionIds.length === 0) return new Map();
  const { rows } = await db.query<{ session_id: string; state: PublicLinkState }>(
    'SELECT session_id, state FROM public_link_sessions WHERE integration_id = $1 AND session_id = ANY($2::text[])',
    [integrationId, sessionIds],
  );
  return new Map(rows.map((r) => [r.session_id, r.state]));
}

/**
 * Of these session ids, the ones the service invited itself: every invitation and reactivation is
 * recorded in assessment_sessions (src/activities/assessment/sessions-repository.ts). CodeSignal's API does not show a
 * session's externalId, so this table is how "ours" is told apart.
 */
export async function ownAssessmentSessions(db: Db, integrationId: string, sessionIds: string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const { rows } = await db.query<{ session_id: string }>(
    'SELECT session_id FROM assessment_sessions WHERE integration_id = $1 AND session_id = ANY($2::text[])',
    [integrationId, sessionIds],
  );
  return new Set(rows.map((r) => r.session_id));
}

/**
 * Runs `work` holding a session-level advisory lock for this integration and e-mail, or answers
 * undefined at once when another holder has it. Imports of one person serialize on it, so two of their
 * public-link sessions never create two New Leads; a crashed holder's connection ends and frees it.
 */
export async function withImportLock<T>(db: Db, integrationId: string, email: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  const client = await db.connect();
  const key = `public-link-import:${integrationId}:${email.trim().toLowerCase()}`;
  let locked = false;
  let broken = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
    locked = rows[0]?.locked === true;
    if (!locked) return undefined;
    return { value: await work() };
  } finally {
    // a connection that could not unlock is closed rather than pooled, which frees the lock with it
    if (locked) await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => (broken = true));
    client.release(broken);
  }
}
