import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { startAssessmentHarness, type AssessmentHarness } from '../../../support/assessment-harness';
import { waitForInvitation } from '../../../support/assessment-faults';
import { chromiumPath, openWatchedPage, type watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { adminToken, eventually } from '../../../support/stack';

/**
 * A stopped flow in a real browser (README "When a flow stops: named errors"): a candidate without an
 * e-mail stops as `candidate-without-email`; the candidate's page shows the stop with what to fix; once
 * the recruiter adds the e-mail in Lever, Re-sync now resumes it and the invitation goes out. Screenshot:
 * 24-stopped-flow.
 */
describe('a stopped flow in the admin UI', () => {
  let h: AssessmentHarness;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'stops-ops@example.com', password: 'a long stopped-flow admin password' };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    h = await startAssessmentHarness({ name: 'Stopped flow UI' });
    await ensureAdmin(h.stack.db, admin.email, admin.password);
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect((await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plain.id } })).status).toBe(200);
    ({ browser, page, watched } = await openWatchedPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the stop with what to fix, and Re-sync now resumes it once fixed', async () => {
    await watched.walk('stopped-flow-ui', walkThrough);
  }, 180_000);

  async function walkThrough() {
    const { seed } = h.sandboxes.lever;
    const recruiter = h.sandboxes.leverSandbox.recruiter;
    const email = `noor-${randomUUID().slice(0, 8)}@candidates.example`;
    const opp = recruiter.createCandidate(seed.accountId, { name: 'Noor Noemail', emails: [], postings: [seed.postings[0]!.id], origin: 'applied', userId: seed.userIds.recruiter });
    const c = { id: opp.id, name: 'Noor Noemail', email };
    h.moveToStage(c.id, seed.stageIds.assessment);
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: error – candidate-without-email'), 30_000);
    // the candidate workflow hears of the stop by a signal sent after the note: the page reads it from there
    await eventually(async () => {
      const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(((await res.json()) as { assessments: Array<{ stopped?: unknown }> }).assessments[0]?.stopped).toMatchObject({ name: 'candidate-without-email' });
    }, 30_000);

    await page.goto(`${h.stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.goto(`${h.stack.baseUrl}/admin/#/integrations/${h.integration.id}/candidates/${c.id}`);

    const card = page.locator('#stopped-flows');
    await card.getByRole('heading', { name: 'Stopped: waiting for a fix' }).waitFor();
    const row = card.locator('tr[data-assessment="1"]');
    await row.getByText('candidate-without-email').waitFor();
    await row.getByText('add one to the candidate in Lever', { exact: false }).waitFor();
    await row.getByText('getCandidate').waitFor();
    await page.locator('#candidate-workflows').waitFor();
    await page.screenshot({ path: screenshotPath('24-stopped-flow'), fullPage: true });

    // the recruiter adds the e-mail in Lever; the admin re-syncs
    recruiter.setCandidateEmails(seed.accountId, c.id, [email]);
    await page.getByRole('button', { name: 'Re-sync now' }).click();
    await page.getByText('Re-sync sent', { exact: false }).waitFor({ timeout: 15_000 });
    await waitForInvitation(h, c);
    await eventually(async () => expect(await card.isHidden()).toBe(true), 15_000, 250);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: error – candidate-without-email');
  }
});
