import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { triggerStageIds, type IntegrationSettings } from '../integrations/settings';
import { reconciliationScheduleId, reconciliationWorkflowId } from '../workflows/reconciliation/messages';
import { integrationSchedules, storedSettingsOfIntegrations, type ScheduledSettings, type ScheduleChange, type ScheduleDeps } from './integration-schedule';

/**
 * An integration's reconciliation Schedule (README "Reconciliation"), by the one mechanism of every
 * per-integration Schedule (integration-schedule.ts): every `reconciliation.intervalMinutes` (default
 * 15) a sweep (`ReconciliationInput`); a sweep still running when the next is due makes that one skip
 * (overlap SKIP); paused while `reconciliation.enabled` is false, resumed when it is true again.
 */
const schedules = integrationSchedules<ScheduledSettings>({
  what: 'reconciliation',
  scheduleId: reconciliationScheduleId,
  workflowType: 'reconciliationWorkflow',
  workflowId: reconciliationWorkflowId,
  notes: { active: 'reconciliation enabled', paused: 'reconciliation disabled in the integration settings, or nothing to reconcile (no trigger stage)' },
});

/**
 * Whether the Schedule runs: reconciliation enabled, and something to reconcile — a trigger stage
 * (assessments or interviews), or a test session still waited on (the last trigger stage was removed
 * while assessments were open). An integration still being set up gets no sweep every 15 minutes.
 */
function scheduledSettings(settings: IntegrationSettings, waitingSessions: boolean): ScheduledSettings {
  const triggers = triggerStageIds(settings).length > 0;
  return { enabled: settings.reconciliation.enabled && (triggers || waitingSessions), intervalMinutes: settings.reconciliation.intervalMinutes };
}

/** The integrations (of those given, or all) with a test session an assessment workflow still waits on. */
async function withWaitingSessions(db: Db, integrationIds?: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ integration_id: string }>(
    'SELECT DISTINCT integration_id FROM assessment_sessions WHERE finished_at IS NULL AND ($1::uuid[] IS NULL OR integration_id = ANY($1::uuid[]))',
    [integrationIds ?? null],
  );
  return new Set(rows.map((r) => r.integration_id));
}

/** Brings the integration's reconciliation Schedule in line with its settings (on settings save and creation). */
export async function syncReconciliationSchedule(deps: ScheduleDeps & { db: Db }, integrationId: string, settings: IntegrationSettings): Promise<ScheduleChange> {
  const waiting = await withWaitingSessions(deps.db, [integrationId]);
  return schedules.sync(deps, integrationId, scheduledSettings(settings, waiting.has(integrationId)));
}

export const describeReconciliationSchedule = schedules.describe;

/**
 * At API start: every integration's reconciliation Schedule is created or brought up to date (paused
 * ones stay paused; one never active is not created). An integration whose stored settings no longer
 * parse is left out (its own routes say why). Failures are logged and never stop the API.
 */
export const ensureReconciliationSchedules = (deps: ScheduleDeps & { db: Db; logger: Logger }): Promise<void> =>
  schedules.ensure(deps, async (db, ids) => {
    const integrations = await storedSettingsOfIntegrations(db, ids);
    const waiting = await withWaitingSessions(db, ids);
    return integrations.map(({ integrationId, settings }) => ({ integrationId, settings: scheduledSettings(settings, waiting.has(integrationId)) }));
  });
