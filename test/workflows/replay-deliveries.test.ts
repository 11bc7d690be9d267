import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { ensureDemoIntegration } from '../../sandbox/demo-integration';
import { startSandboxes, type RunningSandboxes } from '../../sandbox/start';
import { codesignalSignature } from '../../src/codesignal/webhook-signature';
import { pruneWebhookDeliveries, recordWebhookDelivery } from '../../src/db/webhook-deliveries';
import { findIntegration, type Integration } from '../../src/integrations/repository';
import { webhookUrls } from '../../src/integrations/urls';
import { candidateStateQuery } from '../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';
import {
  createCandidate,
  invitationEmails,
  invitationRequests,
  noteKinds,
  plainTest,
  putAssessmentSettings,
  sessionsFor,
  waitForInvitation,
  type Candidate,
  type Harness,
} from '../support/assessment-faults';
import { postJson, readJson } from '../support/lever-webhook';
import { adminToken, closableConnection, eventually, startStack, testDataConverter, testSecretBox, type TestStack } from '../support/stack';
import type { InspectedOpportunity } from '../../sandbox/lever/index';

/** Where Lever's and CodeSignal's deliveries go: passes each request on to `target` (the API that is up, or the one whose Temporal is down). */
async function startSwitch(): Promise<{ url: string; target: string; close(): Promise<void> }> {
  const state = { target: '' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      const body = ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : Buffer.concat(chunks);
      fetch(`${state.target}${req.url ?? '/'}`, { method: req.method, headers, body })
        .then(async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/**
 * The webhook inbox (README "Webhook inbox and replay"): every delivery's raw body is kept sealed, and
 * an admin replays one, or bulk-resends the failed ones after an outage, through the same verification
 * and de-duplication as a live delivery. Lever delivers to an API whose Temporal is unreachable (every
 * delivery answered 503, outcome failed) while the outage lasts; the bulk replay runs on a healthy API with a worker.
 */
describe('webhook inbox and replay', () => {
  jest.setTimeout(120_000);
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let down: TestStack;
  let integration: Integration;
  let h: Harness;
  let ingress: Awaited<ReturnType<typeof startSwitch>>;
  let deadConnection: Awaited<ReturnType<typeof closableConnection>> | undefined;
  const seed = () => sandboxes.lever.seed;

  beforeAll(async () => {
    // Lever gives up after one attempt: the outage outlasts its retries
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true, lever: { webhookRetryDelaysMs: [] }, codesignal: { webhookRetryDelaysMs: () => 300 } });
    // both APIs are reached at the switch's URL (the public URL CodeSignal signs)
    ingress = await startSwitch();
    const config = { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl, PUBLIC_URL: ingress.url };
    // a live Lever delivery older than 5 s is stale; a replay is not refused for its age
    stack = await startStack({ config: { ...config, LEVER_WEBHOOK_MAX_AGE_SECONDS: '5' } });
    deadConnection = await closableConnection({ address: '127.0.0.1:1', lazy: true });
    const deadTemporal = new Client({ connection: deadConnection.connection, dataConverter: testDataConverter() });
    down = await startStack({ worker: false, temporal: deadTemporal, config: { ...config, TEMPORAL_RPC_TIMEOUT_MS: '1000' } });
    ingress.target = stack.baseUrl;
    integration = await ensureDemoIntegration(stack.db, testSecretBox, sandboxes, ingress.url, `Replay ${randomUUID()}`);
    h = {
      sandboxes,
      stack,
      integration,
      opportunity: (id) => sandboxes.leverSandbox.recruiter.inspect(seed().accountId, id) as InspectedOpportunity & { tags: string[]; links: string[] },
    };
    // a default test sends the invitation at once
    await putAssessmentSettings(stack, integration, { defaultTestByStage: { [seed().stageIds.assessment]: plainTest(h).id } });
  });
  afterAll(async () => {
    // no more deliveries first (Lever's and CodeSignal's retries), then the APIs and their Temporal connections
    await ingress?.close();
    await sandboxes?.close();
    await down?.stop();
    await deadConnection?.close();
    await stack?.stop();
  });

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${stack.baseUrl}/api/integrations/${integration.id}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${adminToken}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const adminJson = async (path: string, init: { method?: string; body?: unknown } = {}, status = 200) => {
    const res = await admin(path, init);
    const body = await readJson(res);
    expect([res.status, body]).toEqual([status, expect.anything()]);
    return body;
  };
  type Row = { id: string; outcome: string; http_status: number; reason: string | null; replay_of: string | null; event: string | null; received_at: Date };
  const rowsOf = async (opportunityId: string): Promise<Row[]> =>
    (await stack.db.query<Row>(`SELECT * FROM webhook_deliveries WHERE integration_id = $1 AND opportunity_id = $2 ORDER BY id`, [integration.id, opportunityId])).rows;
  const signalsReceived = async (opportunityId: string) => {
    const history = await stack.client.workflow.getHandle(candidateWorkflowId(integration.id, opportunityId)).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leverEvent').length;
  };
  /** Moves the candidate in Lever during an outage: its delivery is answered 503 by the API whose Temporal is down. */
  async function failedStageChange(c: Candidate, stageId: string): Promise<Row> {
    ingress.target = down.baseUrl;
    try {
      sandboxes.leverSandbox.recruiter.moveToStage(seed().accountId, c.id, { stage: stageId });
      return await eventually(async () => {
        const failed = (await rowsOf(c.id)).filter((r) => r.outcome === 'failed');
        expect(failed).toHaveLength(1);
        expect(failed[0]).toMatchObject({ http_status: 503, reason: expect.stringMatching(/^temporal_unavailable:/) });
        return failed[0]!;
      }, 20_000);
    } finally {
      ingress.target = stack.baseUrl; // the outage is over
    }
  }
  const sealedOf = async (deliveryId: string) =>
    (await stack.db.query<{ body_sealed: string; headers_sealed: string | null }>(`SELECT body_sealed, headers_sealed FROM webhook_delivery_bodies WHERE delivery_id = $1`, [deliveryId])).rows[0];

  it('after an outage, a bulk replay starts the assessment once, and the same bulk replay again resends nothing', async () => {
    const c = createCandidate(h, 'outage');
    const since = new Date(Date.now() - 1000).toISOString();
    const original = await failedStageChange(c, seed().stageIds.assessment);
    await expect(stack.client.workflow.getHandle(candidateWorkflowId(integration.id, c.id)).describe()).rejects.toThrow();

    // its raw body is kept, sealed: neither the opportunity id nor the stage appears in what is stored
    const sealed = await sealedOf(original.id);
    expect(sealed?.body_sealed).toMatch(/^enc:v1:/);
    expect(sealed?.headers_sealed).toBeNull(); // Lever signs inside the body
    for (const plain of [c.id, seed().stageIds.assessment]) expect(JSON.stringify(sealed)).not.toContain(plain);

    // the preview says how many would be resent; nothing is sent
    const preview = await adminJson(`/deliveries/replay-preview?since=${encodeURIComponent(since)}&outcomes=failed`);
    expect(preview).toMatchObject({ count: 1, notKept: 0, bySourceAndEvent: [{ source: 'lever', event: 'candidateStageChange', count: 1 }], batchLimit: 1000 });
    expect(await rowsOf(c.id)).toHaveLength(1);

    // Lever's own resend of it now is stale (older than 5 s when received); the admin's replay of the
    // delivery that was fresh when it arrived is not refused for its age, the replay of the late one is
    const body = sandboxes.leverSandbox.admin.deliveries(seed().accountId, { event: 'candidateStageChange' }).find((d) => d.attempts[0]?.body.data.opportunityId === c.id)!.attempts[0]!.body;
    await eventually(async () => expect(Date.now() - body.triggeredAt).toBeGreaterThan(6_000), 10_000, 250);
    const live = await postJson(`${stack.baseUrl}/webhooks/lever/${integration.id}`, body);
    expect([live.status, (await readJson(live)).error]).toEqual([401, 'stale_event']);
    const stale = await eventually(async () => {
      const found = (await rowsOf(c.id)).find((r) => r.outcome === 'rejected');
      expect(found).toBeDefined();
      return found!;
    });

    // while Temporal is still down, a bulk replay stops at the first delivery that fails again; it stays to resend
    const during = await fetch(`${down.baseUrl}/api/integrations/${integration.id}/deliveries/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ since, outcomes: ['failed'] }),
    });
    expect(await readJson(during)).toMatchObject({ resent: 1, failed: 1, accepted: 0, stopped: expect.stringContaining('temporal_unavailable'), remaining: 1 });

    // both, oldest first: the failed one is acted on, the late copy is refused again (stale when received)
    const bulk = await adminJson('/deliveries/replay', { method: 'POST', body: { since, outcomes: ['failed', 'rejected'] } });
    expect(bulk).toMatchObject({ resent: 2, accepted: 1, duplicate: 0, refused: 1, failed: 0, stopped: null, remaining: 0 });
    expect(bulk.replays).toEqual([
      { deliveryId: original.id, replayId: expect.any(String), outcome: 'accepted' },
      { deliveryId: stale.id, replayId: expect.any(String), outcome: 'rejected' },
    ]);
    expect((await rowsOf(c.id)).find((r) => r.replay_of === stale.id)?.reason).toMatch(/^stale_event:/);

    const session = await waitForInvitation(h, c);
    expect(session).toBeDefined();

    // the same bulk replay again: nothing is resent
    expect(await adminJson('/deliveries/replay', { method: 'POST', body: { since, outcomes: ['failed', 'rejected'] } })).toMatchObject({ resent: 0, accepted: 0, remaining: 0 });
    expect(await adminJson(`/deliveries/replay-preview?since=${encodeURIComponent(since)}&outcomes=failed,rejected`)).toMatchObject({ count: 0 });

    // a replay of the accepted delivery is a duplicate: answered, nothing done
    const again = await adminJson(`/deliveries/${original.id}/replay`, { method: 'POST' });
    expect(again.replay).toMatchObject({ replayOf: original.id, outcome: 'duplicate', httpStatus: 200 });
    const replayRow = bulk.replays[0].replayId as string;
    expect((await adminJson(`/deliveries/${replayRow}/replay`, { method: 'POST' })).replay).toMatchObject({ replayOf: original.id, outcome: 'duplicate' });

    // Activity lists the replays, naming the delivery they replayed
    const { deliveries } = await adminJson(`/activity/webhooks?limit=200`);
    // (CodeSignal's own deliveries about the session it created are live, accepted ones)
    type Listed = { id: string; source: string; opportunityId: string; replayOf: string | null; outcome: string; bodyKept: boolean };
    const ofCandidate = (deliveries as Listed[]).filter((d) => d.opportunityId === c.id && d.source === 'lever');
    expect(ofCandidate.map((d) => [d.outcome, d.replayOf, d.bodyKept]).sort()).toEqual(
      [
        ['accepted', original.id, false],
        ['rejected', stale.id, false],
        ['duplicate', original.id, false],
        ['duplicate', original.id, false],
        ['failed', null, true],
        ['failed', original.id, false], // the bulk replay while Temporal was still down
        ['rejected', null, true], // the stale live resend
      ].sort(),
    );

    // one signal, one assessment, one invitation, one invitation note
    expect(await signalsReceived(c.id)).toBe(1);
    const state = await stack.client.workflow.getHandle(candidateWorkflowId(integration.id, c.id)).query(candidateStateQuery);
    expect(state.assessments).toHaveLength(1);
    expect(invitationRequests(h, c.email).filter((r) => r.outcome === 'ok')).toHaveLength(1);
    expect(invitationEmails(h, c.email)).toHaveLength(1);
    expect(sessionsFor(h, c.email)).toHaveLength(1);
    expect(noteKinds(h, c.id).invitation).toBe(1);
  });

  it('a kept body altered in the database is refused, and one that does not open is not sent', async () => {
    const c = createCandidate(h, 'altered');
    const original = await failedStageChange(c, seed().stageIds.onSite);
    const context = `webhook_delivery_bodies/${original.id}/body`;
    const sealed = (await sealedOf(original.id))!.body_sealed;
    const body = JSON.parse(Buffer.from(testSecretBox.open(sealed, context), 'base64').toString('utf8'));
    const store = (altered: unknown) =>
      stack.db.query(`UPDATE webhook_delivery_bodies SET body_sealed = $2 WHERE delivery_id = $1`, [
        original.id,
        testSecretBox.seal(Buffer.from(JSON.stringify(altered)).toString('base64'), context),
      ]);

    // another stage under the same token: its body is not the one the token was first seen with
    await store({ ...body, data: { ...body.data, toStageId: seed().stageIds.assessment } });
    const replayed = await adminJson(`/deliveries/${original.id}/replay`, { method: 'POST' });
    expect(replayed.replay).toMatchObject({ outcome: 'rejected', httpStatus: 401, reason: expect.stringMatching(/^replayed_token:/) });
    // another token: the signature no longer matches
    await store({ ...body, token: `${body.token as string}x` });
    expect((await adminJson(`/deliveries/${original.id}/replay`, { method: 'POST' })).replay).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^invalid_signature:/) });

    // the ciphertext itself altered: it does not open, nothing is sent or recorded
    await stack.db.query(`UPDATE webhook_delivery_bodies SET body_sealed = $2 WHERE delivery_id = $1`, [original.id, `${sealed.slice(0, -6)}AAAA==`]);
    const unreadable = await adminJson(`/deliveries/${original.id}/replay`, { method: 'POST' }, 409);
    expect(unreadable).toMatchObject({ error: 'body_unreadable' });
    expect(JSON.stringify(unreadable)).not.toContain(c.id);
    expect((await rowsOf(c.id)).map((r) => r.outcome)).toEqual(['failed', 'rejected', 'rejected']);
    await expect(stack.client.workflow.getHandle(candidateWorkflowId(integration.id, c.id)).describe()).rejects.toThrow();
  });

  it("keeps a CodeSignal delivery's body with its signature header, and its replay is verified again", async () => {
    const { codesignalWebhookSecret } = (await findIntegration(stack.db, testSecretBox, integration.id))!;
    const url = webhookUrls(stack.config.publicUrl, integration.id).codesignal;
    const triggeredOn = Date.now();
    const event = { event: 'assessmentCreated', triggeredOn, payload: { assessmentId: `a${randomUUID().slice(0, 8)}`, assessmentTitle: 'Replay', assessmentStatus: 'active' } };
    const signature = codesignalSignature(codesignalWebhookSecret!, url, event.event, triggeredOn);
    const res = await postJson(url, event, { 'x-codesignal-signature': signature });
    expect(res.status).toBe(200);
    const row = await eventually(async () => {
      const { rows } = await stack.db.query<Row>(
        `SELECT * FROM webhook_deliveries WHERE integration_id = $1 AND source = 'codesignal' AND event = 'assessmentCreated' AND received_at > $2 ORDER BY id`,
        [integration.id, new Date(triggeredOn - 1000)],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    });
    const sealed = (await sealedOf(row.id))!;
    expect(sealed.headers_sealed).toMatch(/^enc:v1:/);
    for (const plain of [signature, event.payload.assessmentId, 'assessmentCreated']) expect(JSON.stringify(sealed)).not.toContain(plain);
    expect(JSON.parse(testSecretBox.open(sealed.headers_sealed!, `webhook_delivery_bodies/${row.id}/headers`))).toEqual({ 'x-codesignal-signature': signature });

    const replayed = await adminJson(`/deliveries/${row.id}/replay`, { method: 'POST' });
    expect(row.outcome).toBe('ignored');
    expect(replayed.replay).toMatchObject({ source: 'codesignal', replayOf: row.id, outcome: 'ignored', httpStatus: 200 });
    // the kept signature altered: the replay is refused like a live delivery with that header
    await stack.db.query(`UPDATE webhook_delivery_bodies SET headers_sealed = $2 WHERE delivery_id = $1`, [
      row.id,
      testSecretBox.seal(JSON.stringify({ 'x-codesignal-signature': '0'.repeat(64) }), `webhook_delivery_bodies/${row.id}/headers`),
    ]);
    expect((await adminJson(`/deliveries/${row.id}/replay`, { method: 'POST' })).replay).toMatchObject({ outcome: 'rejected', httpStatus: 401, reason: expect.stringMatching(/^invalid_signature:/) });
  });

  it('answers what cannot be replayed with a JSON error naming the problem', async () => {
    const id = await recordWebhookDelivery(stack.db, {
      // a day old: outside the other tests' bulk replays
      integrationId: integration.id, source: 'lever', event: 'candidateStageChange', receivedAt: new Date(Date.now() - 86_400_000), outcome: 'failed', httpStatus: 503, reason: null, opportunityId: null, workflowId: null,
    });
    expect(await adminJson(`/deliveries/${id}/replay`, { method: 'POST' }, 410)).toMatchObject({ error: 'body_not_kept' });
    expect(await adminJson(`/deliveries/999999999999/replay`, { method: 'POST' }, 404)).toMatchObject({ error: 'unknown_delivery' });
    expect(await adminJson(`/deliveries/${id}/replay`, { method: 'POST', body: { force: true } }, 400)).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('force') });
    expect(await adminJson('/deliveries/replay', { method: 'POST', body: { since: 'yesterday' } }, 400)).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('since') });
    expect(await adminJson('/deliveries/replay', { method: 'POST', body: { since: new Date().toISOString(), outcomes: ['accepted'] } }, 400)).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('outcomes') });
    expect(await adminJson('/deliveries/replay-preview?since=2026-01-01T00:00:00Z&outcomes=accepted', {}, 400)).toMatchObject({ error: 'invalid_query', message: expect.stringContaining('accepted') });
    const res = await fetch(`${stack.baseUrl}/api/integrations/${integration.id}/deliveries/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('deletes kept bodies with their deliveries at the end of the retention', async () => {
    const c = createCandidate(h, 'retention');
    const original = await failedStageChange(c, seed().stageIds.onSite);
    expect(await sealedOf(original.id)).toBeDefined();
    await stack.db.query(`UPDATE webhook_deliveries SET received_at = now() - interval '400 days' WHERE id = $1`, [original.id]);
    expect(await pruneWebhookDeliveries(stack.db, 365)).toBeGreaterThanOrEqual(1);
    expect(await sealedOf(original.id)).toBeUndefined();
    expect(await adminJson(`/deliveries/${original.id}/replay`, { method: 'POST' }, 404)).toMatchObject({ error: 'unknown_delivery' });
  });
});
