import { ApplicationFailure, Context, type Info } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { BudgetWait, RequestGate } from '../../integrations/clients';
import type { WriteAttempt } from '../../lever/writes';
import { RateBudgetBusy, serviceName } from '../../external-api-error';
import { processMetrics } from '../../observability/metrics';

/**
 * Workflows that may run again under the same id and repeat the writes of a run that ended part-way:
 * a public-link session is resumed by the next scan, or decided again after it failed, in a new run
 * whose activities start again at attempt 1.
 */
const workflowsThatRepeatRuns: ReadonlySet<string> = new Set(['publicLinkSessionWorkflow']);

/**
 * An activity's first wait for its integration's Lever or CodeSignal budget that would take longer than
 * this hands the worker's slot back instead (`handBack`): the attempt ends, having sent nothing, and
 * Temporal starts the next one when the budget is about to be free. Until then the slot serves other
 * organizations' activities rather than one organization's queue (README "Fairness between organizations").
 */
export const HAND_BACK_AFTER_MS = 2_000;
/** The failure type of an attempt that handed its slot back (BENIGN: logged at debug, not counted as failed). */
export const HANDED_BACK = 'HandedBack';

/**
 * The heartbeat details a handing-back attempt leaves: every attempt up to `handedBackThrough` sent
 * nothing to Lever or CodeSignal. Only activities without a heartbeat timeout hand back (`mayHandBack`) —
 * they never heartbeat otherwise, so these details are never confused with an activity's own progress.
 */
interface HandBackMark {
  handedBackThrough: number;
}
const isMark = (d: unknown): d is HandBackMark => typeof (d as HandBackMark | undefined)?.handedBackThrough === 'number';

/** Did every earlier attempt of this activity hand its slot back before sending anything? */
const earlierAttemptsSentNothing = (info: Info): boolean =>
  info.attempt === 1 || (isMark(info.heartbeatDetails) && info.heartbeatDetails.handedBackThrough === info.attempt - 1);

/** Attempts (their contexts) that have been let through a limiter: from then on they may have sent something. */
const sending = new WeakSet<Context>();

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * May an earlier attempt of the write this activity makes have been committed? Yes on a retry (the last
 * attempt may have written before its answer or heartbeat was lost), unless every earlier attempt handed
 * its slot back before any request (their mark, `HandBackMark`); and for a workflow that repeats runs.
 * No on the first attempt of any other workflow's activity, which then writes without looking for its
 * effect first. Outside an activity (a direct call) it answers yes.
 */
export function earlierAttemptMayHaveWritten(): boolean {
  const ctx = currentContext();
  if (!ctx) return true;
  return !earlierAttemptsSentNothing(ctx.info) || workflowsThatRepeatRuns.has(ctx.info.workflowType ?? '');
}

/** The `WriteAttempt` for the src/lever/writes.ts helpers, from the current activity's attempt. */
export const writeAttempt = (): WriteAttempt => ({ mayHaveWritten: earlierAttemptMayHaveWritten() });

/** A retry that follows only handed-back attempts: not a fault (lcs_activity_retries_total leaves it out). */
export const followsHandBack = (info: Info): boolean => info.attempt > 1 && earlierAttemptsSentNothing(info);

/**
 * Ends the attempt without having sent anything: its mark (when every earlier attempt sent nothing too)
 * lets the next attempt write as a first one, and the retry comes when the budget is about free again.
 */
function handBack(ctx: Context, busy: RateBudgetBusy, integrationId: string): ApplicationFailure {
  if (earlierAttemptsSentNothing(ctx.info)) ctx.heartbeat({ handedBackThrough: ctx.info.attempt } satisfies HandBackMark);
  processMetrics().activityHandedBack(integrationId, ctx.info.activityType, busy.service);
  // back a little before its turn (the limiter spaces the turns of the callers it refused), to find a short queue
  const delayMs = Math.max(1_000, Math.round(busy.expectedWaitMs - HAND_BACK_AFTER_MS / 2));
  return ApplicationFailure.create({
    type: HANDED_BACK,
    message: `waiting for the integration's ${serviceName[busy.service]} budget (${busy.message}): the worker slot is handed back for ${(delayMs / 1000).toFixed(1)} s`,
    details: [busy.service],
    nextRetryDelay: delayMs,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/**
 * Only an activity whose heartbeat details are free for the mark (it has no heartbeat timeout, so it never
 * heartbeats its own progress) and whose attempts are not counted (a hand-back must not use up a
 * `maximumAttempts`); never a local activity, whose retries are the workflow's.
 */
const mayHandBack = (info: Info): boolean =>
  !info.isLocal && !info.heartbeatTimeoutMs && !info.retryPolicy?.maximumAttempts && (info.heartbeatDetails === undefined || isMark(info.heartbeatDetails));

/** The wait for the budget as the attempt may make it: its first, before anything was sent, gives up past HAND_BACK_AFTER_MS. */
async function budgetWait(ctx: Context | undefined, wait: BudgetWait, integrationId: string): Promise<void> {
  if (!ctx || sending.has(ctx) || !mayHandBack(ctx.info)) return wait();
  try {
    await wait({ giveUpAfterMs: HAND_BACK_AFTER_MS });
  } catch (err) {
    if (err instanceof RateBudgetBusy) throw handBack(ctx, err, integrationId);
    throw err;
  }
}

/**
 * The gate of the clients activities build (src/integrations/context.ts). An attempt's first wait for
 * Lever's or CodeSignal's budget, before it has sent anything to either, gives up past HAND_BACK_AFTER_MS
 * and hands the slot back; every later wait, and any wait of an activity `mayHandBack` excludes, waits as usual.
 * An attempt cancelled while it waits (the worker shutting down after its grace time, or a cancelled activity)
 * ends then with the cancellation, before the request it waited for: the worker is not held until the turn comes.
 */
export const activityRequestGate: RequestGate = {
  async wait(wait, integrationId) {
    const ctx = currentContext();
    const waited = budgetWait(ctx, wait, integrationId);
    if (ctx) {
      // a wait left behind by a cancellation still settles later, unobserved
      waited.catch(() => undefined);
      await Promise.race([waited, ctx.cancelled]);
      sending.add(ctx);
    } else {
      await waited;
    }
  },
};
