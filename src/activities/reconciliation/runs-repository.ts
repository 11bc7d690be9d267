import type { Db } from '../../db/pool';
import type { ReconciliationFindings, ReconciliationSummary } from '../../workflows/reconciliation/messages';

/** One run of an integration's reconciliation sweep as Activity lists it (table reconciliation_runs). */
export interface ReconciliationRunRecord {
  id: string;
  integrationId: string;
  workflowId: string;
  runId: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: 'running' | ReconciliationSummary['outcome'];
  leverSince: Date | null;
  leverUntil: Date | null;
  repairs: number;
  codesignalWebhookSilent: boolean;
  findings: Partial<ReconciliationFindings>;
  errors: string[];
}

interface RunRow {
  id: string;
  integration_id: string;
  workflow_id: string;
  run_id: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: ReconciliationRunRecord['outcome'];
  lever_since: Date | null;
  lever_until: Date | null;
  repairs: number;
  codesignal_webhook_silent: boolean;
  findings: Partial<ReconciliationFindings>;
  errors: string[];
}

const fromRow = (r: RunRow): ReconciliationRunRecord => ({
  id: r.id,
  integrationId: r.integration_id,
  workflowId: r.workflow_id,
  runId: r.run_id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  outcome: r.outcome,
  leverSince: r.lever_since,
  leverUntil: r.lever_until,
  repairs: r.repairs,
  codesignalWebhookSilent: r.codesignal_webhook_silent,
  findings: r.findings,
  errors: r.errors,
});

/** Runs are kept this long, then pruned when the integration's next run begins. */
export const reconciliationRunRetentionDays = 30;

/**
 * Records the start of a run; a retried activity of the same run finds its row again (one row per
 * workflow run). Answers the row's id and the end of the last completed Lever window (null: none yet).
 */
export async function beginReconciliationRun(db: Db, run: { integrationId: string; workflowId: string; runId: string }): Promise<{ id: string; lastLeverUntil: Date | null }> {
  await db.query(`DELETE FROM reconciliation_runs WHERE integration_id = $1 AND started_at < now() - $2 * interval '1 day'`, [run.integrationId, reconciliationRunRetentionDays]);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO reconciliation_runs (integration_id, workflow_id, run_id) VALUES ($1, $2, $3)
     ON CONFLICT (workflow_id, run_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id RETURNING id`,
    [run.integrationId, run.workflowId, run.runId],
  );
  const last = await db.query<{ lever_until: Date }>(
    'SELECT lever_until FROM reconciliation_runs WHERE integration_id = $1 AND lever_until IS NOT NULL ORDER BY lever_until DESC LIMIT 1',
    [run.integrationId],
  );
  return { id: rows[0]!.id, lastLeverUntil: last.rows[0]?.lever_until ?? null };
}

/** Records how the run ended; `leverUntil` only when its Lever sweep completed (the next sweep starts there). */
export async function finishReconciliationRun(db: Db, id: string, summary: ReconciliationSummary): Promise<void> {
  const lever = summary.lever;
  const completedWindow = lever && !lever.truncated && lever.failed === 0 && !summary.errors.some((e) => e.startsWith('lever'));
  await db.query(
    `UPDATE reconciliation_runs SET finished_at = now(), outcome = $2, lever_since = $3, lever_until = $4, repairs = $5,
       codesignal_webhook_silent = $6, findings = $7, errors = $8
     WHERE id = $1`,
    [
      id,
      summary.outcome,
      lever ? new Date(lever.since) : null,
      completedWindow ? new Date(lever.until) : null,
      summary.repairs,
      summary.codesignalWebhookSilent,
      { lever: summary.lever, codesignal: summary.codesignal } satisfies ReconciliationFindings,
      summary.errors.map((e) => e.slice(0, 1000)),
    ],
  );
}

/** An integration's runs, newest first. */
export async function listReconciliationRuns(db: Db, integrationId: string, limit: number): Promise<ReconciliationRunRecord[]> {
  const { rows } = await db.query<RunRow>('SELECT * FROM reconciliation_runs WHERE integration_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2', [integrationId, limit]);
  return rows.map(fromRow);
}

/** When the integration was created: nothing that happened before is a webhook's to repair. */
export async function integrationCreatedAt(db: Db, integrationId: string): Promise<Date | null> {
  const { rows } = await db.query<{ created_at: Date }>('SELECT created_at FROM integrations WHERE id = $1', [integrationId]);
  return rows[0]?.created_at ?? null;
}

/** The sessions an assessment workflow still waits on (assessment_sessions.finished_at is null), oldest first. */
export async function waitingAssessmentSessions(db: Db, integrationId: string, limit: number): Promise<Array<{ sessionId: string; workflowId: string }>> {
  const { rows } = await db.query<{ session_id: string; workflow_id: string }>(
    'SELECT session_id, workflow_id FROM assessment_sessions WHERE integration_id = $1 AND finished_at IS NULL ORDER BY created_at LIMIT $2',
    [integrationId, limit],
  );
  return rows.map((r) => ({ sessionId: r.session_id, workflowId: r.workflow_id }));
}

/** The CodeSignal rooms of the given interview workflows. */
export async function roomsOfWorkflows(db: Db, integrationId: string, workflowIds: string[]): Promise<Map<string, string>> {
  if (workflowIds.length === 0) return new Map();
  const { rows } = await db.query<{ room_id: string; workflow_id: string }>(
    'SELECT room_id, workflow_id FROM interview_rooms WHERE integration_id = $1 AND workflow_id = ANY($2::text[])',
    [integrationId, workflowIds],
  );
  return new Map(rows.map((r) => [r.workflow_id, r.room_id]));
}

/** Whether a CodeSignal delivery for the workflow was accepted at or after `since`: its webhook did arrive. */
export async function codesignalDeliveryArrived(db: Db, integrationId: string, workflowId: string, since: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM webhook_deliveries
     WHERE integration_id = $1 AND source = 'codesignal' AND workflow_id = $2 AND outcome = 'accepted' AND received_at >= $3 LIMIT 1`,
    [integrationId, workflowId, since],
  );
  return (rowCount ?? 0) > 0;
}
