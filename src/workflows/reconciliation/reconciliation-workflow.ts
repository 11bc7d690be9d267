import { proxyActivities } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../../activities/reconciliation/reconciliation-activities';
import type { ReconciliationInput, ReconciliationSummary } from './messages';

/** Bookkeeping in PostgreSQL: retried for minutes. */
const books = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * The sweeps read page after page at the shared rate limits (heartbeating as they go); a sweep that
 * fails is tried twice more, then left to the next scheduled run, which covers its window again.
 */
const sweeps = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
});

const defaultGraceMs = 2 * 60_000;
const message = (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));

/**
 * One reconciliation sweep of an integration (the action of its Schedule `reconciliation/<id>`, README
 * "Reconciliation"): what lost webhooks left undone is found in Lever's and CodeSignal's APIs and the
 * waiting workflows get the signals the webhooks would have brought. Lever: opportunities in a trigger
 * stage their candidate workflow never saw enter it. CodeSignal: sessions and live interviews that
 * finished, expired or were reactivated while their workflow still waits. It writes nothing to Lever or
 * CodeSignal itself; the signalled workflows act as for any webhook. Each side is swept even when the
 * other fails; the findings are recorded in reconciliation_runs for Activity.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const { integrationId } = input;
  const graceMs = input.graceMs ?? defaultGraceMs;
  const run = await books.beginReconciliation({ integrationId, graceMs });
  const summary: ReconciliationSummary = {
    integrationId,
    enabled: run.enabled,
    outcome: 'disabled',
    lever: null,
    codesignal: null,
    repairs: 0,
    codesignalWebhookSilent: false,
    errors: [],
  };
  if (run.enabled) {
    summary.lever = await sweeps.sweepLeverStages({ integrationId, run }).catch((err: unknown) => {
      summary.errors.push(`lever: ${message(err)}`);
      return null;
    });
    summary.codesignal = await sweeps.sweepCodeSignal({ integrationId, graceMs }).catch((err: unknown) => {
      summary.errors.push(`codesignal: ${message(err)}`);
      return null;
    });
    const cs = summary.codesignal;
    summary.repairs = (summary.lever?.repaired ?? 0) + (cs ? Object.values(cs.repaired).reduce((a, b) => a + b, 0) : 0);
    summary.codesignalWebhookSilent = (cs?.webhookMissed ?? 0) > 0;
    const someFailed = (summary.lever?.failed ?? 0) + (cs?.failed ?? 0) > 0 || summary.lever?.truncated === true;
    summary.outcome = summary.errors.length === 2 ? 'failed' : summary.errors.length > 0 || someFailed ? 'partial' : 'completed';
  }
  await books.finishReconciliation({ run, summary });
  return summary;
}
