import type { IntegrationSettings } from '../settings';

/**
 * What a draft would do differently from the current settings (README "Dry run"), as sentences for the
 * admin. Pure: the dry-run activities gather the facts (the posting, test titles, stage names) and
 * record the sentences; nothing here or there writes to Lever or CodeSignal.
 */

const quoted = (title: string) => `“${title}”`;

/** The test an assessment of this stage would send: the posting's default first, then the stage's; null: the selection link. */
export function testFor(settings: IntegrationSettings, stageId: string, postingId: string | null): string | null {
  const a = settings.assessments;
  return (postingId && a.defaultTestByPosting[postingId]) || a.defaultTestByStage[stageId] || null;
}

/** On a candidate entering `stageId`: the draft's assessment and interview decisions where they differ from today's. */
export function stageEntryDecisions(
  current: IntegrationSettings,
  draft: IntegrationSettings,
  stageId: string,
  postingId: string | null,
  title: (testId: string) => string,
): string[] {
  const out: string[] = [];
  const now = current.assessments.triggerStageIds.includes(stageId);
  const then = draft.assessments.triggerStageIds.includes(stageId);
  const sends = (testId: string | null) => (testId ? `send ${quoted(title(testId))}` : 'put the assessment selection link on the opportunity');
  if (then) {
    const draftTest = testFor(draft, stageId, postingId);
    if (!now) out.push(`would ${sends(draftTest)} (today: no assessment)`);
    else {
      const currentTest = testFor(current, stageId, postingId);
      if (currentTest !== draftTest) out.push(`would ${sends(draftTest)} instead of: ${sends(currentTest)}`);
    }
  } else if (now) {
    out.push('would start no assessment (today: one starts)');
  }
  const interviewNow = current.interviews.triggerStageIds.includes(stageId);
  const interviewThen = draft.interviews.triggerStageIds.includes(stageId);
  if (interviewThen && !interviewNow) out.push('would create a CodeSignal live interview (today: none)');
  if (!interviewThen && interviewNow) out.push('would create no live interview (today: one is created)');
  return out;
}

/** What the thresholds do with a score: the tag and the stage move, or nothing. */
function outcomeOf(settings: IntegrationSettings, score: number | null, maxScore: number, stageName: (id: string) => string): string {
  const t = settings.assessments.thresholds;
  if (!t || score === null || maxScore <= 0) return 'tag and move nothing';
  const passed = (score / maxScore) * 100 >= t.passPercent;
  const o = passed ? t.pass : t.fail;
  return `tag ${quoted(o.tag)}${o.moveToStageId ? ` and move to ${stageName(o.moveToStageId)}` : ''} (${passed ? 'passed' : 'below'} ${t.passPercent} %)`;
}

/** On a result: the draft's thresholds' outcome where it differs from today's. */
export function resultDecisions(current: IntegrationSettings, draft: IntegrationSettings, score: number | null, maxScore: number, stageName: (id: string) => string): string[] {
  const then = outcomeOf(draft, score, maxScore, stageName);
  const now = outcomeOf(current, score, maxScore, stageName);
  return then === now ? [] : [`would ${then} instead of: ${now}`];
}
