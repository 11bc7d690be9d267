import { randomUUID } from 'node:crypto';
import { ensureAdmin } from '../../../src/api/admin/admin-users';
import { cookieClient, submitProviderLogin } from '../../support/cookie-client';
import { startOidcProvider, type TestOidcProvider } from '../../support/oidc-provider';
import { adminToken, insertIntegration, startStack, type TestStack } from '../../support/stack';

/**
 * OpenID Connect sign-in (README "Team and single sign-on") through a real provider (oidc-provider on a
 * loopback port), walked by an HTTP client that keeps cookies and follows redirects as a browser does:
 * the service → the provider's log-in page → the service's callback.
 */
describe('single sign-on with OpenID Connect', () => {
  let idp: TestOidcProvider;
  let stack: TestStack;
  const owner = { email: `sso-owner-${randomUUID().slice(0, 8)}@example.com`, password: 'the sso owner password' };

  beforeAll(async () => {
    idp = await startOidcProvider('Test IdP');
    stack = await startStack({ worker: false, config: idp.config });
    await idp.register(`${stack.baseUrl}/api/session/oidc/callback`);
    await ensureAdmin(stack.db, owner.email, owner.password);
  });
  afterAll(async () => {
    await stack.stop();
    await idp.close();
  });

  /** Starts a sign-in at the service and signs in as `login` on the provider's page: where the browser ends. */
  async function signIn(login: string, client = cookieClient(stack.baseUrl)) {
    const providerPage = await client.follow('/api/session/oidc');
    expect(providerPage.url.startsWith(idp.issuer)).toBe(true);
    const end = await submitProviderLogin(client, providerPage, login);
    return { client, end };
  }

  const auditOf = async (actor: string) =>
    ((await (await fetch(`${stack.baseUrl}/api/audit?action=SSO&actor=${encodeURIComponent(actor)}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as {
      entries: Array<{ actor: string; outcome: number; details: Record<string, unknown> }>;
    }).entries;

  it('tells the log-in page the provider’s name', async () => {
    expect(await (await fetch(`${stack.baseUrl}/api/session/sso`)).json()).toEqual({ enabled: true, name: 'Test IdP', startUrl: '/api/session/oidc' });
  });

  it('signs an existing admin in through the whole code flow (PKCE, state, nonce) with a new session id and CSRF token', async () => {
    const client = cookieClient(stack.baseUrl);
    const start = await client.raw('/api/session/oidc');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${stack.baseUrl}/api/session/oidc/callback`);

    const { end } = await signIn(owner.email, client);
    expect(end.url).toBe(`${stack.baseUrl}/admin/#/`);
    const me = await client.session();
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: owner.email, role: 'owner', integrationIds: null });
    // the session works, CSRF included
    const integration = await insertIntegration(stack.db);
    expect((await client.request('PATCH', `/api/integrations/${integration.id}`, { name: `SSO ${randomUUID().slice(0, 6)}` })).status).toBe(200);
    expect((await auditOf(owner.email))[0]).toMatchObject({ actor: owner.email, outcome: 302, details: { via: 'Test IdP' } });
  });

  it('issues a new session id at the sign-in: a session planted before it is worth nothing', async () => {
    const client = cookieClient(stack.baseUrl);
    const start = await client.raw('/api/session/oidc');
    const planted = start.headers.getSetCookie().find((c) => c.startsWith('lcs.sid='))!.split(';')[0]!;
    const page = await client.follow(start.headers.get('location')!);
    await submitProviderLogin(client, page, owner.email);
    expect((await client.session()).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/api/integrations`, { headers: { cookie: planted } })).status).toBe(401);
  });

  it('refuses an e-mail that is no admin and has no invitation, with a clear answer, and records it', async () => {
    const stranger = `stranger-${randomUUID().slice(0, 8)}@example.com`;
    const { client, end } = await signIn(stranger);
    expect(end.res.status).toBe(403);
    expect(await end.res.json()).toEqual({ error: 'sso_unknown_admin', message: expect.stringContaining(`${stranger} is not an admin`) });
    expect((await client.session()).status).toBe(401);
    expect((await auditOf(stranger))[0]).toMatchObject({ outcome: 403, details: { refused: 'sso_unknown_admin' } });
  });

  it('refuses an e-mail the provider has not verified, even an admin’s', async () => {
    const unverified = `unverified-${randomUUID().slice(0, 8)}@example.com`;
    await ensureAdmin(stack.db, unverified, 'an unverified admin password');
    const { client, end } = await signIn(unverified);
    expect(end.res.status).toBe(403);
    expect(await end.res.json()).toMatchObject({ error: 'sso_email_unverified' });
    expect((await client.session()).status).toBe(401);
  });

  it('refuses a callback whose state is not the one this browser started, and one never started', async () => {
    const client = cookieClient(stack.baseUrl);
    const start = await client.raw('/api/session/oidc');
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('state', 'a-state-of-someone-elses');
    // the provider sends the code back with the forged state
    const page = await client.follow(authorize.href);
    const end = await submitProviderLogin(client, page, owner.email);
    expect(end.res.status).toBe(400);
    expect(await end.res.json()).toMatchObject({ error: 'sso_state_mismatch' });
    expect((await client.session()).status).toBe(401);

    const never = await fetch(`${stack.baseUrl}/api/session/oidc/callback?code=x&state=y`);
    expect(never.status).toBe(400);
    expect(await never.json()).toMatchObject({ error: 'sso_not_started' });
    // a browser gets a page saying why
    const page2 = await fetch(`${stack.baseUrl}/api/session/oidc/callback?code=x&state=y`, { headers: { accept: 'text/html' } });
    expect(page2.status).toBe(400);
    expect(await page2.text()).toContain('Sign-in refused');
  });

  it('accepts a pending invitation by SSO with its role and integrations, and refuses a disabled admin', async () => {
    const integration = await insertIntegration(stack.db);
    const invitee = `invitee-${randomUUID().slice(0, 8)}@example.com`;
    const o = cookieClient(stack.baseUrl);
    await o.logIn(owner.email, owner.password);
    expect((await o.request('POST', '/api/team/invitations', { email: invitee, role: 'viewer', integrationIds: [integration.id] })).status).toBe(201);
    const { client, end } = await signIn(invitee);
    expect(end.url).toBe(`${stack.baseUrl}/admin/#/`);
    expect((await client.session()).body).toMatchObject({ email: invitee, role: 'viewer', integrationIds: [integration.id] });

    const team = (await (await o.request('GET', '/api/team')).json()) as { admins: Array<{ id: string; email: string; password: boolean }> };
    const admin = team.admins.find((a) => a.email === invitee)!;
    expect(admin.password).toBe(false);
    expect((await o.request('POST', '/api/team/admins/disable', { adminId: admin.id })).status).toBe(200);
    expect((await client.session()).status).toBe(401);
    const again = await signIn(invitee);
    expect(again.end.res.status).toBe(403);
    expect(await again.end.res.json()).toMatchObject({ error: 'admin_disabled' });
  });
});
