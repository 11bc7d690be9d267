import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentsQuery, candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

/**
 * End to end through both sandboxes: the test a posting's tag names in Lever (README "Assessments",
 * "Which test"), a tag not understood (reported, never guessed), and a posting's test sequence.
 */
describe('test chosen by posting tag, and test sequences', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  let created = 0;
  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Test choice' });
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const accountId = () => seed().accountId;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const tests = () => h.sandboxes.codesignal.seed.tests;
  const backend = () => tests().find((t) => t.title === 'Backend Engineer screen')!;
  const frontend = () => tests().find((t) => t.title === 'Frontend Engineer screen')!;
  const sessionsFor = (email: string) => control().sessions(h.sandboxes.codesignal.seed.companyId).filter((s) => s.candidate.email === email);
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const handle = (id: string, n: number) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, id, n));
  const listed = (id: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, id)).query(assessmentsQuery);

  /** Tests run in any order: each sets the rules it relies on (the tag rule on; a stage default or none). */
  const withStageDefault = async (on: boolean) =>
    expect((await h.putSettings({ testByPostingTag: { enabled: true }, defaultTestByStage: on ? { [seed().stageIds.assessment]: frontend().id } : {} })).status).toBe(200);
  /** A posting made in Lever with the given tags. */
  const posting = (text: string, tags: string[]) => h.sandboxes.leverSandbox.admin.createPosting(accountId(), { text, tags });
  /** A fresh candidate in Lever who applied to the posting, moved into the assessment stage. */
  function candidateEntering(postingId: string) {
    created += 1;
    const email = `test-choice-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(accountId(), {
      name: `Robin Choice${created}`,
      emails: [email],
      postings: [postingId],
      userId: seed().userIds.recruiter,
    });
    h.moveToStage(opp.id, seed().stageIds.assessment);
    return { id: opp.id, email };
  }
  const invitedTo = (c: { id: string; email: string }, n = 1) =>
    eventually(async () => {
      expect((await handle(c.id, n).query(assessmentStateQuery)).status).toBe('invited');
      const sessions = sessionsFor(c.email);
      expect(sessions).toHaveLength(n);
      return sessions.find((s) => s.externalId === `lcs:${assessmentWorkflowId(h.integration.id, c.id, n)}`)!;
    }, 30_000);

  it('a posting tagged “CodeSignal: <test>” sends that test, before the stage’s default', async () => {
    await withStageDefault(true);
    // case and surrounding spaces of the name do not matter; other tags are ignored
    const p = posting('Platform Engineer', ['Remote', 'codesignal:   backend ENGINEER screen ']);
    const c = candidateEntering(p.id);
    const session = await invitedTo(c);
    expect(session.testId).toBe(backend().id);
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.includes(`CodeSignal invitation sent: ${backend().title} to ${c.email}`))).toBe(true));
    expect(h.opportunity(c.id).links.some((l) => l.includes('/assessments/select/'))).toBe(false);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: test tag not understood');
    expect((await handle(c.id, 1).query(assessmentStateQuery)).testChoiceProblem).toBeUndefined();
  });

  it('a tag naming no test is reported on the opportunity and to the admin, and the next rule decides', async () => {
    await withStageDefault(true);
    const p = posting('Site Reliability Engineer', []);
    // tags set later, as an admin edits the posting in Lever; the API shows them (`GET /postings/:id`)
    h.sandboxes.leverSandbox.admin.setPostingTags(accountId(), p.id, { tags: ['CodeSignal: Backend Engineer scren'] });
    const c = candidateEntering(p.id);
    const session = await invitedTo(c);
    // not guessed ("scren" is close to a title): the stage's default went out
    expect(session.testId).toBe(frontend().id);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: test tag not understood');
      expect(noteTexts(c.id).some((t) => t.includes('“CodeSignal: Backend Engineer scren” names no CodeSignal test') && t.includes('stage’s default test is sent instead'))).toBe(true);
    });
    const state = await handle(c.id, 1).query(assessmentStateQuery);
    expect(state.testChoiceProblem).toContain('names no CodeSignal test');
    // the admin sees it without Lever: the candidate's assessments in the admin API
    await eventually(async () => expect((await listed(c.id))[0]?.testChoiceProblem).toContain('Backend Engineer scren'));
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(JSON.stringify(await readJson(res))).toContain('names no CodeSignal test');
  });

  it('an ambiguous tag (two titles alike but for case) falls back to the selection link without a stage default', async () => {
    await withStageDefault(false);
    control().createTest(h.sandboxes.codesignal.seed.companyId, { title: 'FRONTEND engineer SCREEN' });
    const p = posting('Web Engineer', ['CodeSignal: Frontend Engineer Screen']);
    const c = candidateEntering(p.id);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toEqual(expect.arrayContaining(['CodeSignal: awaiting test selection', 'CodeSignal: test tag not understood']));
      expect(h.opportunity(c.id).links.some((l) => l.includes('/assessments/select/'))).toBe(true);
      expect(noteTexts(c.id).some((t) => t.includes('matches 2 CodeSignal tests') && t.includes('selection link'))).toBe(true);
    }, 30_000);
    expect(sessionsFor(c.email)).toEqual([]);
  });

  it('a sequence sends test B as assessment 2 once test A passed, and stops after a failed A', async () => {
    const p = posting('Staff Engineer', []);
    const res = await h.putSettings({ testSequenceByPosting: { [p.id]: [backend().id, frontend().id] } });
    expect(res.status).toBe(200);

    const passer = candidateEntering(p.id);
    const failer = candidateEntering(p.id);
    const a = await invitedTo(passer);
    const aFailed = await invitedTo(failer);
    expect(a.testId).toBe(backend().id);
    control().submitSession(a.id, { score: Math.ceil(a.maxScore * 0.9) });
    control().submitSession(aFailed.id, { score: Math.floor(aFailed.maxScore * 0.2) });

    // A passed: B goes out as assessment 2, the candidate stays in the stage for it
    const b = await invitedTo(passer, 2);
    expect(b.testId).toBe(frontend().id);
    expect(await handle(passer.id, 1).result()).toMatchObject({ status: 'completed', passed: true });
    expect(h.opportunity(passer.id).stage).toBe(seed().stageIds.assessment);
    await eventually(async () => {
      const all = await listed(passer.id);
      expect(all.map((x) => [x.assessmentId, x.status])).toEqual([['1', 'completed'], ['2', 'invited']]);
      expect(all[1]).toMatchObject({ follows: '1', sequence: { step: 1 } });
    });
    // B passed, the last test: the threshold's stage move as today
    control().submitSession(b.id, { score: Math.ceil(b.maxScore * 0.9) });
    await eventually(async () => expect(h.opportunity(passer.id).stage).toBe(seed().stageIds.onSite), 30_000);
    expect(noteTexts(passer.id).filter((t) => t.startsWith('CodeSignal result:'))).toHaveLength(2);

    // A failed: today's fail behaviour, and no B
    expect(await handle(failer.id, 1).result()).toMatchObject({ status: 'completed', passed: false });
    await eventually(async () => expect(h.opportunity(failer.id).tags).toContain('CodeSignal: below threshold'));
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await listed(failer.id)).toHaveLength(1);
    expect(sessionsFor(failer.email)).toHaveLength(1);
  });

  it('a candidate who left the stage before test A passed gets no test B', async () => {
    const p = posting('Security Engineer', []);
    expect((await h.putSettings({ testSequenceByPosting: { [p.id]: [backend().id, frontend().id] }, defaultTestByPosting: {} })).status).toBe(200);
    const c = candidateEntering(p.id);
    const a = await invitedTo(c);
    h.moveToStage(c.id, seed().stageIds.phoneScreen);
    await eventually(async () => {
      const candidate = await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(candidateStateQuery);
      expect(candidate.stageId).toBe(seed().stageIds.phoneScreen);
    });
    control().submitSession(a.id, { score: Math.ceil(a.maxScore * 0.9) });
    expect(await handle(c.id, 1).result()).toMatchObject({ status: 'completed', passed: true });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await listed(c.id)).toHaveLength(1);
    expect(sessionsFor(c.email)).toHaveLength(1);
  });

  it('refuses a sequence without thresholds or beside a posting default', async () => {
    const p = posting('Tools Engineer', []);
    const both = await h.putSettings({ testSequenceByPosting: { [p.id]: [backend().id, frontend().id] }, defaultTestByPosting: { [p.id]: backend().id } });
    expect(both.status).toBe(400);
    expect((await readJson(both)).message).toContain(`assessments.testSequenceByPosting.${p.id}`);
    const single = await h.putSettings({ testSequenceByPosting: { [p.id]: [backend().id] }, defaultTestByPosting: {} });
    expect(single.status).toBe(400);
  });
});
