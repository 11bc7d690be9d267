import type { AssessmentSettings } from '../../integrations/settings';
import type { SessionSnapshot } from './messages';

/**
 * Whether a result passes: a score at or above `passPercent` of the maximum. Null without thresholds
 * or without a score. Pure, so the assessment workflow and the public-link activities decide alike.
 */
export function passedThreshold(session: Pick<SessionSnapshot, 'score' | 'maxScore'>, thresholds: AssessmentSettings['thresholds']): boolean | null {
  return thresholds && session.score !== null && session.maxScore > 0 ? (session.score / session.maxScore) * 100 >= thresholds.passPercent : null;
}
