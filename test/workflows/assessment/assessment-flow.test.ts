import type { WorkflowHandle } from '@temporalio/client';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import type { assessmentWorkflow } from '../../../src/workflows/assessment/assessment-workflow';
import { CODESIGNAL_RESPONSE_MODES, startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

/**
 * End to end: Lever stage change → HTTP ingress → workflows → both sandboxes over HTTP → Lever; once with a
 * CodeSignal account that fills every field, once with one that answers null wherever the schema allows.
 */
describe.each(CODESIGNAL_RESPONSE_MODES)('assessment flow (CodeSignal %s)', (mode) => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  beforeAll(async () => {
    h = await startAssessmentHarness({ codesignalResponseMode: mode });
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const noteTexts = (opportunityId: string) => h.opportunity(opportunityId).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const sessionsFor = (email: string) => h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).filter((s) => s.candidate.email === email);
  const assessmentHandle = (opportunityId: string, n: number): WorkflowHandle<typeof assessmentWorkflow> =>
    h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opportunityId, n));

  it('puts a selection link on Lever, invites on choice, and writes the result back', async () => {
    const c = seed().opportunities.find((o) => o.email && o.postingId) ?? raise('no candidate with email');
    h.moveToStage(c.id, seed().stageIds.assessment);

    // 1. The selection link appears on the opportunity.
    const link = await eventually(async () => {
      const url = h.opportunity(c.id).links.find((l) => l.includes('/assessments/select/'));
      expect(url).toBeDefined();
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: awaiting test selection');
      return url!;
    }, 30_000);

    // 2. The page lists the company's tests; choosing one sends the invitation.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect(html).toContain(test.title);
    const tampered = await fetch(link.replace(/sig=[^&]+/, 'sig=forged'));
    expect(tampered.status).toBe(403);
    const chosen = await fetch(link, { method: 'POST', body: new URLSearchParams({ testId: test.id }) });
    expect(chosen.status).toBe(202);

    const session = await eventually(async () => {
      const [s] = sessionsFor(c.email!);
      expect(s).toBeDefined();
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: invited');
      return s!;
    }, 30_000);
    expect(session.externalId).toBe(`lcs:${assessmentWorkflowId(h.integration.id, c.id, 1)}`);
    await eventually(async () => {
      expect(noteTexts(c.id).some((t) => t.includes(`CodeSignal invitation sent: ${test.title} to ${c.email}`))).toBe(true);
      expect(h.opportunity(c.id).links.some((l) => l.includes('/assessments/select/'))).toBe(false);
    });
    // The page refuses a second choice.
    expect((await fetch(link)).status).toBe(409);

    // 3. The candidate takes the test; CodeSignal's webhook reaches the workflow.
    const maxScore = session.maxScore;
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(maxScore * 0.9) });

    // 4. Result note, PDF, tags and the threshold's stage move, as the default Lever user.
    const opp = await eventually(async () => {
      const o = h.opportunity(c.id);
      expect(o.stage).toBe(seed().stageIds.onSite);
      expect(o.files).toHaveLength(1);
      return o;
    }, 30_000);
    const result = noteTexts(c.id).find((t) => t.startsWith('CodeSignal result:'))!;
    expect(result).toContain(`Score: ${Math.ceil(maxScore * 0.9)} / ${maxScore}`);
    expect(result).toContain('Outcome: passed the threshold');
    expect(result).toContain('Proctoring: not proctored');
    // per-task scores; sparse: CodeSignal gives no task titles, so the note numbers the tasks
    expect(result).toMatch(mode === 'full' ? /\nTasks:\n  [^\n]*[A-Za-z][^\n]*: \d+ \/ \d+/ : /\nTasks:\n  Task 1: (\d+|—) \/ \d+\n  Task 2: /);
    if (mode === 'full') expect(result).toMatch(/Report: http:\/\/127\.0\.0\.1:\d+\/test-result\//);
    // sparse: the session read back has no `result.url`; the webhook's is unsigned (reference §8), so no link is shown
    else expect(result).not.toMatch(/\/test-result\//);
    expect(opp.tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: passed']));
    expect(opp.tags).not.toContain('CodeSignal: invited');
    expect(opp.files[0]).toMatchObject({ mimeType: 'application/pdf', uploadedBy: seed().defaultUserId });
    for (const note of opp.notes) expect(note).toMatchObject({ author: seed().defaultUserId, createdVia: 'api' });
    expect(opp.notes.find((n) => String(n.fields[0]?.value).startsWith('CodeSignal result:'))?.notifyFollowers).toBe(true);

    const state = await assessmentHandle(c.id, 1).result();
    expect(state).toMatchObject({ status: 'completed', score: Math.ceil(maxScore * 0.9), passed: true, sessionIds: [session.id] });
    const listed = await eventually(async () => {
      const a = await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(assessmentsQuery);
      expect(a[0]?.status).toBe('completed');
      return a;
    });
    expect(listed).toHaveLength(1);
    // Exactly one of everything.
    expect(sessionsFor(c.email!)).toHaveLength(1);
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal result:'))).toHaveLength(1);
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation sent'))).toHaveLength(1);
  });

  it('stops clearly for a candidate without an email: a private Lever note and a named tag, the workflow waiting for a retry', async () => {
    const c = seed().opportunities.find((o) => !o.email) ?? raise('no candidate without email');
    h.moveToStage(c.id, seed().stageIds.assessment);
    const handle = assessmentHandle(c.id, 1);
    await eventually(async () => {
      expect((await handle.query(assessmentStateQuery)).stopped).toMatchObject({ name: 'candidate-without-email', failureType: 'CandidateWithoutEmail' });
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: error – candidate-without-email');
      expect(noteTexts(c.id).some((t) => t.includes('the candidate has no email address in Lever'))).toBe(true);
    }, 30_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  it('refuses invalid settings with a 400 naming the field', async () => {
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const current = (await readJson(await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}`, { headers }))).settings;
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/settings`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ ...current, defaultLeverUserId: 'no-such-user', assessments: { ...current.assessments, triggerStageIds: ['no-such-stage'] } }),
    });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['assessments.triggerStageIds.0', 'defaultLeverUserId']);
    const outOfRange = await h.putSettings({ thresholds: { passPercent: 140, pass: { tag: 'p' }, fail: { tag: 'f' } } });
    expect(outOfRange.status).toBe(400);
    expect((await readJson(outOfRange)).message).toContain('assessments.thresholds.passPercent');
  });

  it('lists a candidate’s assessments and refuses actions on a finished one', async () => {
    // its own candidate (not the first test's), so the test passes alone and in any order
    const c = seed().opportunities.filter((o) => o.email && o.postingId && o.stage !== seed().stageIds.assessment)[1] ?? raise('no second candidate with email');
    const base = `${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments`;
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const act = (action: string) => fetch(`${base}/1/actions`, { method: 'POST', headers, body: JSON.stringify({ action }) });
    h.moveToStage(c.id, seed().stageIds.assessment);
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: awaiting test selection'), 30_000);
    expect((await act('cancel')).status).toBe(202);
    await assessmentHandle(c.id, 1).result();
    // cancelled before a test was chosen: the link is taken off the opportunity and the tag says so
    await eventually(async () => {
      expect(h.opportunity(c.id).links.some((l) => l.includes('/assessments/select/'))).toBe(false);
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: cancelled');
      expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: awaiting test selection');
    });
    expect(sessionsFor(c.email!)).toEqual([]);
    const list = await eventually(async () => {
      const res = await fetch(base, { headers });
      expect(res.status).toBe(200);
      const body = await readJson(res);
      expect(body.assessments[0]).toMatchObject({ assessmentId: '1', status: 'cancelled' });
      return body;
    });
    expect(list.assessments).toHaveLength(1);
    const action = await act('resend');
    // the assessment's workflow has ended: no open assessment to act on
    expect(action.status).toBe(404);
    expect((await readJson(action)).error).toBe('unknown_assessment');
  });
});

function raise(message: string): never {
  throw new Error(message);
}
