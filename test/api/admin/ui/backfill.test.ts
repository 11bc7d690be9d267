import { candidateStateQuery } from '../../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../../src/workflows/shared/ids';
import { randomUUID } from 'node:crypto';
import { reconciliationWorkflowId } from '../../../../src/workflows/reconciliation/messages';
import { IntegrationIdKey } from '../../../../src/workflows/shared/search-attributes';
import { startAdminUi, type AdminUi } from '../../../support/admin-ui';
import type { AssessmentHarness } from '../../../support/assessment-harness';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * Backfill in a real browser against the real API, worker, Temporal and both sandboxes: a stage that
 * holds candidates becomes a trigger on the Configuration page, the page counts them, and "Run the
 * flow" starts one assessment each with the progress shown; a reconciliation sweep then shows on the
 * Activity page. Screenshot: 16-backfill.
 */
describe('backfill from the Configuration page', () => {
  let ui: AdminUi;
  let h: AssessmentHarness;
  const admin = { email: 'backfill-ops@example.com', password: 'a long backfill admin password' };

  beforeAll(async () => {
    ui = await startAdminUi(admin, { name: 'Backfill UI' });
    h = ui.h;
  }, 90_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('counts the candidates already in a new trigger stage, runs their flow once confirmed, and shows a reconciliation sweep in Activity', async () => {
    await ui.watched.walk('backfill-ui', walkThrough);
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

    const { page } = ui;
    await ui.logIn();
    await ui.open('configuration');
    const assessmentTriggers = page.locator('fieldset[data-name="assessmentTriggerStage"]');
    await assessmentTriggers.waitFor();
    await assessmentTriggers.getByLabel('Phone screen', { exact: false }).check();
    await page.locator('form.card.wide').first().getByRole('button', { name: 'SAVE', exact: true }).click();

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

    // a reconciliation sweep over the same integration shows on the Activity page with what it found
    await h.stack.client.workflow.execute('reconciliationWorkflow', {
      workflowId: `${reconciliationWorkflowId(h.integration.id)}-ui-${randomUUID()}`,
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, graceMs: 0 }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
    });
    await ui.open('activity');
    const sweeps = page.getByRole('region', { name: 'Reconciliation sweeps' });
    await sweeps.locator('#sweeps tbody tr').first().waitFor();
    await sweeps.getByText(/in trigger stages, 0 missed/).first().waitFor();
  }
});
