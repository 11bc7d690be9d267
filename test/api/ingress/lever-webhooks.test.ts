import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { Worker } from '@temporalio/worker';
import { eventually, insertIntegration, signingToken, startStack, testDataConverter, testWorkerSinks, type TestStack } from '../../support/stack';
import { testWorkflowBundle } from '../../support/workflow-bundle';
import { postJson, signedLeverDelivery, readJson } from '../../support/lever-webhook';
import type { Integration } from '../../../src/integrations/repository';

describe('POST /webhooks/lever/:integrationId', () => {
  let stack: TestStack;
  let integration: Integration;
  let key: string;
  const url = () => `${stack.baseUrl}/webhooks/lever/${integration.id}`;

  beforeAll(async () => {
    stack = await startStack({ config: { WEBHOOK_BODY_LIMIT: '8kb', LEVER_WEBHOOK_MAX_AGE_SECONDS: '600' } });
    integration = await insertIntegration(stack.db);
    key = integration.leverWebhookSigningTokens[0]!;
  });
  afterAll(() => stack.stop());

  const stageChange = (opportunityId: string, toStageId: string, triggeredAt = Date.now()) =>
    signedLeverDelivery(key, 'candidateStageChange', { opportunityId, candidateId: 'c', contactId: 'ct', fromStageId: 'lead-new', toStageId }, triggeredAt);

  const expectNoWorkflow = async (opportunityId: string, integrationId = integration.id) => {
    const handle = stack.client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId));
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  it('starts the candidate workflow on a stage change and records the stage', async () => {
    const opp = randomUUID();
    const res = await postJson(url(), stageChange(opp, 'phone-screen'));
    expect(res.status).toBe(202);
    expect(await readJson(res)).toEqual({ status: 'accepted', workflowId: candidateWorkflowId(integration.id, opp) });
    const handle = stack.client.workflow.getHandle(candidateWorkflowId(integration.id, opp));
    const state = await eventually(async () => {
      const s = await handle.query(candidateStateQuery);
      expect(s.stageId).toBe('phone-screen');
      return s;
    });
    expect(state.stageHistory).toHaveLength(1);
    await eventually(async () => {
      const attributes = Object.fromEntries((await handle.describe()).typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
      expect(attributes).toMatchObject({ IntegrationId: integration.id, LeverOpportunityId: opp, LeverStage: 'phone-screen' });
    });
  });

  it('signals the same workflow for later events and drops a duplicate delivery', async () => {
    const opp = randomUUID();
    const first = stageChange(opp, 'phone-screen', Date.now() - 2000);
    expect((await postJson(url(), first)).status).toBe(202);
    // Lever retries with a fresh token and signature, the event itself is unchanged.
    const retry = { ...signedLeverDelivery(key, first.event, first.data, first.triggeredAt) };
    expect((await postJson(url(), retry)).status).toBe(202);
    expect((await postJson(url(), signedLeverDelivery(key, 'candidateHired', { opportunityId: opp }))).status).toBe(202);
    const archived = { archivedAt: Date.now(), reason: 'reason-1' };
    expect((await postJson(url(), signedLeverDelivery(key, 'candidateArchiveChange', { opportunityId: opp, fromArchived: null, toArchived: archived }))).status).toBe(202);

    const handle = stack.client.workflow.getHandle(candidateWorkflowId(integration.id, opp));
    const state = await eventually(async () => {
      const s = await handle.query(candidateStateQuery);
      expect(s.eventsReceived + s.duplicatesIgnored).toBe(4);
      return s;
    });
    expect(state).toMatchObject({ eventsReceived: 3, duplicatesIgnored: 1, stageId: 'phone-screen', archived });
    expect(state.hiredAt).not.toBeNull();
    expect(state.stageHistory).toHaveLength(1);
  });

  it('answers once the delivery is recorded and its token marked answered (one statement), so a resend at once is a duplicate', async () => {
    const opp = randomUUID();
    const delivery = stageChange(opp, 'phone-screen');
    const res = await postJson(url(), delivery);
    expect(res.status).toBe(202);
    // read right after the answer, without waiting: both were written before it left
    const { rows } = await stack.db.query<{ answered: boolean; outcome: string; kept: boolean }>(
      `SELECT t.answered, d.outcome, EXISTS (SELECT 1 FROM webhook_delivery_bodies b WHERE b.delivery_id = d.id) AS kept
       FROM lever_delivery_tokens t JOIN webhook_deliveries d ON d.integration_id = t.integration_id AND d.opportunity_id = $2
       WHERE t.integration_id = $1 AND t.token = $3`,
      [integration.id, opp, delivery.token],
    );
    expect(rows).toEqual([{ answered: true, outcome: 'accepted', kept: true }]);
    const again = await postJson(url(), delivery);
    expect(again.status).toBe(200);
    expect(await readJson(again)).toMatchObject({ status: 'duplicate' });
  });

  it('records deliveries with kept bodies under distinct ids when many arrive at once (ids are taken from the sequence in blocks)', async () => {
    const opps = Array.from({ length: 40 }, () => randomUUID());
    const answers = await Promise.all(opps.map((opp) => postJson(url(), stageChange(opp, 'phone-screen'))));
    expect(answers.map((r) => r.status)).toEqual(opps.map(() => 202));
    const { rows } = await stack.db.query<{ id: string; kept: number }>(
      `SELECT d.id::text, count(b.delivery_id)::int AS kept FROM webhook_deliveries d LEFT JOIN webhook_delivery_bodies b ON b.delivery_id = d.id
       WHERE d.integration_id = $1 AND d.opportunity_id = ANY($2::text[]) GROUP BY d.id`,
      [integration.id, opps],
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.kept === 1)).toBe(true);
  });
  it("marks a stage change into a trigger stage, and that candidate's workflow asks Lever beside its context read", async () => {
    const triggering = await insertIntegration(stack.db, { settings: { assessments: { triggerStageIds: ['assessment'] }, interviews: { triggerStageIds: ['on-site'] } } });
    const post = (opportunityId: string, toStageId: string) =>
      postJson(
        `${stack.baseUrl}/webhooks/lever/${triggering.id}`,
        signedLeverDelivery(triggering.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId, candidateId: 'c', contactId: 'ct', fromStageId: 'lead-new', toStageId }),
      );
    const handleOf = (opportunityId: string) => stack.client.workflow.getHandle(candidateWorkflowId(triggering.id, opportunityId));
    /** The activities the workflow scheduled: each with the workflow task that scheduled it (its WorkflowTaskCompleted event) and its input. */
    const scheduledBy = async (opportunityId: string) => {
      const history = await handleOf(opportunityId).fetchHistory();
      const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
      return Promise.all(
        scheduled.map(async (a) => ({
          activity: a.activityType?.name,
          task: Number(a.workflowTaskCompletedEventId),
          input: (await decodeArrayFromPayloads(stack.client.options.loadedDataConverter, a.input?.payloads ?? []))[0] as { withContact?: boolean },
        })),
      );
    };
    /** Both activities, scheduled by one workflow task; answers the confirmation's input. */
    const scheduledTogether = async (opportunityId: string) => {
      const both = await eventually(async () => {
        const scheduled = await scheduledBy(opportunityId);
        expect(scheduled.map((s) => s.activity).sort()).toEqual(['confirmLeverEvent', 'loadEventContext']);
        return scheduled;
      });
      expect(both[0]!.task).toBe(both[1]!.task);
      return both.find((s) => s.activity === 'confirmLeverEvent')!.input;
    };
    const assessmentStage = randomUUID();
    const interviewStage = randomUUID();
    const elsewhere = randomUUID();
    try {
      for (const [opp, stage] of [[assessmentStage, 'assessment'], [interviewStage, 'on-site'], [elsewhere, 'phone-screen']] as const) {
        expect((await post(opp, stage)).status).toBe(202);
      }
      // into an assessment's stage: the read names the candidate, as the assessment needs
      expect(await scheduledTogether(assessmentStage)).toMatchObject({ withContact: true });
      // into a live interview's stage only: the same read without the candidate's contact
      expect((await scheduledTogether(interviewStage)).withContact).toBeUndefined();
      // the history replays with the workflow code (the patch marker where the code asks for it)
      const replay = { workflowBundle: testWorkflowBundle(), dataConverter: testDataConverter(), sinks: testWorkerSinks() };
      await Worker.runReplayHistory(replay, await handleOf(assessmentStage).fetchHistory(), handleOf(assessmentStage).workflowId);
      // into another stage: the context read only; nothing follows from it, so Lever is not asked
      await eventually(async () => expect((await handleOf(elsewhere).query(candidateStateQuery)).stageId).toBe('phone-screen'));
      expect((await scheduledBy(elsewhere)).map((s) => s.activity)).toEqual(['loadEventContext']);
    } finally {
      // this stack's Lever is not reachable: the confirmations would be retried for a day
      for (const opp of [assessmentStage, interviewStage]) await handleOf(opp).terminate('test over').catch(() => undefined);
    }
  });

  it("answers Lever's verify-connection request without starting anything", async () => {
    const res = await postJson(url(), signedLeverDelivery(key, 'candidateHired', {}));
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ok', test: true, reason: 'verify-connection request' });
  });

  it("answers the verify-connection of a webhook whose signing token is not saved yet (Lever shows it only afterwards), and still refuses its events", async () => {
    const unsaved = signingToken();
    const check = await postJson(url(), signedLeverDelivery(unsaved, 'candidateHired', {}));
    expect(check.status).toBe(200);
    expect(await readJson(check)).toMatchObject({ status: 'ok', test: true, reason: expect.stringContaining('matches no saved signing token') });
    const opp = randomUUID();
    const event = await postJson(url(), signedLeverDelivery(unsaved, 'candidateHired', { opportunityId: opp }));
    expect(event.status).toBe(401);
    await expectNoWorkflow(opp);
  });

  it('acknowledges and ignores event types it does not handle', async () => {
    const opp = randomUUID();
    const res = await postJson(url(), signedLeverDelivery(key, 'contactUpdated', { contactId: 'x', opportunityId: opp }));
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ignored', event: 'contactUpdated' });
    await expectNoWorkflow(opp);
  });

  describe('refuses bad input without starting or signalling a workflow', () => {
    const opp = randomUUID();
    afterEach(() => expectNoWorkflow(opp));

    it('404 for an unknown integration', async () => {
      const unknown = randomUUID();
      const res = await postJson(`${stack.baseUrl}/webhooks/lever/${unknown}`, stageChange(opp, 's'));
      expect(res.status).toBe(404);
      expect((await readJson(res)).error).toBe('unknown_integration');
      // nothing started under the id in the URL either (afterEach checks the known integration)
      await expectNoWorkflow(opp, unknown);
    });

    it('401 for a missing signature', async () => {
      const { signature: _s, ...unsigned } = stageChange(opp, 's');
      const res = await postJson(url(), unsigned);
      expect(res.status).toBe(401);
      expect((await readJson(res)).error).toBe('invalid_signature');
    });

    it('401 for a signature made with another key', async () => {
      const res = await postJson(url(), signedLeverDelivery('some-other-signing-token', 'candidateStageChange', { opportunityId: opp, toStageId: 's' }));
      expect(res.status).toBe(401);
    });

    it('401 when the body was signed for another triggeredAt', async () => {
      const body = stageChange(opp, 's');
      const res = await postJson(url(), { ...body, triggeredAt: body.triggeredAt - 1 });
      expect(res.status).toBe(401);
    });

    it('401 for a stale triggeredAt, even correctly signed', async () => {
      const res = await postJson(url(), stageChange(opp, 's', Date.now() - 11 * 60_000));
      expect(res.status).toBe(401);
      expect((await readJson(res)).error).toBe('stale_event');
    });

    it('401 for a triggeredAt too far ahead of our clock (more than the 5 minutes of skew allowed), even correctly signed', async () => {
      const res = await postJson(url(), stageChange(opp, 's', Date.now() + 6 * 60_000));
      expect(res.status).toBe(401);
      expect((await readJson(res)).error).toBe('stale_event');
    });

    it('accepts a triggeredAt a little ahead of our clock (within the skew allowed)', async () => {
      const ahead = randomUUID();
      const res = await postJson(url(), stageChange(ahead, 's', Date.now() + 60_000));
      expect(res.status).toBe(202);
      expect((await readJson(res)).workflowId).toBe(candidateWorkflowId(integration.id, ahead));
    });

    it('400 for malformed JSON', async () => {
      const res = await postJson(url(), '{"event": "candidateStageChange",');
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ error: 'malformed_json' });
    });

    it('400 naming the field when the envelope does not match the schema', async () => {
      const body = stageChange(opp, 's');
      const res = await postJson(url(), { ...body, triggeredAt: 'yesterday' });
      expect(res.status).toBe(400);
      const json = await readJson(res);
      expect(json.error).toBe('invalid_body');
      expect(json.message).toContain('triggeredAt');
    });

    it('400 naming the field when a handled event lacks its data', async () => {
      const res = await postJson(url(), signedLeverDelivery(key, 'candidateStageChange', { opportunityId: opp }));
      expect(res.status).toBe(400);
      expect((await readJson(res)).message).toContain('data.toStageId');
    });

    it('400 for a JSON body that is not an object', async () => {
      const res = await postJson(url(), '[1,2,3]');
      expect(res.status).toBe(400);
    });

    it('413 for a body over the size limit', async () => {
      const body = { ...stageChange(opp, 's'), padding: 'x'.repeat(10_000) };
      const res = await postJson(url(), body);
      expect(res.status).toBe(413);
      expect((await readJson(res)).error).toBe('body_too_large');
    });
  });

  it('answers 503 when Temporal is unreachable, and stays up', async () => {
    const deadConnection = Connection.lazy({ address: '127.0.0.1:1' });
    const unreachable = await startStack({ worker: false, temporal: new Client({ connection: deadConnection, dataConverter: testDataConverter() }), config: { TEMPORAL_RPC_TIMEOUT_MS: '1500' } });
    try {
      const own = await insertIntegration(unreachable.db);
      const body = signedLeverDelivery(own.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId: randomUUID(), toStageId: 's' });
      const res = await postJson(`${unreachable.baseUrl}/webhooks/lever/${own.id}`, body);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      expect((await fetch(`${unreachable.baseUrl}/healthz`)).status).toBe(200);
      const ready = await fetch(`${unreachable.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await readJson(ready)).toEqual({ status: 'not_ready', postgres: true, temporal: false });
    } finally {
      await unreachable.stop();
    }
  });
});
