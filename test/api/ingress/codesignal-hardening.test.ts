import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { WorkflowNotFoundError } from '@temporalio/client';
import { webhookUrls } from '../../../src/integrations/urls';
import { codesignalSignature } from '../../../src/codesignal/webhook-signature';
import { findAssessmentWorkflowId } from '../../../src/activities/assessment/sessions-repository';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import type { Integration } from '../../../src/integrations/repository';
import { assessmentExternalId, assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { assessmentHandle, codesignalRequests, createCandidate, plainTest, waitForInvitation, type Candidate } from '../../support/assessment-faults';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually, insertIntegration, testLogger } from '../../support/stack';
import { captureErrorLogs, settle, startCapturedApi, type CapturedApi, type ErrorLogs } from '../hardening-support';

const day = 86_400_000;
const json = { 'content-type': 'application/json' };
const textPlain = { 'content-type': 'text/plain' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * CodeSignal's webhook contract (reference §8): the verification request is an empty POST that needs a
 * 200 within 10 s; deliveries are signed over URL, event and `triggeredOn` (not the body) and retried
 * for ≈16.6 days. So the ingress acknowledges only the documented check as the check, refuses with 400
 * (and shows in Activity) a body it cannot read, acts on a real event whatever its Content-Type says,
 * and refuses a delivery older than CODESIGNAL_WEBHOOK_MAX_AGE_DAYS (18 days, past the last retry) or
 * from the future with 401, like a bad signature.
 */
describe('CodeSignal ingress: what a body must be, and how old it may be', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let logs: ErrorLogs;
  let c: Candidate;
  let sessionId: string;
  let fileStart: number;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'CodeSignal ingress hardening' });
    const settings = await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id }, defaultTestByPosting: {} });
    expect(settings.status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
    c = createCandidate(h, 'cs-ingress');
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    sessionId = (await waitForInvitation(h, c)).id;
    // the ingress routes the session's events by the record the workflow made
    await eventually(async () => expect(await findAssessmentWorkflowId(h.stack.db, h.integration.id, sessionId)).toBe(workflowId()), 30_000);
    // CodeSignal's own delivery of the invitation has been answered, so every later row in Activity is one of ours
    await eventually(async () => expect((await shownSince(0)).map((d) => d.event)).toContain('companyTestSessionCreated'), 30_000);
    await eventually(async () => expect((await assessmentHandle(h, c.id).query(assessmentStateQuery)).status).toBe('invited'), 30_000);
    await settle(1_000);
    fileStart = Date.now();
  });
  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  const url = () => webhookUrls(h.stack.config.publicUrl, h.integration.id).codesignal;
  const workflowId = () => assessmentWorkflowId(h.integration.id, c.id, 1);
  const sign = (event?: string, triggeredOn?: number) => ({ 'x-codesignal-signature': codesignalSignature(h.integration.codesignalWebhookSecret!, url(), event, triggeredOn) });
  /** A test-session event of the candidate's session, as CodeSignal sends it (values other than the ids invented). */
  const sessionEvent = (event: string, triggeredOn: number | undefined) => ({
    event,
    ...(triggeredOn === undefined ? {} : { triggeredOn }),
    payload: { testSessionId: sessionId, testId: plainTest(h).id, testTitle: 'Test', candidateEmail: c.email, candidateName: c.name, externalId: assessmentExternalId(workflowId()) },
  });
  const send = async (body: string | Buffer | undefined, headers: Record<string, string>) => {
    const res = await fetch(url(), { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  /** Session events the assessment workflow was signalled, from its history: each is one Temporal call by the ingress. */
  const sessionSignals = async () => {
    const history = await assessmentHandle(h, c.id).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'sessionEvent').length;
  };
  const writesSince = (since: number) => ({
    lever: h.sandboxes.leverSandbox.admin
      .requests(h.sandboxes.lever.seed.accountId, { since })
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`),
    codesignal: codesignalRequests(h)
      .filter((r) => r.at >= since && r.operationType === 'mutation')
      .map((r) => r.operationName),
  });
  type Shown = { event: string | null; outcome: string; httpStatus: number; reason: string | null; receivedAt: string };
  const shownSince = async (since: number): Promise<Shown[]> => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/webhooks?source=codesignal&limit=200`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    return ((await readJson(res)).deliveries as Shown[]).filter((d) => Date.parse(d.receivedAt) >= since);
  };
  const expectNothingStarted = async () => {
    await expect(assessmentHandle(h, c.id, 2).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // the only candidate workflow is the candidate's own
    const ids: string[] = [];
    for await (const run of h.stack.client.workflow.list({ query: `IntegrationId = '${h.integration.id}' AND WorkflowType = 'candidateWorkflow'` })) ids.push(run.workflowId);
    expect(ids).toEqual([candidateWorkflowId(h.integration.id, c.id)]);
  };

  it('acknowledges only an empty body or {} as the connection check, whatever the Content-Type', async () => {
    const since = Date.now();
    const signals = await sessionSignals();
    const checks: Array<[string | undefined, Record<string, string>]> = [
      [undefined, {}],
      ['', json],
      ['', textPlain],
      [' \r\n', textPlain],
      ['{}', json],
      ['{}', textPlain],
      ['{ }', form],
    ];
    for (const [body, headers] of checks) {
      const answer = await send(body, headers);
      expect([body, headers, answer]).toEqual([body, headers, { status: 200, type: expect.stringContaining('application/json'), body: { status: 'ok' } }]);
    }
    const shown = await eventually(async () => {
      const rows = await shownSince(since);
      expect(rows).toHaveLength(checks.length);
      return rows;
    });
    expect(new Set(shown.map(({ event, outcome, httpStatus, reason }) => JSON.stringify({ event, outcome, httpStatus, reason })))).toEqual(
      new Set([JSON.stringify({ event: null, outcome: 'ignored', httpStatus: 200, reason: 'connection check' })]),
    );
    await settle(500);
    expect(await sessionSignals()).toBe(signals);
    await expectNothingStarted();
    expect(writesSince(since)).toEqual({ lever: [], codesignal: [] });
  });

  it('answers any other body that is not a JSON object with a string event 400 naming the problem, and shows it in Activity', async () => {
    const since = Date.now();
    const signals = await sessionSignals();
    const event = JSON.stringify(sessionEvent('companyTestSessionStarted', Date.now()));
    const refused: Array<[string | Buffer, Record<string, string>, string, RegExp]> = [
      ['[]', json, 'invalid_body', /^request body must be a JSON object with a string "event", not an array$/],
      ['[]', textPlain, 'invalid_body', /not an array$/],
      [`[${event}]`, json, 'invalid_body', /not an array$/],
      ['event=companyTestSessionStarted&triggeredOn=1', form, 'malformed_json', /^request body is not valid JSON$/],
      [`payload=${encodeURIComponent(event)}`, form, 'malformed_json', /^request body is not valid JSON$/],
      ['hello', textPlain, 'malformed_json', /^request body is not valid JSON$/],
      ['"companyTestSessionStarted"', json, 'invalid_body', /not a string$/],
      ['null', json, 'invalid_body', /not null$/],
      ['42', textPlain, 'invalid_body', /not a number$/],
      ['{"payload":{}}', json, 'invalid_body', /^event: /],
      [`{"event":7,"triggeredOn":${Date.now()}}`, json, 'invalid_body', /^event: /],
      [Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), json, 'malformed_json', /not UTF-8/],
    ];
    for (const [body, headers, error, message] of refused) {
      const answer = await send(body, headers);
      const label = String(body);
      expect([label, answer.status, answer.type]).toEqual([label, 400, expect.stringContaining('application/json')]);
      expect([label, answer.body]).toEqual([label, { error, message: expect.stringMatching(message), ...(answer.body?.details ? { details: { issues: [{ path: 'event', message: expect.any(String) }] } } : {}) }]);
    }
    const shown = await eventually(async () => {
      const rows = await shownSince(since);
      expect(rows).toHaveLength(refused.length);
      return rows;
    });
    expect(shown.every((d) => d.outcome === 'rejected' && d.httpStatus === 400)).toBe(true);
    expect(shown.map((d) => d.reason!.split(':')[0]).sort()).toEqual(refused.map(([, , error]) => error).sort());
    await settle(500);
    expect(await sessionSignals()).toBe(signals);
    await expectNothingStarted();
    expect(writesSince(since)).toEqual({ lever: [], codesignal: [] });
  });

  it('acts on a real event whatever its Content-Type says: never dropped as if it were the check', async () => {
    const since = Date.now();
    const signals = await sessionSignals();
    const labels: Array<[string, Record<string, string>, (text: string) => string | Buffer]> = [
      ['text/plain', textPlain, (t) => t],
      ['a form', form, (t) => t],
      ['no Content-Type', {}, (t) => t],
      ['octet-stream', { 'content-type': 'application/octet-stream' }, (t) => t],
      ['text/plain, gzip', { ...textPlain, 'content-encoding': 'gzip' }, (t) => gzipSync(Buffer.from(t))],
    ];
    for (const [i, [label, headers, encode]] of labels.entries()) {
      const triggeredOn = Date.now() - 1_000 + i;
      const answer = await send(encode(JSON.stringify(sessionEvent('companyTestSessionStarted', triggeredOn))), { ...headers, ...sign('companyTestSessionStarted', triggeredOn) });
      expect([label, answer.status, answer.body]).toEqual([label, 200, { status: 'accepted', workflowId: workflowId() }]);
    }
    await eventually(async () => expect(await sessionSignals()).toBe(signals + labels.length));
    const shown = await eventually(async () => {
      const rows = await shownSince(since);
      expect(rows).toHaveLength(labels.length);
      return rows;
    });
    expect(shown.every((d) => d.event === 'companyTestSessionStarted' && d.outcome === 'accepted' && d.httpStatus === 200)).toBe(true);
    await expectNothingStarted();
  });

  it('refuses with 401 a delivery older than 18 days, from more than a few minutes ahead, or without triggeredOn; accepts the last retry CodeSignal makes', async () => {
    const since = Date.now();
    const signals = await sessionSignals();
    const now = Date.now();
    const cases: Array<[string, number | undefined, number, string | null]> = [
      ['older than 18 days', now - 18 * day - 60_000, 401, 'stale_event'],
      ['a year old', now - 365 * day, 401, 'stale_event'],
      ['10 minutes ahead', now + 10 * 60_000, 401, 'stale_event'],
      ['without triggeredOn', undefined, 401, 'stale_event'],
      ['CodeSignal’s 25th attempt, ≈16.7 days after the event', now - 16.7 * day, 200, null],
      ['just inside 18 days', now - 18 * day + 60_000, 200, null],
      ['a minute ahead (clock skew)', now + 60_000, 200, null],
    ];
    for (const [label, triggeredOn, status, error] of cases) {
      const answer = await send(JSON.stringify(sessionEvent('companyTestSessionStarted', triggeredOn)), { ...json, ...sign('companyTestSessionStarted', triggeredOn) });
      expect([label, answer.status]).toEqual([label, status]);
      if (error) expect([label, answer.body?.error]).toEqual([label, error]);
      else expect([label, answer.body]).toEqual([label, { status: 'accepted', workflowId: workflowId() }]);
    }
    // the signature is checked first: a stale delivery with a wrong one is a bad signature
    const stale = now - 30 * day;
    const forged = await send(JSON.stringify(sessionEvent('companyTestSessionStarted', stale)), { ...json, 'x-codesignal-signature': 'f'.repeat(64) });
    expect([forged.status, forged.body?.error]).toEqual([401, 'invalid_signature']);

    const accepted = cases.filter(([, , status]) => status === 200).length;
    await eventually(async () => expect(await sessionSignals()).toBe(signals + accepted));
    const shown = await eventually(async () => {
      const rows = await shownSince(since);
      expect(rows).toHaveLength(cases.length + 1);
      return rows;
    });
    const refused = shown.filter((d) => d.outcome === 'rejected');
    expect(refused.map((d) => d.reason!.split(':')[0]).sort()).toEqual(['invalid_signature', 'stale_event', 'stale_event', 'stale_event', 'stale_event']);
    expect(refused.every((d) => d.httpStatus === 401 && d.event === 'companyTestSessionStarted')).toBe(true);
    await expectNothingStarted();
  });

  it('left the assessment as it was: the accepted events only made the workflow re-read its unchanged session', async () => {
    await settle(1_000);
    expect(await assessmentHandle(h, c.id).query(assessmentStateQuery)).toMatchObject({ status: 'invited', sessionId });
    expect(writesSince(fileStart)).toEqual({ lever: [], codesignal: [] });
  });
});

describe('CODESIGNAL_WEBHOOK_MAX_AGE_DAYS', () => {
  let api: CapturedApi;
  let integration: Integration;
  beforeAll(async () => {
    api = await startCapturedApi({ CODESIGNAL_WEBHOOK_MAX_AGE_DAYS: '1' });
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api?.stop());

  it('sets the window', async () => {
    const url = `${api.config.publicUrl}/webhooks/codesignal/${integration.id}`;
    const post = async (triggeredOn: number) => {
      const body = { event: 'companyTestSessionStarted', triggeredOn, payload: { testSessionId: `ses_${randomUUID().slice(0, 8)}` } };
      const res = await fetch(`${api.baseUrl}/webhooks/codesignal/${integration.id}`, {
        method: 'POST',
        headers: { ...json, 'x-codesignal-signature': codesignalSignature('codesignal-secret', url, body.event, triggeredOn) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await readJson(res) };
    };
    expect(await post(Date.now() - 2 * day)).toEqual({ status: 401, body: { error: 'stale_event', message: expect.stringMatching(/is outside the accepted window$/) } });
    // inside the window: an unrecorded session's event is parked for its workflow
    expect(await post(Date.now() - day / 2)).toMatchObject({ status: 200, body: { status: 'parked' } });
    await settle();
    expect(api.errors()).toEqual([]);
    expect(api.loud()).toEqual([]);
  });
});
