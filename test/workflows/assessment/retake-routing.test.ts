import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { codesignalSignature } from '../../../src/codesignal/webhook-signature';
import {
  findAssessmentWorkflowId,
  parkSessionEvent,
  pruneParkedSessionEvents,
  recordAssessmentSession,
  recordAssessmentSessionTakingParked,
  type ParkedSessionEvent,
} from '../../../src/activities/assessment/sessions-repository';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentExternalId, assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { within } from '../../support/assessment-faults';
import { CODESIGNAL_RESPONSE_MODES, startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually, insertIntegration, startStack, testDataConverter, type TestStack } from '../../support/stack';

/**
 * A retake reactivates the first assessment's session, and CodeSignal may or may not copy the old
 * session's externalId to the new one (reference §5, unconfirmed). The new session's events must
 * reach the retake's workflow either way — routed by the sessions the service recorded — and events
 * that arrive before the service learns the new session id are parked, not lost.
 */

// ---- a CodeSignal GraphQL forwarder that can hold back the answer of the reactivation mutation

interface HeldAnswer {
  release(): void;
}

/**
 * Forwards the service's GraphQL requests to the sandbox. While armed, the next ReactivateTestSession
 * request is executed by the sandbox at once (the new session exists and fires its webhooks), but its
 * answer is held until the test releases it: the webhooks certainly arrive before the answer.
 */
class ReactivationGate {
  target: string | undefined;
  private armed: ((held: HeldAnswer) => void) | undefined;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<ReactivationGate> {
    let gate: ReactivationGate | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        gate!
          .forward(req.headers, Buffer.concat(chunks))
          .then(({ status, headers, body }) => res.writeHead(status, headers).end(body))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gate = new ReactivationGate(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    return gate;
  }

  /** Resolves once the next reactivation has been executed by the sandbox, with the means to let its answer go. */
  holdNextReactivation(): Promise<HeldAnswer> {
    return new Promise((resolve) => (this.armed = resolve));
  }

  private async forward(headers: NodeJS.Dict<string | string[]>, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    if (!this.target) throw new Error('no target yet');
    const res = await fetch(this.target, {
      method: 'POST',
      headers: { authorization: String(headers.authorization ?? ''), 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
    const answer = { status: res.status, headers: Object.fromEntries([...res.headers].filter(([k]) => ['content-type', 'retry-after'].includes(k))), body: Buffer.from(await res.arrayBuffer()) };
    const armed = this.armed;
    if (armed && (JSON.parse(body.toString('utf8')) as { operationName?: string }).operationName === 'ReactivateTestSession') {
      this.armed = undefined;
      await new Promise<void>((release) => armed({ release }));
    }
    return answer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The events parked for a workflow's sessions, as each activity that recorded a session answered them: `recordSession`,
 * or, from `fewer-events-v1` on, the invitation or reactivation itself (its `parked`).
 */
async function recordSessionAnswers(handle: WorkflowHandle): Promise<ParkedSessionEvent[][]> {
  const history = await handle.fetchHistory();
  const codecs = testDataConverter().payloadCodecs ?? [];
  const scheduled = new Map<string, string>();
  const answers: ParkedSessionEvent[][] = [];
  for (const event of history.events ?? []) {
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs) scheduled.set(String(event.eventId), attrs.activityType?.name ?? '?');
    const done = event.activityTaskCompletedEventAttributes;
    const activity = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (done && activity && ['recordSession', 'reactivateSession', 'sendInvitation'].includes(activity)) {
      let payloads = (done.result?.payloads ?? []) as Payload[];
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      const answer = payloads[0] ? defaultPayloadConverter.fromPayload(payloads[0]) : undefined;
      if (activity === 'recordSession') answers.push((answer as ParkedSessionEvent[] | undefined) ?? []);
      else if ((answer as { parked?: ParkedSessionEvent[] } | undefined)?.parked) answers.push((answer as { parked: ParkedSessionEvent[] }).parked);
    }
  }
  return answers;
}

describe.each(CODESIGNAL_RESPONSE_MODES)('retake routing (CodeSignal answers %s)', (responseMode) => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let gate: ReactivationGate;
  let created = 0;

  beforeAll(async () => {
    gate = await ReactivationGate.start();
    h = await startAssessmentHarness({ name: `Retake routing ${responseMode}`, codesignalResponseMode: responseMode, config: { CODESIGNAL_API_URL: gate.url } });
    gate.target = h.sandboxes.codesignal.graphqlUrl;
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plain.id }, defaultTestByPosting: {} });
    expect(res.status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await gate?.close();
  });

  const seed = () => h.sandboxes.lever.seed;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const handleOf = (opportunityId: string, n: number) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opportunityId, n));
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));

  function newCandidate() {
    created += 1;
    const email = `retake-${responseMode}-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Riley Retake${created}`, emails: [email], userId: seed().userIds.recruiter });
    return { id: opp.id, email };
  }

  /** A finished first assessment (score 0, below the threshold) whose session can be reactivated. */
  async function finishedFirstAssessment() {
    const c = newCandidate();
    h.moveToStage(c.id, seed().stageIds.assessment);
    const first = await eventually(async () => {
      expect((await handleOf(c.id, 1).query(assessmentStateQuery)).status).toBe('invited');
      return control().sessions(companyId()).find((s) => s.candidate.email === c.email)!;
    }, 30_000);
    control().submitSession(first.id, { score: 0 });
    expect(await handleOf(c.id, 1).result()).toMatchObject({ status: 'completed', passed: false, sessionIds: [first.id] });
    return { c, first };
  }

  async function askForRetake(opportunityId: string): Promise<void> {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${opportunityId}/assessments/1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'retake' }),
    });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ assessmentId: '2' });
  }

  /** Every webhook CodeSignal sent about the session, once each got its 200. */
  const deliveredEvents = (sessionId: string) =>
    eventually(async () => {
      const mine = control().deliveries(companyId()).filter((d) => d.payload.testSessionId === sessionId);
      expect(mine.map((d) => d.state)).toEqual(mine.map(() => 'delivered'));
      return mine.map((d) => d.event);
    }, 20_000);

  const parkedReason = 'session not recorded yet; kept for its workflow';
  /** How the service answered CodeSignal's deliveries since `since`, once `count` are recorded (the log is written just after each answer). */
  const answersSince = (since: Date, count: number) =>
    eventually(async () => {
      const { rows } = await h.stack.db.query<{ event: string; outcome: string; reason: string | null; workflow_id: string | null }>(
        `SELECT event, outcome, reason, workflow_id FROM webhook_deliveries
         WHERE integration_id = $1 AND source = 'codesignal' AND received_at >= $2 ORDER BY received_at, id`,
        [h.integration.id, since],
      );
      expect(rows.length).toBeGreaterThanOrEqual(count);
      return rows.map((r) => ({ event: r.event, outcome: r.outcome, reason: r.reason, workflowId: r.workflow_id }));
    });

  /** The retake completed with its own result note, report and tags; the first assessment is untouched. */
  async function expectRetakeCompleted(c: { id: string }, first: { id: string }, secondId: string): Promise<void> {
    const result = await within(handleOf(c.id, 2).result(), 30_000, "the retake did not finish: its session's events did not reach it");
    expect(result).toMatchObject({ status: 'completed', passed: true, sessionId: secondId, sessionIds: [secondId] });
    const results = noteTexts(c.id).filter((t) => t.startsWith('CodeSignal result:'));
    expect(results).toHaveLength(2);
    // The first result (score 0) and the retake's (full score): the retake's note reached Lever.
    expect(results.map((t) => /Outcome: (.*)/.exec(t)?.[1])).toEqual(['below the threshold', 'passed the threshold']);
    expect(h.opportunity(c.id).files).toHaveLength(2);
    expect(h.opportunity(c.id).tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: passed']));

    const firstHandle = handleOf(c.id, 1);
    expect((await firstHandle.describe()).status.name).toBe('COMPLETED');
    expect(await firstHandle.result()).toMatchObject({ status: 'completed', passed: false, sessionIds: [first.id] });
    const list = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments`, { headers: { authorization: `Bearer ${adminToken}` } });
    const { assessments } = await readJson(list);
    expect(assessments.map((a: { assessmentId: string; status: string; retakeOf?: string }) => [a.assessmentId, a.status, a.retakeOf])).toEqual([
      ['1', 'completed', undefined],
      ['2', 'completed', '1'],
    ]);
  }

  it.each([false, true])('routes the retake session by the recorded session id (reactivationCarriesExternalId: %s)', async (carries) => {
    control().updateSettings(companyId(), { reactivationCarriesExternalId: carries });
    const { c, first } = await finishedFirstAssessment();
    const since = new Date();

    await askForRetake(c.id);
    const retake = handleOf(c.id, 2);
    const second = await eventually(async () => {
      const state = await retake.query(assessmentStateQuery);
      expect(state.status).toBe('invited');
      return control().session(state.sessionId!);
    }, 30_000);
    expect(second.id).not.toBe(first.id);
    expect(control().session(first.id).reactivatedSession?.newSessionId).toBe(second.id);
    // The case of the bug: the new session's webhooks name the FIRST assessment's workflow.
    expect(second.externalId).toBe(carries ? assessmentExternalId(assessmentWorkflowId(h.integration.id, c.id, 1)) : null);
    expect(await findAssessmentWorkflowId(h.stack.db, h.integration.id, second.id)).toBe(retake.workflowId);

    control().submitSession(second.id, { score: second.maxScore });
    await expectRetakeCompleted(c, first, second.id);
    const events = await deliveredEvents(second.id);
    expect(events).toEqual(['companyTestSessionCreated', 'companyTestSessionStarted', 'companyTestSessionFinished']);
    // Every one of them went to the retake — or, the creation possibly arriving before the reactivation's
    // answer, was parked for it — and none to the closed first assessment.
    const answers = await answersSince(since, events.length);
    expect(answers.map((a) => a.event)).toEqual(events);
    for (const a of answers) {
      expect([
        { outcome: 'accepted', reason: null, workflowId: retake.workflowId },
        { outcome: 'ignored', reason: parkedReason, workflowId: null },
      ]).toContainEqual({ outcome: a.outcome, reason: a.reason, workflowId: a.workflowId });
    }
    expect(answers.slice(1).map((a) => a.outcome)).toEqual(['accepted', 'accepted']);
  });

  it("parks the retake session's events that arrive before the reactivation's answer, and hands them to the retake", async () => {
    // The externalId names the closed first assessment: it must not be followed on its own either.
    control().updateSettings(companyId(), { reactivationCarriesExternalId: true });
    const { c, first } = await finishedFirstAssessment();
    const since = new Date();

    const held = gate.holdNextReactivation();
    await askForRetake(c.id);
    const answer = await held;
    // The sandbox has reactivated; the service does not know the new session id yet.
    const secondId = control().session(first.id).reactivatedSession!.newSessionId;
    expect(await findAssessmentWorkflowId(h.stack.db, h.integration.id, secondId)).toBeUndefined();
    // The candidate takes the whole retake before the answer arrives.
    const second = control().session(secondId);
    control().submitSession(secondId, { score: second.maxScore });
    const events = await deliveredEvents(secondId);
    expect(events).toEqual(['companyTestSessionCreated', 'companyTestSessionStarted', 'companyTestSessionFinished']);
    const parked = await h.stack.db.query<{ event: string }>(
      'SELECT event FROM parked_session_events WHERE integration_id = $1 AND session_id = $2 ORDER BY triggered_on, received_at',
      [h.integration.id, secondId],
    );
    expect(parked.rows.map((r) => r.event)).toEqual(events);
    const answers = await answersSince(since, events.length);
    expect(answers).toEqual(events.map((event) => ({ event, outcome: 'ignored', reason: parkedReason, workflowId: null })));
    expect(await findAssessmentWorkflowId(h.stack.db, h.integration.id, secondId)).toBeUndefined();

    answer.release();
    await expectRetakeCompleted(c, first, secondId);
    // The retake recorded the session and got the parked events back.
    expect(await recordSessionAnswers(handleOf(c.id, 2))).toEqual([events.map((event) => ({ sessionId: secondId, event, triggeredOn: expect.any(Number) }))]);
    // Nothing else was delivered: the first assessment heard of none of it.
    expect(await answersSince(since, events.length)).toHaveLength(events.length);
  });
});

describe('routing CodeSignal test-session events (ingress and database)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(() => stack?.stop());

  const post = async (integrationId: string, event: { event: string; triggeredOn: number; payload: Record<string, unknown> }) => {
    const url = `${stack.config.publicUrl}/webhooks/codesignal/${integrationId}`;
    const signature = codesignalSignature('codesignal-secret', url, event.event, event.triggeredOn);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-codesignal-signature': signature }, body: JSON.stringify(event) });
    return { status: res.status, body: await readJson(res) };
  };
  const link = (integrationId: string, sessionId: string, n: number) => ({
    integrationId,
    sessionId,
    opportunityId: 'opp-1',
    assessmentId: String(n),
    workflowId: assessmentWorkflowId(integrationId, 'opp-1', n),
  });

  it('parks an event of an unrecorded session even when its externalId names a workflow; the recording takes it', async () => {
    const integration = await insertIntegration(stack.db);
    const sessionId = `ses-${Date.now()}`;
    const event = {
      event: 'companyTestSessionCreated',
      triggeredOn: Date.now(), // inside the accepted age window
      payload: { testSessionId: sessionId, testId: 't', testTitle: 'T', candidateEmail: 'x@example.org', candidateName: 'X', externalId: assessmentExternalId(assessmentWorkflowId(integration.id, 'opp-1', 1)) },
    };
    expect(await post(integration.id, event)).toEqual({ status: 200, body: { status: 'parked', reason: 'session not recorded yet; kept for its workflow' } });
    expect(await post(integration.id, event)).toMatchObject({ status: 200, body: { status: 'parked' } }); // a redelivery is parked once
    // Not a documented test-session event: nothing to keep.
    expect(await post(integration.id, { ...event, event: 'testSessionSomething' })).toEqual({ status: 200, body: { status: 'ignored', reason: 'unknown session or interview' } });

    // Another workflow holds the session: it gets nothing; its owner gets the event, again on a retry.
    await recordAssessmentSession(stack.db, link(integration.id, sessionId, 2));
    expect(await recordAssessmentSessionTakingParked(stack.db, link(integration.id, sessionId, 1))).toEqual([]);
    const taken = [{ sessionId, event: 'companyTestSessionCreated', triggeredOn: event.triggeredOn }];
    expect(await recordAssessmentSessionTakingParked(stack.db, link(integration.id, sessionId, 2))).toEqual(taken);
    expect(await recordAssessmentSessionTakingParked(stack.db, link(integration.id, sessionId, 2))).toEqual(taken);

    // Recorded now: the event goes to the recorded workflow, whatever the externalId says (here: no such workflow runs).
    expect(await post(integration.id, { ...event, triggeredOn: event.triggeredOn + 1 })).toEqual({ status: 200, body: { status: 'ignored', reason: 'closed' } });
    expect(await findAssessmentWorkflowId(stack.db, integration.id, sessionId)).toBe(link(integration.id, sessionId, 2).workflowId);
  });

  it('never loses an event that races the recording of its session', async () => {
    const integration = await insertIntegration(stack.db);
    for (let i = 0; i < 40; i++) {
      const sessionId = `race-${i}-${Date.now()}`;
      const [parked, taken] = await Promise.all([
        parkSessionEvent(stack.db, { integrationId: integration.id, sessionId, event: 'companyTestSessionStarted', triggeredOn: i }),
        recordAssessmentSessionTakingParked(stack.db, link(integration.id, sessionId, 1)),
      ]);
      // Either the event was parked before the recording (which took it), or it found the record.
      if (parked.kind === 'parked') expect(taken).toEqual([{ sessionId, event: 'companyTestSessionStarted', triggeredOn: i }]);
      else expect({ parked, taken }).toEqual({ parked: { kind: 'recorded', workflowId: link(integration.id, sessionId, 1).workflowId }, taken: [] });
    }
  });

  it('prunes parked events past the retention', async () => {
    const integration = await insertIntegration(stack.db);
    await parkSessionEvent(stack.db, { integrationId: integration.id, sessionId: 'old', event: 'companyTestSessionCreated', triggeredOn: 1 });
    await parkSessionEvent(stack.db, { integrationId: integration.id, sessionId: 'new', event: 'companyTestSessionCreated', triggeredOn: 2 });
    await stack.db.query(`UPDATE parked_session_events SET received_at = now() - interval '4 days' WHERE integration_id = $1 AND session_id = 'old'`, [integration.id]);
    expect(await pruneParkedSessionEvents(stack.db)).toBeGreaterThanOrEqual(1);
    const { rows } = await stack.db.query<{ session_id: string }>('SELECT session_id FROM parked_session_events WHERE integration_id = $1', [integration.id]);
    expect(rows.map((r) => r.session_id)).toEqual(['new']);
  });
});
