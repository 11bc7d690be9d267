import { randomUUID } from 'node:crypto';
import { ensureAdmin } from '../../src/api/admin/admin-users';
import { pruneAuditLog } from '../../src/audit/audit-log';
import type { auditView } from '../../src/audit/audit-routes';
import { startSandboxes, type RunningSandboxes } from '../../sandbox/start';
import { adminToken, startStack, type TestStack } from '../support/stack';

jest.setTimeout(120_000);

type Entry = ReturnType<typeof auditView>;

/**
 * The audit log (src/audit): every admin action through the API on the run's PostgreSQL, with the
 * sandboxes behind the integration, read back through GET /api/audit and its exports.
 */
describe('audit log', () => {
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  const email = `auditor-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    stack = await startStack({ worker: false, config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
    await ensureAdmin(stack.db, email, password);
  });
  afterAll(async () => {
    await stack.stop();
    await sandboxes.close();
  });

  const withToken = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** A browser session: its cookie and CSRF token. */
  const logIn = async (as: string, pw: string) => {
    const res = await fetch(`${stack.baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: as, password: pw }) });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lcs.sid='))?.split(';')[0];
    const csrf = res.status === 201 ? ((await res.json()) as { csrfToken: string }).csrfToken : undefined;
    return {
      status: res.status,
      call: (method: string, path: string, body?: unknown) =>
        fetch(`${stack.baseUrl}${path}`, {
          method,
          headers: { cookie: cookie!, 'x-csrf-token': csrf!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
    };
  };
  const entries = async (query: string): Promise<{ entries: Entry[]; nextBeforeId: string | null }> => {
    const res = await withToken('GET', `/api/audit?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { entries: Entry[]; nextBeforeId: string | null };
  };

  it('records sign-ins, integration creation, key changes (names only) and settings changes (before → after), with who, when and from where', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const claimed = `intruder-${randomUUID().slice(0, 6)}@example.com`;
    expect((await logIn(claimed, 'guess')).status).toBe(401);
    const session = await logIn(email, password);
    expect(session.status).toBe(201);

    const created = await session.call('POST', '/api/integrations', {
      name: `Audited ${randomUUID().slice(0, 6)}`,
      lever: { apiKey: sandboxes.lever.seed.apiKey, webhookSigningTokens: [] },
      codesignal: { apiKey: sandboxes.codesignal.seed.apiKey },
    });
    expect(created.status).toBe(201);
    const integration = (await created.json()) as { id: string; name: string; settings: Record<string, unknown> };

    const newKey = `lever-key-${randomUUID()}`;
    expect((await withToken('PATCH', `/api/integrations/${integration.id}`, { lever: { apiKey: newKey } })).status).toBe(200);
    expect((await withToken('PATCH', `/api/integrations/${integration.id}`, { lever: { apiKey: sandboxes.lever.seed.apiKey } })).status).toBe(200);

    const current = (await (await withToken('GET', `/api/integrations/${integration.id}`)).json()) as { settings: { notifyFollowers: boolean } };
    const put = await session.call('PUT', `/api/integrations/${integration.id}/settings`, { ...current.settings, notifyFollowers: !current.settings.notifyFollowers });
    expect(put.status).toBe(200);
    const refused = await session.call('PUT', `/api/integrations/${integration.id}/settings`, { ...current.settings, notifyFollowers: 'sometimes' });
    expect(refused.status).toBe(400);

    // an unauthenticated write is no admin action
    expect((await fetch(`${stack.baseUrl}/api/integrations/${integration.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);

    const signIns = (await entries(`action=sign-in&since=${encodeURIComponent(started)}&limit=500`)).entries.filter((e) => [claimed, email].includes(e.actor));
    expect(signIns.map((e) => [e.actor, e.actorKind, e.outcome]).sort()).toEqual([
      [claimed, 'anonymous', 401],
      [email, 'session', 201],
    ].sort());
    for (const e of signIns) expect(e.sourceIp).toMatch(/127\.0\.0\.1$/);

    const mine = (await entries(`integrationId=${integration.id}`)).entries;
    // newest first
    expect(mine.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['settings changed', email, 400],
      ['settings changed', email, 200],
      ['keys or secrets changed', 'admin token', 200],
      ['keys or secrets changed', 'admin token', 200],
      ['integration created', email, 201],
    ]);
    expect(mine.at(-1)!.details).toEqual({ name: integration.name });
    expect(mine[2]!.details).toEqual({ changed: ['lever.apiKey'] });
    expect(mine[1]!.details).toEqual({ changes: [{ path: 'notifyFollowers', before: current.settings.notifyFollowers, after: !current.settings.notifyFollowers }] });
    for (const e of mine) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(started));

    // never a key's value, nor a password, anywhere in the table
    const { rows } = await stack.db.query<{ row: string }>(`SELECT row_to_json(a)::text AS row FROM audit_log a WHERE at >= $1`, [started]);
    for (const { row } of rows) {
      expect(row).not.toContain(newKey);
      expect(row).not.toContain(sandboxes.lever.seed.apiKey);
      expect(row).not.toContain(password);
      expect(row).not.toContain('guess');
    }
  });

  it('filters, pages and exports as CSV and JSON lines; a bad filter is a 400 naming it', async () => {
    const actor = `bulk-${randomUUID().slice(0, 6)}@example.com`;
    // a failed sign-in per entry: an actor of this test's own, and a value a spreadsheet would run as a formula
    for (let i = 0; i < 5; i++) await logIn(i === 0 ? `=HYPERLINK("x")${actor}` : actor, 'wrong');
    const first = await entries(`actor=${encodeURIComponent(actor)}&limit=2`);
    expect(first.entries).toHaveLength(2);
    const second = await entries(`actor=${encodeURIComponent(actor)}&limit=2&beforeId=${first.nextBeforeId}`);
    const third = await entries(`actor=${encodeURIComponent(actor)}&limit=2&beforeId=${second.nextBeforeId}`);
    expect([...first.entries, ...second.entries, ...third.entries].map((e) => e.id)).toHaveLength(5);
    expect(third.nextBeforeId).toBeNull();
    expect((await entries(`actor=${encodeURIComponent(actor)}&outcome=succeeded`)).entries).toEqual([]);

    const csv = await withToken('GET', `/api/audit/export?format=csv&actor=${encodeURIComponent(actor)}`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="audit-log-.*\.csv"/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actorKind,sourceIp,action,integrationId,target,outcome,details');
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toContain(`"'=HYPERLINK(""x"")${actor}"`);

    const jsonl = await withToken('GET', `/api/audit/export?format=jsonl&actor=${encodeURIComponent(actor)}`);
    const parsed = (await jsonl.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);
    expect(parsed.map((e) => e.id)).toEqual([...first.entries, ...second.entries, ...third.entries].map((e) => e.id));

    const bad = await withToken('GET', '/api/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('since');
    expect((await withToken('GET', '/api/audit/export?format=xlsx')).status).toBe(400);
    expect((await fetch(`${stack.baseUrl}/api/audit`)).status).toBe(401);
  });

  it('cannot be edited: UPDATE, DELETE and TRUNCATE are refused; only the retention prune removes old entries', async () => {
    const marker = `old-${randomUUID()}`;
    await stack.db.query(`INSERT INTO audit_log (at, actor, actor_kind, action, outcome) VALUES (now() - interval '500 days', $1, 'token', 'test', 200), (now(), $1, 'token', 'test', 200)`, [marker]);
    await expect(stack.db.query(`UPDATE audit_log SET actor = 'someone else' WHERE actor = $1`, [marker])).rejects.toThrow(/cannot be changed/);
    await expect(stack.db.query(`DELETE FROM audit_log WHERE actor = $1`, [marker])).rejects.toThrow(/cannot be changed/);
    await expect(stack.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/cannot be changed/);
    // every API process prunes at its start too (src/api/ingress/retention.ts), other tests' included: the
    // old entry is gone, by this prune or by one of theirs, and the recent one stays
    await pruneAuditLog(stack.db, 400);
    const { rows } = await stack.db.query<{ at: Date }>(`SELECT at FROM audit_log WHERE actor = $1`, [marker]);
    expect(rows).toHaveLength(1);
    expect(Date.now() - rows[0]!.at.getTime()).toBeLessThan(86_400_000);
    // the prune's permission ended with its transaction
    await expect(stack.db.query(`DELETE FROM audit_log WHERE actor = $1`, [marker])).rejects.toThrow(/cannot be changed/);
  });
});
