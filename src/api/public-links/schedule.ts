import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { listEnabledPublicLinkSettings } from '../../activities/public-links/repository';
import { publicLinkScanWorkflowId, publicLinkScheduleId } from '../../workflows/shared/ids';
import type { PublicLinkSettings } from '../../integrations/public-link-settings';
import { integrationSchedules, type ScheduleChange, type ScheduleDeps, type ScheduleStatus } from '../../temporal/integration-schedule';

export type { ScheduleChange, ScheduleDeps, ScheduleStatus };

/**
 * The public-link Schedule of an integration (src/temporal/integration-schedule.ts): every
 * `intervalMinutes` a scan workflow (`PublicLinkScanInput`); a scan still running when the next one is
 * due makes that one skip; the next scan looks back over days anyway. Paused while the results are
 * disabled, never created for settings that were never enabled.
 */
const schedules = integrationSchedules<PublicLinkSettings>({
  what: 'public-link',
  scheduleId: publicLinkScheduleId,
  workflowType: 'publicLinkScanWorkflow',
  workflowId: publicLinkScanWorkflowId,
  notes: { active: 'public-link results enabled', paused: 'public-link results disabled in the integration settings' },
});

/** Brings the integration's Schedule in line with its settings, idempotently (on settings save). */
export const syncPublicLinkSchedule = schedules.sync;

/** What the admin API shows of the Schedule. */
export const describePublicLinkSchedule = schedules.describe;

/**
 * At API start: every integration with public-link results enabled gets its Schedule created or
 * brought up to date. Failures are logged and never stop the API.
 */
export const ensurePublicLinkSchedules = (deps: ScheduleDeps & { db: Db; logger: Logger }): Promise<void> => schedules.ensure(deps, listEnabledPublicLinkSettings);
