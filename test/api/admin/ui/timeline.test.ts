import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { startAssessmentHarness, type AssessmentHarness } from '../../../support/assessment-harness';
import { chromiumPath, openWatchedPage, type watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * The per-candidate timeline in a real browser (Debian's Chromium, driven by playwright-core) against
 * the real API, worker, Temporal and both sandboxes: one candidate moved to the assessment stage in
 * Lever (a real, signed stage-change webhook), found by name, their webhook, workflows and Lever writes
 * listed in order with deep links, and "Re-sync now" run from the page. Screenshot: 14-candidate-timeline.
 */
describe('candidate timeline in the admin UI', () => {
  let h: AssessmentHarness;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'timeline-ops@example.com', password: 'a long timeline admin password' };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    h = await startAssessmentHarness({ name: 'Timeline UI', config: { TEMPORAL_UI_URL: 'http://localhost:8233' } });
    await ensureAdmin(h.stack.db, admin.email, admin.password);
    ({ browser, page, watched } = await openWatchedPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('finds a candidate by name, lists their webhook, workflows and Lever writes, and re-syncs them', async () => {
    await watched.walk('timeline-ui', walkThrough);
  }, 180_000);

  async function walkThrough() {
    const { lever } = h.sandboxes;
    const ada = lever.seed.opportunities.find((o) => o.name === 'Ada Lovelace')!;
    // A recruiter moves Ada to the assessment stage in Lever: the webhook starts her workflow, which puts the selection link on her.
    h.moveToStage(ada.id, lever.seed.stageIds.assessment);
    await eventually(async () => expect(h.opportunity(ada.id).links.some((l) => l.includes('/assessments/select/'))).toBe(true), 30_000);

    await page.goto(`${h.stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.goto(`${h.stack.baseUrl}/admin/#/integrations/${h.integration.id}/activity`);
    await page.getByRole('link', { name: 'Candidates' }).click();
    await page.getByRole('heading', { name: 'Candidates' }).waitFor();

    // ---- Search by a part of the name: the result shows the name and e-mail, not an id alone.
    await page.getByLabel('Search candidates').fill('lovelace');
    await page.getByRole('button', { name: 'Search' }).click();
    const result = page.locator(`#candidates tbody tr[data-opportunity="${ada.id}"]`);
    await result.getByText('ada.lovelace@example.com').waitFor();
    await result.getByRole('link', { name: 'Ada Lovelace' }).click();

    // ---- The timeline: the webhook, the workflows and the Lever writes, oldest first, with deep links.
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    const timeline = page.locator('#timeline tbody');
    const row = (text: string) => timeline.locator('tr', { hasText: text }).first();
    await row('Test selection link added to the opportunity').waitFor({ timeout: 15_000 });
    await row('Webhook from Lever: stage change').getByText('accepted').waitFor();
    await timeline.locator('tr[data-kind="lever-event"]', { hasText: 'Lever: stage change' }).getByText('CodeSignal Assessment').waitFor();
    await row('Lever event checked with Lever').getByText('Lever bears the event out').waitFor();
    await row('Tags set').getByText('added CodeSignal: awaiting test selection').waitFor();
    const workflows = page.locator('#candidate-workflows tbody');
    await workflows.locator('tr', { hasText: 'candidateWorkflow' }).getByText('RUNNING').waitFor();
    await workflows.locator('tr', { hasText: 'assessmentWorkflow' }).getByText('RUNNING').waitFor();
    const deepLink = await workflows.locator('tr', { hasText: 'candidateWorkflow' }).getByRole('link', { name: 'Open in Temporal' }).getAttribute('href');
    expect(deepLink).toMatch(/^http:\/\/localhost:8233\/namespaces\/default\/workflows\/candidate%2F.+\/history$/);
    const order = await timeline.locator('tr').allInnerTexts();
    const at = (text: string) => order.findIndex((r) => r.includes(text));
    expect(at('Webhook from Lever: stage change')).toBeGreaterThanOrEqual(0);
    expect(at('Webhook from Lever: stage change')).toBeLessThan(at('Test selection link added to the opportunity'));
    expect(at('Candidate workflow started')).toBeLessThan(at('Assessment started'));
    expect(at('Assessment started')).toBeLessThan(at('Test selection link added to the opportunity'));

    // ---- Re-sync now: Lever re-read, the answer shown, and the re-sync in the timeline.
    await page.getByRole('button', { name: 'Re-sync now' }).click();
    await page.getByText(/^Re-sync sent: Lever shows the candidate in CodeSignal Assessment; 0 open CodeSignal session/).waitFor({ timeout: 15_000 });
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await row('Re-sync: Lever re-read (current stage)').waitFor({ timeout: 1_000 });
    }, 20_000, 200);
    // nothing was written twice: still one selection link on Ada
    expect(h.opportunity(ada.id).links.filter((l) => l.includes('/assessments/select/'))).toHaveLength(1);
    await page.screenshot({ path: screenshotPath('14-candidate-timeline'), fullPage: true });

    // ---- Activity names the candidate of a delivery and a run, linking to the timeline.
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.locator('#deliveries tbody tr', { hasText: 'candidateStageChange' }).getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    await page.locator('#runs tbody tr', { hasText: 'candidateWorkflow' }).getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
  }
});
