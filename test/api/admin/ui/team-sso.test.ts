import { useAdminUi } from '../../../support/admin-ui';
import { startOidcProvider, type TestOidcProvider } from '../../../support/oidc-provider';
import { screenshotPath } from '../../../support/screenshots';

/**
 * The team and single sign-on in a real browser against the real API and a real OpenID Connect provider
 * (oidc-provider on a loopback port, its own log-in page filled in): the owner signs in with SSO and
 * invites a viewer on the Team page; the viewer signs in with SSO (which accepts the invitation), sees no
 * control that saves on the integration's pages, and the API refuses their PUT with 403; the owner's audit
 * log shows the walkthrough. Screenshot: 19-team.
 */
describe('team page and single sign-on', () => {
  const owner = { email: 'team-owner@example.com', password: 'a long team owner password' };
  const viewer = 'team-viewer@example.com';
  const invitedAdmin = 'team-admin@example.com';
  let idp: TestOidcProvider;
  const harnessConfig: Record<string, string> = {};
  beforeAll(async () => {
    idp = await startOidcProvider('Test IdP');
    Object.assign(harnessConfig, idp.config);
  });
  const world = useAdminUi(owner, { name: 'Acme hiring', config: harnessConfig });
  afterAll(async () => {
    await idp?.close();
  });

  it('owner signs in with SSO and invites a viewer; the viewer signs in with SSO, cannot save, and the audit log shows it', async () => {
    await idp.register(`${world.h.stack.baseUrl}/api/session/oidc/callback`);
    await world.ui.watched.walk('team-sso-ui', walkThrough);
  }, 240_000);

  async function ssoSignIn(email: string) {
    const { page } = world.ui;
    await page.goto(`${world.h.stack.baseUrl}/admin/#/login`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    // the provider's own log-in page
    await page.locator('input[name=login]').fill(email);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
  }

  async function logOut() {
    const { page } = world.ui;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Admin log-in' }).waitFor();
    // the provider remembers who signed in there: a new person, a new browser session
    await page.context().clearCookies();
  }

  async function walkThrough() {
    const { page } = world.ui;
    const integration = world.h.integration;

    // the owner, through SSO
    await ssoSignIn(owner.email);
    await page.getByRole('link', { name: 'Team', exact: true }).click();
    await page.getByRole('heading', { name: 'Team', exact: true }).waitFor();
    for (const [email, role] of [[invitedAdmin, 'admin'], [viewer, 'viewer']] as const) {
      await page.locator('#invite input[name=invite-email]').fill(email);
      await page.locator('#invite select[name=invite-role]').selectOption(role);
      await page.locator('#invite').getByRole('checkbox', { name: integration.name }).check();
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      await page.getByText(`Invited ${email}.`).waitFor();
    }
    const link = await page.locator('#invitation-link textarea').inputValue();
    expect(link).toMatch(/\/admin\/#\/invitation\/[A-Za-z0-9_-]{43}$/);
    await page.locator('table#invitations tbody tr', { hasText: viewer }).waitFor();
    await logOut();

    // the viewer, through SSO: the pending invitation is accepted with it
    await ssoSignIn(viewer);
    await page.getByText('viewer', { exact: true }).first().waitFor();
    await expect(page.getByRole('link', { name: 'Team', exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'New integration' }).isVisible()).resolves.toBe(false);
    await page.getByRole('link', { name: integration.name }).click();
    await page.getByRole('heading', { name: /Lever/ }).first().waitFor();
    await expect(page.getByRole('button', { name: 'SAVE', exact: true }).count()).resolves.toBe(0);
    await world.ui.open('configuration');
    await page.getByLabel('Notify the opportunity’s followers when results are posted').waitFor();
    await expect(page.getByRole('button', { name: 'SAVE', exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'SAVE AS DRAFT (DRY RUN)' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('Notify the opportunity’s followers when results are posted').isDisabled()).resolves.toBe(true);
    // the API is the guarantee: the viewer's own session and CSRF token, a PUT of the settings
    const [status, body] = await page.evaluate(async (id) => {
      const me = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const current = (await (await fetch(`/api/integrations/${id}`)).json()) as { settings: unknown };
      const res = await fetch(`/api/integrations/${id}/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(current.settings) });
      return [res.status, await res.json()] as const;
    }, integration.id);
    expect(status).toBe(403);
    expect(body).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/viewers have read-only access/) });
    await logOut();

    // the owner again (password), on the audit log and the team
    await world.ui.logIn();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.locator('table#audit tbody tr');
    const row = (action: string, who: string) => rows.filter({ hasText: action }).filter({ hasText: who }).first();
    await row('sign-in (SSO)', owner.email).waitFor();
    await row('admin invited', owner.email).filter({ hasText: `admin=${viewer}` }).waitFor();
    await row('invitation accepted', viewer).waitFor();
    await row('sign-in (SSO)', viewer).waitFor();
    const refused = await row('settings changed', viewer).locator('td').allInnerTexts();
    expect(refused[6]).toBe('403');

    await page.getByRole('link', { name: 'Team', exact: true }).click();
    const viewerRow = page.locator('table#team tbody tr', { hasText: viewer });
    await viewerRow.waitFor();
    await expect(viewerRow.getByRole('combobox').inputValue()).resolves.toBe('viewer');
    await expect(viewerRow.getByRole('checkbox', { name: integration.name }).isChecked()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('19-team'), fullPage: true });
  }
});
