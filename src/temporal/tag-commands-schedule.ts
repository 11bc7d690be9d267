import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { triggerStageIds, type IntegrationSettings } from '../integrations/settings';
import { tagCommandsScheduleId, tagCommandsWorkflowId } from '../workflows/tag-commands/messages';
import { integrationSchedules, storedSettingsOfIntegrations, type ScheduledSettings, type ScheduleChange, type ScheduleDeps } from './integration-schedule';

/**
 * An integration's tag-commands Schedule (README "Assessments"), by the one mechanism of every
 * per-integration Schedule (integration-schedule.ts): every `tagCommands.intervalMinutes` (default 2)
 * a look for command tags (`TagCommandsInput`); a run still going when the next is due makes that one
 * skip; paused while `tagCommands.enabled` is false or the integration has no trigger stage yet.
 */
const schedules = integrationSchedules<ScheduledSettings>({
  what: 'tag-commands',
  scheduleId: tagCommandsScheduleId,
  workflowType: 'tagCommandsWorkflow',
  workflowId: tagCommandsWorkflowId,
  notes: { active: 'tag commands enabled', paused: 'tag commands disabled in the integration settings, or no trigger stage yet' },
});

const scheduledSettings = (settings: IntegrationSettings): ScheduledSettings => ({
  enabled: settings.tagCommands.enabled && triggerStageIds(settings).length > 0,
  intervalMinutes: settings.tagCommands.intervalMinutes,
});

/** Brings the integration's tag-commands Schedule in line with its settings (on settings save and creation). */
export const syncTagCommandsSchedule = (deps: ScheduleDeps & { db: Db }, integrationId: string, settings: IntegrationSettings): Promise<ScheduleChange> =>
  schedules.sync(deps, integrationId, scheduledSettings(settings));

export const describeTagCommandsSchedule = schedules.describe;

/** At API start, for every integration whose stored settings parse (failures logged, never fatal). */
export const ensureTagCommandsSchedules = (deps: ScheduleDeps & { db: Db; logger: Logger }): Promise<void> =>
  schedules.ensure(deps, async (db, ids) => (await storedSettingsOfIntegrations(db, ids)).map(({ integrationId, settings }) => ({ integrationId, settings: scheduledSettings(settings) })));
