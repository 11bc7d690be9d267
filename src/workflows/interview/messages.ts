import type { FlowStop } from '../shared/stops';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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

/** `recruiter`: cancelled in CodeSignal; `recruiter_request`: through the scheduling page or the admin API. */
export type InterviewCancelReason = 'archived' | 'hired' | 'left_stage' | 'lever_interview_deleted' | 'recruiter' | 'recruiter_request';

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
  /** The slot scheduled through the service (a Lever panel it manages); null/absent: none (older runs: absent). */
  schedule?: ScheduledInterview | null;
  /** Where the flow stopped under a name, waiting for a retry (null once resumed). */
  stopped?: FlowStop | null;
}

/** Longest interview the service schedules, minutes. */
export const MAX_INTERVIEW_MINUTES = 480;
/** The room stays open this long after the scheduled end (also for interviews scheduled in Lever's UI). */
export const ROOM_GRACE_AFTER_END_MS = 24 * 60 * 60 * 1000;
/** CodeSignal keeps a room open at most 336 hours from when its expiry is set (codesignal-api.md §7). */
export const MAX_ROOM_HOURS = 336;

/**
 * A slot a recruiter picks on the signed scheduling page or through the admin API. The API checks the
 * time zone and turns the local date and time into `startsAt`; the workflow checks the rest.
 */
export interface ScheduleInterviewRequest {
  /** Start, ms since the epoch. In the future (checked by the API and the room's edit); its end plus a day within CodeSignal's 336-hour room limit. */
  startsAt: number;
  /** IANA time zone the slot was picked in (the Lever panel's `timezone`). */
  timezone: string;
  /** 1 to MAX_INTERVIEW_MINUTES. */
  durationMinutes: number;
  /** Lever user ids, 1 to 10, distinct. The first one mapped to a CodeSignal user is the room's interviewer. */
  interviewerIds: string[];
  /** CodeSignal interview template; null: the one the room has (the stage's setting). */
  templateId: string | null;
  /** The Lever user who scheduled it, author of the panel; null: the integration's default Lever user. */
  scheduledBy: string | null;
}

/** What the service scheduled: the slot, the Lever panel (externally managed) and its one interview, and the room. */
export interface ScheduledInterview extends ScheduleInterviewRequest {
  panelId: string;
  leverInterviewId: string;
  roomUrl: string;
  /** The room's expiry after this schedule. */
  expiresAt: number;
}

export interface InterviewSummary {
  interviewId: string;
  workflowId: string;
  triggerStageId: string;
  status: InterviewStatus;
  /** The flow stopped under a name, waiting for a retry (README "When a flow stops: named errors"); null once resumed. */
  stopped?: FlowStop | null;
}

export const leverInterviewChangeSignal = defineSignal<[{ leverInterviewId: string; change: 'created' | 'updated' | 'deleted' }]>('leverInterviewChange');
export const liveInterviewEventSignal = defineSignal<[{ event: string }]>('liveInterviewEvent');
export const cancelInterviewSignal = defineSignal<[{ reason: InterviewCancelReason }]>('cancelInterview');
export const interviewStateQuery = defineQuery<InterviewState>('interviewState');
/**
 * Schedules (or reschedules) the interview: the room is edited to cover the slot, a Lever panel the
 * service manages is created (or replaced) with it. Refused (ApplicationFailure, type
 * `ScheduleRefused`, message for the recruiter) when the interview has started or ended, or the request
 * is out of bounds; answered once both writes are done.
 */
export const scheduleInterviewUpdate = defineUpdate<ScheduledInterview, [ScheduleInterviewRequest]>('scheduleInterview');
/**
 * Cancels the interview as a recruiter: its Lever panel (if the service scheduled one) and its room are
 * deleted, the links removed, a note posted. Refused (`ScheduleRefused`) once the interview has started
 * or ended. Answers the final state.
 */
export const cancelInterviewUpdate = defineUpdate<InterviewState, []>('cancelInterviewByRecruiter');
export const interviewStatusSignal = defineSignal<[{ interviewId: string; status: InterviewStatus; stopped?: FlowStop | null }]>('interviewStatus');
