import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { applyLeverEvent, initialCandidateState } from './candidate-state';
import { candidateStateQuery, leverEventSignal, type CandidateWorkflowInput, type LeverCandidateEvent } from './messages';
import { LeverStageKey } from './search-attributes';

const defaultHistoryLimit = 5_000;

/**
 * The long-lived workflow of one Lever opportunity in one integration. Lever events arrive as
 * signals (signal-with-start from the ingress); the workflow owns the candidate's state.
 */
export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const state = input.carried ?? initialCandidateState(input.integrationId, input.opportunityId);
  const inbox: LeverCandidateEvent[] = [];

  setHandler(leverEventSignal, (event) => {
    inbox.push(event);
  });
  setHandler(candidateStateQuery, () => state);

  let publishedStage = workflowInfo().typedSearchAttributes.get(LeverStageKey) ?? null;
  const historyLimit = input.historyLimit ?? defaultHistoryLimit;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  for (;;) {
    await condition(() => inbox.length > 0 || shouldContinueAsNew());
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      if (!applyLeverEvent(state, event)) log.info('duplicate Lever event ignored', { key: event.key });
    }
    if (state.stageId !== publishedStage) {
      upsertSearchAttributes([{ key: LeverStageKey, value: state.stageId }]);
      publishedStage = state.stageId;
    }
    if (shouldContinueAsNew() && inbox.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof candidateWorkflow>({ ...input, carried: { ...state, runs: state.runs + 1 } });
    }
  }
}
