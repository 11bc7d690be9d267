import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { eventually, testLogger } from '../../support/stack';
import { recordLogCalls } from '../hardening-support';

/**
 * The selection link's page names the candidate the recruiter is choosing a test for: the
 * opportunity's `name` as Lever answers it (lever-api.md: contact data, empty when unknown), escaped.
 * When Lever does not answer, the page still lists the tests and names no one. The name never reaches a log.
 */
describe('selection link: the page names the candidate', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  const logged: unknown[] = [];
  let restoreLogs: () => void;
  const seed = () => h.sandboxes.lever.seed;
  const lever = () => h.sandboxes.leverSandbox.admin;

  beforeAll(async () => {
    restoreLogs = recordLogCalls(testLogger, ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], logged);
    h = await startAssessmentHarness({ name: 'Selection page' });
  });
  afterAll(async () => {
    await h?.close();
    restoreLogs?.();
  });

  /** A new applicant, moved into the trigger stage; answers the selection link once it is on the opportunity. */
  async function candidateWithLink(name: string): Promise<{ id: string; link: string }> {
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, {
      name,
      emails: [`selection-page-${Date.now()}@candidates.example`],
      stage: seed().stageIds.phoneScreen,
      postings: [seed().postings[0]!.id],
      origin: 'applied',
      userId: seed().userIds.recruiter,
    });
    h.moveToStage(opp.id, seed().stageIds.assessment);
    const link = await eventually(async () => {
      const url = h.opportunity(opp.id).links.find((l) => l.includes('/assessments/select/'));
      expect(url).toBeDefined();
      const state = await h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opp.id, 1)).query(assessmentStateQuery);
      expect(state.status).toBe('awaiting_selection');
      return url!;
    }, 30_000);
    return { id: opp.id, link };
  }

  it('shows the candidate’s name from Lever, escaped, instead of the opportunity id', async () => {
    const name = 'Ada <Lovelace> & “Byron”';
    const { id, link } = await candidateWithLink(name);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('For <strong class="candidate">Ada &lt;Lovelace&gt; &amp; “Byron”</strong>.');
    expect(html).not.toContain(`Lever opportunity ${id}`);
    expect(html).not.toContain('<Lovelace>');
    for (const test of h.sandboxes.codesignal.seed.tests) expect(html).toContain(`value="${test.id}"`);
    expect(JSON.stringify(logged)).not.toContain('Lovelace');
  });

  it('names no one, and still lists the tests, when Lever does not answer', async () => {
    const name = 'Grace Brewster Murray';
    const { link } = await candidateWithLink(name);
    lever().updateFaults(seed().accountId, { errorRate: 1 });
    try {
      const started = Date.now();
      const res = await fetch(link);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(html).not.toContain(name);
      expect(html).not.toContain('For ');
      expect(html).toContain('CodeSignal e-mails the invitation to the candidate as soon as you choose.');
      expect(html).toContain('Send invitation');
    } finally {
      lever().clearFaults(seed().accountId);
    }
    // and once Lever answers again, the name is back
    expect(await (await fetch(link)).text()).toContain(`For <strong class="candidate">${name}</strong>.`);
    expect(JSON.stringify(logged)).not.toContain('Brewster');
  });
});
