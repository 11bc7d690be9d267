import { captureErrorLogs, type ErrorLogs } from '../hardening-support';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { webhookUrls } from '../../../src/integrations/urls';
import { claimLeverDeliveryToken, pruneLeverDeliveryTokens } from '../../../src/api/ingress/lever-delivery-tokens';
import type { Integration } from '../../../src/integrations/repository';
import type { WebhookBody } from '../../../sandbox/lever/index';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { createCandidate, type Candidate } from '../../support/assessment-faults';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { adminToken, eventually, insertIntegration, startStack, testDataConverter, testLogger, type TestStack } from '../../support/stack';

/**
 * Attack: a captured Lever delivery sent again. The signature covers only `token + triggeredAt`, so the
 * ingress remembers each token with a hash of the body while the delivery's age is accepted: the same
 * token and body is a duplicate (2xx, no Temporal call, nothing happens twice), the same token with
 * another body a replay (401, nothing started).
 */
describe('attack: a Lever delivery token used again', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let logs: ErrorLogs;
  const seed = () => h.sandboxes.lever.seed;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'Replayed token' });
  });
  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  const ingress = () => webhookUrls(h.stack.config.publicUrl, h.integration.id).lever;
  const candidateHandle = (opportunityId: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, opportunityId));
  /** Lever events the candidate workflow was signalled, from its history: each is one Temporal call by the ingress. */
  const signalsReceived = async (opportunityId: string) => {
    const history = await candidateHandle(opportunityId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leverEvent').length;
  };
  const leverWrites = (opportunityId: string, since: number) =>
    h.sandboxes.leverSandbox.admin
      .requests(seed().accountId, { since })
      .filter((r) => r.method !== 'GET' && r.path.startsWith(`/v1/opportunities/${opportunityId}`))
      .map((r) => `${r.method} ${r.path.slice(r.path.lastIndexOf('/') + 1)}`);
  const deliveries = async (outcome: string) => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/webhooks?outcome=${outcome}&limit=200`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    return (await readJson(res)).deliveries as Array<{ event: string; httpStatus: number; reason: string | null; opportunityId: string | null }>;
  };
  /** The delivery Lever made to the ingress for the candidate entering the stage, as it was sent (waits for the 2xx). */
  const delivered = (c: Candidate, toStageId: string): Promise<WebhookBody> =>
    eventually(async () => {
      const found = h.sandboxes.leverSandbox.admin
        .deliveries(seed().accountId, { event: 'candidateStageChange', state: 'succeeded' })
        .find((d) => d.url === ingress() && d.attempts[0]?.body.data.opportunityId === c.id && d.attempts[0]?.body.data.toStageId === toStageId);
      expect(found).toBeDefined();
      return found!.attempts.at(-1)!.body;
    }, 20_000);

  it('the same token and body again is a duplicate: 200, no Temporal call, no second effect', async () => {
    const c = createCandidate(h, 'duplicate');
    const since = Date.now();
    h.moveToStage(c.id, seed().stageIds.assessment);
    const original = await delivered(c, seed().stageIds.assessment);
    // the effect of the delivery: an assessment with its selection link and tag
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: awaiting test selection');
      expect((await candidateHandle(c.id).query(candidateStateQuery)).assessments?.map((a) => a.status)).toEqual(['awaiting_selection']);
    }, 30_000);
    const writes = leverWrites(c.id, since);
    expect(writes).toContain('POST addLinks');
    expect(await signalsReceived(c.id)).toBe(1);

    for (let i = 0; i < 3; i++) {
      const res = await postJson(ingress(), original, { 'user-agent': 'Lever-Webhooks' });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toMatchObject({ status: 'duplicate' });
    }

    expect(await signalsReceived(c.id)).toBe(1);
    const state = await candidateHandle(c.id).query(candidateStateQuery);
    expect(state).toMatchObject({ eventsReceived: 1, duplicatesIgnored: 0, refusedEvents: 0 });
    expect(state.assessments).toHaveLength(1);
    await expect(h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 2)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(leverWrites(c.id, since)).toEqual(writes);
    const rows = await eventually(async () => {
      const found = (await deliveries('duplicate')).filter((d) => d.opportunityId === c.id);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(rows.map((r) => r.httpStatus)).toEqual([200, 200, 200]);
  });

  it('the same token with another body is refused with 401 replayed_token and starts nothing', async () => {
    const c = createCandidate(h, 'altered');
    const other = createCandidate(h, 'other');
    h.moveToStage(c.id, seed().stageIds.phoneScreen === h.opportunity(c.id).stage ? seed().stageIds.onSite : seed().stageIds.phoneScreen);
    const toStageId = h.opportunity(c.id).stage;
    const original = await delivered(c, toStageId);
    const since = Date.now();

    const altered = [
      { ...original, data: { ...original.data, toStageId: seed().stageIds.assessment } },
      { ...original, data: { ...original.data, opportunityId: other.id } },
      { ...original, event: 'candidateHired', data: { opportunityId: c.id } },
      // one extra byte is another body too
      { ...original, data: { ...original.data, note: '' } },
    ];
    for (const body of altered) {
      const res = await postJson(ingress(), body, { 'user-agent': 'Lever-Webhooks' });
      expect(res.status).toBe(401);
      expect(await readJson(res)).toMatchObject({ error: 'replayed_token' });
    }

    expect(await signalsReceived(c.id)).toBe(1);
    await expect(candidateHandle(other.id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await candidateHandle(c.id).query(candidateStateQuery)).stageId).toBe(toStageId);
    expect({ c: leverWrites(c.id, since), other: leverWrites(other.id, since) }).toEqual({ c: [], other: [] });
    const rows = await eventually(async () => {
      const found = (await deliveries('rejected')).filter((d) => d.reason?.startsWith('replayed_token:') && (d.opportunityId === c.id || d.opportunityId === other.id));
      expect(found).toHaveLength(altered.length);
      return found;
    });
    expect(new Set(rows.map((r) => r.httpStatus))).toEqual(new Set([401]));
  });

  it("Lever's verify-connection request is answered as before, and its token cannot come back carrying an opportunity", async () => {
    const c = createCandidate(h, 'verify');
    const check = signedLeverDelivery(signingTokenFor(h, 'candidateHired'), 'candidateHired', {});
    const res = await postJson(ingress(), check);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ok', test: true, reason: 'verify-connection request' });
    // Lever's "verify connection" may be pressed twice: the same request is still answered the same.
    expect(await readJson(await postJson(ingress(), check))).toEqual({ status: 'ok', test: true, reason: 'verify-connection request' });

    const reused = await postJson(ingress(), { ...check, data: { opportunityId: c.id } });
    expect(reused.status).toBe(401);
    expect(await readJson(reused)).toMatchObject({ error: 'replayed_token' });
    await expect(candidateHandle(c.id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('Lever delivery tokens', () => {
  let stack: TestStack;
  let integration: Integration;
  let logs: ErrorLogs;
  const url = (s: TestStack, i: Integration) => `${s.baseUrl}/webhooks/lever/${i.id}`;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    stack = await startStack({ config: { LEVER_WEBHOOK_MAX_AGE_SECONDS: '600' } });
    integration = await insertIntegration(stack.db);
  });
  afterAll(async () => {
    await stack?.stop();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  it('a delivery answered 503 (Temporal down) is acted on when Lever sends it again with the same token', async () => {
    const deadConnection = Connection.lazy({ address: '127.0.0.1:1' });
    const down = await startStack({ worker: false, temporal: new Client({ connection: deadConnection, dataConverter: testDataConverter() }), config: { TEMPORAL_RPC_TIMEOUT_MS: '1000' } });
    try {
      const opportunityId = randomUUID();
      const body = signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId, toStageId: 'phone-screen' });
      expect((await postJson(url(down, integration), body)).status).toBe(503);
      const res = await postJson(url(stack, integration), body);
      expect(res.status).toBe(202);
      expect(await readJson(res)).toMatchObject({ status: 'accepted' });
      // answered now: the same again is a duplicate
      expect(await readJson(await postJson(url(stack, integration), body))).toMatchObject({ status: 'duplicate' });
      await eventually(async () => expect((await stack.client.workflow.getHandle(candidateWorkflowId(integration.id, opportunityId)).query(candidateStateQuery)).stageId).toBe('phone-screen'));
    } finally {
      await down.stop();
    }
  });

  it('keeps a token for the accepted age of its delivery, then prunes it', async () => {
    const body = signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'contactUpdated', { contactId: 'c' });
    expect((await postJson(url(stack, integration), body)).status).toBe(200);
    const { rows } = await stack.db.query<{ expires_at: Date; answered: boolean }>(
      'SELECT expires_at, answered FROM lever_delivery_tokens WHERE integration_id = $1 AND token = $2',
      [integration.id, body.token],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.answered).toBe(true);
    // at least the accepted age (600 s) after triggeredAt, and not much more
    const keptMs = rows[0]!.expires_at.getTime() - body.triggeredAt;
    expect(keptMs).toBeGreaterThanOrEqual(600_000);
    expect(keptMs).toBeLessThanOrEqual(600_000 + 15 * 60_000);

    const expired = { integrationId: integration.id, token: `expired-${randomUUID()}`, bodySha256: Buffer.alloc(32), expiresAt: new Date(Date.now() - 1000) };
    expect(await claimLeverDeliveryToken(stack.db, expired)).toBe('new');
    expect(await pruneLeverDeliveryTokens(stack.db)).toBeGreaterThanOrEqual(1);
    const left = await stack.db.query('SELECT token FROM lever_delivery_tokens WHERE integration_id = $1 AND token = ANY($2)', [integration.id, [expired.token, body.token]]);
    expect(left.rows.map((r) => r.token)).toEqual([body.token]);
  });

  it('concurrent deliveries of one token with different bodies: one is taken, the others are refused', async () => {
    const token = integration.leverWebhookSigningTokens[0]!;
    const first = signedLeverDelivery(token, 'candidateStageChange', { opportunityId: randomUUID(), toStageId: 's' });
    const bodies = Array.from({ length: 6 }, () => ({ ...first, data: { ...first.data, opportunityId: randomUUID() } }));
    const statuses = await Promise.all(bodies.map(async (b) => (await postJson(url(stack, integration), b)).status));
    expect(statuses.sort()).toEqual([202, 401, 401, 401, 401, 401]);
  });
});

// ---- helpers

function signingTokenFor(h: AssessmentHarness, event: string): string {
  const hooks = [...h.sandboxes.leverSandbox.store.account(h.sandboxes.lever.seed.accountId).webhooks.values()];
  return hooks.find((w) => w.event === event)!.signatureToken;
}


