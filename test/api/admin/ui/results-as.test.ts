import { useAdminUi } from '../../../support/admin-ui';
import { readJson } from '../../../support/lever-webhook';
import { adminToken, eventually } from '../../../support/stack';

/** The Configuration page's "Post the final result as" choice (`assessments.resultsAs`), saved through the real API. */
describe('results as feedback on the Configuration page', () => {
  const admin = { email: 'results-as-ops@example.com', password: 'a long results-as admin password' };
  const world = useAdminUi(admin, { name: 'Results as UI' });

  const savedResultsAs = async () => {
    const res = await fetch(`${world.h.stack.baseUrl}/api/integrations/${world.h.integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return (await readJson(res)).settings.assessments.resultsAs as string;
  };

  it('shows the note default, and saves a feedback form or both', async () => {
    await world.ui.watched.walk('results-as-ui', async () => {
      const { page } = world.ui;
      await world.ui.logIn();
      await world.ui.open('configuration');
      const choice = page.getByLabel('Post the final result as');
      await choice.waitFor();
      expect(await choice.inputValue()).toBe('note');
      for (const value of ['both', 'feedback']) {
        await choice.selectOption(value);
        await page.locator('form.card.wide').first().getByRole('button', { name: 'SAVE', exact: true }).click();
        await eventually(async () => expect(await savedResultsAs()).toBe(value), 15_000);
      }
      await world.ui.open('configuration');
      await page.getByLabel('Post the final result as').waitFor();
      await eventually(async () => expect(await page.getByLabel('Post the final result as').inputValue()).toBe('feedback'), 10_000);
    });
  }, 180_000);
});
