import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { InterviewSettings } from '../../integrations/settings';

/** Messages of the live-interview workflow, shared by the ingress, the candidate workflow and the interview workflow. */

export type InterviewStatus = 'starting' | 'scheduled' | 'in_progress' | 'finished' | 'completed' | 'expired' | 'cancelled' | 'failed';

export const terminalInterviewStatuses: readonly InterviewStatus[] = ['completed', 'expired', 'cancelled', 'failed'];
export const isTerminalInterviewStatus = (s: InterviewStatus) => terminalInterviewStatuses.includes(s);

export interface InterviewFeedback {
  author: string | null;
  evaluation: string | null;
  recommendedLevel: string | null;
  notes: string | null;
}

/** What the workflow knows of the CodeSignal live interview, re-read from the API after every webhook. */
export interface RoomSnapshot {
  id: string;
  status: 'pending' | 'active' | 'over' | 'deleted' | 'archived';
  url: string;
  startedAt: number | null;
  finishedAt: number | null;
  feedback: InterviewFeedback[];
  /** The activity's clock when it read the interview; timers are computed from it. */
  readAt: number;
}

export interface InterviewWorkflowInput {
  integrationId: string;
  opportunityId: string;
  interviewId: string;
  candidateWorkflowId: string;
  triggerStageId: string;
  settings: InterviewSettings;
  notifyFollowers: boolean;
}

export type InterviewCancelReason = 'archived' | 'hired' | 'left_stage' | 'lever_interview_deleted' | 'recruiter';

export interface InterviewState {
  interviewId: string;
  status: InterviewStatus;
  roomId: string | null;
  roomUrl: string | null;
  codesignalInterviewerId: string | null;
  expiresAt: number | null;
  /** Lever interviews (scheduled by recruiters) this room follows. */
  leverInterviewIds: string[];
  feedback: InterviewFeedback[];
  failure: { type: string; message: string } | null;
}

export interface InterviewSummary {
  interviewId: string;
  workflowId: string;
  triggerStageId: string;
  status: InterviewStatus;
}

export const leverInterviewChangeSignal = defineSignal<[{ leverInterviewId: string; change: 'created' | 'updated' | 'deleted' }]>('leverInterviewChange');
export const liveInterviewEventSignal = defineSignal<[{ event: string }]>('liveInterviewEvent');
export const cancelInterviewSignal = defineSignal<[{ reason: InterviewCancelReason }]>('cancelInterview');
export const interviewStateQuery = defineQuery<InterviewState>('interviewState');
export const interviewStatusSignal = defineSignal<[{ interviewId: string; status: InterviewStatus }]>('interviewStatus');
