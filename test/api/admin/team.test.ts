import { randomUUID } from 'node:crypto';
import { ensureAdmin } from '../../../src/api/admin/admin-users';
import { ruleFor } from '../../../src/api/admin/roles';
import type { Integration } from '../../../src/integrations/repository';
import { cookieClient } from '../../support/cookie-client';
import { isolatedDatabase, type IsolatedDatabase } from '../../support/isolated-database';
import { adminToken, insertIntegration, startStack, type TestStack } from '../../support/stack';

/**
 * Roles, invitations and disabling (README "Team and single sign-on") against the real API, on a database
 * of the file's own: the last-owner rule counts every owner in the table.
 */
describe('a team of admins: roles, invitations, disabling', () => {
  let isolated: IsolatedDatabase;
  let stack: TestStack;
  let mine: Integration;
  let other: Integration;
  const owner = { email: `owner-${randomUUID().slice(0, 8)}@example.com`, password: 'the owner password 123' };
  const password = 'an invited admin password';

  beforeAll(async () => {
    isolated = await isolatedDatabase('team');
    stack = await startStack({ worker: false, config: { DATABASE_URL: isolated.url } });
    await ensureAdmin(stack.db, owner.email, owner.password);
    mine = await insertIntegration(stack.db);
    other = await insertIntegration(stack.db);
  });
  afterAll(async () => {
    await stack.stop();
    await isolated.drop();
  });

  const asOwner = async () => {
    const c = cookieClient(stack.baseUrl);
    expect((await c.logIn(owner.email, owner.password)).status).toBe(201);
    return c;
  };

  /** Invites through the API as the owner and accepts the link with a password: the new admin, logged in. */
  async function invited(role: 'admin' | 'viewer' | 'owner', integrationIds: string[]) {
    const o = await asOwner();
    const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
    const res = await o.request('POST', '/api/team/invitations', { email, role, integrationIds });
    expect(res.status).toBe(201);
    const { link } = (await res.json()) as { link: string };
    expect(link).toMatch(new RegExp(`^${stack.baseUrl}/admin/#/invitation/[A-Za-z0-9_-]{43}$`));
    const token = link.split('/').pop()!;
    const c = cookieClient(stack.baseUrl);
    const accepted = await c.request('POST', '/api/invitations/accept', { token, password });
    expect(accepted.status).toBe(201);
    const me = (await accepted.json()) as { email: string; role: string; integrationIds: string[] | null; csrfToken: string };
    c.useCsrf(me.csrfToken);
    return { c, email, token, me };
  }

  it('classifies every admin path; what it does not know is owner-only', () => {
    const id = randomUUID();
    expect(ruleFor('PUT', `/api/integrations/${id}/settings`)).toEqual({ kind: 'integration', integrationId: id });
    expect(ruleFor('GET', '/api/integrations')).toEqual({ kind: 'integration-list' });
    expect(ruleFor('POST', '/api/integrations')).toEqual({ kind: 'owner' });
    expect(ruleFor('POST', '/api/setup/lever/test')).toEqual({ kind: 'owner' });
    expect(ruleFor('GET', '/api/team')).toEqual({ kind: 'owner' });
    expect(ruleFor('POST', '/codec/decode')).toEqual({ kind: 'owner' });
    expect(ruleFor('GET', '/temporal/namespaces')).toEqual({ kind: 'owner' });
    expect(ruleFor('GET', '/api/something-new')).toEqual({ kind: 'owner' });
    expect(ruleFor('GET', '/api/audit')).toEqual({ kind: 'audit' });
    expect(ruleFor('POST', '/api/session')).toEqual({ kind: 'self' });
    expect(ruleFor('GET', '/api/session/oidc/callback')).toEqual({ kind: 'self' });
  });

  it('a viewer reads the integrations given, gets 403 naming why on every change, and can log out', async () => {
    const { c, me } = await invited('viewer', [mine.id]);
    expect(me).toMatchObject({ role: 'viewer', integrationIds: [mine.id] });
    expect((await c.request('GET', `/api/integrations/${mine.id}`)).status).toBe(200);
    const settings = ((await (await c.request('GET', `/api/integrations/${mine.id}`)).json()) as { settings: unknown }).settings;
    const put = await c.request('PUT', `/api/integrations/${mine.id}/settings`, settings);
    expect(put.status).toBe(403);
    expect(await put.json()).toEqual({ error: 'forbidden', message: expect.stringMatching(/viewers have read-only access/) });
    expect((await c.request('PATCH', `/api/integrations/${mine.id}`, { name: 'renamed by a viewer' })).status).toBe(403);
    expect((await c.request('POST', '/api/integrations', { name: 'x' })).status).toBe(403);
    expect((await c.request('GET', `/api/integrations/${other.id}`)).status).toBe(403);
    const list = (await (await c.request('GET', '/api/integrations')).json()) as { integrations: Array<{ id: string }> };
    expect(list.integrations.map((i) => i.id)).toEqual([mine.id]);
    expect((await c.request('GET', '/api/team')).status).toBe(403);
    // the refused change is in the audit log, with who
    const audit = await fetch(`${stack.baseUrl}/api/audit?action=settings`, { headers: { authorization: `Bearer ${adminToken}` } });
    const entries = ((await audit.json()) as { entries: Array<{ actor: string; outcome: number; integrationId: string }> }).entries;
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: me.email, outcome: 403, integrationId: mine.id })]));
    expect((await c.request('DELETE', '/api/session')).status).toBe(204);
  });

  it('an admin changes the integration given, gets 403 on another, and sees only theirs in the list and the audit log', async () => {
    const { c } = await invited('admin', [mine.id]);
    const renamed = await c.request('PATCH', `/api/integrations/${mine.id}`, { name: `Mine ${randomUUID().slice(0, 6)}` });
    expect(renamed.status).toBe(200);
    const refused = await c.request('PATCH', `/api/integrations/${other.id}`, { name: 'not mine' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden', message: expect.stringMatching(/not one of the integrations given to you/) });
    expect((await c.request('GET', `/api/integrations/${other.id}/activity`)).status).toBe(403);
    const list = (await (await c.request('GET', '/api/integrations')).json()) as { integrations: Array<{ id: string }> };
    expect(list.integrations.map((i) => i.id)).toEqual([mine.id]);
    expect((await c.request('POST', '/api/integrations', { name: 'x' })).status).toBe(403);
    expect((await c.request('POST', '/api/team/invitations', { email: 'x@example.com', role: 'owner' })).status).toBe(403);
    const audit = (await (await c.request('GET', '/api/audit')).json()) as { entries: Array<{ integrationId: string | null }> };
    expect(audit.entries.length).toBeGreaterThan(0);
    expect(audit.entries.every((e) => e.integrationId === mine.id)).toBe(true);
    expect((await c.request('GET', `/api/audit?integrationId=${other.id}`)).status).toBe(403);
  });

  it('the owner lists the team, changes a role (audited before → after), and an invitation works once', async () => {
    const { c, email, token } = await invited('viewer', [mine.id]);
    // used once
    expect((await cookieClient(stack.baseUrl).request('POST', '/api/invitations/accept', { token, password })).status).toBe(404);
    const o = await asOwner();
    const team = (await (await o.request('GET', '/api/team')).json()) as { admins: Array<{ id: string; email: string; role: string; integrationIds: string[] }> };
    const viewer = team.admins.find((a) => a.email === email)!;
    expect(viewer).toMatchObject({ role: 'viewer', integrationIds: [mine.id] });

    const changed = await o.request('PUT', '/api/team/admins/access', { adminId: viewer.id, role: 'admin', integrationIds: [mine.id, other.id] });
    expect(changed.status).toBe(200);
    // at once, in the running session
    expect((await c.request('PATCH', `/api/integrations/${other.id}`, { name: `Other ${randomUUID().slice(0, 6)}` })).status).toBe(200);
    const entries = ((await (await o.request('GET', '/api/audit?action=role')).json()) as { entries: Array<{ actor: string; target: string; details: unknown }> }).entries;
    expect(entries[0]).toMatchObject({
      actor: owner.email,
      target: `admin=${email}`,
      details: { changes: expect.arrayContaining([{ path: 'role', before: 'viewer', after: 'admin' }]) },
    });

    // bad input names the problem
    const bad = await o.request('POST', '/api/team/invitations', { email: 'not-an-email', role: 'boss' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/email[\s\S]*role|role[\s\S]*email/);
    expect((await o.request('POST', '/api/team/invitations', { email, role: 'viewer' })).status).toBe(409);
    expect((await o.request('POST', '/api/team/invitations', { email: `x-${randomUUID().slice(0, 6)}@example.com`, role: 'admin', integrationIds: [randomUUID()] })).status).toBe(400);
    // a revoked invitation's link is dead
    const pending = (await (await o.request('POST', '/api/team/invitations', { email: `r-${randomUUID().slice(0, 6)}@example.com`, role: 'viewer' })).json()) as { invitation: { id: string }; link: string };
    expect((await o.request('POST', '/api/team/invitations/revoke', { invitationId: pending.invitation.id })).status).toBe(200);
    expect((await cookieClient(stack.baseUrl).request('POST', '/api/invitations/accept', { token: pending.link.split('/').pop(), password })).status).toBe(404);
  });

  it('a disabled admin’s session is dead at once and their log-in refused; enabled again, they log in', async () => {
    const { c, email } = await invited('admin', [mine.id]);
    const o = await asOwner();
    const id = ((await (await o.request('GET', '/api/team')).json()) as { admins: Array<{ id: string; email: string }> }).admins.find((a) => a.email === email)!.id;
    expect((await o.request('POST', '/api/team/admins/disable', { adminId: id })).status).toBe(200);
    expect((await c.request('GET', '/api/integrations')).status).toBe(401);
    const { rows } = await stack.db.query(`SELECT 1 FROM admin_sessions WHERE sess->>'adminUserId' = $1`, [id]);
    expect(rows).toEqual([]);
    const refused = await cookieClient(stack.baseUrl).logIn(email, password);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'admin_disabled' });
    expect((await o.request('POST', '/api/team/admins/enable', { adminId: id })).status).toBe(200);
    expect((await cookieClient(stack.baseUrl).logIn(email, password)).status).toBe(201);
    const actions = ((await (await o.request('GET', `/api/audit?actor=${encodeURIComponent(owner.email)}&action=admin`)).json()) as { entries: Array<{ action: string; target: string }> }).entries;
    expect(actions.filter((e) => e.target === `admin=${email}`).map((e) => e.action)).toEqual(['admin enabled', 'admin disabled', 'admin invited']);
  });

  it('the last enabled owner can be neither disabled nor demoted (409); with a second owner, they can', async () => {
    const o = await asOwner();
    const team = async () => ((await (await o.request('GET', '/api/team')).json()) as { admins: Array<{ id: string; email: string; role: string; disabled: boolean }> }).admins;
    const me = (await team()).find((a) => a.email === owner.email)!;
    const disable = await o.request('POST', '/api/team/admins/disable', { adminId: me.id });
    expect(disable.status).toBe(409);
    expect(await disable.json()).toMatchObject({ error: 'last_owner', message: expect.stringMatching(/without an enabled owner/) });
    const demote = await o.request('PUT', '/api/team/admins/access', { adminId: me.id, role: 'viewer', integrationIds: [] });
    expect(demote.status).toBe(409);
    const second = await invited('owner', []);
    expect(second.me).toMatchObject({ role: 'owner', integrationIds: null });
    const secondId = (await team()).find((a) => a.email === second.email)!.id;
    expect((await o.request('PUT', '/api/team/admins/access', { adminId: secondId, role: 'viewer', integrationIds: [] })).status).toBe(200);
    expect((await o.request('POST', '/api/team/admins/disable', { adminId: me.id })).status).toBe(409);
    // the bearer token is an owner too, and the token holder may restore the second owner
    expect((await fetch(`${stack.baseUrl}/api/team/admins/access`, { method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ adminId: secondId, role: 'owner' }) })).status).toBe(200);
  });

  it('writes no token or password into the audit log', async () => {
    const { token } = await invited('viewer', []);
    const { rows } = await stack.db.query<{ row: string }>('SELECT row_to_json(a)::text AS row FROM audit_log a');
    const all = rows.map((r) => r.row).join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(password);
    expect(all).not.toContain(owner.password);
  });
});
