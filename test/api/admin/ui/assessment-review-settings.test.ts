import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { useAdminUi } from '../../../support/admin-ui';
import { readJson } from '../../../support/lever-webhook';
import { screenshotPath } from '../../../support/screenshots';
import { adminToken, eventually } from '../../../support/stack';

/**
 * The Configuration page's approval of rejections and integrity review (README "Assessments", items 7 and 8),
 * saved through the real API: the integration's rule, a posting's own rule, the integrity review; a value the
 * API refuses shows its message next to the field; a viewer sees the values and no save button.
 * Screenshot: 21-review-settings.
 */
describe('approval and integrity review settings on the Configuration page', () => {
  const admin = { email: 'review-settings-ops@example.com', password: 'a long review settings admin password' };
  const viewer = { email: 'review-settings-viewer@example.com', password: 'a long review settings viewer password' };
  const world = useAdminUi(admin, { name: 'Review settings UI' });

  const settingsUrl = () => `${world.h.stack.baseUrl}/api/integrations/${world.h.integration.id}`;
  const saved = async () => (await readJson(await fetch(settingsUrl(), { headers: { authorization: `Bearer ${adminToken}` } }))).settings.assessments;
  /** The API's own 400 message for `assessments.<section>.timeoutHours` set to `hours`. */
  async function apiMessage(section: 'approval' | 'integrityReview', hours: number): Promise<string> {
    const current = (await readJson(await fetch(settingsUrl(), { headers: { authorization: `Bearer ${adminToken}` } }))).settings;
    const res = await fetch(`${settingsUrl()}/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...current, assessments: { ...current.assessments, [section]: { ...current.assessments[section], timeoutHours: hours } } }),
    });
    expect(res.status).toBe(400);
    const issues = (await readJson(res)).details.issues as Array<{ path: string; message: string }>;
    return issues.find((i) => i.path === `assessments.${section}.timeoutHours`)!.message;
  }

  it('saves approval (24 h, a posting of its own) and integrity review (48 h); shows what the API refuses; a viewer cannot save', async () => {
    await world.ui.watched.walk('review-settings-ui', async () => {
      const { page } = world.ui;
      const form = page.locator('form.card.wide').first();
      const save = form.getByRole('button', { name: 'SAVE', exact: true });
      const posting = world.h.sandboxes.lever.seed.postings[1]!;
      const openPostings = async () => {
        const details = page.locator('details.approval-by-posting');
        if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
      };

      await world.ui.logIn();
      await world.ui.open('configuration');
      await page.getByLabel('Approval deadline (hours)').waitFor();
      // the defaults: both off
      expect(await page.getByLabel('Approval deadline (hours)').inputValue()).toBe('72');
      expect(await page.getByLabel('Integrity deadline (hours)').inputValue()).toBe('168');
      expect(await page.getByLabel(/Hold the below-threshold move/).isChecked()).toBe(false);

      await page.getByLabel(/Hold the below-threshold move/).check();
      await page.getByLabel('Approval deadline (hours)').fill('24');
      await openPostings();
      await page.getByLabel(`Approval rule for ${posting.text}`).selectOption('on');
      await page.getByLabel(`Approval deadline for ${posting.text} (hours)`).fill('12');
      await page.getByLabel(/Hold a non-proctored result/).check();
      await page.getByLabel('Integrity deadline (hours)').fill('48');
      await save.click();
      await form.getByText('Saved.', { exact: true }).waitFor({ timeout: 15_000 });

      // the API's GET returns them
      expect(await saved()).toMatchObject({
        approval: {
          rejections: true,
          timeoutHours: 24,
          byPosting: { [posting.id]: { rejections: true, timeoutHours: 12 } },
          pendingTag: 'CodeSignal: rejection pending approval',
          declinedTag: 'CodeSignal: rejection declined',
          noActionTag: 'CodeSignal: no decision, no action',
        },
        integrityReview: { enabled: true, tag: 'CodeSignal: needs integrity review', timeoutHours: 48 },
      });
      expect(Object.keys((await saved()).approval.byPosting)).toEqual([posting.id]);

      // a reload shows what was saved
      await page.reload();
      await page.getByLabel('Approval deadline (hours)').waitFor();
      expect(await page.getByLabel(/Hold the below-threshold move/).isChecked()).toBe(true);
      expect(await page.getByLabel('Approval deadline (hours)').inputValue()).toBe('24');
      expect(await page.getByLabel(/Hold a non-proctored result/).isChecked()).toBe(true);
      expect(await page.getByLabel('Integrity deadline (hours)').inputValue()).toBe('48');
      await page.getByText('Approval per job posting (1 set)').waitFor();
      await openPostings();
      expect(await page.getByLabel(`Approval rule for ${posting.text}`).inputValue()).toBe('on');
      expect(await page.getByLabel(`Approval deadline for ${posting.text} (hours)`).inputValue()).toBe('12');
      expect(await page.getByLabel(`Approval rule for ${world.h.sandboxes.lever.seed.postings[0]!.text}`).inputValue()).toBe('');
      await page.locator('.review-settings').screenshot({ path: screenshotPath('21-review-settings') });

      // out of range: the API's 400, next to each field and in the status line; nothing saved
      const tooShort = await apiMessage('approval', 0);
      const tooLong = await apiMessage('integrityReview', 721);
      await page.getByLabel('Approval deadline (hours)').fill('0');
      await page.getByLabel('Integrity deadline (hours)').fill('721');
      await save.click();
      await form.locator('.status.error').waitFor({ timeout: 15_000 });
      const statusText = await form.locator('.status.error').textContent();
      expect(statusText).toContain(`assessments.approval.timeoutHours: ${tooShort}`);
      expect(statusText).toContain(`assessments.integrityReview.timeoutHours: ${tooLong}`);
      const nextTo = (label: string) => page.locator('label.field', { has: page.getByLabel(label) }).locator('.field-error');
      expect(await nextTo('Approval deadline (hours)').textContent()).toBe(tooShort);
      expect(await nextTo('Integrity deadline (hours)').textContent()).toBe(tooLong);
      expect(await page.getByLabel('Approval deadline (hours)').getAttribute('aria-invalid')).toBe('true');
      expect((await saved()).approval.timeoutHours).toBe(24);
      expect((await saved()).integrityReview.timeoutHours).toBe(48);
      // fixed: the marks go
      await page.getByLabel('Approval deadline (hours)').fill('24');
      await page.getByLabel('Integrity deadline (hours)').fill('48');
      await save.click();
      await form.getByText('Saved.', { exact: true }).waitFor({ timeout: 15_000 });
      expect(await form.locator('.field-error').count()).toBe(0);

      // a viewer sees the values, and no control that saves
      await ensureAdmin(world.h.stack.db, viewer.email, viewer.password);
      const { rows } = await world.h.stack.db.query<{ id: string }>(`UPDATE admin_users SET role = 'viewer' WHERE email = $1 RETURNING id`, [viewer.email]);
      await world.h.stack.db.query('INSERT INTO admin_user_integrations (admin_user_id, integration_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [rows[0]!.id, world.h.integration.id]);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Admin log-in' }).waitFor();
      await page.getByLabel('E-mail').fill(viewer.email);
      await page.getByLabel('Password').fill(viewer.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Integrations' }).waitFor();
      await world.ui.open('configuration');
      await page.getByLabel('Approval deadline (hours)').waitFor();
      await eventually(async () => {
        expect(await page.getByLabel('Approval deadline (hours)').isDisabled()).toBe(true);
        expect(await page.getByLabel(/Hold a non-proctored result/).isDisabled()).toBe(true);
      }, 10_000, 200);
      expect(await page.getByLabel('Approval deadline (hours)').inputValue()).toBe('24');
      expect(await form.getByRole('button', { name: 'SAVE', exact: true }).count()).toBe(0);
      expect(await form.getByRole('button', { name: /SAVE AS DRAFT/ }).count()).toBe(0);
      await openPostings();
      expect(await page.getByLabel(`Approval rule for ${posting.text}`).isDisabled()).toBe(true);
    });
  }, 180_000);
});
