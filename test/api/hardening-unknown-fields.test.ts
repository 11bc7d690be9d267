import { randomUUID } from 'node:crypto';
import type { Integration } from '../../src/integrations/repository';
import { findIntegration } from '../../src/integrations/repository';
import { parseStoredSettings } from '../../src/integrations/settings';
import { ensureAdmin } from '../../src/api/admin/admin-users';
import { adminToken, insertIntegration, testSecretBox } from '../support/stack';
import { readJson, signedLeverDelivery } from '../support/lever-webhook';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';
import { settle, startCapturedApi, type CapturedApi } from './hardening-support';

/**
 * Admin bodies are strict: a field the API does not know (a typo such as `webhookSigningToken`) is a
 * 400 naming it with its path, and nothing is written. Webhook payloads stay tolerant: Lever and
 * CodeSignal add fields.
 */
describe('unknown fields in admin bodies', () => {
  let api: CapturedApi;
  let integration: Integration;

  beforeAll(async () => {
    api = await startCapturedApi();
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.lines.length = 0;
  });
  afterEach(async () => {
    await settle();
    expect(api.loud()).toEqual([]);
  });

  const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${adminToken}` }) => {
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await readJson(res) };
  };
  const unknownFieldAnswer = (...paths: string[]) => ({
    error: 'invalid_body',
    message: paths.map((p) => `unknown field ${p}`).join('; '),
    details: { issues: paths.map((path) => ({ path, message: 'unknown field' })) },
  });
  const countByName = async (name: string) => (await api.db.query('SELECT count(*)::int AS n FROM integrations WHERE name = $1', [name])).rows[0].n;

  it('refuses lever.webhookSigningToken (for webhookSigningTokens) at creation, and creates nothing', async () => {
    const name = `Typo ${randomUUID().slice(0, 8)}`;
    const res = await send('POST', '/api/integrations', { name, lever: { apiKey: 'lever-key', webhookSigningToken: 'sign-0123456789' }, codesignal: { apiKey: 'cs-key' } });
    expect(res).toEqual({ status: 400, body: unknownFieldAnswer('lever.webhookSigningToken') });
    expect(await countByName(name)).toBe(0);
    expect(api.lines.find((l) => l.code === 'invalid_body')).toMatchObject({ level: 30, status: 400 });
  });

  it('names every unknown field at every level, next to the other problems', async () => {
    const name = `Many ${randomUUID().slice(0, 8)}`;
    const res = await send('POST', '/api/integrations', {
      name,
      lever: { apiKey: 'lever-key', webhookSigningTokens: ['short'] },
      codesignal: { apiKey: 'cs-key', webhookSecrets: 'x' },
      settings: { assessments: { triggerStages: ['s'], thresholds: { passPercent: 50, pass: { tag: 'p', moveToStage: 'x' }, fail: { tag: 'f' } } } },
      owner: 'me',
    });
    expect(res.status).toBe(400);
    const paths = (res.body.details.issues as Array<{ path: string; message: string }>).map((i) => `${i.path}: ${i.message}`).sort();
    expect(paths).toEqual([
      'codesignal.webhookSecrets: unknown field',
      expect.stringMatching(/^lever\.webhookSigningTokens\.0: /),
      'owner: unknown field',
      'settings.assessments.thresholds.pass.moveToStage: unknown field',
      'settings.assessments.triggerStages: unknown field',
    ]);
    expect(res.body.message).toContain('unknown field codesignal.webhookSecrets');
    expect(res.body.message).toContain('unknown field settings.assessments.thresholds.pass.moveToStage');
    expect(await countByName(name)).toBe(0);
  });

  it('refuses unknown credential fields in PATCH and leaves the integration as it was', async () => {
    const before = await findIntegration(api.db, testSecretBox, integration.id);
    const res = await send('PATCH', `/api/integrations/${integration.id}`, { lever: { webhookSigningToken: ['sign-new-0123456789'] } });
    expect(res).toEqual({ status: 400, body: unknownFieldAnswer('lever.webhookSigningToken') });
    const patchedName = await send('PATCH', `/api/integrations/${integration.id}`, { name: 'Renamed', codesignal: { webhookSecret: null, secret: 'x' } });
    expect(patchedName).toEqual({ status: 400, body: unknownFieldAnswer('codesignal.secret') });
    const after = await findIntegration(api.db, testSecretBox, integration.id);
    expect(after).toEqual(before);
  });

  it('refuses unknown settings fields before asking Lever anything, and keeps the stored settings', async () => {
    const before = (await findIntegration(api.db, testSecretBox, integration.id))!.settings;
    const res = await send('PUT', `/api/integrations/${integration.id}/settings`, {
      assessments: { triggerStageIds: [], expiryDay: 7, tags: { invite: 'x' } },
      interviews: { interviewr: 'owner' },
    });
    expect(res).toEqual({ status: 400, body: unknownFieldAnswer('assessments.tags.invite', 'assessments.expiryDay', 'interviews.interviewr') });
    expect((await findIntegration(api.db, testSecretBox, integration.id))!.settings).toEqual(before);
  });

  it('refuses defaultLeverUserId and notifyFollowers under assessments, saying where they moved, and keeps the stored settings', async () => {
    const before = (await findIntegration(api.db, testSecretBox, integration.id))!.settings;
    const res = await send('PUT', `/api/integrations/${integration.id}/settings`, {
      assessments: { triggerStageIds: [], defaultLeverUserId: 'lever-user-1', notifyFollowers: false, expiryDay: 7 },
    });
    expect(res).toEqual({
      status: 400,
      body: {
        error: 'invalid_body',
        message: 'assessments.defaultLeverUserId: moved to defaultLeverUserId; assessments.notifyFollowers: moved to notifyFollowers; unknown field assessments.expiryDay',
        details: {
          issues: [
            { path: 'assessments.defaultLeverUserId', message: 'moved to defaultLeverUserId' },
            { path: 'assessments.notifyFollowers', message: 'moved to notifyFollowers' },
            { path: 'assessments.expiryDay', message: 'unknown field' },
          ],
        },
      },
    });
    expect((await findIntegration(api.db, testSecretBox, integration.id))!.settings).toEqual(before);

    const name = `Legacy ${randomUUID().slice(0, 8)}`;
    const created = await send('POST', '/api/integrations', {
      name,
      lever: { apiKey: 'lever-key' },
      codesignal: { apiKey: 'cs-key' },
      settings: { assessments: { notifyFollowers: true } },
    });
    expect(created).toMatchObject({ status: 400, body: { error: 'invalid_body', message: 'settings.assessments.notifyFollowers: moved to notifyFollowers' } });
    expect(await countByName(name)).toBe(0);
  });

  it('refuses unknown mapping fields', async () => {
    const res = await send('PUT', `/api/integrations/${integration.id}/mappings`, {
      users: [{ codesignalUserId: 'cs-1', leverUserID: 'lv-1' }],
      stages: [],
      archiveReasons: [],
      statuses: [{ codesignalStatus: 'hired', leverStageId: 'offer', note: 'x' }],
      extra: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('unknown field users.0.leverUserID');
    expect(res.body.message).toContain('unknown field statuses.0.note');
    expect(res.body.message).toContain('unknown field extra');
    const { rows } = await api.db.query('SELECT count(*)::int AS n FROM mapping_sets WHERE integration_id = $1', [integration.id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses unknown fields in the key TESTs before calling Lever or CodeSignal', async () => {
    expect(await send('POST', '/api/setup/lever/test', { apiKey: 'k', permissions: ['x'] })).toEqual({ status: 400, body: unknownFieldAnswer('permissions') });
    expect(await send('POST', '/api/setup/codesignal/test', { key: 'k' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('unknown field key') } });
    expect(await send('POST', `/api/integrations/${integration.id}/lever/test`, { apikey: 'k' })).toEqual({ status: 400, body: unknownFieldAnswer('apikey') });
    expect(await send('POST', `/api/integrations/${integration.id}/codesignal/test`, { apiKey: 'k', force: true })).toEqual({ status: 400, body: unknownFieldAnswer('force') });
  });

  it('refuses unknown fields in recruiter actions, e.g. days on a resend', async () => {
    const path = `/api/integrations/${integration.id}/opportunities/${randomUUID()}/assessments/1/actions`;
    expect(await send('POST', path, { action: 'resend', days: 5 })).toEqual({ status: 400, body: unknownFieldAnswer('days') });
    expect(await send('POST', path, { action: 'extend', days: 5, reason: 'x' })).toEqual({ status: 400, body: unknownFieldAnswer('reason') });
  });

  it('refuses unknown fields at log-in without counting an attempt or opening a session', async () => {
    const email = `strict-${randomUUID().slice(0, 8)}@example.com`;
    await ensureAdmin(api.db, email, 'correct horse battery staple');
    for (let i = 0; i < 12; i++) {
      expect(await send('POST', '/api/session', { email, password: 'correct horse battery staple', rememberMe: true }, {})).toEqual({
        status: 400,
        body: unknownFieldAnswer('rememberMe'),
      });
    }
    expect((await send('POST', '/api/session', { email, password: 'correct horse battery staple' }, {})).status).toBe(201);
  });

  it('still reads stored settings holding fields an earlier version wrote (only bodies are strict)', async () => {
    const old = await insertIntegration(api.db, { settings: { legacy: true, assessments: { expiryDays: 7, retiredOption: 'x', tags: { oldTag: 'y' } } } });
    const res = await send('GET', `/api/integrations/${old.id}`, undefined);
    expect(res.status).toBe(200);
    expect(res.body.settings.assessments).toMatchObject({ expiryDays: 7, reminderDaysBeforeExpiry: [3, 1] });
    expect(res.body.settings).not.toHaveProperty('legacy');
    expect(res.body.settings.assessments).not.toHaveProperty('retiredOption');
    expect(res.body.settings.assessments.tags).not.toHaveProperty('oldTag');
  });

  it('reads defaultLeverUserId and notifyFollowers from under assessments in a row an earlier version wrote', async () => {
    const old = await insertIntegration(api.db, { settings: { assessments: { expiryDays: 7, defaultLeverUserId: 'lever-user-1', notifyFollowers: false } } });
    const res = await send('GET', `/api/integrations/${old.id}`, undefined);
    expect(res.status).toBe(200);
    expect(res.body.settings).toMatchObject({ defaultLeverUserId: 'lever-user-1', notifyFollowers: false, assessments: { expiryDays: 7 } });
    expect(res.body.settings.assessments).not.toHaveProperty('defaultLeverUserId');
    expect(res.body.settings.assessments).not.toHaveProperty('notifyFollowers');

    // a value already at the top level wins; the stored row itself is left as it is
    const both = { defaultLeverUserId: 'lever-user-2', assessments: { defaultLeverUserId: 'lever-user-1', notifyFollowers: false } };
    const mixed = await insertIntegration(api.db, { settings: both });
    expect(parseStoredSettings(mixed.settings)).toMatchObject({ defaultLeverUserId: 'lever-user-2', notifyFollowers: false });
    expect((await send('GET', `/api/integrations/${mixed.id}`, undefined)).body.settings).toMatchObject({ defaultLeverUserId: 'lever-user-2', notifyFollowers: false });
    expect((await findIntegration(api.db, testSecretBox, mixed.id))!.settings).toEqual(both);
  });

  it('keeps webhook payloads tolerant of fields Lever adds', async () => {
    const opportunityId = randomUUID();
    const delivery = signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'candidateStageChange', {
      opportunityId,
      candidateId: 'c',
      contactId: 'ct',
      fromStageId: 'lead-new',
      toStageId: 'phone-screen',
      newLeverField: { nested: true },
    });
    const res = await send('POST', `/webhooks/lever/${integration.id}`, { ...delivery, apiVersion: 'v2' }, {});
    expect(res.status).toBe(202);
    await api.client.workflow.getHandle(res.body.workflowId).terminate('test done');
  });
});

/** What the set-up UI sends back: the GET views with its changes. Their read-only fields are not unknown. */
describe('admin bodies the set-up UI builds from GET answers', () => {
  jest.setTimeout(120_000);
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness();
  });
  afterAll(() => h.close());

  it('takes a mapping sent back as GET answered it, and still refuses a misspelt field in it', async () => {
    const path = `/api/integrations/${h.integration.id}/mappings`;
    expect((await h.admin('POST', `${path}/auto`)).status).toBe(200);
    const view = await readJson(await h.admin('GET', path));
    expect(view.users.length + view.stages.length).toBeGreaterThan(0);
    const saved = await h.admin('PUT', path, view);
    expect(saved.status).toBe(200);
    expect((await readJson(saved)).stages).toEqual(view.stages);

    const typo = await h.admin('PUT', path, { ...view, stages: [{ ...view.stages[0], codesignalStatuss: 'offer' }, ...view.stages.slice(1)] });
    expect(typo.status).toBe(400);
    expect((await readJson(typo)).message).toBe('unknown field stages.0.codesignalStatuss');
  });

  it('takes the settings sent back as GET answered them', async () => {
    const { settings } = await readJson(await h.admin('GET', `/api/integrations/${h.integration.id}`));
    const res = await h.admin('PUT', `/api/integrations/${h.integration.id}/settings`, settings);
    expect(res.status).toBe(200);
    expect((await readJson(res)).settings).toEqual(settings);
  });
});
