import { randomUUID } from 'node:crypto';
import { temporalUiLink } from '../../../src/api/admin/activity';
import { codesignalSignature } from '../../../src/codesignal/webhook-signature';
import type { Integration } from '../../../src/integrations/repository';
import { listWebhookDeliveries, pruneWebhookDeliveries, recordWebhookDelivery } from '../../../src/db/webhook-deliveries';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { adminToken, eventually, insertIntegration, startStack, type TestStack } from '../../support/stack';

const uiUrl = 'http://temporal-ui.test:8080';

describe('Activity: webhook deliveries and runs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { WEBHOOK_BODY_LIMIT: '8kb', LEVER_WEBHOOK_MAX_AGE_SECONDS: '600', TEMPORAL_UI_URL: uiUrl } });
  });
  afterAll(() => stack.stop());

  const admin = (path: string, token: string | null = adminToken) =>
    fetch(`${stack.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const deliveries = async (integrationId: string, query = '') => {
    const res = await admin(`/api/integrations/${integrationId}/activity/webhooks${query}`);
    expect(res.status).toBe(200);
    return (await readJson(res)).deliveries as Array<Record<string, unknown>>;
  };
  /** Deliveries are recorded after the answer, so tests wait for their rows. */
  const deliveriesOnceRecorded = (integrationId: string, count: number, query = '') =>
    eventually(async () => {
      const list = await deliveries(integrationId, query);
      expect(list).toHaveLength(count);
      return list;
    });
  const leverUrl = (i: Integration) => `${stack.baseUrl}/webhooks/lever/${i.id}`;
  const stageChange = (i: Integration, opportunityId: string, toStageId: string, triggeredAt = Date.now()) =>
    signedLeverDelivery(i.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId, fromStageId: 'lead-new', toStageId }, triggeredAt);

  it('records an accepted Lever delivery, and lists the candidate run it started with deep links', async () => {
    const integration = await insertIntegration(stack.db);
    const opp = randomUUID();
    const workflowId = candidateWorkflowId(integration.id, opp);
    expect((await postJson(leverUrl(integration), stageChange(integration, opp, 'phone-screen'))).status).toBe(202);

    const [delivery] = await deliveriesOnceRecorded(integration.id, 1);
    expect(delivery).toEqual({
      id: expect.any(String),
      source: 'lever',
      event: 'candidateStageChange',
      receivedAt: expect.any(String),
      outcome: 'accepted',
      httpStatus: 202,
      reason: null,
      opportunityId: opp,
      candidateName: null,
      workflowId,
      temporalUrl: `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
      replayOf: null,
      bodyKept: true,
    });
    expect(Date.now() - Date.parse(delivery!.receivedAt as string)).toBeLessThan(60_000);

    const run = await eventually(async () => {
      const res = await admin(`/api/integrations/${integration.id}/activity/runs`);
      expect(res.status).toBe(200);
      const { runs } = await readJson(res);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ stage: 'phone-screen' });
      return runs[0];
    }, 20_000);
    expect(run).toEqual({
      workflowId,
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workflowType: 'candidateWorkflow',
      status: 'RUNNING',
      startTime: expect.any(String),
      closeTime: null,
      opportunityId: opp,
      candidateName: null,
      stage: 'phone-screen',
      temporalUrl: `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${run.runId}/history`,
    });
    expect(run.runId).toBe((await stack.client.workflow.getHandle(workflowId).describe()).runId);
  });

  it('records at most 60 refused deliveries a minute per integration, so a flood cannot bury the real ones', async () => {
    const integration = await insertIntegration(stack.db);
    const forged = (i: number) => signedLeverDelivery('not-the-signing-token', 'candidateStageChange', { opportunityId: `forged-${i}`, toStageId: 'phone-screen' });
    const answers = await Promise.all(Array.from({ length: 75 }, (_, i) => postJson(leverUrl(integration), forged(i))));
    expect(answers.every((r) => r.status === 401)).toBe(true);
    const opp = randomUUID();
    expect((await postJson(leverUrl(integration), stageChange(integration, opp, 'phone-screen'))).status).toBe(202);
    const recorded = await deliveriesOnceRecorded(integration.id, 61, '?limit=200');
    expect(recorded.filter((d) => d.outcome === 'rejected')).toHaveLength(60);
    expect(recorded.find((d) => d.outcome === 'accepted')).toMatchObject({ opportunityId: opp });
  });

  it('records refused and ignored Lever deliveries with what the sender was told', async () => {
    const integration = await insertIntegration(stack.db);
    const key = integration.leverWebhookSigningTokens[0]!;
    const opp = randomUUID();
    const send = async (body: unknown, status: number) => expect((await postJson(leverUrl(integration), body)).status).toBe(status);

    await send(signedLeverDelivery('some-other-signing-token', 'candidateStageChange', { opportunityId: opp, toStageId: 's' }), 401);
    await send(stageChange(integration, opp, 's', Date.now() - 11 * 60_000), 401);
    await send('{"event": "candidateStageChange",', 400);
    await send(signedLeverDelivery(key, 'candidateStageChange', { opportunityId: opp }), 400);
    await send({ ...stageChange(integration, opp, 's'), padding: 'x'.repeat(10_000) }, 413);
    await send(signedLeverDelivery(key, 'contactUpdated', { contactId: 'x' }), 200);
    await send(signedLeverDelivery(key, 'candidateHired', {}), 200);

    const list = await deliveriesOnceRecorded(integration.id, 7);
    const seen = list.map(({ event, outcome, httpStatus, reason, opportunityId, workflowId }) => ({ event, outcome, httpStatus, reason, opportunityId, workflowId }));
    expect(seen).toEqual(
      expect.arrayContaining([
        { event: 'candidateStageChange', outcome: 'rejected', httpStatus: 401, reason: expect.stringMatching(/^invalid_signature: signature .* does not match/), opportunityId: opp, workflowId: null },
        { event: 'candidateStageChange', outcome: 'rejected', httpStatus: 401, reason: expect.stringMatching(/^stale_event: triggeredAt \d+ is outside the accepted window$/), opportunityId: opp, workflowId: null },
        { event: null, outcome: 'rejected', httpStatus: 400, reason: 'malformed_json: request body is not valid JSON', opportunityId: null, workflowId: null },
        { event: 'candidateStageChange', outcome: 'rejected', httpStatus: 400, reason: expect.stringMatching(/^invalid_body: data\.toStageId/), opportunityId: opp, workflowId: null },
        { event: null, outcome: 'rejected', httpStatus: 413, reason: 'body_too_large: request body exceeds the size limit', opportunityId: null, workflowId: null },
        { event: 'contactUpdated', outcome: 'ignored', httpStatus: 200, reason: 'event type not handled', opportunityId: null, workflowId: null },
        { event: 'candidateHired', outcome: 'ignored', httpStatus: 200, reason: 'verify-connection request', opportunityId: null, workflowId: null },
      ]),
    );
    // newest first
    const times = list.map((d) => Date.parse(d.receivedAt as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // nothing of the body beyond the event type and the opportunity is kept
    expect(JSON.stringify(list)).not.toContain(key);

    expect((await deliveries(integration.id, '?outcome=rejected')).map((d) => d.outcome)).toEqual(Array(5).fill('rejected'));
    expect(await deliveries(integration.id, '?outcome=ignored&limit=1')).toHaveLength(1);
    // several outcomes, comma-separated (the health line's link to the failures: failed and rejected), newest first as ever
    const either = await deliveries(integration.id, '?outcome=ignored,rejected');
    expect(either.map((d) => d.outcome).sort()).toEqual([...Array(2).fill('ignored'), ...Array(5).fill('rejected')]);
    expect(either.map((d) => d.id)).toEqual(list.filter((d) => d.outcome === 'ignored' || d.outcome === 'rejected').map((d) => d.id));
    expect(await deliveries(integration.id, '?outcome=failed,rejected')).toEqual(list.filter((d) => d.outcome === 'rejected'));
    expect(await deliveries(integration.id, '?outcome=%20rejected%20,rejected')).toHaveLength(5);
    expect(await deliveries(integration.id, '?outcome=failed,duplicate')).toEqual([]);
    expect(await deliveries(integration.id, '?source=codesignal')).toEqual([]);
  });

  it('records CodeSignal deliveries', async () => {
    const integration = await insertIntegration(stack.db);
    const url = `${stack.config.publicUrl}/webhooks/codesignal/${integration.id}`;
    const event = { event: 'testSessionCompleted', triggeredOn: Date.now(), payload: { testSessionId: 'session-nobody-started' } };
    const signature = codesignalSignature('codesignal-secret', url, event.event, event.triggeredOn);
    expect((await postJson(url, event, { 'x-codesignal-signature': signature })).status).toBe(200);
    expect((await postJson(url, event, { 'x-codesignal-signature': 'f'.repeat(64) })).status).toBe(401);
    expect((await postJson(url, {})).status).toBe(200);

    const list = await deliveriesOnceRecorded(integration.id, 3, '?source=codesignal');
    expect(list.map(({ source, event, outcome, httpStatus, reason }) => ({ source, event, outcome, httpStatus, reason }))).toEqual(
      expect.arrayContaining([
        { source: 'codesignal', event: 'testSessionCompleted', outcome: 'ignored', httpStatus: 200, reason: 'unknown session or interview' },
        { source: 'codesignal', event: 'testSessionCompleted', outcome: 'rejected', httpStatus: 401, reason: 'invalid_signature: X-CodeSignal-Signature is missing or wrong' },
        { source: 'codesignal', event: null, outcome: 'ignored', httpStatus: 200, reason: 'connection check' },
      ]),
    );
  });

  it('answers the webhook as usual when recording it fails', async () => {
    const integration = await insertIntegration(stack.db);
    const failing = randomUUID();
    // The insert of this one delivery fails inside PostgreSQL, after the answer.
    await stack.db.query(`CREATE OR REPLACE FUNCTION refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
    await stack.db.query(
      `CREATE TRIGGER refuse_delivery BEFORE INSERT ON webhook_deliveries FOR EACH ROW WHEN (NEW.opportunity_id = '${failing}') EXECUTE FUNCTION refuse_delivery()`,
    );
    try {
      const res = await postJson(leverUrl(integration), stageChange(integration, failing, 'phone-screen'));
      expect(res.status).toBe(202);
      expect(await readJson(res)).toEqual({ status: 'accepted', workflowId: candidateWorkflowId(integration.id, failing) });
      const next = randomUUID();
      expect((await postJson(leverUrl(integration), stageChange(integration, next, 'phone-screen'))).status).toBe(202);
      const [only] = await deliveriesOnceRecorded(integration.id, 1);
      expect(only).toMatchObject({ opportunityId: next, outcome: 'accepted' });
    } finally {
      await stack.db.query('DROP TRIGGER refuse_delivery ON webhook_deliveries');
      await stack.db.query('DROP FUNCTION refuse_delivery()');
    }
  });

  it('bounds the runs listed by the limit', async () => {
    const integration = await insertIntegration(stack.db);
    for (let i = 0; i < 3; i++) expect((await postJson(leverUrl(integration), stageChange(integration, randomUUID(), 'phone-screen'))).status).toBe(202);
    await eventually(async () => {
      const { runs } = await readJson(await admin(`/api/integrations/${integration.id}/activity/runs`));
      expect(runs).toHaveLength(3);
    }, 20_000);
    const { runs } = await readJson(await admin(`/api/integrations/${integration.id}/activity/runs?limit=2`));
    expect(runs).toHaveLength(2);
  });

  it('prunes deliveries older than the retention, also when the API starts', async () => {
    const integration = await insertIntegration(stack.db);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    const delivery = (receivedAt: Date, event: string) => ({
      integrationId: integration.id, source: 'lever' as const, event, receivedAt, outcome: 'ignored' as const, httpStatus: 200, reason: null, opportunityId: null, workflowId: null,
    });
    await recordWebhookDelivery(stack.db, delivery(daysAgo(20), 'old'));
    await recordWebhookDelivery(stack.db, delivery(daysAgo(1), 'recent'));
    expect(await pruneWebhookDeliveries(stack.db, 14)).toBeGreaterThanOrEqual(1);
    const events = async () => (await listWebhookDeliveries(stack.db, integration.id, { limit: 10 })).map((d) => d.event);
    expect(await events()).toEqual(['recent']);

    await recordWebhookDelivery(stack.db, delivery(daysAgo(3), 'past a 2-day retention'));
    const restarted = await startStack({ worker: false, config: { WEBHOOK_LOG_RETENTION_DAYS: '2' } });
    try {
      await eventually(async () => expect(await events()).toEqual(['recent']));
    } finally {
      await restarted.stop();
    }
  });

  describe('admin API contract', () => {
    let integration: Integration;
    beforeAll(async () => {
      integration = await insertIntegration(stack.db);
    });

    it('401 without the admin token', async () => {
      for (const path of ['webhooks', 'runs']) {
        const res = await admin(`/api/integrations/${integration.id}/activity/${path}`, null);
        expect(res.status).toBe(401);
        expect((await readJson(res)).error).toBe('unauthorized');
      }
    });

    it('400 naming the query parameter that is wrong', async () => {
      for (const [path, query, name] of [
        ['webhooks', 'limit=abc', 'limit'],
        ['webhooks', 'limit=201', 'limit'],
        ['webhooks', 'outcome=lost', 'outcome'],
        ['webhooks', 'outcome=failed,lost', 'outcome'],
        ['webhooks', 'outcome=', 'outcome'],
        ['webhooks', 'outcome=failed&outcome=rejected', 'outcome'],
        ['webhooks', 'source=github', 'source'],
        ['runs', 'limit=abc', 'limit'],
        ['runs', 'limit=0', 'limit'],
      ] as const) {
        const res = await admin(`/api/integrations/${integration.id}/activity/${path}?${query}`);
        expect(res.status).toBe(400);
        const json = await readJson(res);
        expect(json.error).toBe('invalid_query');
        expect(json.message).toMatch(new RegExp(`^${name}: `));
      }
    });

    it('400 naming the unknown outcomes of a list, and the ones it takes', async () => {
      for (const [query, message] of [
        ['outcome=failed,lost,rejected,gone', 'outcome: unknown outcome lost, gone; expected a comma-separated list of accepted, ignored, rejected, failed, duplicate, refused'],
        ['outcome=Failed', 'outcome: unknown outcome Failed; expected a comma-separated list of accepted, ignored, rejected, failed, duplicate, refused'],
        ['outcome=,', 'outcome: name at least one outcome; expected a comma-separated list of accepted, ignored, rejected, failed, duplicate, refused'],
      ]) {
        const res = await admin(`/api/integrations/${integration.id}/activity/webhooks?${query}`);
        expect(res.status).toBe(400);
        expect(await readJson(res)).toMatchObject({ error: 'invalid_query', message });
      }
    });

    it('404 for an unknown integration', async () => {
      for (const path of ['webhooks', 'runs']) {
        const res = await admin(`/api/integrations/${randomUUID()}/activity/${path}`);
        expect(res.status).toBe(404);
        expect((await readJson(res)).error).toBe('unknown_integration');
      }
    });

    it('an integration with no activity has empty lists', async () => {
      expect(await deliveries(integration.id)).toEqual([]);
      expect(await readJson(await admin(`/api/integrations/${integration.id}/activity/runs`))).toEqual({ runs: [] });
    });
  });

  it('links into the Temporal Web UI only when its URL is known', () => {
    expect(temporalUiLink(undefined, 'default', 'candidate/a/b', 'r')).toBeNull();
    expect(temporalUiLink('http://localhost:8233', 'default', 'candidate/a/b', 'r-1')).toBe('http://localhost:8233/namespaces/default/workflows/candidate%2Fa%2Fb/r-1/history');
  });
});
