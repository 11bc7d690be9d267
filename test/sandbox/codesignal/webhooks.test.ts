import { createHmac } from 'node:crypto';
import { documentedRetryDelayMs, type Delivery, type WebhookEndpoint } from '../../../sandbox/codesignal/index';
import { startSandboxHarness, startWebhookReceiver, waitFor, type SandboxHarness, type WebhookReceiver } from '../../../sandbox/codesignal/testing';

/** Independent of the sandbox's own signing code: the algorithm exactly as CodeSignal documents it. */
function expectedSignature(secret: string, endpointUrl: string, eventType = '', triggeredOn: number | '' = ''): string {
  return createHmac('sha256', secret).update(`${endpointUrl}${eventType}${triggeredOn}`).digest('hex');
}

describe('CodeSignal sandbox: webhooks', () => {
  let h: SandboxHarness;
  let receiver: WebhookReceiver;
  const retryCalls: number[] = [];

  beforeEach(async () => {
    retryCalls.length = 0;
    receiver = await startWebhookReceiver();
    h = await startSandboxHarness({
      rateLimitPerSecond: 1000,
      mutationRateLimitPerSecond: 1000,
      maxWebhookAttempts: 4,
      webhookRetryDelaysMs: (failCount) => {
        retryCalls.push(failCount);
        return 25;
      },
    });
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const company = () => h.seed.companyId;
  const addEndpoint = (body: Record<string, unknown>) => h.ctl<WebhookEndpoint>('POST', `/companies/${company()}/webhook-endpoints`, body);
  const deliveries = (query = '') => h.ctl<Delivery[]>('GET', `/companies/${company()}/webhook-deliveries${query}`);
  const invite = async (email: string) => {
    const res = await h.gql<{ createCompanyTestSession: { id: string } }>('mutation($i: TestSessionInput!) { createCompanyTestSession(sessionFields: $i) { id } }', {
      i: { testId: h.seed.tests[0]!.id, candidateEmail: email, noInvitationEmail: true },
    });
    return res.body.data!.createCompanyTestSession.id;
  };

  it('pings a new endpoint with an empty POST and records whether it answered 200', async () => {
    const endpoint = await addEndpoint({ url: receiver.url, secret: 'ping-secret' });
    expect(endpoint.lastCheck).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.rawBody).toBe('');
    // the documented algorithm with eventType and triggeredOn defaulting to ''
    expect(receiver.received[0]!.headers['x-codesignal-signature']).toBe(expectedSignature('ping-secret', receiver.url));

    receiver.respondWith(() => 404);
    const failing = await addEndpoint({ url: `${receiver.url}/other` });
    expect(failing.lastCheck).toMatchObject({ ok: false, status: 404 });
    expect(receiver.received[1]!.headers['x-codesignal-signature']).toBeUndefined();
  });

  it('signs every delivery with HMAC-SHA256(secret, configuredUrl + event + triggeredOn) and sends custom headers', async () => {
    const url = `${receiver.url}?tenant=acme&x=1`;
    await addEndpoint({ url, secret: 's3cret-key', headers: { 'x-tenant': 'acme' } });
    const sessionId = await invite('sig@example.org');
    const delivered = await waitFor(() => receiver.events()[0]);
    const body = delivered.body!;
    expect(body.event).toBe('companyTestSessionCreated');
    expect(body.payload.testSessionId).toBe(sessionId);
    expect(Math.abs(body.triggeredOn - Date.now())).toBeLessThan(5000);
    expect(delivered.headers['x-codesignal-signature']).toBe(expectedSignature('s3cret-key', url, body.event, body.triggeredOn));
    expect(delivered.headers['x-codesignal-signature']).not.toBe(expectedSignature('s3cret-key', receiver.url, body.event, body.triggeredOn));
    expect(delivered.headers['x-tenant']).toBe('acme');
    expect(delivered.headers['content-type']).toBe('application/json');
    const [log] = await deliveries();
    expect(log!.attempts[0]).toMatchObject({ status: 200, signature: delivered.headers['x-codesignal-signature'], body: delivered.rawBody });
  });

  it('sends no signature header when the endpoint has no secret, and only subscribed events', async () => {
    await addEndpoint({ url: receiver.url, events: ['companyTestSessionStarted'] });
    const id = await invite('filter@example.org');
    await h.ctl('POST', `/sessions/${id}/start`);
    const started = await waitFor(() => receiver.events()[0]);
    expect(started.body!.event).toBe('companyTestSessionStarted');
    expect(started.headers['x-codesignal-signature']).toBeUndefined();
    expect(receiver.events()).toHaveLength(1);
  });

  it('delivers in trigger order, one at a time, retrying the head while later events wait (only 200 is success)', async () => {
    await addEndpoint({ url: receiver.url, secret: 'order' });
    // the first event fails twice (500, then 201 — not 200), then succeeds
    receiver.respondWith(({ body, index }) => (body && index <= 2 ? [500, 201][index - 1]! : 200));
    const ids = [await invite('one@example.org'), await invite('two@example.org'), await invite('three@example.org')];
    await waitFor(() => receiver.events().filter((r) => r.status === 200).length === 3);
    const seen = receiver.events().map((r) => [r.body!.payload.testSessionId, r.status]);
    expect(seen).toEqual([
      [ids[0], 500],
      [ids[0], 201],
      [ids[0], 200],
      [ids[1], 200],
      [ids[2], 200],
    ]);
    expect(retryCalls).toEqual([1, 2]);
    const log = await deliveries();
    expect(log.map((d) => d.attempts.map((a) => a.status))).toEqual([[500, 201, 200], [200], [200]]);
    expect(log.every((d) => d.state === 'delivered')).toBe(true);
    // head-of-line blocking: the second event was first tried only after the first one got its 200
    expect(log[1]!.attempts[0]!.at).toBeGreaterThanOrEqual(log[0]!.attempts[2]!.at);
    const triggered = log.map((d) => d.triggeredOn);
    expect([...triggered].sort((a, b) => a - b)).toEqual(triggered);
  });

  it('disables the endpoint and drops its queue after maxWebhookAttempts consecutive failures; test-and-save re-enables it', async () => {
    const endpoint = await addEndpoint({ url: receiver.url });
    receiver.respondWith(({ body }) => (body ? 503 : 200));
    await invite('a@example.org');
    await invite('b@example.org');
    const disabled = await waitFor(async () => (await h.ctl<WebhookEndpoint[]>('GET', `/companies/${company()}/webhook-endpoints`)).find((e) => !e.enabled));
    expect(disabled.consecutiveFailures).toBe(4);
    expect(typeof disabled.disabledAt).toBe('number');
    const log = await deliveries();
    expect(log.map((d) => [d.state, d.attempts.length])).toEqual([
      ['dropped', 4],
      ['dropped', 0],
    ]);
    expect(receiver.events()).toHaveLength(4);
    expect(retryCalls).toEqual([1, 2, 3]);

    await invite('while-disabled@example.org');
    expect(await deliveries()).toHaveLength(2);

    receiver.respondWith(() => 200);
    const saved = await h.ctl<WebhookEndpoint>('PUT', `/companies/${company()}/webhook-endpoints/${endpoint.id}`, {});
    expect(saved).toMatchObject({ enabled: true, consecutiveFailures: 0, lastCheck: { ok: true } });
    const after = await invite('after@example.org');
    await waitFor(() => receiver.events().find((r) => r.body!.payload.testSessionId === after && r.status === 200));
  });

  it('flushes the queue at once when a failing endpoint is re-tested and saved', async () => {
    await h.close();
    h = await startSandboxHarness({ webhookRetryDelaysMs: () => 60_000 });
    const endpoint = await addEndpoint({ url: receiver.url });
    receiver.respondWith(({ body }) => (body ? 500 : 200));
    const first = await invite('f1@example.org');
    const second = await invite('f2@example.org');
    await waitFor(() => receiver.events().length === 1);
    receiver.respondWith(() => 200);
    await h.ctl('PUT', `/companies/${company()}/webhook-endpoints/${endpoint.id}`, { url: receiver.url });
    await waitFor(() => receiver.events().filter((r) => r.status === 200).length === 2, 2000);
    expect(receiver.events().map((r) => [r.body!.payload.testSessionId, r.status])).toEqual([
      [first, 500],
      [first, 200],
      [second, 200],
    ]);
  });

  it('redelivers a past delivery with the same event, triggeredOn, payload and signature (a duplicate)', async () => {
    await addEndpoint({ url: receiver.url, secret: 'dup' });
    await invite('dup@example.org');
    const original = await waitFor(() => receiver.events()[0]);
    const [delivery] = await deliveries();
    const copy = await h.ctl<Delivery>('POST', `/companies/${company()}/webhook-deliveries/${delivery!.id}/redeliver`);
    expect(copy.redeliveryOf).toBe(delivery!.id);
    const duplicate = await waitFor(() => receiver.events()[1]);
    expect(duplicate.rawBody).toBe(original.rawBody);
    expect(duplicate.headers['x-codesignal-signature']).toBe(original.headers['x-codesignal-signature']);
    expect((await deliveries('?event=companyTestSessionCreated')).length).toBe(2);
  });

  it('fires assessmentCreated when a test is added to the catalogue', async () => {
    await addEndpoint({ url: receiver.url });
    const test = await h.ctl<{ id: string }>('POST', `/companies/${company()}/tests`, { title: 'Mobile Engineer screen' });
    const created = await waitFor(() => receiver.events()[0]);
    expect(created.body).toEqual({ event: 'assessmentCreated', triggeredOn: expect.any(Number), payload: { assessmentId: test.id, assessmentTitle: 'Mobile Engineer screen', assessmentStatus: 'active' } });
  });

  it('uses the documented backoff by default: (failCount−1)^4 + 15 + random(30)·failCount seconds', () => {
    const random = jest.spyOn(Math, 'random');
    try {
      random.mockReturnValue(0);
      expect([1, 2, 3, 14].map(documentedRetryDelayMs)).toEqual([15_000, 16_000, 31_000, (13 ** 4 + 15) * 1000]);
      random.mockReturnValue(0.999);
      expect([1, 2, 3].map(documentedRetryDelayMs)).toEqual([44_000, 74_000, 118_000]);
    } finally {
      random.mockRestore();
    }
  });
});
