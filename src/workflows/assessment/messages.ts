import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AssessmentRunSettings } from '../../integrations/settings';
import type { FlowStop } from '../shared/stops';

/** Messages of the assessment workflow, shared by the ingress, the admin API and the workflows. */

export type AssessmentStatus =
  | 'starting'
  | 'awaiting_selection'
  | 'invited'
  | 'started'
  | 'verification_pending'
  | 'completed'
  | 'not_verified'
  | 'expired'
  | 'declined'
  | 'cancelled'
  | 'failed';

export const terminalAssessmentStatuses: readonly AssessmentStatus[] = ['completed', 'not_verified', 'expired', 'declined', 'cancelled', 'failed'];
export const isTerminalAssessmentStatus = (s: AssessmentStatus) => terminalAssessmentStatuses.includes(s);

export type CodeSignalSessionStatus =
  | 'pending' | 'active' | 'gracePeriod' | 'finalizing' | 'over' | 'expired' | 'declined' | 'deleted' | 'deletedForPii' | 'archived';

/** What the workflow knows of a CodeSignal test session, re-read from the API after every webhook. */
export interface SessionSnapshot {
  id: string;
  /** Null when CodeSignal does not name the session's test (`test` is nullable in the schema). */
  testId: string | null;
  testTitle: string | null;
  status: CodeSignalSessionStatus;
  invitationUrl: string | null;
  expiresAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  maxScore: number;
  score: number | null;
  reportUrl: string | null;
  verificationStatus: 'pending' | 'verified' | 'notVerified' | null;
  rejectionReasons: string[];
  /**
   * CodeSignal's integrity review of a non-proctored session: a problem suggested, and whether the review
   * is final (absent in snapshots of older runs).
   */
  integrityReviewSuggested?: boolean | null;
  integrityReviewFinalized?: boolean;
  /** Per-task scores, titled "Task n" where CodeSignal gives no title; absent in snapshots of older runs. */
  tasks?: TaskScore[];
  /** Reactivation or an automatic retake moved the candidate to this session. */
  continuedAs: string | null;
  /** The activity's clock when it read the session; timers are computed from it, never from workflow code. */
  readAt: number;
}

export interface TaskScore {
  title: string;
  score: number | null;
  maxScore: number;
}

export interface CandidateContact {
  name: string;
  email: string | null;
  postingId: string | null;
  /** The opportunity's tags when it was read, where the reader was asked for them (absent in older histories). */
  tags?: string[];
}

/** One step of a posting's test sequence (README "Assessments"): the tests in order and this assessment's index. */
export interface TestSequenceStep {
  testIds: string[];
  step: number;
}

export interface AssessmentWorkflowInput {
  integrationId: string;
  opportunityId: string;
  assessmentId: string;
  candidateWorkflowId: string;
  triggerStageId: string;
  /** The assessment settings with the integration's notifyFollowers, as loadAssessmentSettings returns them. */
  settings: AssessmentRunSettings;
  /** A retake: reactivate this earlier session instead of inviting afresh. */
  retakeOfSessionId?: string;
  /**
   * The candidate as the candidate workflow's confirmation of the stage entry read it (with its tags), so
   * the assessment does not read the opportunity again; absent in older histories and for a retake.
   */
  candidate?: CandidateContact;
  /** The next step of a test sequence: its test is sent at once (absent in older histories). */
  sequence?: TestSequenceStep;
}

export type CancelReason = 'archived' | 'hired' | 'recruiter';

/** Actions on an open assessment; a retake is a new assessment, started by the candidate workflow. */
export type RecruiterAction = { action: 'resend' } | { action: 'extend'; days: number } | { action: 'cancel' } | DecisionAction;

/** A recruiter's decision on a rejection waiting for approval (README "Assessments"); only while one waits. */
export type DecisionAction = { action: 'approve' } | { action: 'decline' } | { action: 'confirmIntegrity' } | { action: 'clearIntegrity' };
const decisionKinds: Record<DecisionAction['action'], PendingDecision['kind']> = { approve: 'rejection', decline: 'rejection', confirmIntegrity: 'integrity', clearIntegrity: 'integrity' };
export const isDecisionAction = (a: RecruiterAction): a is DecisionAction => a.action in decisionKinds;
/** The kind of waiting decision an action decides. */
export const decisionKindOf = (a: DecisionAction): PendingDecision['kind'] => decisionKinds[a.action];

/**
 * A decision waiting for a recruiter: a rejection (the fail threshold's stage move) to approve, or a
 * result whose integrity CodeSignal questioned, to confirm (failed) or clear (README "Assessments").
 */
export interface PendingDecision {
  kind: 'rejection' | 'integrity';
  /** The stage the candidate is moved to once approved (a rejection); the outcome's move, if any (integrity). */
  stageId: string | null;
  /** Workflow time after which nothing is done. */
  deadline: number;
}

/** How a waiting decision ended: approved (done), declined or timed out (nothing done). */
export type DecisionOutcome = 'approved' | 'declined' | 'confirmed' | 'cleared' | 'timedOut';

export interface CancelRequest {
  reason: CancelReason;
  /** The Lever archive reason, when an archive caused it: the note tells "hired" from other reasons. */
  archiveReasonId?: string | null;
}

export interface AssessmentState {
  assessmentId: string;
  triggerStageId: string;
  status: AssessmentStatus;
  testId: string | null;
  testTitle: string | null;
  sessionId: string | null;
  /** Every session this assessment has used, oldest first (retakes add one). */
  sessionIds: string[];
  candidateEmail: string | null;
  expiresAt: number | null;
  remindersSent: number;
  score: number | null;
  maxScore: number | null;
  passed: boolean | null;
  reportUrl: string | null;
  failure: { type: string; message: string } | null;
  /** Set when the assessment is a step of the posting's test sequence. */
  sequence?: TestSequenceStep;
  /** Set when the posting's test tag was not understood (and the flow fell back to the next rule). */
  testChoiceProblem?: string;
  /** A rejection waiting for a recruiter's decision (null once decided). */
  pendingDecision?: PendingDecision | null;
  /** How the last waiting decision ended. */
  decision?: DecisionOutcome;
  /** Where the flow stopped under a name, waiting for a retry (null once resumed). */
  stopped?: FlowStop | null;
}

/** What the candidate workflow keeps of each of its assessments. */
export interface AssessmentSummary {
  assessmentId: string;
  workflowId: string;
  triggerStageId: string;
  status: AssessmentStatus;
  testTitle: string | null;
  sessionId: string | null;
  score: number | null;
  maxScore: number | null;
  passed: boolean | null;
  startedAt: number;
  /** Set on a retake: the assessment it repeats. */
  retakeOf?: string;
  /** A step of a test sequence (sent by the assessment with its status); a passed step is followed by the next. */
  sequence?: TestSequenceStep;
  /** Set on a sequence's next step: the assessment it follows. */
  follows?: string;
  /** The posting's test tag was not understood (reported by the assessment with its status). */
  testChoiceProblem?: string;
  /** A rejection waiting for a recruiter's decision (the admin UI's Approve / Decline); null once decided. */
  pendingDecision?: PendingDecision | null;
  decision?: DecisionOutcome;
  /** The flow stopped under a name, waiting for a retry (README "When a flow stops: named errors"); null once resumed. */
  stopped?: FlowStop | null;
}

export const testChosenSignal = defineSignal<[{ testId: string }]>('testChosen');
/** A CodeSignal webhook about a test session: only a hint to re-read the session. */
export interface SessionEvent {
  sessionId: string;
  event: string;
  triggeredOn: number;
}

/**
 * Sent by the ingress for a session recorded for this workflow. Events that arrived before the
 * session was recorded were parked; `recordSession` answers them and the workflow handles them alike.
 */
export const sessionEventSignal = defineSignal<[SessionEvent]>('sessionEvent');
export const cancelAssessmentSignal = defineSignal<[CancelRequest]>('cancelAssessment');
export const recruiterActionUpdate = defineUpdate<{ accepted: true }, [RecruiterAction]>('recruiterAction');
export const assessmentStateQuery = defineQuery<AssessmentState>('assessmentState');

/** Sent by an assessment workflow to its candidate workflow whenever its status changes. */
export const assessmentStatusSignal = defineSignal<[Omit<AssessmentSummary, 'workflowId' | 'startedAt' | 'triggerStageId'>]>('assessmentStatus');

/** Asks the candidate workflow for a retake of a finished assessment; answers the new assessment's id. */
export const retakeAssessmentUpdate = defineUpdate<{ assessmentId: string }, [{ assessmentId: string }]>('retakeAssessment');
