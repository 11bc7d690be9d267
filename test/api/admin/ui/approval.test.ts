import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { assessmentWorkflowId } from '../../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../../support/assessment-harness';
import { waitForInvitation } from '../../../support/assessment-faults';
import { chromiumPath, openWatchedPage, type watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * Approval of a rejection in a real browser (README "Assessments"): a result below the threshold waits
 * for a recruiter; the candidate's timeline shows it with Approve / Decline, and Approve moves the
 * candidate, the audit log naming the admin. Screenshot: 20-approval.
 */
describe('approval of a rejection in the admin UI', () => {
  let h: AssessmentHarness;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'approval-ops@example.com', password: 'a long approval admin password' };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    h = await startAssessmentHarness({ name: 'Approval UI' });
    await ensureAdmin(h.stack.db, admin.email, admin.password);
    const { seed } = h.sandboxes.lever;
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({
      defaultTestByStage: { [seed.stageIds.assessment]: plain.id },
      thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: seed.stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold', moveToStageId: seed.stageIds.phoneScreen } },
      approval: { rejections: true, timeoutHours: 72 },
    });
    expect(res.status).toBe(200);
    ({ browser, page, watched } = await openWatchedPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the rejection waiting on the timeline and approves it', async () => {
    await watched.walk('approval-ui', walkThrough);
  }, 180_000);

  async function walkThrough() {
    const { seed } = h.sandboxes.lever;
    const email = `grace-${randomUUID().slice(0, 8)}@candidates.example`;
    const c = { ...h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, { name: 'Grace Approval', emails: [email], postings: [seed.postings[0]!.id], origin: 'applied', userId: seed.userIds.recruiter }), name: 'Grace Approval', email };
    h.moveToStage(c.id, seed.stageIds.assessment);
    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.floor(session.maxScore * 0.3) });
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: rejection pending approval'), 30_000);

    await page.goto(`${h.stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.goto(`${h.stack.baseUrl}/admin/#/integrations/${h.integration.id}/candidates/${c.id}`);
    await page.getByRole('heading', { name: 'Grace Approval' }).waitFor();

    const waiting = page.locator('#pending-decisions');
    await waiting.getByRole('heading', { name: 'Waiting for your decision' }).waitFor();
    const row = waiting.locator('tr[data-assessment="1"]');
    await row.getByText('move to Phone screen', { exact: false }).or(row.getByText(`move to ${seed.stageIds.phoneScreen}`)).first().waitFor();
    await row.getByRole('button', { name: 'Approve' }).waitFor();
    await row.getByRole('button', { name: 'Decline' }).waitFor();
    await page.screenshot({ path: screenshotPath('20-approval'), fullPage: true });

    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Rejection of assessment 1 approved').waitFor({ timeout: 15_000 });
    await h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1)).result();
    expect(h.opportunity(c.id).stage).toBe(seed.stageIds.phoneScreen);
    await eventually(async () => expect(await waiting.isHidden()).toBe(true), 10_000, 250);
    const audit = await h.stack.db.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE integration_id = $1 AND details->>'action' = 'approve'`, [h.integration.id]);
    expect(audit.rows.map((r) => r.actor)).toEqual([admin.email]);
  }
});
