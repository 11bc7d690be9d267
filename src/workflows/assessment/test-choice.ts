import type { AssessmentSettings } from '../../integrations/settings';

/**
 * Which test an assessment sends at once (README "Assessments", "Which test"). Pure: the assessment
 * workflow, the test-choice activity and the dry run's decisions all decide with these functions.
 *
 * Precedence: the posting's sequence or default test (the admin's explicit choice for this posting in the
 * service; a posting has one or the other) > the test named by the posting's tag in Lever > the stage's
 * default test > the selection link.
 */

export interface TestOption {
  id: string;
  title: string | null;
}

/** What a posting's tags say about the test: nothing, one test, or a tag the service did not understand. */
export type PostingTagTest =
  | { kind: 'none' }
  | { kind: 'test'; tag: string; testId: string; testTitle: string }
  | { kind: 'problem'; tags: string[]; problem: string };

export type TestRule = 'sequence' | 'posting' | 'postingTag' | 'stage' | 'selection';

export interface TestChoice {
  rule: TestRule;
  /** Null: the selection link. */
  testId: string | null;
  /** The posting's sequence, when `rule` is `sequence`. */
  sequence?: string[];
}

/** The settings the choice reads; the fields added later are optional, as in the inputs of older histories. */
export type TestChoiceSettings = Pick<AssessmentSettings, 'defaultTestByPosting' | 'defaultTestByStage'> &
  Partial<Pick<AssessmentSettings, 'testByPostingTag' | 'testSequenceByPosting'>>;

const normalized = (s: string) => s.trim().toLowerCase();
const quoted = (s: string) => `“${s}”`;

/** The posting's tags that start with the prefix (case-insensitive, trimmed), each once. */
export function testTags(tags: readonly string[], prefix: string): string[] {
  const p = normalized(prefix);
  return [...new Set(tags.filter((t) => normalized(t).startsWith(p)))];
}

/**
 * The test the posting's tags name: each tag's text after the prefix must equal exactly one test's title
 * (case-insensitive, trimmed), and all such tags must name the same test. Anything else is a problem,
 * never a guess.
 */
export function postingTagTest(tags: readonly string[], prefix: string, tests: readonly TestOption[]): PostingTagTest {
  const ours = testTags(tags, prefix);
  if (ours.length === 0) return { kind: 'none' };
  const cut = normalized(prefix).length;
  const read = ours.map((tag) => {
    const name = normalized(tag).slice(cut).trim();
    return { tag, matches: name ? tests.filter((t) => t.title !== null && normalized(t.title) === name) : [] };
  });
  const problems = read.flatMap(({ tag, matches }) =>
    matches.length === 1 ? [] : [matches.length === 0 ? `${quoted(tag)} names no CodeSignal test` : `${quoted(tag)} matches ${matches.length} CodeSignal tests`],
  );
  const ids = [...new Set(read.flatMap((r) => (r.matches.length === 1 ? [r.matches[0]!.id] : [])))];
  if (problems.length === 0 && ids.length > 1) problems.push(`the posting's tags ${ours.map(quoted).join(', ')} name ${ids.length} different tests`);
  if (problems.length > 0) return { kind: 'problem', tags: ours, problem: problems.join('; ') };
  const test = read[0]!.matches[0]!;
  return { kind: 'test', tag: read[0]!.tag, testId: test.id, testTitle: test.title ?? test.id };
}

/** The posting's sequence, if it has one. */
export const sequenceOf = (s: TestChoiceSettings, postingId: string | null): string[] | undefined =>
  (postingId && s.testSequenceByPosting?.[postingId]?.length ? s.testSequenceByPosting[postingId] : undefined);

/** Whether the choice needs the posting's tags: the rule is on and no admin choice for the posting comes first. */
export const readsPostingTags = (s: TestChoiceSettings, postingId: string | null): postingId is string =>
  Boolean(postingId && s.testByPostingTag?.enabled && !sequenceOf(s, postingId) && !s.defaultTestByPosting[postingId]);

/** Whether the choice differs from the one before posting tags and sequences (so older histories keep theirs). */
export const usesNewRules = (s: TestChoiceSettings, postingId: string | null): boolean => Boolean(sequenceOf(s, postingId) || readsPostingTags(s, postingId));

/** The test of an assessment starting in `stageId` for a candidate of `postingId`; `tag`: what the posting's tags said, when read. */
export function chooseTest(s: TestChoiceSettings, stageId: string, postingId: string | null, tag?: PostingTagTest): TestChoice {
  const sequence = sequenceOf(s, postingId);
  if (sequence) return { rule: 'sequence', testId: sequence[0]!, sequence };
  const posting = postingId ? s.defaultTestByPosting[postingId] : undefined;
  if (posting) return { rule: 'posting', testId: posting };
  if (tag?.kind === 'test') return { rule: 'postingTag', testId: tag.testId };
  const stage = s.defaultTestByStage[stageId];
  if (stage) return { rule: 'stage', testId: stage };
  return { rule: 'selection', testId: null };
}

/** What the flow does instead when the posting's tag was not understood, for the note and the admin. */
export const fallbackOf = (choice: TestChoice): string =>
  choice.testId ? 'the stage’s default test is sent instead' : 'the test selection link is put on the opportunity instead';
