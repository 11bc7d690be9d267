import type { FlowStop } from '../shared/stops';
import type { CancelReason, DecisionOutcome, SessionSnapshot } from './messages';

/** The notes an assessment writes to Lever; the activity renders them, the workflow only chooses. */
export type AssessmentNote =
  | { kind: 'invitation'; testTitle: string | null; email: string; expiresAt: number | null }
  | { kind: 'resent'; testTitle: string | null; email: string }
  | { kind: 'extended'; testTitle: string | null; expiresAt: number | null }
  | { kind: 'retake'; testTitle: string | null; email: string; expiresAt: number | null }
  | { kind: 'provisional'; session: SessionSnapshot }
  | { kind: 'result'; session: SessionSnapshot; passed: boolean | null }
  | { kind: 'notVerified'; session: SessionSnapshot }
  | { kind: 'expired'; testTitle: string | null }
  | { kind: 'declined'; testTitle: string | null }
  | { kind: 'cancelled'; reason: CancelReason; testTitle: string | null; archiveReasonId?: string | null }
  /** The posting's test tag named no test, or several; `fallback`: what the flow did instead. */
  | { kind: 'testTagNotUnderstood'; problem: string; fallback: string }
  /** A rejection waiting for approval, and how it ended (README "Assessments"). */
  | { kind: 'decision'; phase: 'pending' | Exclude<DecisionOutcome, 'confirmed' | 'cleared'>; stageId: string; deadline: number }
  /**
   * CodeSignal's integrity review suggested a problem (README "Assessments"): waiting for a recruiter, and how
   * it ended; `afterOutcome`: it arrived once the outcome had run (`movedTo`: the stage the candidate was moved to).
   */
  | { kind: 'integrity'; phase: 'pending' | 'confirmed' | 'cleared' | 'timedOut' | 'afterOutcome'; deadline: number; movedTo?: string | null }
  /** The flow stopped under a name until a retry (src/workflows/shared/stops.ts): a private note. */
  | { kind: 'stopped'; stop: FlowStop }
  /** `failureType` (absent in older runs) tells an answer the service could not read from any other error. */
  | { kind: 'failed'; message: string; failureType?: string };
