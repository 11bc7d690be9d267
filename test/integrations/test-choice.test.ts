import { integrationSettingsSchema, type IntegrationSettings } from '../../src/integrations/settings';
import { stageEntryDecisions, testFor } from '../../src/integrations/dry-run/decisions';
import { chooseTest, postingTagTest, readsPostingTags, usesNewRules } from '../../src/workflows/assessment/test-choice';

/** The test-choice rules (README "Assessments", "Which test"), as the workflow and the dry run apply them. */
describe('test choice', () => {
  const tests = [
    { id: 't-backend', title: 'Backend Engineer screen' },
    { id: 't-frontend', title: 'Frontend Engineer screen' },
    { id: 't-front-2', title: 'FRONTEND engineer screen ' },
    { id: 't-untitled', title: null },
  ];
  const prefix = 'CodeSignal: ';

  it('reads a posting tag by exact title, case and surrounding spaces aside', () => {
    expect(postingTagTest(['Remote', ' codesignal:  backend ENGINEER screen '], prefix, tests)).toEqual({
      kind: 'test', tag: ' codesignal:  backend ENGINEER screen ', testId: 't-backend', testTitle: 'Backend Engineer screen',
    });
    expect(postingTagTest(['Remote', 'CodeSignalish'], prefix, tests)).toEqual({ kind: 'none' });
    expect(postingTagTest(['CodeSignal: Backend Engineer screen', 'codesignal: backend engineer screen'], prefix, tests)).toMatchObject({ kind: 'test', testId: 't-backend' });
  });

  it('never guesses: unknown, ambiguous, empty or conflicting tags are problems', () => {
    expect(postingTagTest(['CodeSignal: Backend'], prefix, tests)).toEqual({ kind: 'problem', tags: ['CodeSignal: Backend'], problem: '“CodeSignal: Backend” names no CodeSignal test' });
    expect(postingTagTest(['CodeSignal: Frontend Engineer screen'], prefix, tests)).toMatchObject({ kind: 'problem', problem: '“CodeSignal: Frontend Engineer screen” matches 2 CodeSignal tests' });
    expect(postingTagTest(['CodeSignal:'], prefix, tests)).toMatchObject({ kind: 'problem' });
    expect(postingTagTest(['CodeSignal: Backend Engineer screen', 'CodeSignal: nothing'], prefix, tests)).toMatchObject({ kind: 'problem', problem: '“CodeSignal: nothing” names no CodeSignal test' });
    const two = [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }];
    expect(postingTagTest(['CodeSignal: A', 'CodeSignal: B'], prefix, two)).toMatchObject({ kind: 'problem', problem: 'the posting\'s tags “CodeSignal: A”, “CodeSignal: B” name 2 different tests' });
    expect(postingTagTest(['Assessment - A'], 'assessment -', two)).toMatchObject({ kind: 'test', testId: 'a' });
  });

  const settings = (assessments: Record<string, unknown>): IntegrationSettings =>
    integrationSettingsSchema.parse({ assessments: { triggerStageIds: ['s1'], thresholds: { passPercent: 70, pass: { tag: 'p' }, fail: { tag: 'f' } }, ...assessments } });

  it('orders the rules: posting sequence or default > posting tag > stage default > selection link', () => {
    const s = settings({ defaultTestByStage: { s1: 'stage' }, defaultTestByPosting: { p1: 'posting' }, testSequenceByPosting: { p2: ['a', 'b'] }, testByPostingTag: { enabled: true } });
    const tag = { kind: 'test', tag: 'CodeSignal: X', testId: 'tagged', testTitle: 'X' } as const;
    expect(chooseTest(s.assessments, 's1', 'p1', tag)).toEqual({ rule: 'posting', testId: 'posting' });
    expect(chooseTest(s.assessments, 's1', 'p2', tag)).toEqual({ rule: 'sequence', testId: 'a', sequence: ['a', 'b'] });
    expect(chooseTest(s.assessments, 's1', 'p3', tag)).toEqual({ rule: 'postingTag', testId: 'tagged' });
    expect(chooseTest(s.assessments, 's1', 'p3', { kind: 'problem', tags: [], problem: 'x' })).toEqual({ rule: 'stage', testId: 'stage' });
    expect(chooseTest(s.assessments, 's2', null)).toEqual({ rule: 'selection', testId: null });
    expect(readsPostingTags(s.assessments, 'p1')).toBe(false);
    expect(readsPostingTags(s.assessments, 'p3')).toBe(true);
  });

  it('keeps today’s choice by default, and for the settings of older histories', () => {
    const today = settings({ defaultTestByStage: { s1: 'stage' } });
    expect(today.assessments.testByPostingTag).toEqual({ enabled: false, prefix: 'CodeSignal: ', problemTag: 'CodeSignal: test tag not understood' });
    expect(today.assessments.testSequenceByPosting).toEqual({});
    expect(usesNewRules(today.assessments, 'p1')).toBe(false);
    expect(usesNewRules({ defaultTestByPosting: {}, defaultTestByStage: {} }, 'p1')).toBe(false);
  });

  it('refuses a sequence without thresholds, beside a posting default, or of one test', () => {
    const parse = (assessments: Record<string, unknown>) => integrationSettingsSchema.safeParse({ assessments });
    expect(parse({ testSequenceByPosting: { p1: ['a', 'b'] } }).success).toBe(false);
    const thresholds = { passPercent: 70, pass: { tag: 'p' }, fail: { tag: 'f' } };
    expect(parse({ thresholds, testSequenceByPosting: { p1: ['a', 'b'] }, defaultTestByPosting: { p1: 'a' } }).success).toBe(false);
    expect(parse({ thresholds, testSequenceByPosting: { p1: ['a'] } }).success).toBe(false);
    expect(parse({ thresholds, testSequenceByPosting: { p1: ['a', 'b'] } }).success).toBe(true);
  });

  it('the dry run predicts the same test as the workflow, given the posting’s tags', () => {
    const current = settings({ defaultTestByStage: { s1: 't-frontend' } });
    const draft = settings({ defaultTestByStage: { s1: 't-frontend' }, testByPostingTag: { enabled: true } });
    const facts = { postingTags: ['CodeSignal: backend engineer screen'], tests };
    expect(testFor(draft, 's1', 'p1', facts)).toBe('t-backend');
    expect(testFor(draft, 's1', 'p1')).toBe('t-frontend');
    expect(testFor(draft, 's1', 'p1', { postingTags: ['CodeSignal: nope'], tests })).toBe('t-frontend');
    const title = (id: string) => tests.find((t) => t.id === id)?.title ?? id;
    expect(stageEntryDecisions(current, draft, 's1', 'p1', title, facts)).toEqual(['would send “Backend Engineer screen” instead of: send “Frontend Engineer screen”']);
    const sequence = settings({ defaultTestByStage: { s1: 't-frontend' }, testSequenceByPosting: { p1: ['t-backend', 't-frontend'] } });
    expect(stageEntryDecisions(current, sequence, 's1', 'p1', title)).toEqual([
      'would send “Backend Engineer screen”, then “Frontend Engineer screen”, each once the one before passed instead of: send “Frontend Engineer screen”',
    ]);
  });
});
