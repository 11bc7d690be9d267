import { assessmentWorkflowId } from '../../../../src/workflows/shared/ids';
import { useAdminUi } from '../../../support/admin-ui';
import { waitForInvitation } from '../../../support/assessment-faults';
import { decisionCandidate } from '../../../support/decisions';
import { readJson } from '../../../support/lever-webhook';
import { screenshotPath } from '../../../support/screenshots';
import { adminToken, eventually } from '../../../support/stack';
import { feedbackPage, notesPage } from './lever-render';

/**
 * The Configuration page's "Post the final result as" choice (`assessments.resultsAs`), saved through the real
 * API; and the result as a recruiter sees it in Lever, rendered from the sandbox's data (lever-render.ts).
 * Screenshots: 22-feedback-form, 23-result-note.
 */
describe('results as feedback on the Configuration page', () => {
  const admin = { email: 'results-as-ops@example.com', password: 'a long results-as admin password' };
  const world = useAdminUi(admin, { name: 'Results as UI' });

  const savedResultsAs = async () => {
    const res = await fetch(`${world.h.stack.baseUrl}/api/integrations/${world.h.integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return (await readJson(res)).settings.assessments.resultsAs as string;
  };

  it('shows the note default, and saves a feedback form or both, also while the page is still loading', async () => {
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

      // a SAVE while the rest of the page still loads (the dry-run card's read held) saves too, never a plain GET of the form
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/settings/draft', async (route) => {
        await held;
        // the route may be gone by then (unrouted below)
        await route.continue().catch(() => undefined);
      });
      try {
        await page.reload();
        await choice.waitFor();
        await choice.selectOption('both');
        await page.locator('form.card.wide').first().getByRole('button', { name: 'SAVE', exact: true }).click();
        await eventually(async () => expect(await savedResultsAs()).toBe('both'), 15_000);
        expect(page.url()).not.toContain('resultsAs=');
      } finally {
        release();
        await page.unroute('**/settings/draft');
      }
    });
  }, 180_000);

  it('a result posted as both: the feedback form and the result note as Lever shows them, from the sandbox\'s data', async () => {
    const { h } = world;
    const { seed } = h.sandboxes.lever;
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({
      defaultTestByStage: { [seed.stageIds.assessment]: plain.id },
      thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: seed.stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold' } },
      resultsAs: 'both',
    });
    expect(res.status).toBe(200);
    try {
      const c = decisionCandidate(h, 'Grace', 'Hopper');
      h.moveToStage(c.id, seed.stageIds.assessment);
      const session = await waitForInvitation(h, c);
      h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.85) });
      await h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1)).result();

      // the form as Lever lists it (GET /opportunities/:id/feedback with the integration's key), labelled as a recruiter reads it
      const auth = { authorization: `Basic ${Buffer.from(`${seed.apiKey}:`).toString('base64')}` };
      const listed = (await readJson(await fetch(`${h.sandboxes.lever.apiUrl}/opportunities/${c.id}/feedback`, { headers: auth }))).data as Array<{ id: string; fieldValues: Array<{ id: string; value: unknown }> }>;
      const forms = h.sandboxes.leverSandbox.recruiter.feedback(seed.accountId, c.id);
      expect(listed).toHaveLength(1);
      expect(forms.map((f) => f.id)).toEqual([listed[0]!.id]);
      const form = forms[0]!;
      // every value shown is one Lever returned for that field
      expect(Object.fromEntries(form.fields.filter((f) => f.value !== null).map((f) => [f.id, f.value]))).toEqual(Object.fromEntries(listed[0]!.fieldValues.filter((v) => v.value !== null).map((v) => [v.id, v.value])));
      const values = Object.fromEntries(form.fields.map((f) => [f.text, f.value]));
      expect(values).toMatchObject({ 'Recommendation (pass mark)': '3 - Hire', Test: plain.title });

      const resultNotes = h.opportunity(c.id).notes
        .map((n) => ({ authorName: seed.users.find((u) => u.id === n.author)?.name ?? null, createdAt: n.createdAt, text: n.fields.map((f) => String(f.value)).join('\n') }))
        .filter((n) => n.text.startsWith('CodeSignal result:'));
      expect(resultNotes).toHaveLength(1);
      expect(resultNotes[0]!.text).toContain(plain.title);

      const view = await world.ui.browser.newPage({ viewport: { width: 860, height: 900 } });
      try {
        await view.setContent(feedbackPage(c.name, form));
        await view.getByText(String(values.Score)).waitFor();
        await view.locator('#feedback').screenshot({ path: screenshotPath('22-feedback-form') });
        await view.setContent(notesPage(c.name, resultNotes));
        await view.locator('#note-0').screenshot({ path: screenshotPath('23-result-note') });
      } finally {
        await view.close();
      }
    } finally {
      expect((await h.putSettings({ resultsAs: 'note' })).status).toBe(200);
    }
  }, 180_000);
});
