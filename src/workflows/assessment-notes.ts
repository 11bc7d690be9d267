import type { CancelReason, SessionSnapshot } from './assessment-messages';

/** The notes an assessment writes to Lever; the activity renders them, the workflow only chooses. */
export type AssessmentNote =
  | { kind: 'invitation'; testTitle: string; email: string; expiresAt: number | null }
  | { kind: 'resent'; testTitle: string; email: string }
  | { kind: 'extended'; testTitle: string; expiresAt: number | null }
  | { kind: 'retake'; testTitle: string; email: string; expiresAt: number | null }
  | { kind: 'provisional'; session: SessionSnapshot }
  | { kind: 'result'; session: SessionSnapshot; passed: boolean | null }
  | { kind: 'notVerified'; session: SessionSnapshot }
  | { kind: 'expired'; testTitle: string | null }
  | { kind: 'declined'; testTitle: string }
  | { kind: 'cancelled'; reason: CancelReason; testTitle: string | null; archiveReasonId?: string | null }
  | { kind: 'failed'; message: string };
