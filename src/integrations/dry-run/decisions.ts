import type { IntegrationSettings } from '../settings';
import { chooseTest, postingTagTest, readsPostingTags, sequenceOf, type TestOption } from '../../workflows/assessment/test-choice';

/**
 * What a draft would do differently from the current settings (README "Dry run"), as sentences for the
 * admin. Pure: the dry-run activities gather the facts (the posting, test titles, stage names) and
 * record the sentences; nothing here or there writes to Lever or CodeSignal.
 */

const quoted = (title: string) => `“${title}”`;

/** What the dry run read for the posting-tag rule: the posting's tags and the company's tests (absent: not read). */
export interface PostingFacts {
  postingTags: readonly string[];
  tests: readonly TestOption[];
}

/**
 * The test an assessment of this stage would send, by the assessment workflow's own rules (test-choice.ts):
 * the posting's sequence (its first test) or default, the test its tag names, the stage's default; null:
 * the selection link. Without `facts` the posting's tags count as naming no test.
 */
export function testFor(settings: IntegrationSettings, stageId: string, postingId: string | null, facts?: PostingFacts): string | null {
  const a = settings.assessments;
  const tag = facts && readsPostingTags(a, postingId) ? postingTagTest(facts.postingTags, a.testByPostingTag.prefix, facts.tests) : undefined;
  return chooseTest(a, stageId, postingId, tag).testId;
}

/** On a candidate entering `stageId`: the draft's assessment and interview decisions where they differ from today's. */
export function stageEntryDecisions(
  current: IntegrationSettings,
  draft: IntegrationSettings,
  stageId: string,
  postingId: string | null,
  title: (testId: string) => string,
  facts?: PostingFacts,
): string[] {
  const out: string[] = [];
  const now = current.assessments.triggerStageIds.includes(stageId);
  const then = draft.assessments.triggerStageIds.includes(stageId);
  const sends = (settings: IntegrationSettings) => {
    const testId = testFor(settings, stageId, postingId, facts);
    if (!testId) return 'put the assessment selection link on the opportunity';
    const then = (sequenceOf(settings.assessments, postingId) ?? []).slice(1).map((id) => quoted(title(id)));
    return `send ${quoted(title(testId))}${then.length ? `, then ${then.join(', then ')}, each once the one before passed` : ''}`;
  };
  if (then) {
    const draftPlan = sends(draft);
    if (!now) out.push(`would ${draftPlan} (today: no assessment)`);
    else {
      const currentPlan = sends(current);
      if (currentPlan !== draftPlan) out.push(`would ${draftPlan} instead of: ${currentPlan}`);
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
