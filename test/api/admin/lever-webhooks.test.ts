import { handledLeverEvents } from '../../../src/lever/webhook-events';
import { createIntegration, findIntegration } from '../../../src/integrations/repository';
import { webhookUrls } from '../../../src/integrations/urls';
import { ALL_PERMISSIONS } from '../../../sandbox/lever/permissions';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { adminToken, eventually, startStack, testSecretBox, type TestStack } from '../../support/stack';

/**
 * Webhook registration (README "Lever webhooks through Lever's API"): the admin API makes the
 * integration's Lever subscriptions through the Lever sandbox's webhooks API, stores the signing
 * tokens its create answers return, and removes them again — against the real API, PostgreSQL and the
 * sandbox over HTTP. Each test has its own Lever account (and key) and integration.
 */
describe('admin API: Lever webhooks registered through Lever\'s API', () => {
  jest.setTimeout(120_000);
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    stack = await startStack({ worker: false, config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
  });
  afterAll(async () => {
    await stack?.stop();
    await sandboxes?.close();
  });

  const lever = () => sandboxes.leverSandbox.admin;
  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${adminToken}` }) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** The answer's JSON after checking its status and that no secret of the integration is in it. */
  const answer = async (res: Response, status: number, secrets: readonly string[] = []) => {
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${text}`);
    for (const secret of secrets) expect(text).not.toContain(secret);
    return JSON.parse(text);
  };

  /** A Lever account of the test's own, with a key holding `permissions` (default: all), and an integration on it. */
  async function setUp(opts: { permissions?: string[]; accountId?: string; apiKey?: string; pastedTokens?: string[] } = {}) {
    const accountId = opts.accountId ?? lever().createAccount().id;
    const apiKey = opts.apiKey ?? lever().createKey(accountId, { permissions: (opts.permissions ?? [...ALL_PERMISSIONS]) as Array<(typeof ALL_PERMISSIONS)[number]> }).key;
    const integration = await createIntegration(stack.db, testSecretBox, {
      name: `Webhooks ${accountId.slice(0, 8)}`,
      lever: { apiKey, webhookSigningTokens: opts.pastedTokens ?? [] },
      codesignal: { apiKey: 'codesignal-key', webhookSecret: 'codesignal-secret-0123456789' },
      settings: {},
    });
    const url = webhookUrls(stack.config.publicUrl, integration.id).lever;
    const base = `/api/integrations/${integration.id}/lever-webhooks`;
    return {
      accountId, apiKey, integration, url, base,
      /** The account's subscriptions as the sandbox holds them (with the tokens and how each was made). */
      subscriptions: () => [...sandboxes.leverSandbox.store.account(accountId).webhooks.values()],
      ours: () => [...sandboxes.leverSandbox.store.account(accountId).webhooks.values()].filter((w) => w.url === url),
      stored: async () => (await findIntegration(stack.db, testSecretBox, integration.id))!,
      register: () => admin('POST', `${base}/register`, {}),
      remove: () => admin('DELETE', base),
      status: () => admin('GET', base),
      writesSince: (since: number) => lever().requests(accountId, { since }).filter((r) => r.method !== 'GET' && r.status < 300).map((r) => `${r.method} ${r.path}`),
    };
  }
  type SetUp = Awaited<ReturnType<typeof setUp>>;

  /** One API-made subscription per needed event at our URL, and the integration holds exactly their tokens (sealed in PostgreSQL). */
  async function expectRegistered(s: SetUp, extraTokens: string[] = []) {
    const ours = s.ours();
    expect(ours.map((w) => w.event).sort()).toEqual([...handledLeverEvents].sort());
    expect(ours.every((w) => w.createdVia === 'api')).toBe(true);
    expect((await s.stored()).leverWebhookSigningTokens.sort()).toEqual([...ours.map((w) => w.signatureToken), ...extraTokens].sort());
    const { rows } = await stack.db.query<{ tokens: string[] }>('SELECT lever_webhook_signing_tokens AS tokens FROM integrations WHERE id = $1', [s.integration.id]);
    for (const w of ours) expect(rows[0]!.tokens.join(' ')).not.toContain(w.signatureToken);
    return ours;
  }

  it('registers one subscription per needed event at the integration\'s URL and stores each signing token', async () => {
    const s = await setUp();
    const before = await answer(await s.status(), 200);
    expect(before).toMatchObject({ url: s.url, canRegister: true, complete: false, permissions: { 'webhooks:read:admin': true, 'webhooks:write:admin': true } });
    expect(before.subscriptions.map((r: { status: string }) => r.status)).toEqual(handledLeverEvents.map(() => 'missing'));

    const res = await s.register();
    const ours = await expectRegistered(s);
    const tokens = ours.map((w) => w.signatureToken);
    const registered = await answer(res, 200, tokens);
    expect(registered).toMatchObject({ url: s.url, complete: true, created: handledLeverEvents.length, deleted: 0, extra: [] });
    expect(registered.manualStep).toMatch(/^A Lever Super Admin must turn on /);
    expect(registered.subscriptions).toEqual(handledLeverEvents.map((event) => {
      const w = ours.find((o) => o.event === event)!;
      return { event, status: 'registered', webhookId: w.id, url: s.url, createdByService: true, tokenStored: true, tokenHint: w.signatureToken.slice(-4) };
    }));
    // the tokens are where the ingress reads them: the integration view counts them, the status agrees
    const view = await answer(await admin('GET', `/api/integrations/${s.integration.id}`), 200, tokens);
    expect(view.lever.webhookSigningTokenCount).toBe(handledLeverEvents.length);
    const after = await answer(await s.status(), 200, tokens);
    expect(after).toMatchObject({ complete: true, subscriptions: registered.subscriptions });
  });

  it('has a registered webhook\'s signed delivery accepted by the ingress once a Super Admin switched its event group on', async () => {
    const seed = sandboxes.lever.seed;
    const s = await setUp({ accountId: seed.accountId, apiKey: seed.apiKey });
    await answer(await s.register(), 200);
    const stageChange = s.ours().find((w) => w.event === 'candidateStageChange')!;
    const deliveries = () => lever().deliveries(seed.accountId, { webhookId: stageChange.id });
    const opportunityId = seed.opportunities[0]!.id;

    // made through the API: nothing is delivered until the event group is on (deliveries start synchronously)
    lever().switchWebhookEvent(seed.accountId, 'candidateStageChange', { on: false });
    sandboxes.leverSandbox.recruiter.moveToStage(seed.accountId, opportunityId, { stage: seed.stageIds.assessment, userId: seed.userIds.recruiter });
    expect(deliveries()).toEqual([]);

    expect(lever().switchWebhookEvent(seed.accountId, 'candidateStageChange', { on: true })).toMatchObject({ candidateStageChange: true, candidateHired: false });
    sandboxes.leverSandbox.recruiter.moveToStage(seed.accountId, opportunityId, { stage: seed.stageIds.onSite, userId: seed.userIds.recruiter });
    const [delivery] = await eventually(async () => {
      const done = deliveries().filter((d) => d.state !== 'pending');
      if (done.length !== 1) throw new Error('not delivered yet');
      return done;
    });
    expect(delivery).toMatchObject({ url: s.url, state: 'succeeded', attempts: [{ attempt: 1, status: 202 }] });
    // the delivery log writes its row after the answer has left (not awaited), so wait for it
    const outcomes = await eventually(async () => {
      const { rows } = await stack.db.query<{ outcome: string }>(
        `SELECT outcome FROM webhook_deliveries WHERE integration_id = $1 AND source = 'lever' ORDER BY received_at`, [s.integration.id]);
      if (rows.length === 0) throw new Error('delivery not recorded yet');
      return rows.map((r) => r.outcome);
    });
    expect(outcomes).toEqual(['accepted']);
    lever().switchWebhookEvent(seed.accountId, 'candidateStageChange', { on: false });
  });

  it('changes nothing when registering again', async () => {
    const s = await setUp();
    const first = await answer(await s.register(), 200);
    const ours = await expectRegistered(s);
    const since = Date.now();
    const again = await answer(await s.register(), 200);
    expect(again).toMatchObject({ created: 0, deleted: 0, complete: true, subscriptions: first.subscriptions });
    expect(s.writesSince(since)).toEqual([]);
    expect(s.ours().map((w) => w.id).sort()).toEqual(ours.map((w) => w.id).sort());
    await expectRegistered(s);
  });

  it('leaves no second subscription when a create\'s answer was lost: the next register deletes and re-creates it', async () => {
    const s = await setUp();
    lever().updateFaults(s.accountId, { dropNext: 1 });
    const failed = await answer(await s.register(), 502);
    expect(failed).toMatchObject({ error: 'lever_unavailable' });
    expect(failed.message).toMatch(/Registering again is safe/);
    // Lever made it, but its token was never seen
    const orphan = s.ours();
    expect(orphan).toHaveLength(1);
    expect((await s.stored()).leverWebhookSigningTokens).toEqual([]);
    const status = await answer(await s.status(), 200, [orphan[0]!.signatureToken]);
    expect(status.subscriptions.find((r: { event: string }) => r.event === orphan[0]!.event)).toMatchObject({ status: 'not_ours', webhookId: orphan[0]!.id, tokenStored: null });

    const again = await answer(await s.register(), 200);
    expect(again).toMatchObject({ complete: true, created: handledLeverEvents.length, deleted: 1 });
    const ours = await expectRegistered(s);
    expect(ours.map((w) => w.id)).not.toContain(orphan[0]!.id);
  });

  it('removes its subscriptions and their tokens, leaving one made in Lever\'s UI and its pasted token', async () => {
    const s = await setUp();
    // the manual flow: a subscription made on Lever's settings page, its token pasted by the admin
    const manual = lever().createWebhook(s.accountId, { url: s.url, event: 'candidateHired' });
    await answer(await admin('PATCH', `/api/integrations/${s.integration.id}`, { lever: { webhookSigningTokens: [manual.signatureToken] } }), 200, [manual.signatureToken]);

    const registered = await answer(await s.register(), 200);
    // no second subscription beside the UI-made one: Lever refused its deletion, so it stays the event's
    expect(registered.subscriptions.find((r: { event: string }) => r.event === 'candidateHired')).toMatchObject({ status: 'not_ours', webhookId: manual.id, createdByService: false });
    expect(registered.complete).toBe(false);
    const apiMade = s.ours().filter((w) => w.createdVia === 'api');
    expect(apiMade.map((w) => w.event).sort()).toEqual(handledLeverEvents.filter((e) => e !== 'candidateHired').sort());
    expect((await s.stored()).leverWebhookSigningTokens.sort()).toEqual([manual.signatureToken, ...apiMade.map((w) => w.signatureToken)].sort());

    const removed = await answer(await s.remove(), 200, [manual.signatureToken]);
    expect(removed).toMatchObject({ deleted: apiMade.length, created: 0 });
    expect(s.ours().map((w) => w.id)).toEqual([manual.id]);
    expect((await s.stored()).leverWebhookSigningTokens).toEqual([manual.signatureToken]);
    const { rows } = await stack.db.query('SELECT 1 FROM lever_webhook_registrations WHERE integration_id = $1', [s.integration.id]);
    expect(rows).toEqual([]);
    expect(removed.subscriptions.filter((r: { status: string }) => r.status === 'missing')).toHaveLength(handledLeverEvents.length - 1);

    // removing again finds nothing of its own: nothing is written
    const since = Date.now();
    await answer(await s.remove(), 200);
    expect(s.writesSince(since)).toEqual([]);
  });

  it('removes every subscription it registered and forgets their tokens', async () => {
    const s = await setUp();
    await answer(await s.register(), 200);
    const ours = await expectRegistered(s);
    // only the API may change what the API made (§2.7): Lever's settings page cannot delete them
    expect(() => lever().deleteWebhook(s.accountId, ours[0]!.id)).toThrow(/created through the API/);
    const removed = await answer(await s.remove(), 200);
    expect(removed).toMatchObject({ deleted: handledLeverEvents.length, complete: false });
    expect(s.ours()).toEqual([]);
    expect((await s.stored()).leverWebhookSigningTokens).toEqual([]);
  });

  it('answers a key without webhooks:write:admin with the manual flow, and creates nothing', async () => {
    const s = await setUp({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'webhooks:write:admin') });
    const since = Date.now();
    const status = await answer(await s.status(), 200);
    expect(status).toMatchObject({ canRegister: false, permissions: { 'webhooks:read:admin': true, 'webhooks:write:admin': false } });
    expect(status.manualFlow).toContain(s.url);

    const refused = await answer(await s.register(), 409);
    expect(refused).toMatchObject({ error: 'lever_webhooks_permission_missing', details: { missingPermission: 'webhooks:write:admin' } });
    expect(refused.message).toMatch(/manual flow applies/);
    expect(s.subscriptions()).toEqual([]);
    expect(s.writesSince(since)).toEqual([]);
    expect((await s.stored()).leverWebhookSigningTokens).toEqual([]);

    // the manual flow still works: a token pasted for a subscription made in Lever's UI is stored
    const manual = lever().createWebhook(s.accountId, { url: s.url, event: 'candidateStageChange' });
    await answer(await admin('PATCH', `/api/integrations/${s.integration.id}`, { lever: { webhookSigningTokens: [manual.signatureToken] } }), 200, [manual.signatureToken]);
    expect((await s.stored()).leverWebhookSigningTokens).toEqual([manual.signatureToken]);
  });

  it('answers a key without webhooks:read:admin with the manual flow too', async () => {
    const s = await setUp({ permissions: ALL_PERMISSIONS.filter((p) => !p.startsWith('webhooks:')) });
    expect(await answer(await s.status(), 200)).toMatchObject({ canRegister: false, subscriptions: null, manualFlow: expect.stringContaining(s.url) });
    expect(await answer(await s.register(), 409)).toMatchObject({ error: 'lever_webhooks_permission_missing', details: { missingPermission: 'webhooks:read:admin' } });
  });

  it('shows a key Lever refuses as a problem, and answers register with a 502 naming Lever\'s refusal', async () => {
    const s = await setUp({ apiKey: 'not-a-lever-key' });
    expect(await answer(await s.status(), 200, ['not-a-lever-key'])).toMatchObject({ canRegister: false, subscriptions: null, problem: expect.stringMatching(/^Lever refused to list the webhooks: .*401/) });
    expect(await answer(await s.register(), 502, ['not-a-lever-key'])).toMatchObject({ error: 'lever_refused' });
  });

  it('refuses callers without the admin token, unknown fields and unknown integrations', async () => {
    const s = await setUp();
    expect((await admin('POST', `${s.base}/register`, {}, {})).status).toBe(401);
    expect((await admin('DELETE', s.base, undefined, {})).status).toBe(401);
    expect((await admin('GET', s.base, undefined, {})).status).toBe(401);
    const unknownField = await answer(await admin('POST', `${s.base}/register`, { force: true }), 400);
    expect(unknownField).toMatchObject({ error: 'invalid_body', message: 'unknown field force' });
    expect(await answer(await admin('POST', '/api/integrations/00000000-0000-4000-8000-000000000000/lever-webhooks/register', {}), 404)).toMatchObject({ error: 'unknown_integration' });
    expect(s.subscriptions()).toEqual([]);
  });

  it('guides the CodeSignal webhook set-up with the values to paste, the secret shown by its last characters only', async () => {
    const s = await setUp();
    const guide = await answer(await admin('GET', `/api/integrations/${s.integration.id}/codesignal-webhook`), 200, ['codesignal-secret-0123456789']);
    expect(guide).toMatchObject({ url: webhookUrls(stack.config.publicUrl, s.integration.id).codesignal, secretConfigured: true, secretHint: '6789' });
    expect(guide.events).toEqual(expect.arrayContaining(['companyTestSessionFinished', 'liveInterviewFinished']));
    expect(guide.events).not.toContain('assessmentCreated');
  });
});
