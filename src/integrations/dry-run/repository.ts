import type { Db } from '../../db/pool';
import { parseStoredSettings, type IntegrationSettings } from '../settings';

/** Dry run (README "Dry run"): an integration's draft settings and what they would have done. */

export interface SettingsDraft {
  settings: IntegrationSettings;
  savedAt: Date;
}

export interface DryRunDecision {
  id: string;
  at: Date;
  opportunityId: string;
  source: 'stage_entry' | 'result';
  decision: string;
}

/** Saves (or replaces) the draft; a replaced draft's decisions go with it, they were another draft's. */
export async function saveDraft(db: Db, integrationId: string, settings: IntegrationSettings): Promise<SettingsDraft> {
  await db.query('DELETE FROM settings_drafts WHERE integration_id = $1', [integrationId]);
  const { rows } = await db.query<{ saved_at: Date }>('INSERT INTO settings_drafts (integration_id, settings) VALUES ($1, $2) RETURNING saved_at', [integrationId, JSON.stringify(settings)]);
  return { settings, savedAt: rows[0]!.saved_at };
}

export async function findDraft(db: Db, integrationId: string): Promise<SettingsDraft | null> {
  const { rows } = await db.query<{ settings: unknown; saved_at: Date }>('SELECT settings, saved_at FROM settings_drafts WHERE integration_id = $1', [integrationId]);
  return rows[0] ? { settings: parseStoredSettings(rows[0].settings), savedAt: rows[0].saved_at } : null;
}

/** Whether the integration has a draft, without reading it (the candidate workflow asks on every Lever event). */
export async function hasDraft(db: Db, integrationId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM settings_drafts WHERE integration_id = $1', [integrationId]);
  return rows.length > 0;
}

/** Deletes the draft and its decisions; answers whether there was one. */
export async function deleteDraft(db: Db, integrationId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM settings_drafts WHERE integration_id = $1', [integrationId]);
  return (rowCount ?? 0) > 0;
}

/** Records decisions once per key; nothing when the draft is gone meanwhile (promoted or discarded). */
export async function recordDecisions(db: Db, integrationId: string, decisions: Array<{ opportunityId: string; source: DryRunDecision['source']; decision: string; key: string }>): Promise<void> {
  for (const d of decisions) {
    await db.query(
      `INSERT INTO dry_run_decisions (integration_id, opportunity_id, source, decision, dedupe_key)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM settings_drafts WHERE integration_id = $1)
       ON CONFLICT (integration_id, dedupe_key) DO NOTHING`,
      [integrationId, d.opportunityId, d.source, d.decision, d.key],
    );
  }
}

export async function listDecisions(db: Db, integrationId: string, limit = 200): Promise<DryRunDecision[]> {
  const { rows } = await db.query<{ id: string; at: Date; opportunity_id: string; source: DryRunDecision['source']; decision: string }>(
    'SELECT id, at, opportunity_id, source, decision FROM dry_run_decisions WHERE integration_id = $1 ORDER BY at DESC, id DESC LIMIT $2',
    [integrationId, limit],
  );
  return rows.map((r) => ({ id: String(r.id), at: r.at, opportunityId: r.opportunity_id, source: r.source, decision: r.decision }));
}
