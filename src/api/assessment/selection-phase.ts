import type { AssessmentState, AssessmentStatus } from '../../workflows/assessment/messages';

/**
 * Where the assessment is, as far as the link's page is concerned, from the workflow's query:
 * - `open`: waiting for a choice;
 * - `sending`: a test was chosen (or is the default) and its invitation has not gone out yet;
 * - `sent`: an invitation went out;
 * - `closed`: cancelled, failed, or not yet at the point of asking.
 */
export type Phase =
  | { kind: 'open' }
  | { kind: 'sending'; testId: string; testTitle: string | null }
  | { kind: 'sent'; testId: string | null; testTitle: string | null; status: AssessmentStatus }
  | { kind: 'closed'; testTitle: string | null; status: AssessmentStatus };

export function phaseOf(state: AssessmentState): Phase {
  if (state.status === 'cancelled' || state.status === 'failed') return { kind: 'closed', testTitle: state.testTitle, status: state.status };
  if (state.sessionId !== null) return { kind: 'sent', testId: state.testId, testTitle: state.testTitle, status: state.status };
  // the workflow sets its testId as soon as it takes a choice (or a default test), before inviting
  if ((state.status === 'awaiting_selection' || state.status === 'starting') && state.testId !== null) {
    return { kind: 'sending', testId: state.testId, testTitle: state.testTitle };
  }
  if (state.status === 'awaiting_selection') return { kind: 'open' };
  return { kind: 'closed', testTitle: state.testTitle, status: state.status };
}
