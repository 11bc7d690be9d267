/** The candidate workflow's assessment and interview children: when to start, launch and cancel them. */
import { getExternalWorkflowHandle, log, ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { CandidateEventContext } from '../../activities/candidate/event-context';
import type { SettingsActivities } from '../../activities/shared/settings-activities';
import type { AssessmentRunSettings } from '../../integrations/settings';
import { assessmentWorkflow } from '../assessment/assessment-workflow';
import {
  cancelAssessmentSignal,
  isTerminalAssessmentStatus,
  type AssessmentSummary,
  type CancelRequest,
  type CandidateContact,
  type TestSequenceStep,
} from '../assessment/messages';
import { interviewWorkflow } from '../interview/interview-workflow';
import { cancelInterviewSignal, isTerminalInterviewStatus, type InterviewCancelReason, type InterviewSummary } from '../interview/messages';
import { assessmentWorkflowId, interviewWorkflowId } from '../shared/ids';
import type { CandidateState } from './messages';
import { mayCancel, mayStart, type LeverEventCheck } from './lever-confirmation';

/** The integration's settings, read when a child is about to start (an admin's change counts at once). */
export const { loadAssessmentSettings, loadInterviewSettings } = proxyActivities<SettingsActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Entering a trigger stage starts an assessment, unless one for that stage is still open or started
 * at or after this entry (a late delivery of an entry already acted on). `context`: the settings as the
 * event's one read found them (./event-context.ts); without it they are read here.
 */
export async function startAssessmentIfTriggered(
  state: CandidateState,
  assessments: AssessmentSummary[],
  stageId: string,
  check: LeverEventCheck,
  enteredAt: number = state.stageChangedAt ?? 0,
  context?: CandidateEventContext,
): Promise<void> {
  const settings = context?.assessments ?? (await loadAssessmentSettings({ integrationId: state.integrationId }));
  if (!settings.triggerStageIds.includes(stageId)) return;
  if (assessments.some((a) => a.triggerStageId === stageId && (!isTerminalAssessmentStatus(a.status) || a.startedAt >= enteredAt))) return;
  if (!(await mayStart(check, state, { withContact: true }))) return;
  // the candidate as the confirmation read it, so the assessment does not read the opportunity again
  const candidate = (await check.confirm())?.contact;
  await launchAssessment(state, reserveAssessment(state, assessments, stageId, undefined, enteredAt), settings, undefined, candidate);
}

/** Takes the next assessment number at once (no await), so concurrent starts never share one. */
export function reserveAssessment(
  state: CandidateState,
  assessments: AssessmentSummary[],
  stageId: string,
  retakeOf?: AssessmentSummary,
  startedAt: number = state.stageChangedAt ?? 0,
): AssessmentSummary {
  const sequence = assessments.length + 1;
  const summary: AssessmentSummary = {
    assessmentId: String(sequence),
    workflowId: assessmentWorkflowId(state.integrationId, state.opportunityId, sequence),
    triggerStageId: stageId,
    status: 'starting',
    testTitle: retakeOf?.testTitle ?? null,
    sessionId: null,
    score: null,
    maxScore: null,
    passed: null,
    startedAt,
    ...(retakeOf ? { retakeOf: retakeOf.assessmentId } : {}),
  };
  assessments.push(summary);
  return summary;
}

/**
 * From this version on, a passed step of a posting's test sequence is followed by the next test, as the
 * candidate's next assessment. Older histories hold no sequence, so they never reach it.
 */
const testSequencePatch = 'test-sequence-next-step-v1';

/** Whether the assessment is a passed step of a sequence whose next step has not been started. */
export function nextStepDue(assessments: AssessmentSummary[], summary: AssessmentSummary): boolean {
  const s = summary.sequence;
  if (!s || summary.status !== 'completed' || summary.passed !== true || s.step + 1 >= s.testIds.length) return false;
  return !assessments.some((a) => a.follows === summary.assessmentId);
}

/**
 * The next test of a sequence, as a new assessment (the next number, its own workflow, notes and tags),
 * unless the candidate has left the stage of the step before or was archived or hired: that ends the sequence.
 */
export async function startNextStep(state: CandidateState, assessments: AssessmentSummary[], previous: AssessmentSummary): Promise<void> {
  if (!patched(testSequencePatch) || !previous.sequence || !nextStepDue(assessments, previous)) return;
  if (state.stageId !== previous.triggerStageId || state.archived !== null || state.hiredAt !== null) {
    log.info('test sequence ended: the candidate left the stage', { assessmentId: previous.assessmentId, stageId: state.stageId });
    return;
  }
  const sequence: TestSequenceStep = { testIds: previous.sequence.testIds, step: previous.sequence.step + 1 };
  const summary = reserveAssessment(state, assessments, previous.triggerStageId);
  Object.assign(summary, { follows: previous.assessmentId, sequence });
  const settings = await loadAssessmentSettings({ integrationId: state.integrationId });
  await launchAssessment(state, summary, settings, undefined, undefined, sequence);
}

/**
 * Starts the assessment as a child workflow; a retake reactivates the earlier session. `candidate`: as Lever's
 * confirmation of the entry read it; `sequence`: the next step of a test sequence, whose test is sent at once.
 */
export async function launchAssessment(
  state: CandidateState,
  summary: AssessmentSummary,
  settings: AssessmentRunSettings,
  retakeOfSessionId?: string,
  candidate?: CandidateContact,
  sequence?: TestSequenceStep,
): Promise<void> {
  await startChild(assessmentWorkflow, {
    workflowId: summary.workflowId,
    args: [
      {
        integrationId: state.integrationId,
        opportunityId: state.opportunityId,
        assessmentId: summary.assessmentId,
        candidateWorkflowId: workflowInfo().workflowId,
        triggerStageId: summary.triggerStageId,
        settings,
        ...(retakeOfSessionId ? { retakeOfSessionId } : {}),
        ...(candidate ? { candidate } : {}),
        ...(sequence ? { sequence } : {}),
      },
    ],
    // Assessments outlive a continue-as-new of this workflow.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
}

export async function cancelOpenAssessments(assessments: AssessmentSummary[], request: CancelRequest, check: LeverEventCheck): Promise<void> {
  const open = assessments.filter((x) => !isTerminalAssessmentStatus(x.status));
  if (open.length === 0 || !(await mayCancel(check))) return;
  for (const a of open) {
    await signalQuietly(a.workflowId, () => getExternalWorkflowHandle(a.workflowId).signal(cancelAssessmentSignal, request));
  }
}

/** Entering an interview trigger stage creates a live interview, unless one is still open (or Lever does not confirm the entry). */
export async function startInterviewIfTriggered(state: CandidateState, interviews: InterviewSummary[], stageId: string, check: LeverEventCheck, context?: CandidateEventContext): Promise<void> {
  const { interviews: settings, notifyFollowers } = context?.interviews ?? (await loadInterviewSettings({ integrationId: state.integrationId }));
  if (!settings.triggerStageIds.includes(stageId)) return;
  if (interviews.some((i) => !isTerminalInterviewStatus(i.status))) return;
  if (!(await mayStart(check, state))) return;
  const sequence = interviews.length + 1;
  const summary: InterviewSummary = {
    interviewId: String(sequence),
    workflowId: interviewWorkflowId(state.integrationId, state.opportunityId, sequence),
    triggerStageId: stageId,
    status: 'starting',
  };
  interviews.push(summary);
  await startChild(interviewWorkflow, {
    workflowId: summary.workflowId,
    args: [
      {
        integrationId: state.integrationId,
        opportunityId: state.opportunityId,
        interviewId: summary.interviewId,
        candidateWorkflowId: workflowInfo().workflowId,
        triggerStageId: stageId,
        settings,
        notifyFollowers,
      },
    ],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
}

export async function cancelOpenInterviews(interviews: InterviewSummary[], reason: InterviewCancelReason, which: (i: InterviewSummary) => boolean, check: LeverEventCheck): Promise<void> {
  const open = interviews.filter((x) => !isTerminalInterviewStatus(x.status) && which(x));
  if (open.length === 0 || !(await mayCancel(check))) return;
  for (const i of open) {
    await signalQuietly(i.workflowId, () => getExternalWorkflowHandle(i.workflowId).signal(cancelInterviewSignal, { reason }));
  }
}

/** A child that has already closed cannot be signalled; that is expected, not an error. */
export async function signalQuietly(workflowId: string, send: () => Promise<void>): Promise<void> {
  await send().catch((err: unknown) => log.warn('workflow already closed', { workflowId, error: String(err) }));
}

