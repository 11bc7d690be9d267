import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import type { Priority, Workflow } from '@temporalio/common';
import type { Db } from '../db/pool';
import { parseStoredSettings, type IntegrationSettings } from '../integrations/settings';
import type { Logger } from '../log';
import { IntegrationIdKey } from '../workflows/shared/search-attributes';
import { integrationPriority } from './fairness';

/**
 * The one mechanism behind every per-integration Temporal Schedule (public-link scans, reconciliation
 * sweeps): created or updated from the integration's settings while enabled, paused (kept with its
 * history) while disabled, never created for settings that were never enabled; every run carries the
 * `IntegrationId` search attribute, and a run still going when the next is due makes that one skip.
 */

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
  /** `absent`: never created (the feature was never enabled); `unknown`: Temporal did not answer. */
  status: 'active' | 'paused' | 'absent' | 'unknown';
  intervalMinutes: number | null;
  nextRunAt: string | null;
  lastRunAt: string | null;
}

/** What one integration's Schedule should be, as its settings say. */
export interface IntegrationScheduleSpec {
  integrationId: string;
  scheduleId: string;
  enabled: boolean;
  intervalMinutes: number;
  /** The workflow each run starts (Temporal appends the run's time to `workflowId`), with its one argument. */
  workflowType: string;
  workflowId: string;
  args: unknown[];
  /** The Schedule's note while active and while paused (shown in the Temporal Web UI). */
  notes: { active: string; paused: string };
}

const withDeadline = <T>(deps: Pick<ScheduleDeps, 'client' | 'timeoutMs'>, call: () => Promise<T>): Promise<T> => deps.client.connection.withDeadline(Date.now() + deps.timeoutMs, call);

/**
 * The Schedule as the settings want it: every `intervalMinutes` the workflow (carrying the
 * `IntegrationId` search attribute) on the workers' task queue; a run still going when the next one is
 * due makes that one skip (overlap SKIP); missed runs are not caught up beyond a minute (each run
 * covers what the skipped ones would have). Paused while disabled.
 */
function scheduleOf(spec: IntegrationScheduleSpec, taskQueue: string): ScheduleUpdateOptions {
  // every run carries the integration's fairness key; the SDK sends an action's `priority` (and reads it back in
  // describe()) but its options type does not list it yet
  const action: ScheduleOptionsStartWorkflowAction<Workflow> & { workflowId: string; priority: Priority } = {
    type: 'startWorkflow',
    workflowType: spec.workflowType,
    args: spec.args,
    taskQueue,
    workflowId: spec.workflowId,
    typedSearchAttributes: [{ key: IntegrationIdKey, value: spec.integrationId }],
    priority: integrationPriority(spec.integrationId),
  };
  return {
    spec: { intervals: [{ every: spec.intervalMinutes * 60_000 }] },
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000, pauseOnFailure: false },
    state: spec.enabled ? { paused: false, note: spec.notes.active } : { paused: true, note: spec.notes.paused },
  };
}

/**
 * Brings the integration's Schedule in line with its settings, idempotently: created or updated while
 * enabled, paused (kept with its history) while disabled, and never created for settings that were
 * never enabled.
 */
export async function syncIntegrationSchedule(deps: ScheduleDeps, spec: IntegrationScheduleSpec): Promise<ScheduleChange> {
  const wanted = scheduleOf(spec, deps.taskQueue);
  const handle = deps.client.schedule.getHandle(spec.scheduleId);
  if (spec.enabled) {
    try {
      await withDeadline(deps, () => deps.client.schedule.create({ scheduleId: spec.scheduleId, ...wanted, state: { ...wanted.state } }));
      return 'created';
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  try {
    await withDeadline(deps, () => handle.update(() => wanted));
    return spec.enabled ? 'updated' : 'paused';
  } catch (err) {
    if (err instanceof ScheduleNotFoundError && !spec.enabled) return 'absent';
    throw err;
  }
}

/** What the admin API shows of a Schedule. */
export async function describeIntegrationSchedule(deps: Pick<ScheduleDeps, 'client' | 'timeoutMs'>, scheduleId: string): Promise<ScheduleStatus> {
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
 * Runs `work` holding the Schedule's PostgreSQL advisory lock (session-level, on a connection of its own),
 * so that no two processes bring one Schedule in line at once: a settings save and another API process's
 * start-up pass (`ensure`) take turns, and the one that goes second reads the settings as they are then.
 */
export async function withScheduleLock<T>(db: Db, scheduleId: string, work: () => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [scheduleId]);
    try {
      return await work();
    } finally {
      // a connection that cannot unlock is closed instead of pooled: closing it releases the lock
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [scheduleId]).catch((err: Error) => (broken = err));
    }
  } finally {
    client.release(broken);
  }
}

/** What a feature's reader answers: the integrations (all, or those asked for) with their settings. */
export type ScheduledSettingsReader<S> = (db: Db, integrationIds?: string[]) => Promise<Array<{ integrationId: string; settings: S }>>;

/**
 * Every integration's stored settings (or those asked for), for the Schedules kept at API start; an
 * integration whose stored settings no longer parse is left out (its own routes say why).
 */
export async function storedSettingsOfIntegrations(db: Db, integrationIds?: string[]): Promise<Array<{ integrationId: string; settings: IntegrationSettings }>> {
  const { rows } = await db.query<{ id: string; settings: unknown }>('SELECT id, settings FROM integrations WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY created_at', [integrationIds ?? null]);
  return rows.flatMap((r) => {
    try {
      return [{ integrationId: r.id, settings: parseStoredSettings(r.settings) }];
    } catch {
      return [];
    }
  });
}

/** What a feature's Schedule reads of its settings. */
export interface ScheduledSettings {
  enabled: boolean;
  intervalMinutes: number;
}

/** One feature's per-integration Schedules: its ids, its workflow and its notes. */
export interface IntegrationScheduleKind {
  /** For the logs: `public-link`, `reconciliation`. */
  what: string;
  scheduleId(integrationId: string): string;
  workflowType: string;
  workflowId(integrationId: string): string;
  /** The Schedule's note while active and while paused. */
  notes: { active: string; paused: string };
}

/**
 * A feature's Schedules by this one mechanism: each run starts `workflowType` with `{ integrationId }`;
 * `sync` on settings save, `describe` for the admin API, `ensure` at API start. Both `sync` and `ensure`
 * hold the Schedule's lock (withScheduleLock) while they bring it in line.
 */
export function integrationSchedules<S extends ScheduledSettings>(kind: IntegrationScheduleKind) {
  const specOf = (integrationId: string, settings: S): IntegrationScheduleSpec => ({
    integrationId,
    scheduleId: kind.scheduleId(integrationId),
    enabled: settings.enabled,
    intervalMinutes: settings.intervalMinutes,
    workflowType: kind.workflowType,
    workflowId: kind.workflowId(integrationId),
    args: [{ integrationId }],
    notes: kind.notes,
  });
  return {
    /** After a settings save, with the settings saved. */
    sync: (deps: ScheduleDeps & { db: Db }, integrationId: string, settings: S): Promise<ScheduleChange> =>
      withScheduleLock(deps.db, kind.scheduleId(integrationId), () => syncIntegrationSchedule(deps, specOf(integrationId, settings))),
    describe: (deps: Pick<ScheduleDeps, 'client' | 'timeoutMs'>, integrationId: string): Promise<ScheduleStatus> => describeIntegrationSchedule(deps, kind.scheduleId(integrationId)),
    /**
     * At API start: every integration `read` lists gets its Schedule created or brought up to date, so a
     * fresh deployment (or a Temporal cluster that lost it) converges without an admin saving the settings
     * again. The pass makes a Temporal call per integration, so each one is read again under its Schedule's
     * lock when its turn comes: a setting saved meanwhile is not overwritten by the list read before it,
     * and one `read` no longer lists is left as its save left it. Failures are logged, never fatal.
     */
    async ensure(deps: ScheduleDeps & { db: Db; logger: Logger }, read: ScheduledSettingsReader<S>): Promise<void> {
      let listed: Array<{ integrationId: string }>;
      try {
        listed = await read(deps.db);
      } catch (err) {
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `${kind.what} schedules: could not read the settings`);
        return;
      }
      for (const { integrationId } of listed) {
        const scheduleId = kind.scheduleId(integrationId);
        try {
          const change = await withScheduleLock(deps.db, scheduleId, async () => {
            const [current] = await read(deps.db, [integrationId]);
            return current ? syncIntegrationSchedule(deps, specOf(integrationId, current.settings)) : 'left to its save';
          });
          deps.logger.info({ integrationId, scheduleId, change }, `${kind.what} schedule in place`);
        } catch (err) {
          deps.logger.warn({ integrationId, err: err instanceof Error ? err.message : String(err) }, `${kind.what} schedule could not be created or updated`);
        }
      }
    },
  };
}
