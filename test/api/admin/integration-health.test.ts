import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ALL_PERMISSIONS } from '../../../sandbox/lever/permissions';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { integrationHealthReader, temporalBackoffMs } from '../../../src/api/admin/integration-health';
import { recordKeyTest, storedKeyVersion } from '../../../src/integrations/key-checks/key-test-results';
import type { Integration } from '../../../src/integrations/repository';
import { IntegrationIdKey } from '../../../src/workflows/shared/search-attributes';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { adminToken, eventually, insertIntegration, signingToken, startStack, testDataConverter, type TestStack } from '../../support/stack';

/**
 * Integration health on GET /api/integrations(/:id): real deliveries through the ingress, stored-key
 * TESTs against the Lever and CodeSignal sandboxes, a timed-out run in Temporal visibility, and a
 * Temporal that does not answer.
 */
describe('admin API: integration health', () => {
  jest.setTimeout(120_000);
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let integration: Integration;
  let limitedLeverKey: string;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    stack = await startStack({
      worker: false,
      config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl, LEVER_WEBHOOK_MAX_AGE_SECONDS: '600' },
    });
    // a Lever key without one scope: its TEST names the two checklist entries it lacks
    limitedLeverKey = sandboxes.leverSandbox.admin.createKey(sandboxes.lever.seed.accountId, {
      permissions: ALL_PERMISSIONS.filter((p) => p !== 'stages:read:admin'),
      name: 'health: no stages',
    }).key;
    integration = await insertIntegration(stack.db, {
      lever: { apiKey: limitedLeverKey, webhookSigningTokens: [signingToken()] },
      codesignal: { apiKey: sandboxes.codesignal.seed.apiKey, webhookSecret: 'codesignal-secret' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await sandboxes?.close();
  });

  const admin = (method: string, path: string, body?: unknown, base = stack.baseUrl) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** The integration's view, after checking that no stored key is anywhere in the answer. */
  const read = async (base = stack.baseUrl) => {
    const res = await admin('GET', `/api/integrations/${integration.id}`, undefined, base);
    const text = await res.text();
    expect(res.status).toBe(200);
    for (const secret of [limitedLeverKey, sandboxes.codesignal.seed.apiKey, sandboxes.lever.seed.apiKey]) expect(text).not.toContain(secret);
    return JSON.parse(text);
  };
  const leverDelivery = (token: string) =>
    signedLeverDelivery(token, 'candidateStageChange', { opportunityId: randomUUID(), candidateId: 'c', contactId: 'ct', fromStageId: 'lead-new', toStageId: 'phone-screen' });
  const recent = (iso: string | null | undefined) => iso != null && Math.abs(Date.now() - Date.parse(iso)) < 60_000;

  // One flow: each step builds on the state the previous one left (tests run shuffled, so it is one test).
  it('shows last deliveries, stored-key TESTs and failures of the last 24 hours, and degrades to unknown without Temporal', async () => {
    // 1. A new integration: nothing yet, and Temporal counted no failure.
    expect((await read()).health).toEqual({
      lastDelivery: { lever: null, codesignal: null, sourcing: null, feed: null },
      keyTests: { lever: null, codesignal: null },
      failures24h: { deliveries: 0, workflows: 0 },
    });

    // 2. An accepted Lever delivery, then one signed with a token the integration does not hold (rejected, 401).
    const url = `${stack.baseUrl}/webhooks/lever/${integration.id}`;
    expect((await postJson(url, leverDelivery(integration.leverWebhookSigningTokens[0]!))).status).toBe(202);
    const accepted = await eventually(async () => {
      const { health } = await read();
      expect(health.lastDelivery.lever).toMatchObject({ outcome: 'accepted' });
      return health.lastDelivery.lever;
    });
    expect(accepted.lastAcceptedAt).toBe(accepted.at);
    expect((await postJson(url, leverDelivery(signingToken()))).status).toBe(401);
    const afterRefusal = await eventually(async () => {
      const { health } = await read();
      expect(health.lastDelivery.lever.outcome).toBe('rejected');
      return health;
    });
    expect(afterRefusal.lastDelivery).toEqual({
      lever: { at: expect.any(String), outcome: 'rejected', lastAcceptedAt: accepted.at },
      codesignal: null,
      sourcing: null,
      feed: null,
    });
    expect(Date.parse(afterRefusal.lastDelivery.lever.at)).toBeGreaterThanOrEqual(Date.parse(accepted.at));
    expect(afterRefusal.failures24h.deliveries).toBe(1);

    // 3. TESTs of the stored keys against the sandboxes are remembered; a TEST of a typed key is not.
    const leverTest = await readJson(await admin('POST', `/api/integrations/${integration.id}/lever/test`, {}));
    expect(leverTest).toMatchObject({ ok: false, keyValid: true });
    expect([...leverTest.missing].sort()).toEqual(['list stages', 'read stage']);
    const codesignalTest = await readJson(await admin('POST', `/api/integrations/${integration.id}/codesignal/test`, {}));
    expect(codesignalTest).toMatchObject({ ok: true, keyValid: true, missing: [] });
    const typed = await readJson(await admin('POST', `/api/integrations/${integration.id}/lever/test`, { apiKey: sandboxes.lever.seed.apiKey }));
    expect(typed).toMatchObject({ ok: true });
    const tested = (await read()).health.keyTests;
    expect(tested).toEqual({
      lever: { checkedAt: leverTest.checkedAt, ok: false, keyValid: true, missing: leverTest.missing },
      codesignal: { checkedAt: codesignalTest.checkedAt, ok: true, keyValid: true, missing: [] },
    });
    // only the result is stored: no key, hint or permission detail
    const stored = await stack.db.query('SELECT * FROM integration_key_tests WHERE integration_id = $1', [integration.id]);
    expect(Object.keys(stored.rows[0]).sort()).toEqual(['checked_at', 'integration_id', 'key_valid', 'missing', 'ok', 'service']);
    expect(JSON.stringify(stored.rows)).not.toContain(limitedLeverKey);

    // 4. A key replaced through PATCH is untested; the other key's result stays. A TEST that read the
    //    key before it was replaced is not credited to the new one.
    const before = await storedKeyVersion(stack.db, integration.id, 'lever');
    const patched = await admin('PATCH', `/api/integrations/${integration.id}`, { lever: { apiKey: sandboxes.lever.seed.apiKey } });
    expect(patched.status).toBe(200);
    expect((await readJson(patched)).health.keyTests).toEqual({ lever: null, codesignal: tested.codesignal });
    expect(await recordKeyTest(stack.db, integration.id, 'lever', before!, { ...leverTest, checkedAt: new Date().toISOString() })).toBe(false);
    expect((await read()).health.keyTests.lever).toBeNull();
    // a name change keeps both results
    await admin('PATCH', `/api/integrations/${integration.id}`, { name: 'Health renamed' });
    expect((await read()).health.keyTests).toEqual({ lever: null, codesignal: tested.codesignal });

    // 5. A run of the integration that timed out (no worker polls its task queue) is counted; a terminated one is not.
    const attributes = { typedSearchAttributes: [{ key: IntegrationIdKey, value: integration.id }] };
    const taskQueue = `health-${randomUUID()}`;
    const timedOut = await stack.client.workflow.start('candidate', { taskQueue, workflowId: `health-timeout-${randomUUID()}`, workflowExecutionTimeout: '1s', args: [], ...attributes });
    const terminated = await stack.client.workflow.start('candidate', { taskQueue, workflowId: `health-terminated-${randomUUID()}`, args: [], ...attributes });
    await terminated.terminate('health test');
    await expect(timedOut.result()).rejects.toThrow();
    const counted = await eventually(async () => {
      const { health } = await read();
      expect(health.failures24h.workflows).toBe(1);
      return health;
    }, 20_000, 250);
    expect(counted.failures24h).toEqual({ deliveries: 1, workflows: 1 });

    // 6. The list carries the same health.
    const list = await readJson(await admin('GET', '/api/integrations'));
    expect(list.integrations.find((i: { id: string }) => i.id === integration.id).health).toEqual(counted);

    // 7. A Temporal that does not answer: the list still answers, its workflow failures unknown. A Lever
    //    delivery it cannot record is answered 503 and counted as a failed delivery.
    const dead = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), dataConverter: testDataConverter() });
    const down = await startStack({ worker: false, temporal: dead, config: { TEMPORAL_RPC_TIMEOUT_MS: '1500' } });
    try {
      expect((await postJson(`${down.baseUrl}/webhooks/lever/${integration.id}`, leverDelivery(integration.leverWebhookSigningTokens[0]!))).status).toBe(503);
      const degraded = await eventually(async () => {
        const { health } = await read(down.baseUrl);
        expect(health.lastDelivery.lever.outcome).toBe('failed');
        return health;
      });
      expect(degraded.failures24h).toEqual({ deliveries: 2, workflows: null });
      expect(degraded.lastDelivery.lever.lastAcceptedAt).toBe(accepted.at);
      expect(recent(degraded.lastDelivery.lever.at)).toBe(true);
      const degradedList = await admin('GET', '/api/integrations', undefined, down.baseUrl);
      expect(degradedList.status).toBe(200);
      expect((await readJson(degradedList)).integrations.find((i: { id: string }) => i.id === integration.id).health.failures24h.workflows).toBeNull();
    } finally {
      await down.stop();
    }
  });

  it('leaves a Temporal that did not answer alone for a while, so pages do not each wait the deadline', async () => {
    let asked = 0;
    const refusing = {
      connection: { withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call() },
      workflow: { count: async () => { asked++; throw new Error('unavailable'); } },
    } as unknown as Client;
    let now = Date.now();
    const healthOf = integrationHealthReader({ db: stack.db, temporal: refusing, temporalTimeoutMs: 1000 }, () => now);
    const workflows = async () => (await healthOf([integration.id])).get(integration.id)!.failures24h.workflows;
    expect(await workflows()).toBeNull();
    expect(asked).toBe(1);
    now += temporalBackoffMs - 1;
    expect(await workflows()).toBeNull();
    expect(asked).toBe(1);
    now += 1;
    expect(await workflows()).toBeNull();
    expect(asked).toBe(2);
  });
});
