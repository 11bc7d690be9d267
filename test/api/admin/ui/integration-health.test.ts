import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../../../src/api/admin/admin-users';
import { recordWebhookDelivery, type WebhookDelivery } from '../../../../src/db/webhook-deliveries';
import { keyCheck } from '../../../../src/integrations/key-checks/key-check';
import { recordKeyTest, storedKeyVersion } from '../../../../src/integrations/key-checks/key-test-results';
import type { Integration } from '../../../../src/integrations/repository';
import { chromiumPath, launchChromium, watchPage } from '../../../support/browser';
import { isolatedDatabase, type IsolatedDatabase } from '../../../support/isolated-database';
import { eventually, insertIntegration, startStack, testDataConverter, type TestStack } from '../../../support/stack';

/**
 * The integrations list's health line in a real browser: what an unhealthy integration shows (refused
 * deliveries, keys lacking permissions, failures with a link to Activity's failures), and a Temporal that does
 * not answer. The deliveries and TEST results are recorded directly, at chosen times; the API test
 * (test/api/admin/integration-health.test.ts) makes them through the real routes.
 */
describe('integration health on the integrations list', () => {
  let stack: TestStack;
  let database: IsolatedDatabase;
  let integration: Integration;
  const admin = { email: 'health-ops@example.com', password: 'a long health password' };
  const ago = (ms: number) => new Date(Date.now() - ms);
  const minutes = 60_000;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
    // A database of its own: the list shows only this file's integration.
    database = await isolatedDatabase('ui_health');
    stack = await startStack({ worker: false, config: { DATABASE_URL: database.url } });
    await ensureAdmin(stack.db, admin.email, admin.password);
    integration = await insertIntegration(stack.db, { name: 'Acme unhealthy' });
    const delivery = (d: Pick<WebhookDelivery, 'source' | 'outcome' | 'httpStatus' | 'receivedAt'>) =>
      recordWebhookDelivery(stack.db, { integrationId: integration.id, event: 'candidateStageChange', reason: null, opportunityId: null, workflowId: null, ...d });
    await delivery({ source: 'lever', outcome: 'accepted', httpStatus: 202, receivedAt: ago(125 * minutes) });
    await delivery({ source: 'lever', outcome: 'rejected', httpStatus: 401, receivedAt: ago(0) });
    await delivery({ source: 'feed', outcome: 'failed', httpStatus: 502, receivedAt: ago(10 * minutes) });
    const tested = async (service: 'lever' | 'codesignal', keyValid: boolean, missing: string[], at: Date) => {
      const check = keyCheck(keyValid, missing.map((name) => ({ name, scope: name, granted: false })), at);
      expect(await recordKeyTest(stack.db, integration.id, service, (await storedKeyVersion(stack.db, integration.id, service))!, check)).toBe(true);
    };
    await tested('lever', true, ['read stage', 'list stages'], ago(3 * 60 * minutes));
    await tested('codesignal', false, [], ago(5 * minutes));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  });

  /** One test, so one browser for it alone. */
  async function inBrowser(walk: (page: Page) => Promise<void>) {
    const browser: Browser = await launchChromium();
    try {
      await walk(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
    } finally {
      await browser.close();
    }
  }

  it('shows what is wrong in words, links to Activity, and says when Temporal did not answer', () => inBrowser(async (page) => {
    const health = () => page.locator('table.list tr', { hasText: 'Acme unhealthy' }).locator('.health');
    await watchPage(page).walk('integration-health', async () => {
      await page.goto(`${stack.baseUrl}/admin/`);
      await page.getByLabel('E-mail').fill(admin.email);
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await health().getByText('2 failures in 24 h (2 deliveries)').waitFor();
      expect(await health().innerText()).toBe(
        'Lever: last delivery just now (rejected; last accepted 2 h ago) · CodeSignal: no delivery yet · Status feed: last delivery 10 min ago (failed; none accepted yet)' +
          ' · Keys: Lever missing 2 permissions (tested 3 h ago); CodeSignal key refused (tested 5 min ago) · 2 failures in 24 h (2 deliveries) — see Activity',
      );
      expect(await health().getByText(/^Lever missing/).getAttribute('title')).toBe('Missing: read stage, list stages');
      // the link opens Activity filtered to what it counted: failed and rejected deliveries
      expect(await health().getByRole('link', { name: 'see Activity' }).getAttribute('href')).toBe(`#/integrations/${integration.id}/activity/failures`);
    });

    // Followed outside the watched walk: Activity reads the stage names from Lever, which this stack has
    // no sandbox of (its 5xx is expected, and the page goes on without them).
    await health().getByRole('link', { name: 'see Activity' }).click();
    const rows = page.locator('#deliveries tbody tr');
    const filterLine = page.locator('#deliveries-filter');
    await filterLine.getByText('Showing failed and rejected deliveries only.').waitFor();
    expect(await page.getByLabel('Show deliveries').inputValue()).toBe('failures');
    await eventually(async () => expect(await rows.count()).toBe(2));
    expect(await rows.locator('.badge').allInnerTexts()).toEqual(['rejected', 'failed']);
    // cleared: all deliveries, the filter line gone
    await filterLine.getByRole('link', { name: 'Show all deliveries' }).click();
    await eventually(async () => expect(await rows.count()).toBe(3));
    expect(page.url()).toMatch(new RegExp(`#/integrations/${integration.id}/activity$`));
    expect(await filterLine.count()).toBe(0);
    expect(await page.getByLabel('Show deliveries').inputValue()).toBe('');
    // the select chooses a filter by its route
    await page.getByLabel('Show deliveries').selectOption('failed');
    await page.waitForURL(new RegExp(`#/integrations/${integration.id}/activity/failed$`));
    await filterLine.getByText('Showing failed deliveries only.').waitFor();
    await eventually(async () => expect(await rows.count()).toBe(1));

    // The same database behind an API whose Temporal does not answer: the list still shows, runs unknown.
    const dead = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), dataConverter: testDataConverter() });
    const down = await startStack({ worker: false, temporal: dead, config: { DATABASE_URL: database.url, TEMPORAL_RPC_TIMEOUT_MS: '1000' } });
    try {
      await page.goto(`${down.baseUrl}/admin/`); // still logged in: a cookie is the host's, whatever the port, and the sessions are in the same database
      await health().getByText('2 failures in 24 h (2 deliveries; runs unknown: Temporal did not answer)').waitFor();
    } finally {
      await down.stop();
    }
  }));
});
