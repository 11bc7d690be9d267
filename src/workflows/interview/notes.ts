import type { FlowStop } from '../shared/stops';
import type { InterviewCancelReason, InterviewFeedback, RoomSnapshot } from './messages';

/** The notes a live interview writes to Lever; the activity renders them, the workflow only chooses. */
export type InterviewNote =
  | { kind: 'created'; roomUrl: string; expiresAt: number | null }
  | { kind: 'rescheduled'; at: number; expiresAt: number }
  /** A slot scheduled (again) through the service; `timezone` is the one it was picked in. */
  | { kind: 'scheduled'; at: number; timezone: string; durationMinutes: number; expiresAt: number; again: boolean }
  | { kind: 'outcome'; room: RoomSnapshot; feedback: InterviewFeedback[] }
  | { kind: 'expired' }
  | { kind: 'cancelled'; reason: InterviewCancelReason }
  /** `failureType` and `roomCreated` (absent in older runs) tell the note what actually went wrong. */
  /** The flow stopped under a name until a retry (src/workflows/shared/stops.ts): a private note. */
  | { kind: 'stopped'; stop: FlowStop }
  | { kind: 'failed'; message: string; failureType?: string; roomCreated?: boolean };
