import type { Db } from '../../db/pool';

export interface InterviewRoomLink {
  integrationId: string;
  roomId: string;
  opportunityId: string;
  interviewId: string;
  workflowId: string;
  candidateEmail: string;
}

/** Idempotent: a workflow records its room once; recording it again changes nothing. */
export async function recordInterviewRoom(db: Db, link: InterviewRoomLink): Promise<void> {
  await db.query(
    `INSERT INTO interview_rooms (integration_id, room_id, opportunity_id, interview_id, workflow_id, candidate_email)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [link.integrationId, link.roomId, link.opportunityId, link.interviewId, link.workflowId, link.candidateEmail],
  );
}

export async function findRoomOfWorkflow(db: Db, workflowId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ room_id: string }>('SELECT room_id FROM interview_rooms WHERE workflow_id = $1', [workflowId]);
  return rows[0]?.room_id;
}

/** Rooms of any workflow for this candidate email, so a retry can recognise one it created before the response was lost. */
export async function roomsOfCandidate(db: Db, integrationId: string, candidateEmail: string): Promise<string[]> {
  const { rows } = await db.query<{ room_id: string }>(
    'SELECT room_id FROM interview_rooms WHERE integration_id = $1 AND lower(candidate_email) = lower($2)',
    [integrationId, candidateEmail],
  );
  return rows.map((r) => r.room_id);
}

export async function findInterviewWorkflowId(db: Db, integrationId: string, roomId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ workflow_id: string }>(
    'SELECT workflow_id FROM interview_rooms WHERE integration_id = $1 AND room_id = $2',
    [integrationId, roomId],
  );
  return rows[0]?.workflow_id;
}
