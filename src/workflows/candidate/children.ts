/** The candidate workflow's assessment and interview children: when to start, launch and cancel them. */
import { getExternalWorkflowHandle, log, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { SettingsActivities } from '../../activities/shared/settings-activities';
import type { AssessmentRunSettings } from '../../integrations/settings';
import { assessmentWorkflow } from '../assessment/assessment-workflow';
import { cancelAssessmentSignal, isTerminalAssessmentStatus, type AssessmentSummary, type CancelRequest, type CandidateContact } from '../assessment/messages';
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
 * at or after this entry (a late delivery of an entry already acted on).
 */
export async function startAssessmentIfTriggered(
  state: CandidateState,
  assessments: AssessmentSummary[],
  stageId: string,
  check: LeverEventCheck,
  enteredAt: number = state.stageChangedAt ?? 0,
): Promise<void> {
  const settings = await loadAssessmentSettings({ integrationId: state.integrationId });
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

/** Starts the assessment as a child workflow; a retake reactivates the earlier session. `candidate`: as Lever's confirmation of the entry read it. */
export async function launchAssessment(
  state: CandidateState,
  summary: AssessmentSummary,
  settings: AssessmentRunSettings,
  retakeOfSessionId?: string,
  candidate?: CandidateContact,
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
export async function startInterviewIfTriggered(state: CandidateState, interviews: InterviewSummary[], stageId: string, check: LeverEventCheck): Promise<void> {
  const { interviews: settings, notifyFollowers } = await loadInterviewSettings({ integrationId: state.integrationId });
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

