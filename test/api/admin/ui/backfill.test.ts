import { candidateStateQuery } from '../../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../../src/workflows/shared/ids';
import { randomUUID } from 'node:crypto';
import { reconciliationWorkflowId } from '../../../../src/workflows/reconciliation/messages';
import { IntegrationIdKey } from '../../../../src/workflows/shared/search-attributes';
import { useAdminUi } from '../../../support/admin-ui';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * Backfill in a real browser against the real API, worker, Temporal and both sandboxes: a stage that
 * holds candidates becomes a trigger on the Configuration page, the page counts them, and "Run the
 * flow" starts one assessment each with the progress shown; a reconciliation sweep then shows on the
 * Activity page. Screenshot: 16-backfill.
 */
describe('backfill from the Configuration page', () => {
  const admin = { email: 'backfill-ops@example.com', password: 'a long backfill admin password' };
  const world = useAdminUi(admin, { name: 'Backfill UI' });

  it('counts the candidates already in a new trigger stage, runs their flow once confirmed, and shows a reconciliation sweep in Activity', async () => {
    await world.ui.watched.walk('backfill-ui', walkThrough);
  }, 240_000);

  async function walkThrough() {
    const { seed } = world.h.sandboxes.lever;
    const phoneScreen = seed.stageIds.phoneScreen;
    // six candidates sit in the phone screen, which is no trigger
    const ids = Array.from({ length: 6 }, (_, i) =>
      world.h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, { name: `Pat Phone${i}`, emails: [`phone-${i}-${Date.now()}@example.org`], userId: seed.userIds.recruiter }).id);
    for (const id of ids) world.h.moveToStage(id, phoneScreen);
    const state = (id: string) => world.h.stack.client.workflow.getHandle(candidateWorkflowId(world.h.integration.id, id)).query(candidateStateQuery).catch(() => null);
    await eventually(async () => {
      for (const id of ids) expect((await state(id))?.stageId).toBe(phoneScreen);
    }, 60_000);
    const inStage = world.h.sandboxes.leverSandbox.recruiter.opportunities(seed.accountId).filter((o) => o.stage === phoneScreen).length;

    const { page } = world.ui;
    await world.ui.logIn();
    await world.ui.open('configuration');
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
        expect(world.h.opportunity(id).links.filter((l) => l.includes('/assessments/select/'))).toHaveLength(1);
      }
    }, 60_000);

    // a reconciliation sweep over the same integration shows on the Activity page with what it found
    await world.h.stack.client.workflow.execute('reconciliationWorkflow', {
      workflowId: `${reconciliationWorkflowId(world.h.integration.id)}-ui-${randomUUID()}`,
      taskQueue: world.h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: world.h.integration.id, graceMs: 0 }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: world.h.integration.id }],
    });
    await world.ui.open('activity');
    const sweeps = page.getByRole('region', { name: 'Reconciliation sweeps' });
    await sweeps.locator('#sweeps tbody tr').first().waitFor();
    await sweeps.getByText(/in trigger stages, 0 missed/).first().waitFor();
  }
});
