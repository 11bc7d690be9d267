import { ActivityFailure, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ErasureActivities } from '../../activities/erasure/erasure-activities';
import type { CodeSignalErasure, ErasureInput, ErasureResult } from './messages';

const acts = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** CodeSignal may be down or its key revoked: after these attempts the rest of the erasure goes on and the receipt says what was left there. */
const codesignalActs = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

/**
 * A candidate's erasure (README "Erasure"), one per opportunity (`erasure/<integration>/<opportunity>`):
 * started by Lever's `candidateDeleted` webhook or by the reconciliation sweep (Lever's deleted list, an
 * anonymized contact). Lever is asked first — a webhook's body is not signed, so nothing is erased unless
 * Lever no longer has the opportunity or has anonymized it (or, for a session CodeSignal deleted for
 * PII, unless CodeSignal shows it so). Then, in this order: the candidate's data
 * keys are destroyed (their Temporal history becomes unreadable and no new workflow can start for
 * them), their workflows are ended, their open CodeSignal invitations and interviews deleted, the
 * service's rows about them removed, and a receipt written to the audit log.
 */
export async function erasureWorkflow(input: ErasureInput): Promise<ErasureResult> {
  const { integrationId, opportunityId } = input;
  const target = { integrationId, opportunityId };
  const confirmedBy = await acts.confirmErasure(input);
  if (confirmedBy === 'refused') {
    const reason = input.trigger === 'codesignalDeletedForPii'
      ? 'CodeSignal does not show this candidate\'s session deleted for PII'
      : 'Lever still has this opportunity and its contact is not anonymized';
    log.warn(`erasure requested but not confirmed (${reason}); nothing erased`);
    return { outcome: 'refused', reason };
  }
  const holdings = await acts.collectCandidateHoldings(target);
  const keys = await acts.destroyCandidateKeys({ ...target, importCandidateIds: holdings.importCandidateIds });
  // until every process's cached copy of the key has expired, a late webhook could still start a workflow for them: it is ended below
  if (keys.destroyed > 0 && keys.settleSeconds > 0) await sleep(`${keys.settleSeconds + 1} seconds`);
  const workflowsEnded = await acts.endCandidateWorkflows({ ...target, workflowIds: holdings.workflowIds });
  let codesignal: CodeSignalErasure;
  try {
    // every session: CodeSignal's own status says which are still open (the service's may lag, e.g. a flow that stopped on Lever's 404)
    codesignal = await codesignalActs.deleteFromCodeSignal({ integrationId, sessionIds: holdings.sessionIds, roomIds: holdings.roomIds });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const reason = `CodeSignal could not be reached or refused: ${err.cause?.message ?? err.message}`;
    codesignal = {
      deletedSessions: 0,
      deletedInterviews: 0,
      notDeleted: [...holdings.sessionIds.map((id) => ({ kind: 'session' as const, id, reason })), ...holdings.roomIds.map((id) => ({ kind: 'interview' as const, id, reason }))],
    };
  }
  const rowsRemoved = await acts.deleteCandidateRows({ ...target, sessionIds: holdings.sessionIds, importCandidateIds: holdings.importCandidateIds });
  const receipt = {
    reference: holdings.reference,
    trigger: input.trigger,
    confirmedBy,
    at: workflowInfo().runStartTime.getTime(),
    keysDestroyed: keys.destroyed,
    workflowsEnded,
    codesignal,
    rowsRemoved,
  };
  await acts.recordErasureReceipt({ integrationId, receipt });
  return { outcome: 'erased', receipt };
}
