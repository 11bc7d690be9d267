import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { codesignalSignature } from '../../../src/codesignal/webhook-signature';
import { findAssessmentWorkflowId, recordAssessmentSession } from '../../../src/activities/assessment/sessions-repository';
import type { Integration } from '../../../src/integrations/repository';
import { assessmentExternalId, assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { readJson } from '../../support/lever-webhook';
import { insertIntegration, startStack, testDataConverter, type TestStack } from '../../support/stack';

type CodeSignalEvent = { event: string; triggeredOn: number; payload: Record<string, unknown> };

/** A test-session event of `sessionId` as CodeSignal sends it; only the ids matter to the ingress. */
const sessionEvent = (sessionId: string, externalId?: string, triggeredOn = Date.now()): CodeSignalEvent => ({
  event: 'companyTestSessionStarted',
  triggeredOn,
  payload: { testSessionId: sessionId, testId: 't', testTitle: 'T', candidateEmail: 'x@example.org', candidateName: 'X', ...(externalId === undefined ? {} : { externalId }) },
});

/**
 * Posts `event` to an integration's CodeSignal webhook URL on `stack`: signed with the secret
 * insertIntegration gives (`'codesignal-secret'`) unless `signature` says otherwise (`null`: no header).
 */
async function post(stack: TestStack, integrationId: string, event: CodeSignalEvent, signature?: string | null) {
  const url = `${stack.config.publicUrl}/webhooks/codesignal/${integrationId}`;
  const header = signature === undefined ? codesignalSignature('codesignal-secret', url, event.event, event.triggeredOn) : signature;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'x-codesignal-signature': header }) },
    body: JSON.stringify(event),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await readJson(res) };
}

const parkedEvents = async (stack: TestStack, integrationId: string) =>
  (await stack.db.query<{ session_id: string }>('SELECT session_id FROM parked_session_events WHERE integration_id = $1', [integrationId])).rows.map((r) => r.session_id);

/**
 * The webhook route against a real Temporal but no worker: the assessment workflows are started on a
 * task queue nobody polls, so each signal the ingress sends stays in the workflow's history, and
 * only there, for the test to count.
 */
describe('POST /webhooks/codesignal/:integrationId: where an event goes', () => {
  jest.setTimeout(60_000);
  let stack: TestStack;
  const taskQueue = `codesignal-webhooks-test-${randomUUID()}`;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(() => stack?.stop());

  /** A running assessment workflow of the integration, with `sessionId` recorded for it as the workflow would. */
  async function recordedSession(integration: Integration, opportunityId = `opp-${randomUUID().slice(0, 8)}`) {
    const workflowId = assessmentWorkflowId(integration.id, opportunityId, 1);
    await stack.client.workflow.start('assessmentWorkflow', { taskQueue, workflowId, args: [] });
    const sessionId = `ses-${randomUUID().slice(0, 12)}`;
    await recordAssessmentSession(stack.db, { integrationId: integration.id, sessionId, opportunityId, assessmentId: '1', workflowId });
    return { sessionId, workflowId, handle: stack.client.workflow.getHandle(workflowId) };
  }
  /** The session events a workflow was signalled, from its history: one per signal the ingress sent. */
  const sessionSignals = async (workflowId: string) => {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'sessionEvent').length;
  };

  it('answers 404 unknown_integration for an integration id that does not exist, parking and signalling nothing', async () => {
    const integration = await insertIntegration(stack.db);
    const { sessionId, workflowId } = await recordedSession(integration);
    const unknown = randomUUID();
    // a correctly signed event (for the unknown URL, with the secret of a real integration) of a recorded session
    expect(await post(stack, unknown, sessionEvent(sessionId, assessmentExternalId(workflowId)))).toEqual({
      status: 404,
      retryAfter: null,
      body: { error: 'unknown_integration', message: `no integration ${unknown}` },
    });
    expect(await parkedEvents(stack, unknown)).toEqual([]);
    expect(await sessionSignals(workflowId)).toBe(0);
    // the same event at the integration's own URL does reach the workflow
    expect(await post(stack, integration.id, sessionEvent(sessionId))).toEqual({ status: 200, retryAfter: null, body: { status: 'accepted', workflowId } });
    expect(await sessionSignals(workflowId)).toBe(1);
  });

  it("answers { status: 'ignored', reason: 'closed' } for an event of a recorded session whose workflow has ended", async () => {
    const integration = await insertIntegration(stack.db);
    const { sessionId, workflowId, handle } = await recordedSession(integration);
    const event = sessionEvent(sessionId);
    expect(await post(stack, integration.id, event)).toEqual({ status: 200, retryAfter: null, body: { status: 'accepted', workflowId } });
    expect(await sessionSignals(workflowId)).toBe(1);

    await handle.terminate('the assessment ended');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    expect(await post(stack, integration.id, { ...event, triggeredOn: event.triggeredOn + 1 })).toEqual({ status: 200, retryAfter: null, body: { status: 'ignored', reason: 'closed' } });
    // nothing was signalled (a signal cannot reach a closed run), nothing started again, nothing parked
    expect(await sessionSignals(workflowId)).toBe(1);
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    expect(await parkedEvents(stack, integration.id)).toEqual([]);
  });

  it("routes by the recorded session only: an externalId naming another integration's workflow never reaches it", async () => {
    const [mine, other] = [await insertIntegration(stack.db), await insertIntegration(stack.db)];
    const own = await recordedSession(mine);
    const foreign = await recordedSession(other);
    const foreignExternalId = assessmentExternalId(foreign.workflowId);

    // a recorded session of this integration: its workflow gets the event
    expect(await post(stack, mine.id, sessionEvent(own.sessionId, foreignExternalId))).toEqual({ status: 200, retryAfter: null, body: { status: 'accepted', workflowId: own.workflowId } });
    expect(await sessionSignals(own.workflowId)).toBe(1);

    // the other integration's session, sent to this integration: not recorded here, so parked here
    expect(await post(stack, mine.id, sessionEvent(foreign.sessionId, foreignExternalId))).toEqual({
      status: 200,
      retryAfter: null,
      body: { status: 'parked', reason: 'session not recorded yet; kept for its workflow' },
    });
    expect(await parkedEvents(stack, mine.id)).toEqual([foreign.sessionId]);
    expect(await parkedEvents(stack, other.id)).toEqual([]);

    // this integration's workflow has ended: the event is dropped, not re-aimed at the running one named
    await own.handle.terminate('the assessment ended');
    expect(await post(stack, mine.id, sessionEvent(own.sessionId, foreignExternalId, Date.now() + 1))).toEqual({ status: 200, retryAfter: null, body: { status: 'ignored', reason: 'closed' } });

    expect(await sessionSignals(foreign.workflowId)).toBe(0);
    expect((await foreign.handle.describe()).status.name).toBe('RUNNING');
    expect(await findAssessmentWorkflowId(stack.db, other.id, foreign.sessionId)).toBe(foreign.workflowId);
  });

  it('acts on unsigned events when the integration has no CodeSignal webhook secret: the signature is not checked, the age still is', async () => {
    const integration = await insertIntegration(stack.db, { codesignal: { apiKey: 'codesignal-key' } });
    expect(integration.codesignalWebhookSecret).toBeNull();
    const { sessionId, workflowId } = await recordedSession(integration);
    const event = sessionEvent(sessionId);

    expect(await post(stack, integration.id, event, null)).toEqual({ status: 200, retryAfter: null, body: { status: 'accepted', workflowId } });
    expect(await post(stack, integration.id, { ...event, triggeredOn: event.triggeredOn + 1 }, 'f'.repeat(64))).toEqual({ status: 200, retryAfter: null, body: { status: 'accepted', workflowId } });
    expect(await sessionSignals(workflowId)).toBe(2);
    // an unsigned event of a session not recorded is parked like a signed one
    const unrecorded = `ses-${randomUUID().slice(0, 12)}`;
    expect(await post(stack, integration.id, sessionEvent(unrecorded), null)).toMatchObject({ status: 200, body: { status: 'parked' } });
    expect(await parkedEvents(stack, integration.id)).toEqual([unrecorded]);

    // the age window still applies
    const stale = await post(stack, integration.id, sessionEvent(sessionId, undefined, Date.now() - 30 * 86_400_000), null);
    expect(stale).toEqual({ status: 401, retryAfter: null, body: { error: 'stale_event', message: expect.stringMatching(/is outside the accepted window$/) } });
    expect(await sessionSignals(workflowId)).toBe(2);

    // while an integration with a secret refuses the same unsigned event
    const signed = await insertIntegration(stack.db);
    const guarded = await recordedSession(signed);
    expect(await post(stack, signed.id, sessionEvent(guarded.sessionId), null)).toEqual({
      status: 401,
      retryAfter: null,
      body: { error: 'invalid_signature', message: 'X-CodeSignal-Signature is missing or wrong' },
    });
    expect(await sessionSignals(guarded.workflowId)).toBe(0);
  });
});

describe('POST /webhooks/codesignal/:integrationId with Temporal unreachable', () => {
  jest.setTimeout(60_000);
  let unreachable: TestStack;
  beforeAll(async () => {
    const deadConnection = Connection.lazy({ address: '127.0.0.1:1' });
    unreachable = await startStack({ worker: false, temporal: new Client({ connection: deadConnection, dataConverter: testDataConverter() }), config: { TEMPORAL_RPC_TIMEOUT_MS: '1500' } });
  });
  afterAll(() => unreachable?.stop());

  it('answers an event for a recorded session 503 temporal_unavailable with Retry-After, keeping nothing; one needing no Temporal call is still parked', async () => {
    const integration = await insertIntegration(unreachable.db);
    const sessionId = `ses-${randomUUID().slice(0, 12)}`;
    const workflowId = assessmentWorkflowId(integration.id, 'opp-1', 1);
    await recordAssessmentSession(unreachable.db, { integrationId: integration.id, sessionId, opportunityId: 'opp-1', assessmentId: '1', workflowId });

    expect(await post(unreachable, integration.id, sessionEvent(sessionId))).toEqual({
      status: 503,
      retryAfter: '30',
      body: { error: 'temporal_unavailable', message: 'the event could not be recorded; retry later' },
    });
    // not parked instead: CodeSignal's retry is what delivers it
    expect(await parkedEvents(unreachable, integration.id)).toEqual([]);
    expect(await findAssessmentWorkflowId(unreachable.db, integration.id, sessionId)).toBe(workflowId);

    const unrecorded = `ses-${randomUUID().slice(0, 12)}`;
    expect(await post(unreachable, integration.id, sessionEvent(unrecorded))).toMatchObject({ status: 200, retryAfter: null, body: { status: 'parked' } });
    expect(await parkedEvents(unreachable, integration.id)).toEqual([unrecorded]);
    expect((await fetch(`${unreachable.baseUrl}/healthz`)).status).toBe(200);
  });
});
