import { activityInfo, getClient } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { IntegrationContexts } from '../../integrations/context';
import type { Logger } from '../../log';
import { processMetrics } from '../../observability/metrics';
import type { CodeSignalSweepFindings, LeverSweepFindings, ReconciliationSummary } from '../../workflows/reconciliation/messages';
import { findDraft } from '../../integrations/dry-run/repository';
import { triggerStageIds } from '../../integrations/settings';
import { sweepCodeSignal } from './codesignal-sweep';
import { sweepLeverStages } from './lever-sweep';
import { sweepLeverDeletions } from '../erasure/lever-deletions';
import { beginReconciliationRun, finishReconciliationRun, integrationCreatedAt } from './runs-repository';

/** The first sweep of an integration looks back this far (bounded further by when the integration was created). */
export const firstSweepLookBackMs = 24 * 60 * 60 * 1000;
/** However long the sweep was paused, it looks back at most this far. */
export const maxSweepLookBackMs = 7 * 24 * 60 * 60 * 1000;
/** Each window starts this much before the last one ended: Lever's clock and ours may differ a little. */
export const windowOverlapMs = 5 * 60_000;

export interface ReconciliationActivityDeps {
  contexts: IntegrationContexts;
  logger?: Logger;
  /**
   * The Temporal client the sweeps query and signal workflows with; default: the worker's own
   * (`getClient()` of the activity context: its connection, namespace and data converter).
   */
  client?: () => Client;
  now?: () => number;
}

export interface ReconciliationRun {
  /** reconciliation_runs.id */
  runRowId: string;
  enabled: boolean;
  /** The Lever window (ms): listed from `since`, entries before `until`. */
  since: number;
  until: number;
  triggerStageIds: string[];
  notBefore: number;
}

/**
 * The reconciliation sweep's activities (src/workflows/reconciliation): one to begin a run (its row in
 * reconciliation_runs and the Lever window), one per side, one to record the findings. The sweeps
 * query and signal workflows through Temporal; candidate workflows are signalled on the worker's task
 * queue, where every flow of the service runs.
 */
export function createReconciliationActivities(deps: ReconciliationActivityDeps) {
  const client = deps.client ?? getClient;
  const now = deps.now ?? Date.now;
  const metrics = processMetrics();

  return {
    async beginReconciliation({ integrationId, graceMs }: { integrationId: string; graceMs: number }): Promise<ReconciliationRun> {
      const { db, settings } = await deps.contexts.get(integrationId, { fresh: true });
      const draft = await findDraft(db, integrationId);
      // a run is recorded once per workflow run, however often this activity is retried
      const execution = activityInfo().workflowExecution ?? { workflowId: 'unknown', runId: `${integrationId}-${now()}` };
      const row = await beginReconciliationRun(db, { integrationId, workflowId: execution.workflowId, runId: execution.runId });
      const until = now() - graceMs;
      const since = Math.max(row.lastLeverUntil ? row.lastLeverUntil.getTime() - windowOverlapMs : until - firstSweepLookBackMs, until - maxSweepLookBackMs);
      return {
        runRowId: row.id,
        enabled: settings.reconciliation.enabled,
        since,
        until,
        // a dry-run draft's trigger stages too: a lost entry into one reaches the draft through the candidate workflow (README "Dry run")
        triggerStageIds: [...new Set([...triggerStageIds(settings), ...(draft ? triggerStageIds(draft.settings) : [])])],
        notBefore: (await integrationCreatedAt(db, integrationId))?.getTime() ?? 0,
      };
    },

    async sweepLeverStages({ integrationId, run }: { integrationId: string; run: ReconciliationRun }): Promise<LeverSweepFindings> {
      const { lever, db } = await deps.contexts.get(integrationId);
      const sweepDeps = { lever, client: client(), taskQueue: activityInfo().taskQueue };
      const findings = await sweepLeverStages(sweepDeps, { integrationId, triggerStageIds: run.triggerStageIds, since: run.since, until: run.until, notBefore: run.notBefore });
      // deletions Lever's webhook did not bring, and contacts anonymized (README "Erasure")
      findings.deletions = await sweepLeverDeletions({ ...sweepDeps, db }, { integrationId, since: run.since, until: run.until });
      return findings;
    },

    async sweepCodeSignal({ integrationId, graceMs }: { integrationId: string; graceMs: number }): Promise<CodeSignalSweepFindings> {
      const { db, codesignal } = await deps.contexts.get(integrationId);
      return sweepCodeSignal({ db, codesignal, client: client(), taskQueue: activityInfo().taskQueue, now }, { integrationId, graceMs });
    },

    /** Records the run's findings for Activity, counts it, and warns when CodeSignal's webhook has gone silent. */
    async finishReconciliation({ run, summary }: { run: ReconciliationRun; summary: ReconciliationSummary }): Promise<void> {
      const { db } = await deps.contexts.get(summary.integrationId);
      await finishReconciliationRun(db, run.runRowId, summary);
      metrics.reconciliationRun(summary.integrationId, summary.outcome);
      if (summary.codesignalWebhookSilent) {
        metrics.reconciliationWebhookSilent(summary.integrationId, 'codesignal');
        deps.logger?.warn(
          { integrationId: summary.integrationId, missed: summary.codesignal?.webhookMissed ?? 0 },
          'reconciliation: CodeSignal results were found whose webhook never arrived; check the CodeSignal webhook (it is disabled after 25 failed deliveries)',
        );
      }
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
