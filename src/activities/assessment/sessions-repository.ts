import type { PoolClient } from 'pg';
import { inTransaction, type Db } from '../../db/pool';

export interface AssessmentSessionLink {
  integrationId: string;
  sessionId: string;
  opportunityId: string;
  assessmentId: string;
  workflowId: string;
}

/** A CodeSignal test-session event kept until the session's workflow records the session. */
export interface ParkedSessionEvent {
  sessionId: string;
  event: string;
  triggeredOn: number;
}

/** Idempotent: recording the same session again changes nothing. The first workflow to record a session keeps it. */
export async function recordAssessmentSession(db: Db | PoolClient, link: AssessmentSessionLink): Promise<void> {
  await db.query(
    `INSERT INTO assessment_sessions (integration_id, session_id, opportunity_id, assessment_id, workflow_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, session_id) DO NOTHING`,
    [link.integrationId, link.sessionId, link.opportunityId, link.assessmentId, link.workflowId],
  );
}

/**
 * Marks the sessions of one assessment (its workflow's) as no longer waiting on a CodeSignal result
 * (`lcs_candidates_waiting_on_result`). Idempotent: a session keeps the first time it finished.
 */
export async function finishAssessmentSessions(db: Db | PoolClient, ref: { integrationId: string; opportunityId: string; assessmentId: string }): Promise<void> {
  await db.query(
    `UPDATE assessment_sessions SET finished_at = now()
     WHERE integration_id = $1 AND opportunity_id = $2 AND assessment_id = $3 AND finished_at IS NULL`,
    [ref.integrationId, ref.opportunityId, ref.assessmentId],
  );
}

/** Marks one session (e.g. one a reactivation replaced) as no longer waiting; idempotent. */
export async function finishAssessmentSession(db: Db | PoolClient, integrationId: string, sessionId: string): Promise<void> {
  await db.query(
    'UPDATE assessment_sessions SET finished_at = now() WHERE integration_id = $1 AND session_id = $2 AND finished_at IS NULL',
    [integrationId, sessionId],
  );
}

export async function findAssessmentWorkflowId(db: Db | PoolClient, integrationId: string, sessionId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ workflow_id: string }>(
    'SELECT workflow_id FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2',
    [integrationId, sessionId],
  );
  return rows[0]?.workflow_id;
}

/**
 * Parking an event and recording its session serialize on this transaction-scoped lock, so an event
 * is either parked before the session is recorded (and the recording takes it) or finds the record.
 */
async function lockSession(client: PoolClient, integrationId: string, sessionId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('assessment-session:' || $1 || ':' || $2, 0))`, [integrationId, sessionId]);
}

/** At most this many events are parked per integration at once (a flood of made-up session ids stops here). */
export const maxParkedEventsPerIntegration = 10_000;

export type ParkOutcome =
  | { kind: 'recorded'; workflowId: string }
  | { kind: 'parked' }
  | { kind: 'full' };

/**
 * Parks an event of a session no workflow has recorded yet; if the session was recorded meanwhile,
 * answers its workflow instead. A redelivery of a parked event (same event and triggeredOn) is parked once.
 */
export async function parkSessionEvent(db: Db, event: ParkedSessionEvent & { integrationId: string }): Promise<ParkOutcome> {
  return inTransaction(db, async (client) => {
    await lockSession(client, event.integrationId, event.sessionId);
    const workflowId = await findAssessmentWorkflowId(client, event.integrationId, event.sessionId);
    if (workflowId) return { kind: 'recorded', workflowId };
    const { rows } = await client.query<{ parked: string }>(
      'SELECT count(*) AS parked FROM (SELECT 1 FROM parked_session_events WHERE integration_id = $1 LIMIT $2) AS p',
      [event.integrationId, maxParkedEventsPerIntegration],
    );
    if (Number(rows[0]?.parked ?? 0) >= maxParkedEventsPerIntegration) return { kind: 'full' };
    await client.query(
      `INSERT INTO parked_session_events (integration_id, session_id, event, triggered_on)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [event.integrationId, event.sessionId, event.event, event.triggeredOn],
    );
    return { kind: 'parked' };
  });
}

/**
 * Records the session (idempotent) and answers the events parked for it, oldest first — but only to
 * the workflow the session is recorded for. The events stay parked until pruned, so a retried
 * recording whose answer was lost gets them again; the session's later events find the record.
 */
export async function recordAssessmentSessionTakingParked(db: Db, link: AssessmentSessionLink): Promise<ParkedSessionEvent[]> {
  return inTransaction(db, async (client) => {
    await lockSession(client, link.integrationId, link.sessionId);
    await recordAssessmentSession(client, link);
    if ((await findAssessmentWorkflowId(client, link.integrationId, link.sessionId)) !== link.workflowId) return [];
    // A workflow waits on its newest session only: the ones a retake or reactivation replaced are finished.
    await client.query(
      `UPDATE assessment_sessions SET finished_at = now()
       WHERE integration_id = $1 AND workflow_id = $2 AND session_id <> $3 AND finished_at IS NULL`,
      [link.integrationId, link.workflowId, link.sessionId],
    );
    const { rows } = await client.query<{ event: string; triggered_on: string }>(
      `SELECT event, triggered_on FROM parked_session_events
       WHERE integration_id = $1 AND session_id = $2 ORDER BY triggered_on, received_at`,
      [link.integrationId, link.sessionId],
    );
    return rows.map((r) => ({ sessionId: link.sessionId, event: r.event, triggeredOn: Number(r.triggered_on) }));
  });
}

/**
 * How long a parked event waits for its session to be recorded: longer than the assessment
 * activities retry (a day), so a recording delayed by an outage still finds it.
 */
export const parkedEventRetentionDays = 3;

/** Deletes events parked more than `days` ago; answers how many. */
export async function pruneParkedSessionEvents(db: Db, days: number = parkedEventRetentionDays): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM parked_session_events WHERE received_at < now() - $1 * interval '1 day'`, [days]);
  return rowCount ?? 0;
}
