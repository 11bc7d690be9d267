import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { startSandboxes, type RunningSandboxes } from '../../../../sandbox/start';
import { startStack, type TestStack } from '../../../support/stack';
import { isolatedDatabase, type IsolatedDatabase } from '../../../support/isolated-database';
import { chromiumPath, launchChromium, watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';

/**
 * A new admin's first visit, in a real browser (Debian's Chromium, driven by playwright-core):
 * log in, enter and TEST both keys (a key without every permission shows what it lacks), paste the
 * webhook secrets, configure, review both mappings, then see a candidate's run appear in Activity.
 * Each page is saved as a screenshot (test/support/screenshots.ts: a temporary folder, or docs/screenshots/
 * for the README with `npm run screenshots`).
 */
describe('set-up web UI in a real browser', () => {
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let database: IsolatedDatabase;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'recruiting-ops@example.com', password: 'a long admin password' };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    // A database of its own: the new admin starts with no integration, whatever other tests created.
    database = await isolatedDatabase('ui_walkthrough');
    stack = await startStack({
      config: {
        DATABASE_URL: database.url,
        LEVER_API_URL: sandboxes.lever.apiUrl,
        CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl,
        TEMPORAL_UI_URL: 'http://localhost:8233',
      },
    });
    await ensureAdmin(stack.db, admin.email, admin.password);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watched = watchPage(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await sandboxes?.close();
    await database?.drop();
  });

  const shot = (name: string) => page.screenshot({ path: screenshotPath(name), fullPage: true });

  it('walks the whole set-up and shows the run a stage change starts', async () => {
    // a script error or a 5xx the admin never noticed fails the walk too
    await watched.walk('setup-walkthrough', walkThrough);
  }, 180_000);

  async function walkThrough() {
    const { leverSandbox, lever, codesignal } = sandboxes;
    const { accountId } = lever.seed;

    // Log in.
    await page.goto(`${stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill('a wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('the e-mail or password is not correct').waitFor();
    await page.getByLabel('Password').fill(admin.password);
    await shot('01-log-in');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('No integration yet').waitFor();

    // A key made without some of the permissions the seeds list: TEST names what is missing.
    const allButFiles = leverSandbox.admin.createKey(accountId, {
      name: 'CodeSignal Integration (incomplete)',
      permissions: ['opportunities:read:admin', 'opportunities:write:admin', 'notes:read:admin', 'notes:write:admin', 'stages:read:admin', 'users:read:admin', 'tags:read:admin', 'sources:read:admin'],
    }).key;
    await page.getByLabel('Name').fill('Acme production');
    await page.getByLabel('Lever API key').fill(allButFiles);
    await page.locator('form', { hasText: 'New integration' }).getByRole('button', { name: 'TEST' }).first().click();
    const leverResult = page.locator('.key-test[data-service="Lever"]');
    await leverResult.getByText(/lacks \d+ permission/).waitFor();
    await leverResult.locator('.missing-permissions').getByText('upload opportunity file').waitFor();
    await shot('02-lever-key-missing-permissions');

    // A CodeSignal key CodeSignal does not know: its TEST fails too.
    const newForm = page.locator('form', { hasText: 'New integration' });
    const codesignalResult = page.locator('.key-test[data-service="CodeSignal"]');
    await page.getByLabel('CodeSignal API key').fill('not-a-codesignal-key');
    await newForm.getByRole('button', { name: 'TEST' }).nth(1).click();
    await codesignalResult.getByText('CodeSignal does not accept this key').waitFor();
    // Each TEST result is set off from what follows it (the next field's label, the button).
    for (const [result, next] of [[leverResult, newForm.locator('label.field', { hasText: 'CodeSignal API key' })], [codesignalResult, newForm.getByRole('button', { name: 'Create integration' })]] as const) {
      const gap = (await next.boundingBox())!.y - ((await result.boundingBox())!.y + (await result.boundingBox())!.height);
      expect(gap).toBeGreaterThanOrEqual(12);
    }
    // Creating with both TESTs failed asks first, in a dialog of the page; "Go back" creates nothing.
    await page.getByRole('button', { name: 'Create integration' }).click();
    const confirm = page.getByRole('dialog', { name: 'Create the integration anyway?' });
    await confirm.getByText('Both keys’ TESTs failed:').waitFor();
    await confirm.getByText(/^Lever API key: lacks \d+ permission\(s\) \(.*upload opportunity file/).waitFor();
    await confirm.getByText('CodeSignal API key: not accepted by CodeSignal.').waitFor();
    await confirm.getByRole('button', { name: 'Go back' }).click();
    await confirm.waitFor({ state: 'detached' });
    await newForm.getByText('Not created: fix the keys and TEST them again.').waitFor();
    expect(await integrationNames()).toEqual([]);
    // A key that is not printable ASCII (the docs' "…" placeholder) is refused at its TEST, naming the field.
    await page.getByLabel('CodeSignal API key').fill('…');
    await newForm.getByRole('button', { name: 'TEST' }).nth(1).click();
    await codesignalResult.getByText('apiKey: must be printable ASCII').waitFor();

    // The key the seeds describe: every permission present.
    await page.getByLabel('Lever API key').fill(lever.seed.apiKey);
    await page.locator('form', { hasText: 'New integration' }).getByRole('button', { name: 'TEST' }).first().click();
    await leverResult.getByText(/The key works and holds all \d+ permissions checked/).waitFor();
    await page.getByLabel('CodeSignal API key').fill(codesignal.seed.apiKey);
    await page.locator('form', { hasText: 'New integration' }).getByRole('button', { name: 'TEST' }).nth(1).click();
    await page.locator('.key-test[data-service="CodeSignal"]').getByText(/The key works/).waitFor();
    await shot('03-new-integration-keys-tested');
    // Both TESTs passed now: created without a question.
    await page.getByRole('button', { name: 'Create integration' }).click();

    // Credentials: copy the webhook URLs into Lever and CodeSignal, paste back what they show.
    await page.getByRole('heading', { name: 'Webhook URLs' }).waitFor();
    expect(await page.locator('dialog').count()).toBe(0);
    const leverWebhookUrl = await page.getByLabel('Lever webhook URL').inputValue();
    const codesignalWebhookUrl = await page.getByLabel('CodeSignal webhook URL').inputValue();
    expect(leverWebhookUrl).toMatch(new RegExp(`^${stack.baseUrl}/webhooks/lever/[0-9a-f-]{36}$`));
    const integrationId = leverWebhookUrl.split('/').pop()!;
    const signingToken = lever.createWebhook(leverWebhookUrl, 'candidateStageChange');
    await page.locator('textarea[name="leverSigningTokens"]').fill(signingToken);
    await page.locator('form', { hasText: 'Lever webhook signing tokens' }).getByRole('button', { name: 'SAVE' }).click();
    await page.getByText('1 saved:').waitFor();
    const codesignalSecret = 'codesignal-webhook-secret-0123456789';
    await page.locator('input[name="codesignalWebhookSecret"]').fill(codesignalSecret);
    await page.locator('form', { hasText: 'CodeSignal webhook secret' }).getByRole('button', { name: 'SAVE' }).click();
    await page.locator('input[name="codesignalWebhookSecret"][placeholder="saved, ends in …6789"]').waitFor();
    await codesignal.setWebhook(codesignalWebhookUrl, codesignalSecret);
    // The saved key TESTs from the server side too, and the page never shows a secret in full.
    await page.locator('form', { hasText: 'Lever API key' }).getByRole('button', { name: 'TEST' }).click();
    await page.locator('.key-test[data-service="Lever"]').getByText(/The key works/).waitFor();
    const html = await page.content();
    for (const secret of [lever.seed.apiKey, codesignal.seed.apiKey, signingToken, codesignalSecret]) expect(html).not.toContain(secret);
    await shot('04-credentials');
    await expectCredentialsShownWhole();

    // Configuration, from the account's real stages and users.
    await page.getByRole('link', { name: 'Configuration' }).click();
    await page.getByRole('heading', { name: 'Assessments' }).waitFor();
    await page.locator('fieldset[data-name="assessmentTriggerStage"]').getByLabel('CodeSignal Assessment').check();
    const defaultUser = lever.seed.users.find((u) => u.id === lever.seed.defaultUserId)!;
    await page.getByLabel('Default Lever user').selectOption({ label: `${defaultUser.name} <${defaultUser.email}>` });
    // A backend posting always gets the backend screen, whatever stage sends it.
    const posting = lever.seed.postings[0]!;
    const backendTest = codesignal.seed.tests[0]!;
    await page.getByText(/Default test per job posting/).click();
    const postingRow = page.locator('details.posting-tests label', { hasText: posting.text });
    await postingRow.locator(`select[data-posting="${posting.id}"]`).selectOption({ label: backendTest.title });
    await page.getByRole('button', { name: 'SAVE', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await shot('05-configuration');
    const saved = (await (await fetch(`${stack.baseUrl}/api/integrations/${integrationId}`, { headers: { authorization: `Bearer ${stack.config.ADMIN_TOKEN}` } })).json()) as { settings: Record<string, unknown> };
    expect(saved.settings).toMatchObject({
      defaultLeverUserId: defaultUser.id,
      notifyFollowers: true,
      assessments: {
        triggerStageIds: [lever.seed.stageIds.assessment],
        defaultTestByPosting: { [posting.id]: backendTest.id },
      },
    });
    expect(saved.settings.assessments).not.toHaveProperty('defaultLeverUserId');

    // Mappings, pre-filled from both accounts on the first visit.
    await page.getByRole('link', { name: 'User Account Mapping' }).click();
    await page.getByRole('heading', { name: 'User Account Mapping' }).waitFor();
    await page.locator('table.mapping .badge.auto').first().waitFor();
    await shot('06-user-account-mapping');
    await page.getByRole('button', { name: 'SAVE', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('link', { name: 'Job Stage Mapping' }).click();
    await page.getByRole('heading', { name: 'Lever → CodeSignal' }).waitFor();
    await shot('07-job-stage-mapping');

    // A recruiter moves a candidate into the trigger stage in Lever: the run shows up in Activity.
    const candidate = lever.seed.opportunities.find((o) => o.email)!;
    leverSandbox.recruiter.moveToStage(accountId, candidate.id, { stage: lever.seed.stageIds.assessment });
    await page.getByRole('link', { name: 'Activity' }).click();
    const run = page.locator('#runs tbody tr', { hasText: `candidate/${integrationId}/${candidate.id}` });
    await run.first().waitFor({ timeout: 30_000 });
    await page.locator('#deliveries tbody tr', { hasText: 'accepted' }).first().waitFor();
    const link = await run.first().getByRole('link', { name: 'Open in Temporal' }).getAttribute('href');
    expect(link).toMatch(new RegExp(`^http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`candidate/${integrationId}/${candidate.id}`)}/[0-9a-f-]{36}/history$`));
    await run.first().getByText('CodeSignal Assessment').waitFor();
    await shot('08-activity');
    // Only the refused ones: none here.
    await page.getByLabel('Show deliveries').selectOption('rejected');
    await page.getByText('No rejected delivery among the recent ones.').waitFor();

    // The page has an icon (no 404 for /favicon.ico).
    const icon = await fetch(new URL((await page.locator('link[rel="icon"]').getAttribute('href'))!, page.url()));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/icon/);

    // A second integration whose keys both fail their TEST: created only once the admin says so.
    await page.getByRole('link', { name: '← Integrations' }).click();
    // The list shows each integration's health: the Lever delivery accepted above, the stored Lever key TESTed on Credentials.
    const health = page.locator('table.list tr', { hasText: 'Acme production' }).locator('.health');
    await health.getByText(/^Lever: last delivery (just now|\d+ min ago) \(accepted\)$/).waitFor();
    await health.getByText(/^Lever OK \(tested (just now|\d+ min ago)\)$/).waitFor();
    expect(await health.textContent()).not.toContain(integrationId);
    const another = page.locator('form', { hasText: 'New integration' });
    await another.getByLabel('Name').fill('Acme staging');
    await another.getByLabel('Lever API key').fill('not-a-lever-key');
    await another.getByRole('button', { name: 'TEST' }).first().click();
    await page.locator('.key-test[data-service="Lever"]').getByText('Lever does not accept this key').waitFor();
    await another.getByLabel('CodeSignal API key').fill('not-a-codesignal-key');
    await another.getByRole('button', { name: 'TEST' }).nth(1).click();
    await page.locator('.key-test[data-service="CodeSignal"]').getByText('CodeSignal does not accept this key').waitFor();
    await another.getByRole('button', { name: 'Create integration' }).click();
    const createAnyway = page.getByRole('dialog', { name: 'Create the integration anyway?' });
    await createAnyway.getByText('Lever API key: not accepted by Lever.').waitFor();
    await createAnyway.getByRole('button', { name: 'Create anyway' }).click();
    await page.getByRole('heading', { name: 'Acme staging' }).waitFor();
    expect((await integrationNames()).sort()).toEqual(['Acme production', 'Acme staging']);
  }

  const integrationNames = async () => {
    const res = await fetch(`${stack.baseUrl}/api/integrations`, { headers: { authorization: `Bearer ${stack.config.ADMIN_TOKEN}` } });
    return ((await res.json()) as { integrations: Array<{ name: string }> }).integrations.map((i) => i.name);
  };

  /** Credentials: every card takes the page's width, and each URL is shown whole (wrapped, never cut off), wide or narrow. */
  async function expectCredentialsShownWhole() {
    const content = await page.evaluate<number>(
      "(() => { const m = document.querySelector('main'), s = getComputedStyle(m); return m.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); })()",
    );
    const widths = await page.locator('main .card').evaluateAll((cards) => cards.map((c) => c.getBoundingClientRect().width));
    expect(widths.length).toBeGreaterThanOrEqual(5);
    for (const width of widths) expect(Math.abs(width - content)).toBeLessThan(2);
    for (const viewport of [{ width: 1280, height: 900 }, { width: 420, height: 900 }]) {
      await page.setViewportSize(viewport);
      for (const label of ['Lever webhook URL', 'CodeSignal webhook URL']) {
        const box = page.getByLabel(label);
        const size = await box.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, right: el.getBoundingClientRect().right }));
        expect(size.scrollWidth).toBeLessThanOrEqual(size.clientWidth);
        expect(size.scrollHeight).toBeLessThanOrEqual(size.clientHeight + 1);
        expect(size.right).toBeLessThanOrEqual(viewport.width);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

