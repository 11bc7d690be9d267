import type { Db } from './pool';

export interface AssessmentSessionLink {
  integrationId: string;
  sessionId: string;
  opportunityId: string;
  assessmentId: string;
  workflowId: string;
}

/** Idempotent: recording the same session again changes nothing. */
export async function recordAssessmentSession(db: Db, link: AssessmentSessionLink): Promise<void> {
  await db.query(
    `INSERT INTO assessment_sessions (integration_id, session_id, opportunity_id, assessment_id, workflow_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, session_id) DO NOTHING`,
    [link.integrationId, link.sessionId, link.opportunityId, link.assessmentId, link.workflowId],
  );
}

export async function findAssessmentWorkflowId(db: Db, integrationId: string, sessionId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ workflow_id: string }>(
    'SELECT workflow_id FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2',
    [integrationId, sessionId],
  );
  return rows[0]?.workflow_id;
}
