import { captureErrorLogs, type ErrorLogs } from '../hardening-support';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { createCandidate, invitationEmails, sessionsFor, type Candidate, selectionLink as selectionLinkOf } from '../../support/assessment-faults';
import { eventually, testLogger } from '../../support/stack';

/**
 * The selection link takes one choice. The assessment workflow acts on the first test chosen and ignores
 * later ones, so the page must never answer 202 "being sent" for a choice that is ignored: a different
 * test while the first one's invitation is on its way, or after it went out, is a 409 naming that test.
 * The same test again is idempotent: 202 while it is being sent, 200 once it was sent.
 */
describe('selection link: a second choice', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let logs: ErrorLogs;
  const seed = () => h.sandboxes.lever.seed;
  const tests = () => h.sandboxes.codesignal.seed.tests;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'Second choice' });
  });
  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });
  afterEach(() => {
    h.sandboxes.codesignalSandbox.control.clearFaults(companyId());
    expect(logs.errors()).toEqual([]);
  });

  const assessmentState = (c: Candidate) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1)).query(assessmentStateQuery);
  const selectionLink = (c: Candidate) => selectionLinkOf(h, c);
  const choose = async (link: string, testId: string) => {
    const res = await fetch(link, { method: 'POST', body: new URLSearchParams({ testId }) });
    return { status: res.status, html: await res.text() };
  };
  const invited = (c: Candidate) =>
    eventually(async () => {
      expect((await assessmentState(c)).status).toBe('invited');
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: invited');
    }, 30_000);

  it('while the first choice’s invitation is on its way: another test is refused with 409 naming it, the same test is 202', async () => {
    const c = createCandidate(h, 'in-flight');
    const link = await selectionLink(c);
    const [first, second] = tests();
    // CodeSignal commits the invitation but its answer is lost, twice: it stays "being sent" for a few seconds.
    h.sandboxes.codesignalSandbox.control.setFaults(companyId(), { dropNext: 2 });

    const chosen = await choose(link, first!.id);
    expect(chosen.status).toBe(202);
    expect(chosen.html).toContain(escapeHtml(`“${first!.title}” is being sent`));
    expect((await assessmentState(c)).sessionId).toBeNull();

    const other = await choose(link, second!.id);
    expect(other.status).toBe(409);
    expect(other.html).toContain('An invitation is already being sent');
    expect(other.html).toContain(escapeHtml(`“${first!.title}”`));
    expect(other.html).not.toContain(escapeHtml(second!.title));
    const page = await fetch(link);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('An invitation is already being sent');
    const again = await choose(link, first!.id);
    expect(again.status).toBe(202);
    expect((await assessmentState(c)).sessionId).toBeNull(); // all of this happened before the invitation went out

    await invited(c);
    const after = await choose(link, second!.id);
    expect(after.status).toBe(409);
    expect(after.html).toContain(escapeHtml(`The assessment “${first!.title}” has already been sent`));
    const sameAfter = await choose(link, first!.id);
    expect(sameAfter.status).toBe(200);
    expect(sameAfter.html).toContain(escapeHtml(`“${first!.title}” has already been sent`));

    // one invitation, for the first test
    expect(sessionsFor(h, c.email).map((s) => s.testId)).toEqual([first!.id]);
    expect(invitationEmails(h, c.email)).toHaveLength(1);
    expect((await assessmentState(c)).testId).toBe(first!.id);
  });

  it('two different tests chosen at the same moment: one is taken (202), the other refused (409) naming the one taken', async () => {
    const c = createCandidate(h, 'race');
    const link = await selectionLink(c);
    const [first, second] = tests();
    const answers = await Promise.all([choose(link, first!.id), choose(link, second!.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const takenIndex = answers.findIndex((a) => a.status === 202);
    const taken = [first!, second!][takenIndex]!;
    const refused = answers[1 - takenIndex]!;
    expect(refused.html).toContain(escapeHtml(`“${taken.title}”`));

    await invited(c);
    expect(sessionsFor(h, c.email).map((s) => s.testId)).toEqual([taken.id]);
    expect(invitationEmails(h, c.email)).toHaveLength(1);
  });
});

// ---- helpers

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);


