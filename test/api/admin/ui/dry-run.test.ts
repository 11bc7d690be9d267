import { candidateStateQuery } from '../../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../../src/workflows/shared/ids';
import { useAdminUi } from '../../../support/admin-ui';
import { screenshotPath } from '../../../support/screenshots';
import { adminToken, eventually } from '../../../support/stack';

/**
 * Dry run in a real browser against the real API, worker, Temporal and both sandboxes: a new trigger
 * stage is saved as a draft from the Configuration page, a candidate entering it gets a recorded
 * decision ("would send …") and nothing written, and "Promote the draft" makes it the settings.
 * Screenshot: 17-dry-run.
 */
describe('dry run of a settings draft from the Configuration page', () => {
  const admin = { email: 'dry-run-ops@example.com', password: 'a long dry run admin password' };
  const world = useAdminUi(admin, { name: 'Dry run UI' });

  it('records what a draft would do without doing it, then promotes it', async () => {
    await world.ui.watched.walk('dry-run-ui', walkThrough);
  }, 240_000);

  const adminApi = async (path: string) => {
    const res = await fetch(`${world.h.stack.baseUrl}/api/integrations/${world.h.integration.id}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  };

  async function walkThrough() {
    const { seed } = world.h.sandboxes.lever;
    const phoneScreen = seed.stageIds.phoneScreen;
    expect(((await adminApi('')) as { settings: { assessments: { triggerStageIds: string[] } } }).settings.assessments.triggerStageIds).not.toContain(phoneScreen);

    const { page } = world.ui;
    await world.ui.logIn();
    await world.ui.open('configuration');
    const assessmentTriggers = page.locator('fieldset[data-name="assessmentTriggerStage"]');
    await assessmentTriggers.waitFor();
    await assessmentTriggers.getByLabel('Phone screen', { exact: false }).check();
    await page.getByRole('button', { name: 'SAVE AS DRAFT (DRY RUN)' }).click();
    const card = page.getByRole('region', { name: 'Dry run' });
    await card.getByText('A draft is running in shadow since').waitFor();

    // a candidate enters the stage the draft makes a trigger: the draft says what it would do
    const name = 'Dana Dryrun';
    const id = world.h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, { name, emails: [`dry-run-${Date.now()}@example.org`], userId: seed.userIds.recruiter }).id;
    world.h.moveToStage(id, phoneScreen);
    // no default test for the stage: the draft would hand out the selection link (a default test: "would send …")
    const row = card.locator('ul.dry-run-decisions li', { hasText: name }).filter({ hasText: /would (send|start|put the assessment selection link)/ });
    await eventually(async () => {
      if ((await row.count()) === 0) await card.getByRole('button', { name: 'Refresh' }).click();
      expect(await row.count()).toBe(1);
    }, 60_000, 1_000);

    // and did nothing: no assessment in the candidate's flow, no selection link on the opportunity
    const state = await world.h.stack.client.workflow.getHandle(candidateWorkflowId(world.h.integration.id, id)).query(candidateStateQuery).catch(() => null);
    expect(state?.assessments ?? []).toEqual([]);
    expect(world.h.opportunity(id).links.filter((l) => l.includes('/assessments/select/'))).toEqual([]);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('17-dry-run'), fullPage: true });

    await card.getByRole('button', { name: 'Promote the draft' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote the draft?' });
    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    // the page again, without the card, and the offer to run the flow for who is already in the stage
    await page.getByRole('region', { name: 'Candidates already in trigger stages' }).waitFor();
    await expect(page.getByRole('region', { name: 'Dry run' }).count()).resolves.toBe(0);
    expect(await assessmentTriggers.getByLabel('Phone screen', { exact: false }).isChecked()).toBe(true);

    const integration = (await adminApi('')) as { settings: { assessments: { triggerStageIds: string[] } } };
    expect(integration.settings.assessments.triggerStageIds).toContain(phoneScreen);
    expect(await adminApi('/settings/draft')).toMatchObject({ draft: null });
  }
});
