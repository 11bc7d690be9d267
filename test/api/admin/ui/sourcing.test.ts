import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { publicLinkScheduleId } from '../../../../src/workflows/shared/ids';
import { startSandboxes, type RunningSandboxes } from '../../../../sandbox/start';
import { chromiumPath, launchChromium, watchPage } from '../../../support/browser';
import { screenshotPath } from '../../../support/screenshots';
import { adminToken, eventually, signingToken, startStack, type TestStack } from '../../../support/stack';
import { isolatedDatabase } from '../../../support/isolated-database';

/**
 * The sourcing side of the admin UI in a real browser (Debian's Chromium, driven by playwright-core),
 * against the real API, worker and both sandboxes: the Sourcing API section of Credentials (a token
 * shown once that then works against the sourcing API, the status feed and its secret), the
 * public-link settings on Configuration, and the Sourcing page (imported candidates, public-link
 * results waiting for a decision, decided from the page). Screenshots: test/support/screenshots.ts.
 */
describe('sourcing and public-link results in the admin UI', () => {
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let database: { url: string; drop(): Promise<void> };
  let integrationId: string;
  let watched: ReturnType<typeof watchPage>;
  const admin = { email: 'sourcing-ops@example.com', password: 'another long admin password' };

  /** The admin API as an operator with the admin token calls it (to check what the UI saved). */
  const adminApi = async (method: string, apiPath: string, body?: unknown) => {
    const res = await fetch(`${stack.baseUrl}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${apiPath}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as any) : null;
  };

  /** The sourcing API as CodeSignal's sourcing side calls it, with a token. */
  const sourcing = (token: string, method: string, apiPath: string, body?: unknown) =>
    fetch(`${stack.baseUrl}/api/sourcing/${integrationId}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** Imports a candidate and waits until it is imported (a 202 is read back until it is). */
  async function importCandidate(token: string, body: { codesignalCandidateId: string; name: string; emails: string[]; sourcedBy: { codesignalUserId: string } }) {
    const res = await sourcing(token, 'POST', '/candidates', body);
    expect([201, 202]).toContain(res.status);
    return eventually(async () => {
      const back = await sourcing(token, 'GET', `/candidates/${body.codesignalCandidateId}`);
      const answer = (await back.json()) as { status: string; leverOpportunityId: string };
      if (answer.status !== 'imported') throw new Error(`import of ${body.codesignalCandidateId} is ${answer.status}`);
      return answer;
    }, 30_000, 250);
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    // A database of its own: enabled public-link settings here never give another test's API start a schedule.
    database = await isolatedDatabase('ui_sourcing');
    stack = await startStack({
      config: { DATABASE_URL: database.url, LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl },
    });
    await ensureAdmin(stack.db, admin.email, admin.password);
    // An integration set up as the walkthrough leaves it: keys, a default Lever user, users mapped by e-mail.
    const { lever, codesignal } = sandboxes;
    const created = await adminApi('POST', '/api/integrations', {
      name: 'Acme sourcing',
      lever: { apiKey: lever.seed.apiKey, webhookSigningTokens: [signingToken()] },
      codesignal: { apiKey: codesignal.seed.apiKey },
      settings: { defaultLeverUserId: lever.seed.defaultUserId },
    });
    integrationId = created.id;
    await adminApi('POST', `/api/integrations/${integrationId}/mappings/auto`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watched = watchPage(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (stack && integrationId) {
      await adminApi('PUT', `/api/integrations/${integrationId}/public-links/settings`, { enabled: false }).catch(() => undefined);
      await stack.client.schedule.getHandle(publicLinkScheduleId(integrationId)).delete().catch(() => undefined);
    }
    await stack?.stop();
    await sandboxes?.close();
    await database?.drop();
  });

  const shot = (name: string) => page.screenshot({ path: screenshotPath(name), fullPage: true });

  it('creates the sourcing token and feed, saves public-link settings, and shows imports and pending results', async () => {
    // a script error or a 5xx the admin never noticed fails the walk too
    await watched.walk('sourcing-ui', walkThrough);
  }, 240_000);

  async function walkThrough() {
    const { lever, codesignal, leverSandbox, codesignalSandbox } = sandboxes;
    const accountId = lever.seed.accountId;
    const mappedSourcer = codesignal.seed.users[0]!;
    // A CodeSignal user added after the mapping was filled: not mapped, so the default Lever user creates their imports.
    const unmappedSourcer = codesignalSandbox.control.createUser(codesignal.seed.companyId, { name: 'Una Mapped', email: 'una.mapped@example.net' });

    await page.goto(`${stack.baseUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await page.goto(`${stack.baseUrl}/admin/#/integrations/${integrationId}/credentials`);

    // ---- Credentials → Sourcing API: the endpoints to give CodeSignal, and the OpenAPI document.
    const section = page.locator('#sourcing-api');
    await section.getByRole('heading', { name: 'Sourcing API' }).waitFor();
    expect(await section.getByLabel('Import endpoint (POST)').inputValue()).toBe(`${stack.config.publicUrl}/api/sourcing/${integrationId}/candidates`);
    expect(await section.getByLabel('Status endpoint (POST)').inputValue()).toBe(`${stack.config.publicUrl}/api/sourcing/${integrationId}/candidates/{codesignalCandidateId}/status`);
    const openapi = await section.getByRole('link', { name: /OpenAPI document/ }).getAttribute('href');
    const document = (await (await fetch(openapi!)).json()) as { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
    await section.getByText('No sourcing token yet').waitFor();

    // The token is shown once, and works against the sourcing API.
    await section.getByRole('button', { name: 'Create sourcing token' }).click();
    await section.getByText('Copy it now: it is not shown again.').waitFor();
    await section.getByText('Token created.', { exact: true }).waitFor();
    const token = await section.getByLabel('Sourcing token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    await section.getByRole('button', { name: 'Replace sourcing token' }).waitFor();
    expect((await sourcing(token, 'GET', '/candidates/csUiTest000000001')).status).toBe(404);
    const imported = await importCandidate(token, {
      codesignalCandidateId: 'csUiTest000000001', name: 'Ui Candidate', emails: ['ui-candidate@example.net'], sourcedBy: { codesignalUserId: mappedSourcer.id },
    });
    await importCandidate(token, {
      codesignalCandidateId: 'csUiTest000000002', name: 'Ui Fallback', emails: ['ui-fallback@example.net'], sourcedBy: { codesignalUserId: unmappedSourcer.id },
    });

    // CodeSignal reports a status change of the first one: the stage sync of its opportunity takes it up.
    const reported = await sourcing(token, 'POST', '/candidates/csUiTest000000001/status', {
      status: 'interviewing', changedAt: new Date().toISOString(), changedBy: { codesignalUserId: mappedSourcer.id },
    });
    expect(reported.status).toBeLessThan(300);

    // Replacing asks first; declining changes nothing, accepting makes the old token stop working.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await section.getByRole('button', { name: 'Replace sourcing token' }).click();
    expect(await section.getByLabel('Sourcing token').inputValue()).toBe(token);
    let replaceWarning = '';
    page.once('dialog', (dialog) => {
      replaceWarning = dialog.message();
      void dialog.accept();
    });
    await section.getByRole('button', { name: 'Replace sourcing token' }).click();
    await section.getByText('Token replaced: the earlier one no longer works.').waitFor();
    expect(replaceWarning).toContain('stops working at once');
    const newToken = await section.getByLabel('Sourcing token').inputValue();
    expect(newToken).not.toBe(token);
    expect((await sourcing(token, 'GET', '/candidates/csUiTest000000001')).status).toBe(401);
    expect((await sourcing(newToken, 'GET', '/candidates/csUiTest000000001')).status).toBe(200);

    // ---- The status feed: a bad URL is a 400 shown by the form; the first URL makes a secret, shown once.
    await section.getByText('The feed is off').waitFor();
    const feedUrl = section.getByLabel('Status feed URL');
    await feedUrl.fill('ftp://not-a-feed.example');
    await section.getByRole('button', { name: 'Save feed URL' }).click();
    await section.locator('.status.error', { hasText: 'url:' }).waitFor();
    expect(await feedUrl.getAttribute('aria-invalid')).toBe('true');
    await feedUrl.fill(codesignal.sourcingFeedUrl);
    await section.getByRole('button', { name: 'Save feed URL' }).click();
    await section.getByText('Feed URL saved. A new signing secret was made.').waitFor();
    const secret = await section.getByLabel('Feed signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await section.getByText(`Status changes are sent to ${codesignal.sourcingFeedUrl}, signed with the saved secret.`).waitFor();
    await shot('10-credentials-sourcing-api');
    expect((await adminApi('GET', `/api/integrations/${integrationId}`)).sourcing).toMatchObject({ tokenConfigured: true, feedUrl: codesignal.sourcingFeedUrl, feedSecretConfigured: true });

    // Saving the same URL again keeps the secret (none is shown); replacing it shows the new one once.
    await section.getByRole('button', { name: 'I have copied it, hide it' }).last().click();
    await expect(section.getByLabel('Feed signing secret').count()).resolves.toBe(0);
    await section.getByRole('button', { name: 'Save feed URL' }).click();
    await section.getByText('Feed URL saved.', { exact: true }).waitFor();
    await expect(section.getByLabel('Feed signing secret').count()).resolves.toBe(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await section.getByRole('button', { name: 'Replace signing secret' }).click();
    await section.getByText('Signing secret replaced. A new signing secret was made.').waitFor();
    const newSecret = await section.getByLabel('Feed signing secret').inputValue();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);

    // Stopping the feed asks first, and deletes URL and secret.
    page.once('dialog', (dialog) => void dialog.accept());
    await section.getByRole('button', { name: 'Stop the feed' }).click();
    await section.getByText('The feed is stopped.').waitFor();
    await section.getByText('The feed is off').waitFor();
    expect((await adminApi('GET', `/api/integrations/${integrationId}`)).sourcing).toMatchObject({ feedUrl: null, feedSecretConfigured: false });

    // Once the page is left, neither the token nor a secret is anywhere in it.
    await page.reload();
    await section.getByText(/A token was created/).waitFor();
    const html = await page.content();
    for (const shown of [token, newToken, secret, newSecret]) expect(html).not.toContain(shown);

    // ---- Configuration → Public-link results: a bad value is a 400 naming the field; a good one is saved.
    await page.getByRole('link', { name: 'Configuration' }).click();
    const settings = page.locator('#public-link-settings');
    await settings.getByRole('heading', { name: 'Public-link results' }).waitFor();
    await settings.getByText('Never changed: the defaults are shown.').waitFor();
    const backendTest = codesignal.seed.tests.find((t) => !t.proctored)!;
    await settings.getByLabel('Look for public-link results').check();
    await settings.locator('fieldset[data-name="publicLinkTest"]').getByLabel(backendTest.title).check();
    await settings.getByLabel('Scan every (minutes)').fill('2');
    await settings.getByLabel('Sessions finished within (days)').fill('14');
    await settings.getByLabel('When one active opportunity has the e-mail').selectOption('confirm');
    await settings.getByLabel('When no active opportunity has the e-mail').selectOption('confirm');
    await settings.getByRole('button', { name: 'Save public-link settings' }).click();
    await settings.locator('.status.error', { hasText: 'Scan every (minutes) (intervalMinutes):' }).waitFor();
    expect(await settings.getByLabel('Scan every (minutes)').getAttribute('aria-invalid')).toBe('true');
    expect((await adminApi('GET', `/api/integrations/${integrationId}/public-links/settings`)).updatedAt).toBeNull();
    // a day apart, so the schedule does not fire during the test; scans are started with "Scan now"
    await settings.getByLabel('Scan every (minutes)').fill('1440');
    await settings.getByRole('button', { name: 'Save public-link settings' }).click();
    await settings.getByText('Public-link settings saved: the scan runs on this schedule.').waitFor();
    await settings.getByText(/The scan runs every 1440 minutes/).waitFor();
    expect(await adminApi('GET', `/api/integrations/${integrationId}/public-links/settings`)).toMatchObject({
      enabled: true, testIds: [backendTest.id], intervalMinutes: 1440, lookBackDays: 14, onMatch: 'confirm', onNoMatch: 'confirm', schedule: { status: 'active' },
    });
    await shot('11-configuration-public-links');

    // Two candidates take the test through its public link: one has an opportunity in Lever, one has none.
    const address = `pat.public.${randomUUID().slice(0, 8)}@example.org`;
    // Lever's name differs from the test taker's in CodeSignal, so the page shows which is which
    const opportunity = leverSandbox.recruiter.createCandidate(accountId, { name: 'Patricia Public', emails: [address], stage: lever.seed.stageIds.phoneScreen, origin: 'sourced', userId: lever.seed.userIds.recruiter });
    const matched = codesignalSandbox.control.createPublicLinkSession(codesignal.seed.companyId, { testId: backendTest.id, email: address, firstName: 'Pat', lastName: 'Public', score: 800 });
    const unmatched = codesignalSandbox.control.createPublicLinkSession(codesignal.seed.companyId, { testId: backendTest.id, email: `nobody.${randomUUID().slice(0, 8)}@example.org`, firstName: 'Nora', lastName: 'Nobody', score: 120 });
    await settings.getByRole('button', { name: 'Scan now' }).click();
    await settings.getByText(/Scan done: 2 new session\(s\) taken up/).waitFor({ timeout: 30_000 });

    // ---- Sourcing: imported candidates with their creator, and the results waiting for a decision.
    await page.getByRole('link', { name: 'Sourcing' }).click();
    await page.getByRole('heading', { name: 'Imported candidates' }).waitFor();
    const createdRow = page.locator('#sourcing-candidates tbody tr', { hasText: 'csUiTest000000001' });
    // the candidate by name (the import kept it in the candidate directory), linked to their timeline, the ids under it
    const timeline = (opportunityId: string) => `#/integrations/${integrationId}/candidates/${opportunityId}`;
    expect(await createdRow.getByRole('link', { name: 'Ui Candidate' }).getAttribute('href')).toBe(timeline(imported.leverOpportunityId));
    await createdRow.getByText(imported.leverOpportunityId).waitFor();
    await createdRow.getByText('created', { exact: true }).waitFor();
    const creator = lever.seed.users.find((u) => u.email === mappedSourcer.email)!;
    await createdRow.getByText(creator.name).first().waitFor();
    await expect(createdRow.getByText('default user (unmapped)').count()).resolves.toBe(0);
    const fallbackRow = page.locator('#sourcing-candidates tbody tr', { hasText: 'csUiTest000000002' });
    await fallbackRow.getByText('default user (unmapped)').waitFor();
    await fallbackRow.getByRole('link', { name: 'Ui Fallback' }).waitFor();
    // no row shows ids alone: every imported candidate is named
    expect(await page.locator('#sourcing-candidates tbody tr').count()).toBe(2);
    expect(await page.locator('#sourcing-candidates tbody tr a[href*="/candidates/"]').count()).toBe(2);
    await fallbackRow.getByText('Una Mapped').waitFor();
    await fallbackRow.locator('.badge[class*="sync-"]').waitFor();

    // The session workflows record the sessions a moment after the scan, and the reported status is
    // synced to Lever in the background: Refresh until both sessions wait and both sides agree.
    const pendingRow = (sessionId: string) => page.locator(`#public-link-pending tbody tr[data-session="${sessionId}"]`);
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await pendingRow(matched.id).waitFor({ timeout: 1_000 });
      await pendingRow(unmatched.id).waitFor({ timeout: 1_000 });
      await createdRow.getByText('in sync', { exact: true }).waitFor({ timeout: 1_000 });
    }, 30_000, 200);
    await createdRow.getByText('Agreed: interviewing').waitFor();
    await createdRow.getByText(/from CodeSignal/).waitFor();
    await pendingRow(matched.id).getByText('One active opportunity has the e-mail').waitFor();
    expect(await pendingRow(matched.id).getByLabel(/Lever opportunity to post/).inputValue()).toBe(opportunity.id);
    // the match is named as Lever has it (the session's matching kept it in the directory), over its id
    const match = pendingRow(matched.id).locator(`.match[data-opportunity="${opportunity.id}"]`);
    expect(await match.getByRole('link', { name: 'Patricia Public' }).getAttribute('href')).toBe(timeline(opportunity.id));
    await match.getByText(opportunity.id).waitFor();
    await pendingRow(matched.id).getByText('Pat Public').waitFor(); // the test taker, as CodeSignal names them
    expect(await pendingRow(matched.id).locator(`datalist option[value="${opportunity.id}"]`).textContent()).toBe('Patricia Public');
    await pendingRow(unmatched.id).getByText('No active opportunity has the e-mail').waitFor();
    await shot('12-sourcing');

    // Post the matched result to its opportunity, dismiss the other: both move to the handled list.
    await pendingRow(matched.id).getByRole('button', { name: 'Post to opportunity' }).click();
    const handledRow = (sessionId: string) => page.locator(`#public-link-handled tbody tr[data-session="${sessionId}"]`);
    await handledRow(matched.id).getByText('posted', { exact: true }).waitFor({ timeout: 30_000 });
    await handledRow(matched.id).getByText(opportunity.id).waitFor();
    expect(await handledRow(matched.id).getByRole('link', { name: 'Patricia Public' }).getAttribute('href')).toBe(timeline(opportunity.id));
    page.once('dialog', (dialog) => void dialog.accept());
    await pendingRow(unmatched.id).getByRole('button', { name: 'Dismiss' }).click();
    await handledRow(unmatched.id).getByText('dismissed', { exact: true }).waitFor();
    await page.getByText('No public-link result is waiting for a decision.').waitFor();
    const notes = leverSandbox.recruiter.inspect(accountId, opportunity.id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
    expect(notes.filter((t) => t.startsWith('CodeSignal result:'))).toHaveLength(1);
    await shot('13-sourcing-decided');

    // A name opens the candidate's timeline.
    await page.locator('#sourcing-candidates').getByRole('link', { name: 'Ui Candidate' }).click();
    await page.getByRole('heading', { name: 'Ui Candidate' }).waitFor();
    await page.getByText('ui-candidate@example.net').first().waitFor();
  }
});
