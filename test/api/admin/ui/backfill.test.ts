import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { candidateStateQuery } from '../../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../../support/assessment-harness';
import { chromiumPath, openWatchedPage, type watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * Backfill in a real browser against the real API, worker, Temporal and both sandboxes: a stage that
 * holds candidates becomes a trigger on the Configuration page, the page counts them, and "Run the
 * flow" starts one assessment each with the progress shown. Screenshot: 16-backfill.
 */
describe('backfill from the Configuration page', () => {
  let h: AssessmentHarness;
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'backfill-ops@example.com', password: 'a long backfill admin password' };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    h = await startAssessmentHarness({ name: 'Backfill UI' });
    await ensureAdmin(h.stack.db, admin.email, admin.password);
    ({ browser, page, watched } = await openWatchedPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('counts the candidates already in a new trigger stage and runs their flow once confirmed', async () => {
    await watched.walk('backfill-ui', walkThrough);
  }, 240_000);

  async function walkThrough() {
    const { seed } = h.sandboxes.lever;
    const phoneScreen = seed.stageIds.phoneScreen;
    // six candidates sit in the phone screen, which is no trigger
    const ids = Array.from({ length: 6 }, (_, i) =>
      h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, { name: `Pat Phone${i}`, emails: [`phone-${i}-${Date.now()}@example.org`], userId: seed.userIds.recruiter }).id);
    for (const id of ids) h.moveToStage(id, phoneScreen);
    const state = (id: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, id)).query(candidateStateQuery).catch(() => null);
    await eventually(async () => {
      for (const id of ids) expect((await state(id))?.stageId).toBe(phoneScreen);
    }, 60_000);
    const inStage = h.sandboxes.leverSandbox.recruiter.opportunities(seed.accountId).filter((o) => o.stage === phoneScreen).length;

    await page.goto(`${h.stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.goto(`${h.stack.baseUrl}/admin/#/integrations/${h.integration.id}/configuration`);
    const assessmentTriggers = page.locator('fieldset[data-name="assessmentTriggerStage"]');
    await assessmentTriggers.waitFor();
    await assessmentTriggers.getByLabel('Phone screen', { exact: false }).check();
    await page.locator('form.card.wide').first().getByRole('button', { name: 'SAVE' }).click();

    // the count of who is in the stage now, and the offer; nothing has started for them yet
    const card = page.getByRole('region', { name: 'Candidates already in trigger stages' });
    await card.getByText(`${inStage} candidates are in`).waitFor();
    for (const id of ids) expect((await state(id))?.assessments ?? []).toEqual([]);
    await page.screenshot({ path: screenshotPath('16-backfill'), fullPage: true });

    await card.getByRole('button', { name: `Run the flow for ${inStage} candidates` }).click();
    await card.getByText(/^Done: /).waitFor({ timeout: 60_000 });
    await eventually(async () => {
      for (const id of ids) {
        expect((await state(id))?.assessments?.filter((a) => a.triggerStageId === phoneScreen)).toHaveLength(1);
        expect(h.opportunity(id).links.filter((l) => l.includes('/assessments/select/'))).toHaveLength(1);
      }
    }, 60_000);
  }
});
