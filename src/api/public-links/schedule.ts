import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleUpdateOptions } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { listEnabledPublicLinkSettings } from '../../activities/public-links/repository';
import { publicLinkScanWorkflowId, publicLinkScheduleId } from '../../workflows/shared/ids';
import type { PublicLinkScanInput } from '../../workflows/public-links/messages';
import type { PublicLinkSettings } from '../../integrations/public-link-settings';
import { withinDeadline } from '../temporal';

export interface ScheduleDeps {
  client: Client;
  /** The workers' task queue (TEMPORAL_TASK_QUEUE). */
  taskQueue: string;
  /** Deadline of each Temporal call. */
  timeoutMs: number;
}

export type ScheduleChange = 'created' | 'updated' | 'paused' | 'absent';

export interface ScheduleStatus {
  scheduleId: string;
  /** `absent`: never created (public-link results were never enabled); `unknown`: Temporal did not answer. */
  status: 'active' | 'paused' | 'absent' | 'unknown';
  intervalMinutes: number | null;
  nextRunAt: string | null;
  lastRunAt: string | null;
}

const withDeadline = <T>(deps: ScheduleDeps, call: () => Promise<T>): Promise<T> => withinDeadline({ temporal: deps.client, temporalTimeoutMs: deps.timeoutMs }, call);

/**
 * The Schedule as the settings want it: every `intervalMinutes` a scan workflow (carrying the
 * `IntegrationId` search attribute) on the workers' task queue; a scan still running when the next one
 * is due makes that one skip (overlap SKIP); missed runs are not caught up beyond a minute (the next
 * scan looks back over days anyway). Paused while the results are disabled.
 */
function scheduleOf(integrationId: string, settings: PublicLinkSettings, taskQueue: string): ScheduleUpdateOptions {
  const args: [PublicLinkScanInput] = [{ integrationId }];
  return {
    spec: { intervals: [{ every: settings.intervalMinutes * 60_000 }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'publicLinkScanWorkflow',
      args,
      taskQueue,
      workflowId: publicLinkScanWorkflowId(integrationId),
      typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000, pauseOnFailure: false },
    state: settings.enabled ? { paused: false, note: 'public-link results enabled' } : { paused: true, note: 'public-link results disabled in the integration settings' },
  };
}

/**
 * Brings the integration's Schedule in line with its settings, idempotently: created or updated while
 * enabled, paused (kept with its history) while disabled, and never created for settings that were
 * never enabled.
 */
export async function syncPublicLinkSchedule(deps: ScheduleDeps, integrationId: string, settings: PublicLinkSettings): Promise<ScheduleChange> {
  const scheduleId = publicLinkScheduleId(integrationId);
  const wanted = scheduleOf(integrationId, settings, deps.taskQueue);
  const handle = deps.client.schedule.getHandle(scheduleId);
  if (settings.enabled) {
    try {
      await withDeadline(deps, () => deps.client.schedule.create({ scheduleId, ...wanted, state: { ...wanted.state } }));
      return 'created';
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  try {
    await withDeadline(deps, () => handle.update(() => wanted));
    return settings.enabled ? 'updated' : 'paused';
  } catch (err) {
    if (err instanceof ScheduleNotFoundError && !settings.enabled) return 'absent';
    throw err;
  }
}

/** What the admin API shows of the Schedule. */
export async function describePublicLinkSchedule(deps: ScheduleDeps, integrationId: string): Promise<ScheduleStatus> {
  const scheduleId = publicLinkScheduleId(integrationId);
  try {
    const d = await withDeadline(deps, () => deps.client.schedule.getHandle(scheduleId).describe());
    const every = d.spec.intervals?.[0]?.every;
    const last = d.info.recentActions.at(-1);
    return {
      scheduleId,
      status: d.state.paused ? 'paused' : 'active',
      intervalMinutes: typeof every === 'number' ? Math.round(every / 60_000) : null,
      nextRunAt: d.state.paused ? null : (d.info.nextActionTimes[0]?.toISOString() ?? null),
      lastRunAt: last ? last.takenAt.toISOString() : null,
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { scheduleId, status: 'absent', intervalMinutes: null, nextRunAt: null, lastRunAt: null };
    return { scheduleId, status: 'unknown', intervalMinutes: null, nextRunAt: null, lastRunAt: null };
  }
}

/**
 * At API start: every integration with public-link results enabled gets its Schedule created or
 * brought up to date, so a fresh deployment (or a Temporal cluster that lost it) converges without an
 * admin saving the settings again. Failures are logged and never stop the API.
 */
export async function ensurePublicLinkSchedules(deps: ScheduleDeps & { db: Db; logger: Logger }): Promise<void> {
  let enabled: Awaited<ReturnType<typeof listEnabledPublicLinkSettings>>;
  try {
    enabled = await listEnabledPublicLinkSettings(deps.db);
  } catch (err) {
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'public-link schedules: could not read the settings');
    return;
  }
  for (const { integrationId, settings } of enabled) {
    try {
      const change = await syncPublicLinkSchedule(deps, integrationId, settings);
      deps.logger.info({ integrationId, scheduleId: publicLinkScheduleId(integrationId), change }, 'public-link schedule in place');
    } catch (err) {
      deps.logger.warn({ integrationId, err: err instanceof Error ? err.message : String(err) }, 'public-link schedule could not be created or updated');
    }
  }
}
