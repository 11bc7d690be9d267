import { createLeverSandbox } from '../../../sandbox/lever/index';
import { basic, startHarness, type Harness } from './harness';

describe('Lever sandbox: authentication and permissions', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(() => h.close());

  it('accepts HTTP Basic with the key as username and an empty password, and Bearer', async () => {
    const viaBasic = await h.api('GET', '/stages', { auth: basic(h.seed.apiKey) });
    const viaBearer = await h.api('GET', '/stages', { auth: `Bearer ${h.seed.apiKey}` });
    expect(viaBasic.status).toBe(200);
    expect(viaBearer.status).toBe(200);
    expect(viaBasic.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(viaBasic.headers.get('server')).toBe('lever-data-api');
  });

  it.each([
    ['no credentials', undefined],
    ['an unknown key', basic('not-a-real-key')],
    ['an empty username', basic('')],
    ['a malformed header', 'Token abc'],
  ])('answers 401 {code:Unauthorized} for %s', async (_label, auth) => {
    const res = await h.api('GET', '/opportunities', auth === undefined ? { key: null } : { auth });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'Unauthorized', message: expect.any(String) });
  });

  it('answers 403 naming the missing permission', async () => {
    const { key } = h.sandbox.admin.createKey(h.seed.accountId, { permissions: ['notes:read:admin', 'stages:read:admin'] });
    const res = await h.api('GET', '/opportunities', { key });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('Forbidden');
    expect(res.body.message).toContain('opportunities:read:admin');
    expect((await h.api('GET', '/stages', { key })).status).toBe(200);
  });

  it('does not let a write permission imply read unless the sandbox says so', async () => {
    const { key } = h.sandbox.admin.createKey(h.seed.accountId, { permissions: ['opportunities:write:admin'] });
    expect((await h.api('GET', '/opportunities', { key })).status).toBe(403);

    const lenient = createLeverSandbox({ logger: false, writeImpliesRead: true });
    const account = lenient.admin.createAccount();
    const writeOnly = lenient.admin.createKey(account.id, { permissions: ['opportunities:write:admin'] });
    const server = await lenient.listen(0);
    try {
      const res = await fetch(`${server.apiUrl}/opportunities`, { headers: { authorization: basic(writeOnly.key) } });
      expect(res.status).toBe(200);
    } finally {
      await lenient.close();
    }
  });

  it('keeps accounts isolated: another account\'s key cannot see an opportunity', async () => {
    const other = h.sandbox.admin.createAccount({ name: 'Other Co' });
    const { key } = h.sandbox.admin.createKey(other.id);
    const opportunityId = h.seed.opportunities[0].id;
    expect((await h.api('GET', `/opportunities/${opportunityId}`)).status).toBe(200);
    const res = await h.api('GET', `/opportunities/${opportunityId}`, { key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'ResourceNotFound', message: `opportunities ${opportunityId} was not found` });
  });

  it('stops accepting a revoked key', async () => {
    const { key } = h.sandbox.admin.createKey(h.seed.accountId);
    expect((await h.api('GET', '/stages', { key })).status).toBe(200);
    expect((await h.control('DELETE', `/accounts/${h.seed.accountId}/keys/${key}`)).status).toBe(204);
    expect((await h.api('GET', '/stages', { key })).status).toBe(401);
  });

  it('answers 404 {code:ResourceNotFound} for unknown routes and objects', async () => {
    const route = await h.api('GET', '/no-such-thing');
    expect(route.status).toBe(404);
    expect(route.body.code).toBe('ResourceNotFound');
    const stage = await h.api('GET', '/stages/0b6a0000-0000-4000-8000-000000000000');
    expect(stage.body).toEqual({ code: 'ResourceNotFound', message: 'stages 0b6a0000-0000-4000-8000-000000000000 was not found' });
  });
});
