import type { DocumentNode } from 'graphql';
import { randomUUID } from 'node:crypto';
import { createCodeSignalClient } from '../../../src/codesignal/client';
import * as codesignalDocuments from '../../../src/codesignal/documents';
import { ACCESS_TYPES } from '../../../sandbox/codesignal/permissions';
import { ALL_PERMISSIONS } from '../../../sandbox/lever/permissions';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { MADE_UP_ID as CODESIGNAL_MADE_UP_ID, checkCodeSignalKey } from '../../../src/integrations/key-checks/codesignal-key-check';
import { LEVER_PERMISSIONS, MADE_UP_ID } from '../../../src/integrations/key-checks/lever-key-check';
import { secretBoxFrom } from '../../../src/crypto/secret-box';
import { createIntegration } from '../../../src/integrations/repository';
import { closedPort } from '../../support/free-port';
import { adminToken, signingToken, startStack, type TestStack } from '../../support/stack';

type Permission = { name: string; scope: string; granted: boolean | null; detail?: string };

/** The Lever key permissions the CodeSignal help-centre article asks for, in its words. */
const helpCentreLeverPermissions = [
  'read user', 'read stage', 'read opportunity note', 'read opportunity interview', 'read opportunity application', 'read opportunity',
  'list users', 'list tags', 'list stages', 'list sources', 'list opportunity notes', 'list opportunity interviews', 'list opportunity applications',
  'upload opportunity file', 'update opportunity stage', 'update opportunity interview', 'remove opportunity tag', 'remove opportunity link',
  'delete opportunity note', 'delete opportunity interview', 'delete opportunity file', 'create opportunity note', 'create opportunity interview',
  'add opportunity tag', 'add opportunity link',
];
/** What the service's sourcing import, two-way sync, public-link results and live interviews need beyond the article's list. */
const sourcingAndInterviewPermissions = [
  'list opportunities', 'create opportunity', 'update opportunity archived state', 'list opportunity files', 'list opportunity panels', 'list archive reasons', 'list postings',
];

describe('Lever key check: probe safety', () => {
  it('aims every write probe at a made-up id, never at an id read from the account', () => {
    const writes = LEVER_PERMISSIONS.flatMap((p) => ('write' in p.probe ? [{ name: p.name, request: p.probe.write({ userId: 'real-user', stageId: 'real-stage' }) }] : []));
    expect(writes.length).toBeGreaterThan(10);
    for (const { name, request } of writes) {
      const target = request.path.includes(MADE_UP_ID) || (request.path === '/opportunities' && request.query?.perform_as === MADE_UP_ID);
      expect({ name, target }).toEqual({ name, target: true });
    }
  });
});

describe('CodeSignal key check: probe safety', () => {
  it('sends each mutation of documents.ts once, every one naming the made-up id', async () => {
    const sent: Array<{ operationName: string; variables: unknown }> = [];
    const refuse: typeof fetch = async (_url, init) => {
      const body = JSON.parse(String(init?.body)) as { operationName: string; variables: unknown };
      if (body.operationName !== 'GetCompany') sent.push(body);
      const data = body.operationName === 'GetCompany' ? { company: { id: 'c', name: 'C' } } : null;
      return new Response(JSON.stringify(data ? { data } : { data: null, errors: [{ message: 'Access Denied' }] }), { status: 200 });
    };
    const result = await checkCodeSignalKey(createCodeSignalClient({ url: 'http://codesignal.invalid/graphql', apiKey: 'k', fetch: refuse }));
    const mutations = Object.values(codesignalDocuments).filter((d) => typeof d === 'object' && codesignalDocuments.operationType(d) === 'mutation').map((d) => codesignalDocuments.operationName(d as DocumentNode)).sort();
    const probes = sent.filter((s) => mutations.includes(s.operationName));
    expect(probes.map((p) => p.operationName).sort()).toEqual(mutations);
    for (const p of probes) expect({ op: p.operationName, named: JSON.stringify(p.variables).includes(CODESIGNAL_MADE_UP_ID) }).toEqual({ op: p.operationName, named: true });
    // everything but reading the company, named as the admin sees it (not taken from the key check's table)
    expect(result.missing).toEqual(['list tests', 'read test sessions', 'read live interviews', 'send and manage test sessions', 'create live interviews', 'edit and delete live interviews']);
  });
});

/** The set-up admin API against both sandboxes over HTTP, PostgreSQL and the API on the run's servers. */
describe('set-up API: credential TESTs and option lists', () => {
  jest.setTimeout(120_000);
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    stack = await startStack({ worker: false, config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
  });
  afterAll(async () => {
    await stack.stop();
    await sandboxes.close();
  });

  const call = (base: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const admin = (method: string, path: string, body?: unknown) => call(stack.baseUrl, method, path, body);
  /** The answer's JSON, after checking the status and that the key is nowhere in it. */
  const answer = async (res: Response, status: number, key?: string) => {
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${text}`);
    if (key) expect(text).not.toContain(key);
    return JSON.parse(text);
  };
  const lever = () => sandboxes.leverSandbox.admin;
  const accountId = () => sandboxes.lever.seed.accountId;
  const codesignal = () => sandboxes.codesignalSandbox.control;
  const companyId = () => sandboxes.codesignal.seed.companyId;
  const fullLeverKey = () => sandboxes.lever.seed.apiKey;
  const fullCodeSignalKey = () => sandboxes.codesignal.seed.apiKey;
  const leverKeyWithout = (removed: string[], name: string) =>
    lever().createKey(accountId(), { permissions: ALL_PERMISSIONS.filter((p) => !removed.includes(p)), name }).key;
  const issuePaths = async (res: Response) => ((await answer(res, 400)).details.issues as Array<{ path: string }>).map((i) => i.path).sort();

  /** Every write the TEST sent since `since` was refused, aimed at a made-up id, and none succeeded. */
  const expectNoWrites = (since: number) => {
    const requests = lever().requests(accountId(), { since });
    const writes = requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter((r) => r.status < 300)).toEqual([]);
    for (const w of writes) expect(w.path.includes(MADE_UP_ID) || w.query.includes(`perform_as=${MADE_UP_ID}`)).toBe(true);
    expect(requests.filter((r) => r.rateLimited)).toEqual([]);
  };

  // Lever's checklist names for the scopes the limited key below lacks
  const removedScopes = ['stages:read:admin', 'files:write:admin', 'notes:read:admin'];
  const missingNames = ['delete opportunity file', 'list opportunity notes', 'list stages', 'read opportunity note', 'read stage', 'upload opportunity file'];

  it('refuses callers without the admin token', async () => {
    for (const path of ['/api/setup/lever/test', '/api/setup/codesignal/test']) {
      const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: 'x' }) });
      expect(res.status).toBe(401);
    }
  });

  it('passes a full-permission Lever key, reads a real opportunity and writes nothing', async () => {
    const since = Date.now();
    const result = await answer(await admin('POST', '/api/setup/lever/test', { apiKey: fullLeverKey() }), 200, fullLeverKey());
    expect(result).toMatchObject({ ok: true, keyValid: true, missing: [] });
    expect(Date.parse(result.checkedAt)).toBeGreaterThanOrEqual(since - 1000);
    expect(result.permissions.filter((p: Permission) => p.granted !== true || p.detail)).toEqual([]);
    // written out here, not taken from the key check's own table: the help-centre article's list, plus what sourcing and interviews use
    expect(result.permissions.map((p: Permission) => p.name).sort()).toEqual([...helpCentreLeverPermissions, ...sourcingAndInterviewPermissions].sort());
    expect(result.permissions.find((p: Permission) => p.name === 'read stage').scope).toBe('stages:read:admin');

    expectNoWrites(since);
    const opportunityReads = lever().requests(accountId(), { since, method: 'GET', pathPrefix: '/v1/opportunities/' });
    const realIds = new Set(sandboxes.lever.seed.opportunities.map((o) => o.id));
    expect(opportunityReads.some((r) => realIds.has(r.path.split('/')[3]!) && r.status === 200)).toBe(true);
  });

  it("passes a key with the sandbox's assessment preset", async () => {
    const key = lever().createKey(accountId(), { permissions: 'assessment', name: 'assessment preset' }).key;
    const result = await answer(await admin('POST', '/api/setup/lever/test', { apiKey: key }), 200, key);
    expect(result).toMatchObject({ ok: true, keyValid: true, missing: [] });
  });

  it('shows exactly the permissions a Lever key lacks', async () => {
    const key = leverKeyWithout(removedScopes, 'limited');
    const since = Date.now();
    const result = await answer(await admin('POST', '/api/setup/lever/test', { apiKey: key }), 200, key);
    expect(result).toMatchObject({ ok: false, keyValid: true });
    expect([...result.missing].sort()).toEqual(missingNames);
    for (const p of result.permissions as Permission[]) {
      if (missingNames.includes(p.name)) {
        expect(p.granted).toBe(false);
        expect(p.detail).toContain(p.scope);
      } else {
        expect({ name: p.name, granted: p.granted }).toEqual({ name: p.name, granted: true });
      }
    }
    expectNoWrites(since);
  });

  it('says an unknown Lever key is not valid', async () => {
    const key = `unknown-${randomUUID()}`;
    const result = await answer(await admin('POST', '/api/setup/lever/test', { apiKey: key }), 200, key);
    expect(result).toMatchObject({ ok: false, keyValid: false, missing: [] });
    expect(result.permissions.every((p: Permission) => p.granted === null)).toBe(true);
  });

  it('answers 400 naming the field when the key is missing', async () => {
    expect(await issuePaths(await admin('POST', '/api/setup/lever/test', {}))).toEqual(['apiKey']);
    expect(await issuePaths(await admin('POST', '/api/setup/codesignal/test', { apiKey: '' }))).toEqual(['apiKey']);
  });

  // A key goes into the Authorization header: a non-ASCII one (the README's "…" placeholder) would
  // otherwise fail every call as "network error (TypeError)". Refused before anything is sent.
  it('answers 400 naming the field for a key that is not printable ASCII, and calls nobody', async () => {
    const since = Date.now();
    for (const apiKey of ['…', 'key-with-an-ellipsis…', 'clé-secrète', 'a-key\n', 'tab\tinside', '\u0000']) {
      for (const service of ['lever', 'codesignal']) {
        const body = await answer(await admin('POST', `/api/setup/${service}/test`, { apiKey }), 400);
        expect(body).toMatchObject({ error: 'invalid_body', message: 'apiKey: must be printable ASCII' });
      }
    }
    expect(lever().requests(accountId(), { since })).toEqual([]);
  });

  it('answers 502 lever_unavailable when Lever fails or cannot be reached', async () => {
    lever().updateFaults(accountId(), { errorRate: 1 });
    try {
      const body = await answer(await admin('POST', '/api/setup/lever/test', { apiKey: fullLeverKey() }), 502, fullLeverKey());
      expect(body.error).toBe('lever_unavailable');
    } finally {
      lever().clearFaults(accountId());
    }

    // a port held closed, which no other process can start listening on meanwhile
    const unreachable = await closedPort();
    const down = await startStack({ worker: false, config: { LEVER_API_URL: `http://127.0.0.1:${unreachable.port}/v1`, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
    try {
      const body = await answer(await call(down.baseUrl, 'POST', '/api/setup/lever/test', { apiKey: fullLeverKey() }), 502, fullLeverKey());
      expect(body).toMatchObject({ error: 'lever_unavailable', message: expect.stringContaining('network error') });
    } finally {
      await down.stop();
      await unreachable.release();
    }
  });

  /** What a CodeSignal write would change: sessions, interviews, sourcing candidates, e-mails sent. */
  const codesignalState = () => ({
    sessions: codesignal().sessions(companyId()),
    interviews: codesignal().interviews(companyId()),
    sourcingCandidates: codesignal().sourcingCandidates(companyId()),
    outbox: codesignal().outbox(companyId()),
  });
  /** The CodeSignal TEST of `key`, checking that its mutations named only the made-up id, were all refused and changed nothing. */
  const testCodeSignalKey = async (key: string) => {
    const since = Date.now();
    const before = JSON.stringify(codesignalState());
    const result = await answer(await admin('POST', '/api/setup/codesignal/test', { apiKey: key }), 200, key);
    expect(JSON.stringify(codesignalState())).toBe(before);
    const requests = codesignal().requests({ companyId: companyId() }).filter((r) => r.at >= since && r.apiKeyPrefix === key.slice(0, 6));
    const mutations = requests.filter((r) => r.operationType === 'mutation');
    // each mutation the service sends, once
    expect(mutations.flatMap((r) => r.rootFields).sort()).toEqual([
      'createCompanyTestSession', 'createLiveInterview', 'deleteCompanyTestSession', 'deleteLiveInterview', 'editCompanyTestSessionExpiration',
      'editLiveInterview', 'reactivateCompanyTestSession', 'resendCompanyTestSession',
    ]);
    // nothing outside CodeSignal's public schema: no sourcing operation is probed
    expect(requests.flatMap((r) => r.rootFields).filter((f) => /sourcing/i.test(f))).toEqual([]);
    for (const m of mutations) {
      expect({ field: m.rootFields[0], outcome: m.outcome }).toEqual({ field: m.rootFields[0], outcome: 'errors' });
      expect(JSON.stringify(m.variables)).toContain(CODESIGNAL_MADE_UP_ID);
    }
    expect(requests.filter((r) => r.outcome === 'throttled')).toEqual([]);
    return { result, mutations };
  };
  const byScope = (result: { permissions: Permission[] }) => Object.fromEntries(result.permissions.map((p) => [p.scope, p.granted]));

  it('passes a full CodeSignal key, names its company and probes every mutation without writing', async () => {
    const { result, mutations } = await testCodeSignalKey(fullCodeSignalKey());
    expect(result).toMatchObject({ ok: true, keyValid: true, missing: [], company: { name: codesignal().getCompany(companyId()).name } });
    expect(byScope(result)).toEqual({
      company_read: true, company_test_read: true, company_test_session_read: true, interview_read: true,
      company_test_session_create: true, interview_create: true, live_interview_write: true,
    });
    expect((result.permissions as Permission[]).filter((p) => p.detail)).toEqual([]);
    // the key held every permission, so each mutation got past the check and refused the made-up object
    for (const m of mutations) expect(m.errors.join('; ')).not.toMatch(/access denied/i);
  });

  it('shows exactly the write permission a CodeSignal key lacks, without writing', async () => {
    const { key } = codesignal().createApiKey(companyId(), { permissions: ACCESS_TYPES.filter((a) => a !== 'company_test_session_create'), label: 'no sessions' });
    const { result, mutations } = await testCodeSignalKey(key);
    expect(result).toMatchObject({ ok: false, keyValid: true, missing: ['send and manage test sessions'] });
    const sessions = (result.permissions as Permission[]).find((p) => p.scope === 'company_test_session_create')!;
    expect(sessions).toMatchObject({ granted: false, detail: expect.stringContaining('Access Denied') });
    expect(Object.entries(byScope(result)).filter(([, granted]) => granted !== true)).toEqual([['company_test_session_create', false]]);
    const denied = mutations.filter((m) => m.errors.some((e) => /access denied/i.test(e))).flatMap((m) => m.rootFields).sort();
    expect(denied).toEqual(['createCompanyTestSession', 'deleteCompanyTestSession', 'editCompanyTestSessionExpiration', 'reactivateCompanyTestSession', 'resendCompanyTestSession']);

    const { key: other } = codesignal().createApiKey(companyId(), {
      permissions: ACCESS_TYPES.filter((a) => !['interview_create', 'live_interview_write'].includes(a)), label: 'no interview writes',
    });
    const { result: limited } = await testCodeSignalKey(other);
    expect(limited).toMatchObject({ ok: false, keyValid: true, missing: ['create live interviews', 'edit and delete live interviews'] });
  });

  it('shows what a CodeSignal key lacks, and says an unknown one is not valid', async () => {
    const { key } = codesignal().createApiKey(companyId(), { permissions: ACCESS_TYPES.filter((a) => a !== 'company_test_read' && a !== 'interview_read'), label: 'limited' });
    const limited = await answer(await admin('POST', '/api/setup/codesignal/test', { apiKey: key }), 200, key);
    expect(limited).toMatchObject({ ok: false, keyValid: true, missing: ['list tests', 'read live interviews'] });

    const since = Date.now();
    const unknown = await answer(await admin('POST', '/api/setup/codesignal/test', { apiKey: 'cs_unknown_key' }), 200);
    expect(unknown).toMatchObject({ ok: false, keyValid: false, missing: [] });
    expect(unknown.company).toBeUndefined();
    // a refused key gets no write probe
    expect(codesignal().requests().filter((r) => r.at >= since && r.operationType === 'mutation')).toEqual([]);
  });

  describe('for a stored integration', () => {
    let integrationId: string;
    let limitedKey: string;
    // each test that changes or depends on the stored keys gets its own integration: any order, or alone
    const createWith = async (leverKey: string): Promise<string> =>
      (
        await answer(await admin('POST', '/api/integrations', {
          name: `Setup ${randomUUID().slice(0, 8)}`,
          lever: { apiKey: leverKey, webhookSigningTokens: [signingToken()] },
          codesignal: { apiKey: fullCodeSignalKey(), webhookSecret: 'codesignal-webhook-secret' },
        }), 201)
      ).id;
    beforeAll(() => {
      limitedKey = leverKeyWithout(removedScopes, 'stored limited');
    });
    beforeEach(async () => {
      integrationId = await createWith(limitedKey);
    });
    const base = () => `/api/integrations/${integrationId}`;

    it('lists integrations with the same view as GET one', async () => {
      const one = await answer(await admin('GET', base()), 200);
      const { integrations } = await answer(await admin('GET', '/api/integrations'), 200, limitedKey);
      expect(integrations.find((i: { id: string }) => i.id === integrationId)).toEqual(one);
    });

    it('tests the stored key, or a given one, as the integration', async () => {
      const since = Date.now();
      const stored = await answer(await admin('POST', `${base()}/lever/test`, {}), 200, limitedKey);
      expect([...stored.missing].sort()).toEqual(missingNames);
      expect(new Set(lever().requests(accountId(), { since }).map((r) => r.keyName))).toEqual(new Set(['stored limited']));

      const given = await answer(await admin('POST', `${base()}/lever/test`, { apiKey: fullLeverKey() }), 200, fullLeverKey());
      expect(given).toMatchObject({ ok: true, missing: [] });

      // what the key cannot read, the option list cannot show: a 502 naming Lever's refusal
      const refused = await answer(await admin('GET', `${base()}/lever/options`), 502, limitedKey);
      expect(refused).toMatchObject({ error: 'lever_refused', message: expect.stringContaining('stages:read:admin') });

      const cs = await answer(await admin('POST', `${base()}/codesignal/test`), 200);
      expect(cs).toMatchObject({ ok: true, keyValid: true });
      expect((await admin('POST', `/api/integrations/${randomUUID()}/lever/test`, {})).status).toBe(404);
    });

    it('PATCH replaces only the given secrets, and the next TEST of the stored key reflects it', async () => {
      const before = await answer(await admin('GET', base()), 200);
      const patched = await answer(await admin('PATCH', base(), { lever: { apiKey: fullLeverKey() } }), 200, fullLeverKey());
      expect(patched.lever.webhookSigningTokenCount).toBe(before.lever.webhookSigningTokenCount);
      expect(patched.codesignal).toEqual(before.codesignal);
      expect(patched.name).toBe(before.name);

      const stored = await answer(await admin('POST', `${base()}/lever/test`, {}), 200);
      expect(stored).toMatchObject({ ok: true, keyValid: true, missing: [] });
      // the CodeSignal key was not touched
      expect(await answer(await admin('POST', `${base()}/codesignal/test`, {}), 200)).toMatchObject({ ok: true });

      const cleared = await answer(await admin('PATCH', base(), { codesignal: { webhookSecret: null } }), 200);
      expect(cleared.codesignal.webhookSecretConfigured).toBe(false);
      expect(cleared.lever).toEqual(patched.lever);
    });

    it("reads the Lever account's stages, active users and postings, and the company's tests", async () => {
      integrationId = await createWith(fullLeverKey());
      const account = lever().account(accountId());
      const leverOptions = await answer(await admin('GET', `${base()}/lever/options`), 200);
      expect(leverOptions).toEqual({
        stages: account.stages.map((s) => ({ id: s.id, text: s.text })),
        users: [...account.users.values()].filter((u) => u.deactivatedAt === null).map((u) => ({ id: u.id, name: u.name, email: u.email })),
        postings: [...account.postings.values()].map((p) => ({ id: p.id, text: p.text })),
      });
      expect(leverOptions.stages.length).toBeGreaterThan(5);
      expect(leverOptions.postings.length).toBeGreaterThan(0);

      const csOptions = await answer(await admin('GET', `${base()}/codesignal/options`), 200);
      const seeded = sandboxes.codesignal.seed.tests.map((t) => ({ id: t.id, title: t.title }));
      expect([...csOptions.tests].sort(byId)).toEqual(seeded.sort(byId));

      expect((await answer(await admin('GET', `/api/integrations/${randomUUID()}/lever/options`), 404)).error).toBe('unknown_integration');
    });

    it('says a saved key that is not printable ASCII (saved before keys were checked) cannot be sent: 409, not a network error', async () => {
      const box = secretBoxFrom(stack.config);
      const old = await createIntegration(stack.db, box, {
        name: `Saved before the check ${randomUUID().slice(0, 8)}`,
        lever: { apiKey: 'lever…', webhookSigningTokens: [] },
        codesignal: { apiKey: '…' },
        settings: {},
      });
      for (const [service, field] of [['lever', 'lever.apiKey'], ['codesignal', 'codesignal.apiKey']] as const) {
        const body = await answer(await admin('POST', `/api/integrations/${old.id}/${service}/test`, {}), 409);
        expect(body).toMatchObject({ error: 'invalid_stored_key', message: `the saved ${field} is not printable ASCII, so it cannot be sent: save the key again` });
      }
      // a given key is tested instead
      expect(await answer(await admin('POST', `/api/integrations/${old.id}/codesignal/test`, { apiKey: fullCodeSignalKey() }), 200)).toMatchObject({ ok: true });
    });

    it('PATCH answers 400 naming each bad field and changes nothing, and 404 for an unknown id', async () => {
      const before = await answer(await admin('GET', base()), 200);
      expect(await issuePaths(await admin('PATCH', base(), { name: '', lever: { webhookSigningTokens: [] } }))).toEqual(['lever.webhookSigningTokens', 'name']);
      const nonAscii = await answer(await admin('PATCH', base(), { lever: { apiKey: '…' }, codesignal: { apiKey: 'pasted-key\n' } }), 400);
      expect(nonAscii.message).toBe('lever.apiKey: must be printable ASCII; codesignal.apiKey: must be printable ASCII');
      for (const service of ['lever', 'codesignal']) {
        expect((await answer(await admin('POST', `${base()}/${service}/test`, { apiKey: '…' }), 400)).message).toBe('apiKey: must be printable ASCII');
      }
      expect(await answer(await admin('GET', base()), 200)).toEqual(before);
      expect((await answer(await admin('PATCH', `/api/integrations/${randomUUID()}`, { name: 'Nobody' }), 404)).error).toBe('unknown_integration');
    });
  });
});

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
