import { allHandlersFinished, ApplicationFailure, condition, isCancellation, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ImportActivities } from '../../activities/sourcing/import-activities';
import { failureOf } from '../shared/failures';
import { importStateQuery, type ImportState, type ImportWorkflowInput } from './import-messages';

/** Lever calls, retried with backoff for a day (outages, 429s), not past a non-retryable answer. */
const acts = proxyActivities<ImportActivities>({
  // the import holds a per-person lease across a few Lever calls
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Imports one CodeSignal sourcing candidate into Lever (id `import/<integrationId>/<candidateId>`,
 * started by the sourcing API's import call, docs/sync.md): one Lever opportunity in New Lead, source
 * CodeSignal, created as the sourcer's mapped Lever user, and the link recorded for the status sync.
 * The activity makes the import idempotent, so a repeated call, in this run or a new one, never
 * creates a second opportunity.
 */
export async function sourcingImportWorkflow(input: ImportWorkflowInput): Promise<ImportState> {
  const state: ImportState = {
    integrationId: input.integrationId,
    codesignalCandidateId: input.codesignalCandidateId,
    status: 'importing',
    requestedByUserId: input.request.sourcedBy.codesignalUserId,
    leverOpportunityId: null,
    outcome: null,
    createdByLeverUserId: null,
    creatorFallback: false,
    contactDeduped: false,
    failure: null,
  };
  setHandler(importStateQuery, () => state);

  try {
    const result = await acts.importSourcingCandidate({ integrationId: input.integrationId, codesignalCandidateId: input.codesignalCandidateId, request: input.request });
    state.status = 'imported';
    state.leverOpportunityId = result.leverOpportunityId;
    state.outcome = result.outcome;
    state.requestedByUserId = result.requestedByUserId ?? state.requestedByUserId;
    state.createdByLeverUserId = result.createdByLeverUserId;
    state.creatorFallback = result.noteFacts.creatorFallback;
    state.contactDeduped = result.noteFacts.contactDeduped;
    const { noteFacts } = result;
    if (noteFacts.creatorFallback || noteFacts.linkedExisting || noteFacts.contactDeduped) {
      await acts
        .postImportNote({
          integrationId: input.integrationId,
          codesignalCandidateId: input.codesignalCandidateId,
          opportunityId: result.leverOpportunityId,
          request: input.request,
          performAs: result.createdByLeverUserId,
          facts: noteFacts,
        })
        .catch((err: unknown) => {
          // the opportunity and the link exist; a missing note is reported, not a failed import
          if (isCancellation(err)) throw err;
          state.failure = failureOf(err, 'ImportFailed');
          log.warn('import note could not be written', { error: state.failure.message });
        });
    }
  } catch (err) {
    if (isCancellation(err) || state.status === 'imported') throw err;
    state.status = 'failed';
    state.failure = failureOf(err, 'ImportFailed');
    throw ApplicationFailure.nonRetryable(`import of CodeSignal candidate ${input.codesignalCandidateId} failed: ${state.failure.message}`, state.failure.type);
  }
  await condition(allHandlersFinished);
  return state;
}
