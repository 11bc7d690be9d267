import { randomUUID } from 'node:crypto';
import { ensureAdmin } from '../../../src/api/admin/admin-users';
import { adminToken, startStack, type TestStack } from '../../support/stack';

/** A browser's cookie jar for one origin, enough for the admin session. */
function browser(baseUrl: string) {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('lcs.sid='));
    if (set) cookie = set.split(';')[0];
    return res;
  };
  return {
    request,
    get cookie() {
      return cookie;
    },
    async logIn(email: string, password: string) {
      const res = await request('POST', '/api/session', { email, password });
      if (res.status === 201) csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
      return res;
    },
    get csrf() {
      return csrf!;
    },
  };
}

describe('admin log-in, session cookie and CSRF', () => {
  let stack: TestStack;
  const email = `ops-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const newIntegration = () => ({ name: `UI ${randomUUID().slice(0, 6)}`, lever: { apiKey: 'lever-key-0123456789', webhookSigningTokens: [] }, codesignal: { apiKey: 'cs-key-0123456789' } });

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    await ensureAdmin(stack.db, email, password);
  });
  afterAll(() => stack.stop());

  it('refuses a wrong password with the same answer as an unknown e-mail, and sets no session', async () => {
    const b = browser(stack.baseUrl);
    const wrong = await b.logIn(email, 'not the password');
    const unknown = await b.logIn(`nobody-${randomUUID()}@example.com`, password);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(b.cookie).toBeUndefined();
    expect((await b.request('GET', '/api/integrations')).status).toBe(401);
  });

  it('logs in with an HttpOnly SameSite cookie kept in PostgreSQL, and the admin API answers', async () => {
    const b = browser(stack.baseUrl);
    const res = await b.logIn(email.toUpperCase(), password);
    expect(res.status).toBe(201);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('lcs.sid='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toContain(email);
    const sid = decodeURIComponent(b.cookie!.slice('lcs.sid='.length)).replace(/^s:/, '').split('.')[0];
    const { rows } = await stack.db.query('SELECT sess FROM admin_sessions WHERE sid = $1', [sid]);
    expect(rows).toHaveLength(1);

    const me = await b.request('GET', '/api/session');
    expect(await me.json()).toMatchObject({ email, csrfToken: b.csrf });
    expect((await b.request('GET', '/api/integrations')).status).toBe(200);
  });

  it('refuses state-changing requests from the session without its CSRF token', async () => {
    const b = browser(stack.baseUrl);
    await b.logIn(email, password);
    const missing = await b.request('POST', '/api/integrations', newIntegration());
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: 'invalid_csrf_token' });
    const forged = await b.request('POST', '/api/integrations', newIntegration(), { 'x-csrf-token': 'forged-token' });
    expect(forged.status).toBe(403);

    const other = browser(stack.baseUrl);
    await other.logIn(email, password);
    const someoneElses = await b.request('POST', '/api/integrations', newIntegration(), { 'x-csrf-token': other.csrf });
    expect(someoneElses.status).toBe(403);

    const ok = await b.request('POST', '/api/integrations', newIntegration(), { 'x-csrf-token': b.csrf });
    expect(ok.status).toBe(201);
  });

  it('gives a new session id at log-in, so a planted session is worthless', async () => {
    const b = browser(stack.baseUrl);
    await b.logIn(email, password);
    const first = b.cookie;
    await b.logIn(email, password);
    expect(b.cookie).not.toEqual(first);
    const stale = await fetch(`${stack.baseUrl}/api/integrations`, { headers: { cookie: first! } });
    expect(stale.status).toBe(401);
  });

  it('logs out: the session row is gone and the cookie no longer works', async () => {
    const b = browser(stack.baseUrl);
    await b.logIn(email, password);
    const cookie = b.cookie!;
    expect((await b.request('DELETE', '/api/session')).status).toBe(403);
    expect((await b.request('DELETE', '/api/session', undefined, { 'x-csrf-token': b.csrf })).status).toBe(204);
    expect((await fetch(`${stack.baseUrl}/api/integrations`, { headers: { cookie } })).status).toBe(401);
  });

  it('ends the sessions of an admin whose password is reset, and takes the new password only', async () => {
    const resetEmail = `reset-${randomUUID().slice(0, 8)}@example.com`;
    await ensureAdmin(stack.db, resetEmail, password);
    const b = browser(stack.baseUrl);
    await b.logIn(resetEmail, password);
    const stillIn = browser(stack.baseUrl);
    await stillIn.logIn(email, password);
    // The same password again changes nothing.
    await ensureAdmin(stack.db, resetEmail, password);
    expect((await b.request('GET', '/api/integrations')).status).toBe(200);

    await ensureAdmin(stack.db, resetEmail, 'a brand new password');
    expect((await b.request('GET', '/api/integrations')).status).toBe(401);
    expect((await stillIn.request('GET', '/api/integrations')).status).toBe(200);
    expect((await browser(stack.baseUrl).logIn(resetEmail, password)).status).toBe(401);
    expect((await browser(stack.baseUrl).logIn(resetEmail, 'a brand new password')).status).toBe(201);
  });

  it('still takes the bearer token for scripts, and refuses a wrong one even with a session', async () => {
    expect((await fetch(`${stack.baseUrl}/api/integrations`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
    const b = browser(stack.baseUrl);
    await b.logIn(email, password);
    expect((await b.request('GET', '/api/integrations', undefined, { authorization: 'Bearer wrong-token' })).status).toBe(401);
  });

  it('slows password guessing: the 11th wrong attempt for an account is refused with 429', async () => {
    const target = `guess-${randomUUID().slice(0, 8)}@example.com`;
    await ensureAdmin(stack.db, target, password);
    const b = browser(stack.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await b.logIn(target, `guess-${i}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Even the right password waits out the window.
    expect((await b.logIn(target, password)).status).toBe(429);
  });

  it('answers malformed log-in bodies with a 400 naming the field', async () => {
    const res = await fetch(`${stack.baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.com' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/password/);
  });

  it('serves the web UI with a strict content security policy', async () => {
    const res = await fetch(`${stack.baseUrl}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('/admin/assets/app.js');
    expect((await fetch(`${stack.baseUrl}/admin/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${stack.baseUrl}/admin/assets/nope.js`)).status).toBe(404);
  });
});
