import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SettingsActivities } from '../activities/settings-activities';
import { cancelAssessmentSignal, isTerminalAssessmentStatus, assessmentStatusSignal, type AssessmentSummary, type CancelReason } from './assessment-messages';
import { assessmentWorkflow } from './assessment-workflow';
import { applyLeverEvent, initialCandidateState } from './candidate-state';
import { assessmentWorkflowId } from './ids';
import {
  assessmentsQuery,
  candidateStateQuery,
  leverEventSignal,
  type CandidateState,
  type CandidateWorkflowInput,
  type LeverCandidateEvent,
} from './messages';
import { LeverStageKey } from './search-attributes';

const defaultHistoryLimit = 5_000;

const { loadAssessmentSettings } = proxyActivities<SettingsActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The long-lived workflow of one Lever opportunity in one integration. Lever events arrive as
 * signals (signal-with-start from the ingress); the workflow owns the candidate's state and starts
 * an assessment workflow when the candidate enters a trigger stage.
 */
export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const state: CandidateState = input.carried ?? initialCandidateState(input.integrationId, input.opportunityId);
  const assessments: AssessmentSummary[] = (state.assessments ??= []);
  const inbox: LeverCandidateEvent[] = [];

  setHandler(leverEventSignal, (event) => {
    inbox.push(event);
  });
  setHandler(assessmentStatusSignal, (update) => {
    const summary = assessments.find((a) => a.assessmentId === update.assessmentId);
    if (summary) Object.assign(summary, update);
  });
  setHandler(candidateStateQuery, () => state);
  setHandler(assessmentsQuery, () => assessments);

  let publishedStage = workflowInfo().typedSearchAttributes.get(LeverStageKey) ?? null;
  const historyLimit = input.historyLimit ?? defaultHistoryLimit;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  for (;;) {
    await condition(() => inbox.length > 0 || shouldContinueAsNew());
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      const stageBefore = state.stageId;
      const archivedBefore = state.archived;
      const hiredBefore = state.hiredAt;
      if (!applyLeverEvent(state, event)) {
        log.info('duplicate Lever event ignored', { key: event.key });
        continue;
      }
      if (!patched('assessments-v1')) continue;
      if (event.kind === 'stageChange' && state.stageId !== stageBefore && state.stageId !== null) {
        // The candidate's record must outlive a broken integration (deleted, misconfigured): log, don't fail.
        await startAssessmentIfTriggered(state, assessments, state.stageId).catch((err: unknown) =>
          log.error('could not start an assessment', { stageId: state.stageId, error: String(err) }),
        );
      } else if ((event.kind === 'archiveChange' && state.archived && !archivedBefore) || (event.kind === 'hired' && hiredBefore === null)) {
        await cancelOpenAssessments(assessments, event.kind === 'hired' ? 'hired' : 'archived');
      }
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

/** Entering a trigger stage starts an assessment, unless one for that stage is still open. */
async function startAssessmentIfTriggered(state: CandidateState, assessments: AssessmentSummary[], stageId: string): Promise<void> {
  const settings = await loadAssessmentSettings({ integrationId: state.integrationId });
  if (!settings.triggerStageIds.includes(stageId)) return;
  if (assessments.some((a) => a.triggerStageId === stageId && !isTerminalAssessmentStatus(a.status))) return;
  if (state.archived) return;
  const sequence = assessments.length + 1;
  const workflowId = assessmentWorkflowId(state.integrationId, state.opportunityId, sequence);
  assessments.push({
    assessmentId: String(sequence),
    workflowId,
    triggerStageId: stageId,
    status: 'starting',
    testTitle: null,
    sessionId: null,
    score: null,
    maxScore: null,
    passed: null,
    startedAt: state.stageChangedAt ?? 0,
  });
  await startChild(assessmentWorkflow, {
    workflowId,
    args: [
      {
        integrationId: state.integrationId,
        opportunityId: state.opportunityId,
        assessmentId: String(sequence),
        candidateWorkflowId: workflowInfo().workflowId,
        triggerStageId: stageId,
        settings,
      },
    ],
    // Assessments outlive a continue-as-new of this workflow.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
}

async function cancelOpenAssessments(assessments: AssessmentSummary[], reason: CancelReason): Promise<void> {
  for (const a of assessments.filter((x) => !isTerminalAssessmentStatus(x.status))) {
    await getExternalWorkflowHandle(a.workflowId)
      .signal(cancelAssessmentSignal, { reason })
      .catch((err: unknown) => log.warn('assessment already closed', { workflowId: a.workflowId, error: String(err) }));
  }
}
