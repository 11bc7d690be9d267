/** The two-way stage sync loop the candidate workflow runs beside its main loop (docs/sync.md). */
import { ActivityFailure, condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { SyncActivities } from '../../activities/sourcing/sync-activities';
import type { CandidateState } from '../candidate/messages';
import {
  applyWriteResult,
  decideSync,
  leverSnapshotFrom,
  maxSyncRounds,
  observeCodeSignal,
  observeLever,
  recordSyncError,
  type SyncChange,
  type SyncMapping,
  type SyncState,
  type SyncTrigger,
  type SyncWrite,
} from './sync-state';

/** What an admin reads about a failed sync step: the activity's own failure (e.g. "no status feed URL is configured"), not the wrapper. */
const syncErrorMessage = (err: unknown): string => (err instanceof ActivityFailure && err.cause ? err.cause.message : String(err));

const syncActivities = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 seconds',
  // outages are waited out; meanwhile only the sync waits, assessments and interviews go on
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The status feed (docs/sync.md): a receiver that is down is waited out for a day, as CodeSignal waits out ours. */
const feedActivities = proxyActivities<Pick<SyncActivities, 'writeCodeSignalStatus'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Acts on queued webhooks one at a time, beside the main loop, so a slow or unavailable API holds up
 * only the sync. Each trigger works on a copy of the sync state that is kept, and the trigger taken
 * off the queue, once it is done: a continue-as-new in between (it never waits for the sync) carries
 * the state from before the trigger and the trigger itself, and the next run acts on it again — the
 * writes read first, so repeating one writes nothing twice.
 */
export async function runStageSync(state: CandidateState): Promise<void> {
  for (;;) {
    await condition(() => (state.sync?.queue.length ?? 0) > 0);
    const committed = state.sync!;
    const working: SyncState = JSON.parse(JSON.stringify({ ...committed, queue: [] }));
    try {
      if (patched('sync-v1')) await syncOnce(state, working, committed.queue[0]!);
    } catch (err) {
      log.error('stage sync failed', { error: String(err) });
    } finally {
      Object.assign(committed, { ...working, queue: committed.queue });
      committed.queue.shift();
    }
  }
}

/** Reads Lever (a Lever webhook) or takes the reported CodeSignal status, then writes until both sides show the agreed state. */
async function syncOnce(state: CandidateState, sync: SyncState, trigger: SyncTrigger): Promise<void> {
  const { integrationId, opportunityId } = state;
  const read = trigger.side === 'lever' ? 'lever' : trigger.reported ? 'links' : { codesignalCandidateId: trigger.candidateId };
  const context = await syncActivities
    .loadSyncContext({ integrationId, opportunityId, read })
    .catch((err: unknown) => {
      recordSyncError(sync, { side: trigger.side, message: syncErrorMessage(err) });
      log.warn('stage sync could not read its context', { error: String(err) });
      return undefined;
    });
  if (!context || context.candidateIds.length === 0) return;
  sync.candidateIds = context.candidateIds;
  sync.linkedAt = context.linkedAt;
  sync.counts.triggers += 1;
  let change: SyncChange | undefined;
  if (trigger.side === 'lever' && context.lever) {
    change = observeLever(sync, leverSnapshotFrom(context.lever, sync.lever, trigger.unarchivedAt), context.mapping);
  } else if (trigger.side === 'codesignal' && context.candidateIds.includes(trigger.candidateId)) {
    const reported = trigger.reported ?? context.codesignal;
    if (reported) change = observeCodeSignal(sync, trigger.candidateId, reported, context.mapping);
  }
  const changes = change ? [change] : [];
  for (let round = 0; changes.length > 0; round++) {
    if (round >= maxSyncRounds) {
      log.error('stage sync did not settle; the next webhook continues', { pending: changes.length });
      return;
    }
    const next = changes.shift()!;
    if (next.status === null) log.warn('unmapped change not synced', { side: next.side, value: next.value });
    for (const write of decideSync(sync, next, context.mapping)) {
      const fed = await performSyncWrite(state, sync, write, context.mapping);
      if (fed) changes.push(fed);
    }
  }
}

async function performSyncWrite(state: CandidateState, sync: SyncState, write: SyncWrite, mapping: SyncMapping): Promise<SyncChange | undefined> {
  const { integrationId, opportunityId } = state;
  try {
    const result =
      write.side === 'lever'
        ? await syncActivities.writeLeverForStatus({ integrationId, opportunityId, write })
        : await feedActivities.writeCodeSignalStatus({ integrationId, opportunityId, write });
    if (result.outcome === 'written') log.info('stage sync wrote', { side: write.side, status: write.status });
    return applyWriteResult(sync, write, result, mapping);
  } catch (err) {
    // a write that failed for good (4xx, no default user): reported; the next change tries again
    recordSyncError(sync, { side: write.side, message: syncErrorMessage(err), ...(write.side === 'codesignal' ? { candidateId: write.candidateId } : {}) });
    log.warn('stage sync write failed', { side: write.side, error: String(err) });
    return undefined;
  }
}
