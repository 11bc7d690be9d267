import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { assessmentStatusSignal, retakeAssessmentUpdate, type AssessmentSummary } from '../assessment/messages';
import { interviewStatusSignal, isTerminalInterviewStatus, leverInterviewChangeSignal, type InterviewSummary } from '../interview/messages';
import { LeverStageKey } from '../shared/search-attributes';
import { dryRunStageEntry } from '../shared/dry-run';
import { enqueueSyncTrigger, initialSyncState } from '../sourcing/sync-state';
import { applyLeverEvent, copyLeverFields, initialCandidateState, refuseLeverEvent } from './candidate-state';
import {
  assessmentsQuery,
  candidateStateQuery,
  codesignalStatusSignal,
  leverEventSignal,
  runStageTriggersSignal,
  type CandidateState,
  type CandidateWorkflowInput,
  type LeverCandidateEvent,
} from './messages';
import { runStageSync } from '../sourcing/stage-sync';
import {
  cancelOpenAssessments,
  cancelOpenInterviews,
  launchAssessment,
  loadAssessmentSettings,
  nextStepDue,
  reserveAssessment,
  signalQuietly,
  startAssessmentIfTriggered,
  startInterviewIfTriggered,
  startNextStep,
} from './children';
import { mayNeedSync, readEventContext } from './event-context';
import { confirmEarly, leverEventCheck } from './lever-confirmation';

/**
 * The candidate workflow's own concerns are its Lever inbox and state; its children live in
 * children.ts, the Lever confirmation in lever-confirmation.ts, the one read per event in event-context.ts, the stage sync loop in
 * ../sourcing/stage-sync.ts.
 */
const defaultHistoryLimit = 5_000;

/** From this version on, an archive with a reason of type hired cancels a live interview as "hired", as the hired event does. */
const hiredByArchivePatch = 'interview-hired-by-archive-v1';


/**
 * The long-lived workflow of one Lever opportunity in one integration. Lever events arrive as
 * signals (signal-with-start from the ingress); the workflow owns the candidate's state and starts
 * an assessment or live-interview child workflow when the candidate enters a trigger stage.
 */
export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const state: CandidateState = input.carried ?? initialCandidateState(input.integrationId, input.opportunityId);
  const assessments: AssessmentSummary[] = (state.assessments ??= []);
  const interviews: InterviewSummary[] = (state.interviews ??= []);
  const inbox: LeverCandidateEvent[] = [];
  const retakes: Array<{ summary: AssessmentSummary; sessionId: string }> = [];
  const stageTriggers: string[] = [];
  /** Passed steps of a test sequence whose next test is still to be sent. */
  const sequenceSteps: AssessmentSummary[] = [];

  setHandler(leverEventSignal, (event) => {
    inbox.push(event);
  });
  setHandler(runStageTriggersSignal, ({ stageId }) => void stageTriggers.push(stageId));
  setHandler(assessmentStatusSignal, (update) => {
    const summary = assessments.find((a) => a.assessmentId === update.assessmentId);
    if (summary) Object.assign(summary, update);
    if (summary && nextStepDue(assessments, summary)) sequenceSteps.push(summary);
  });
  setHandler(
    retakeAssessmentUpdate,
    ({ assessmentId }) => {
      const previous = assessments.find((a) => a.assessmentId === assessmentId)!;
      const summary = reserveAssessment(state, assessments, previous.triggerStageId, previous);
      retakes.push({ summary, sessionId: previous.sessionId! });
      return { assessmentId: summary.assessmentId };
    },
    {
      validator: ({ assessmentId }) => {
        const previous = assessments.find((a) => a.assessmentId === assessmentId);
        if (!previous) throw new Error(`no assessment ${assessmentId}`);
        if (!['completed', 'not_verified', 'expired', 'declined'].includes(previous.status) || !previous.sessionId) {
          throw new Error(`assessment ${assessmentId} is ${previous.status}; only a finished, expired or declined assessment can be retaken`);
        }
        if (assessments.some((a) => a.retakeOf === assessmentId)) throw new Error(`assessment ${assessmentId} already has a retake`);
      },
    },
  );
  setHandler(interviewStatusSignal, ({ interviewId, status, stopped }) => {
    const summary = interviews.find((i) => i.interviewId === interviewId);
    if (summary) summary.status = status;
    if (summary && stopped !== undefined) summary.stopped = stopped;
  });
  setHandler(codesignalStatusSignal, (report) => {
    // a report of the sourcing API carries the status itself; a hint from before it (a webhook) only named the candidate to re-read
    const reported = 'changedAt' in report ? { status: report.status, at: report.changedAt, byUserId: report.changedByUserId } : undefined;
    enqueueSyncTrigger((state.sync ??= initialSyncState()), { side: 'codesignal', candidateId: report.candidateId, ...(reported ? { reported } : {}) });
  });
  // a step that passed while the run before was continuing as new
  for (const summary of assessments) if (nextStepDue(assessments, summary)) sequenceSteps.push(summary);
  setHandler(candidateStateQuery, () => state);
  setHandler(assessmentsQuery, () => assessments);

  let publishedStage = workflowInfo().typedSearchAttributes.get(LeverStageKey) ?? null;
  const historyLimit = input.historyLimit ?? defaultHistoryLimit;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  void runStageSync(state);

  for (;;) {
    await condition(() => inbox.length > 0 || retakes.length > 0 || stageTriggers.length > 0 || sequenceSteps.length > 0 || shouldContinueAsNew());
    while (stageTriggers.length > 0) await runStageTriggers(state, assessments, interviews, stageTriggers.shift()!);
    while (retakes.length > 0) {
      const { summary, sessionId } = retakes.shift()!;
      await loadAssessmentSettings({ integrationId: state.integrationId })
        .then((settings) => launchAssessment(state, summary, settings, sessionId))
        .catch((err: unknown) => {
          summary.status = 'failed';
          log.error('could not start a retake', { assessmentId: summary.assessmentId, error: String(err) });
        });
    }
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      const stageBefore = state.stageId;
      const archivedBefore = state.archived;
      const hiredBefore = state.hiredAt;
      const before = copyLeverFields(state);
      if (!applyLeverEvent(state, event)) {
        log.info('duplicate Lever event ignored', { key: event.key });
        continue;
      }
      if (!patched('assessments-v1')) continue;
      // Lever confirms the event before anything follows from it; one it contradicts is undone and counted.
      const check = leverEventCheck(state, event);
      // entering a trigger stage (as the ingress saw the settings): Lever is asked beside the context read, not after it
      const confirming = confirmEarly(check, event);
      // one read of the service's own data for whatever the event leads to (the settings, the dry run's draft, the sourcing links)
      const context = event.kind !== 'interview' ? await readEventContext(state) : undefined;
      // settled before anything reads `check.refused`, so the event is handled as if asked first
      if (confirming) await confirming;
      const stageEntered = event.kind === 'stageChange' && state.stageId !== stageBefore && state.stageId !== null;
      const closed = (event.kind === 'archiveChange' && state.archived && !archivedBefore) || (event.kind === 'hired' && hiredBefore === null);
      if (stageEntered) {
        // The candidate's record must outlive a broken integration (deleted, misconfigured): log, don't fail.
        await startAssessmentIfTriggered(state, assessments, state.stageId!, check, undefined, context).catch((err: unknown) =>
          log.error('could not start an assessment', { stageId: state.stageId, error: String(err) }),
        );
        if (!check.refused && context?.dryRunDraft !== false) await dryRunStageEntry({ integrationId: state.integrationId, opportunityId: state.opportunityId, stageId: state.stageId!, eventKey: event.key });
      } else if (closed) {
        await cancelOpenAssessments(assessments, event.kind === 'hired' ? { reason: 'hired' } : { reason: 'archived', archiveReasonId: state.archived?.reason ?? null }, check);
      } else if (event.kind === 'stageChange' && event.triggeredAt < (state.stageChangedAt ?? 0) && patched('late-trigger-v1')) {
        // Entered before the current stage but delivered late: in Lever's order it would have started an assessment.
        await startAssessmentIfTriggered(state, assessments, event.toStageId, check, event.triggeredAt, context).catch((err: unknown) =>
          log.error('could not start an assessment', { stageId: event.toStageId, error: String(err) }),
        );
      }
      if (check.refused) {
        refuseLeverEvent(state, before);
        continue;
      }
      if (!patched('interviews-v1')) continue;
      if (stageEntered) {
        await cancelOpenInterviews(interviews, 'left_stage', (i) => i.triggerStageId !== state.stageId, check);
        if (!check.refused) {
          await startInterviewIfTriggered(state, interviews, state.stageId!, check, context).catch((err: unknown) =>
            log.error('could not start a live interview', { stageId: state.stageId, error: String(err) }),
          );
        }
      } else if (closed) {
        // Hiring is archiving with a reason of type hired, and Lever sends both events: whichever comes first, the reason is "hired".
        const openInterview = interviews.some((i) => !isTerminalInterviewStatus(i.status));
        const hired = event.kind === 'hired' || (openInterview && patched(hiredByArchivePatch) && (await check.confirm())?.hired === true);
        await cancelOpenInterviews(interviews, hired ? 'hired' : 'archived', () => true, check);
      } else if (event.kind === 'interview') {
        const open = interviews.filter((i) => !isTerminalInterviewStatus(i.status)).at(-1);
        if (open) await signalQuietly(open.workflowId, () => getExternalWorkflowHandle(open.workflowId).signal(leverInterviewChangeSignal, { leverInterviewId: event.interviewId, change: event.change }));
      }
      if (check.refused) {
        refuseLeverEvent(state, before);
        continue;
      }
      if (event.kind !== 'interview' && patched('sync-v1') && mayNeedSync(state, context)) {
        const unarchivedAt = event.kind === 'archiveChange' && event.toArchived === null ? event.triggeredAt : undefined;
        enqueueSyncTrigger((state.sync ??= initialSyncState()), { side: 'lever', ...(unarchivedAt !== undefined ? { unarchivedAt } : {}) });
      }
    }
    // after the Lever events, so a candidate who has just left the stage gets no next test
    while (sequenceSteps.length > 0) {
      const previous = sequenceSteps.shift()!;
      await startNextStep(state, assessments, previous).catch((err: unknown) =>
        log.error('could not start the next test of a sequence', { assessmentId: previous.assessmentId, error: String(err) }),
      );
    }
    if (state.stageId !== publishedStage) {
      upsertSearchAttributes([{ key: LeverStageKey, value: state.stageId }]);
      publishedStage = state.stageId;
    }
    if (shouldContinueAsNew() && inbox.length === 0 && retakes.length === 0 && stageTriggers.length === 0 && sequenceSteps.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNewOnCurrentVersion({ ...input, carried: { ...state, runs: state.runs + 1 } });
    }
  }
}

/**
 * A backfill's ask (runStageTriggersSignal): the flows of the stage the candidate is in, as entering it
 * would have started them, unless they ran for this entry — an assessment of this stage open or
 * started since the entry, any interview of this stage. Nothing when the candidate has moved on, or
 * when Lever does not show them in the stage.
 */
async function runStageTriggers(state: CandidateState, assessments: AssessmentSummary[], interviews: InterviewSummary[], stageId: string): Promise<void> {
  if (state.stageId !== stageId) return;
  const entry: LeverCandidateEvent = { kind: 'stageChange', key: `stage-triggers:${stageId}:${state.stageChangedAt ?? 0}`, triggeredAt: state.stageChangedAt ?? 0, fromStageId: null, toStageId: stageId };
  const check = leverEventCheck(state, entry);
  await startAssessmentIfTriggered(state, assessments, stageId, check).catch((err: unknown) =>
    log.error('could not start an assessment', { stageId, error: String(err) }),
  );
  if (check.refused || interviews.some((i) => i.triggerStageId === stageId)) return;
  await startInterviewIfTriggered(state, interviews, stageId, check).catch((err: unknown) =>
    log.error('could not start a live interview', { stageId, error: String(err) }),
  );
}

/**
 * Pinned to its version (the worker's default) like every workflow, but the next run starts on the
 * deployment's Current Version (upgrade on continue-as-new, README "Upgrading workflows"); unversioned workers ignore it.
 */
function continueAsNewOnCurrentVersion(input: CandidateWorkflowInput): Promise<never> {
  return makeContinueAsNewFunc<typeof candidateWorkflow>({ initialVersioningBehavior: 'AUTO_UPGRADE' })(input);
}
