import type { Db } from '../../db/pool';

/** A tag command as recorded in tag_commands (migrations/1763858600000_tag-commands.sql). */
export interface TagCommandRow {
  id: string;
  integrationId: string;
  opportunityId: string;
  tag: string;
  command: string;
  days: number | null;
  assessmentId: string | null;
  actionStarted: boolean;
  outcome: 'done' | 'refused' | 'not_understood' | 'gone' | null;
  message: string | null;
  notePosted: boolean;
  closed: boolean;
}

interface Row {
  id: string;
  integration_id: string;
  opportunity_id: string;
  tag: string;
  command: string;
  days: number | null;
  assessment_id: string | null;
  action_started_at: Date | null;
  outcome: TagCommandRow['outcome'];
  message: string | null;
  note_posted_at: Date | null;
  closed_at: Date | null;
}

const columns = 'id, integration_id, opportunity_id, tag, command, days, assessment_id, action_started_at, outcome, message, note_posted_at, closed_at';

const fromRow = (r: Row): TagCommandRow => ({
  id: r.id,
  integrationId: r.integration_id,
  opportunityId: r.opportunity_id,
  tag: r.tag,
  command: r.command,
  days: r.days,
  assessmentId: r.assessment_id,
  actionStarted: r.action_started_at !== null,
  outcome: r.outcome,
  message: r.message,
  notePosted: r.note_posted_at !== null,
  closed: r.closed_at !== null,
});

async function one(db: Db, sql: string, params: unknown[]): Promise<TagCommandRow> {
  const { rows } = await db.query<Row>(sql, params);
  if (!rows[0]) throw new Error('tag command row not found');
  return fromRow(rows[0]);
}

/** The command of this tag on this opportunity that is still open (acted on or not, its tag not yet seen removed). */
export async function findOpenTagCommand(db: Db, key: { integrationId: string; opportunityId: string; tag: string }): Promise<TagCommandRow | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${columns} FROM tag_commands WHERE integration_id = $1 AND opportunity_id = $2 AND tag = $3 AND closed_at IS NULL`,
    [key.integrationId, key.opportunityId, key.tag],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * Opens the command of a tag just seen on the opportunity, or answers the one already open (a run that
 * got there first): at most one open row per opportunity and tag. `created` says whether this call made it.
 */
export async function openTagCommand(
  db: Db,
  c: { integrationId: string; opportunityId: string; tag: string; command: string; days: number | null; leverUpdatedAt: number | null },
): Promise<{ row: TagCommandRow; created: boolean }> {
  const { rows } = await db.query<Row>(
    `INSERT INTO tag_commands (integration_id, opportunity_id, tag, command, days, lever_updated_at)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000))
     ON CONFLICT (integration_id, opportunity_id, tag) WHERE closed_at IS NULL DO NOTHING RETURNING ${columns}`,
    [c.integrationId, c.opportunityId, c.tag, c.command, c.days, c.leverUpdatedAt],
  );
  if (rows[0]) return { row: fromRow(rows[0]), created: true };
  const open = await findOpenTagCommand(db, c);
  if (!open) throw new Error('tag command neither opened nor found open');
  return { row: open, created: false };
}

/** Open commands of the integration (a previous run's, unfinished), oldest first. */
export async function listOpenTagCommands(db: Db, integrationId: string, limit: number): Promise<Array<{ opportunityId: string; tag: string }>> {
  const { rows } = await db.query<{ opportunity_id: string; tag: string }>(
    'SELECT opportunity_id, tag FROM tag_commands WHERE integration_id = $1 AND closed_at IS NULL ORDER BY first_seen_at LIMIT $2',
    [integrationId, limit],
  );
  return rows.map((r) => ({ opportunityId: r.opportunity_id, tag: r.tag }));
}

/** Before the action is sent: the assessment it goes to, so a repeat after a crash goes to the same one. */
export const markActionStarted = (db: Db, id: string, assessmentId: string | null): Promise<TagCommandRow> =>
  one(db, `UPDATE tag_commands SET assessment_id = COALESCE(assessment_id, $2), action_started_at = COALESCE(action_started_at, now()) WHERE id = $1 RETURNING ${columns}`, [id, assessmentId]);

/** The action's outcome, recorded once: a second recording (another run got there first) keeps the first. */
export async function recordTagCommandOutcome(db: Db, id: string, outcome: NonNullable<TagCommandRow['outcome']>, message: string): Promise<TagCommandRow> {
  await db.query('UPDATE tag_commands SET outcome = $2, message = $3, acted_at = now() WHERE id = $1 AND outcome IS NULL', [id, outcome, message]);
  return one(db, `SELECT ${columns} FROM tag_commands WHERE id = $1`, [id]);
}

export async function markNotePosted(db: Db, id: string): Promise<void> {
  await db.query('UPDATE tag_commands SET note_posted_at = COALESCE(note_posted_at, now()) WHERE id = $1', [id]);
}

/** The tag is seen gone from the opportunity: the command is over, and the same tag added again is a new one. */
export async function closeTagCommand(db: Db, id: string, gone?: string): Promise<void> {
  await db.query(
    `UPDATE tag_commands SET closed_at = COALESCE(closed_at, now()), outcome = COALESCE(outcome, $2), message = COALESCE(message, $3) WHERE id = $1`,
    [id, gone ? 'gone' : null, gone ?? null],
  );
}
