import { readFileSync } from 'node:fs';
import { useAdminUi } from '../../../support/admin-ui';
import { screenshotPath } from '../../../support/screenshots';
import { eventually } from '../../../support/stack';

/**
 * The audit log in a real browser against the real API: a settings change made on the Configuration page
 * shows on the Audit log page with who, from where and before → after, next to the admin's sign-in; the
 * filter narrows it and the CSV export holds what the page shows. Screenshot: 18-audit-log.
 */
describe('audit log page', () => {
  const admin = { email: 'audit-ops@example.com', password: 'a long audit admin password' };
  const world = useAdminUi(admin, { name: 'Audit UI' });

  it('shows the walkthrough’s settings change and sign-in, filters them and exports them', async () => {
    await world.ui.watched.walk('audit-ui', walkThrough);
  }, 240_000);

  async function walkThrough() {
    const { page } = world.ui;
    await world.ui.logIn();
    await world.ui.open('configuration');
    const notify = page.getByLabel('Notify the opportunity’s followers when results are posted');
    await notify.waitFor();
    const before = await notify.isChecked();
    await notify.setChecked(!before);
    await page.getByRole('button', { name: 'SAVE', exact: true }).click();
    await page.getByText('Saved.').waitFor();

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.locator('table#audit');
    const settingsRow = table.locator('tbody tr', { hasText: 'settings changed' }).filter({ hasText: 'Audit UI' }).first();
    await settingsRow.waitFor();
    const cells = await settingsRow.locator('td').allInnerTexts();
    expect(cells[1]).toBe(admin.email);
    expect(cells[2]).toMatch(/127\.0\.0\.1$/);
    expect(cells[6]).toBe('200');
    expect(cells[7]).toBe(`notifyFollowers: ${before} → ${!before}`);
    await table.locator('tbody tr', { hasText: 'sign-in' }).filter({ hasText: admin.email }).first().waitFor();
    await page.screenshot({ path: screenshotPath('18-audit-log'), fullPage: true });

    // the filter: this integration's settings changes only
    await page.locator('select[name=integrationId]').selectOption(world.h.integration.id);
    await page.getByLabel('Action').fill('settings');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventuallyRows(['settings changed']);

    // the export with the same filter: what the page shows
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('id,at,actor,actorKind,sourceIp,action,integrationId,target,outcome,details');
    expect(csv.slice(1).map((line) => line.split(',')[5])).toEqual(['settings changed']);
    expect(csv[1]).toContain(world.h.integration.id);
  }

  async function eventuallyRows(actions: string[]) {
    const rows = world.ui.page.locator('table#audit tbody tr');
    await eventually(async () => expect((await rows.allInnerTexts()).map((t) => t.split('\t')[3])).toEqual(actions));
  }
});
