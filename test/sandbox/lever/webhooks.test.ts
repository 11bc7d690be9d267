import { leverWebhookSignature } from '../../../sandbox/lever/index';
import { startHarness, startReceiver, waitFor, type Harness } from './harness';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('Lever sandbox: webhooks', () => {
  it('signs with the reference test vector', () => {
    expect(leverWebhookSignature('3f9c2a7d1e5b4c6a8d0f2e4b6a8c0e2f4a6b8c0d2e4f6a8b', '5d1b7a3c9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5e7f', 1700000000000))
      .toBe('8912e226e155a26dc9ea02c5e76dc65617948d49c08e95a21924a9e33b1b7c6c');
  });

  let h: Harness;
  let receiver: Receiver;
  let account: string;
  beforeEach(async () => {
    h = await startHarness({ webhookRetryDelaysMs: [20, 20, 20, 20, 20], rateLimit: { perSecond: 1000, burst: 1000 } });
    account = h.seed.accountId;
  });
  afterEach(async () => {
    await h.close();
    await receiver?.close();
  });

  const subscribe = (event: string, origins?: string[]) => h.sandbox.admin.createWebhook(account, { url: receiver.url, event: event as 'candidateStageChange', origins: origins as ['sourced'] | undefined });
  const deliveries = () => h.sandbox.admin.deliveries(account);

  describe('managing subscriptions through the API', () => {
    beforeEach(async () => { receiver = await startReceiver(); });

    it('returns signatureToken once on POST, never on GET, and deletes with 204', async () => {
      const created = await h.api<{ data: { id: string; event: string; url: string; configuration: { signatureToken?: string; conditions: { origins: string[] } } } }>(
        'POST', '/webhooks', { body: { url: receiver.url, event: 'candidateStageChange' } });
      expect(created.status).toBe(201);
      expect(created.body.data.configuration.signatureToken).toMatch(/^[0-9a-f]{48}$/);
      expect(created.body.data.configuration.conditions.origins).toHaveLength(6);
      const listed = await h.api<{ data: Array<{ id: string; configuration: Record<string, unknown> }>; hasNext?: boolean }>('GET', '/webhooks');
      expect(listed.body.data.map((w) => w.id)).toEqual([created.body.data.id]);
      expect(listed.body.data[0].configuration).not.toHaveProperty('signatureToken');
      expect(listed.body).not.toHaveProperty('hasNext');
      expect((await h.api('DELETE', `/webhooks/${created.body.data.id}`)).status).toBe(204);
      expect((await h.api<{ data: unknown[] }>('GET', '/webhooks')).body.data).toEqual([]);
    });

    it('cannot delete a webhook created in the UI', async () => {
      const sub = subscribe('candidateHired');
      expect((await h.api('DELETE', `/webhooks/${sub.id}`)).status).toBe(403);
    });

    it('rejects unknown events', async () => {
      expect((await h.api('POST', '/webhooks', { body: { url: receiver.url, event: 'candidateMoved' } })).status).toBe(400);
    });
  });

  describe('deliveries', () => {
    beforeEach(async () => { receiver = await startReceiver(); });

    it('delivers a UI stage change signed with the subscription token, with Lever headers', async () => {
      const sub = subscribe('candidateStageChange');
      const opp = h.sandbox.recruiter.inspect(account, h.seed.opportunities[0].id);
      h.sandbox.recruiter.moveToStage(account, opp.id, { stage: h.seed.stageIds.assessment, userId: h.seed.userIds.recruiter });
      await waitFor(() => receiver.received.length, (n) => n === 1);
      const { headers, body } = receiver.received[0];
      expect(headers['user-agent']).toBe('Lever-Webhooks');
      expect(headers['content-type']).toBe('application/json');
      expect(body).toEqual({
        id: expect.any(String), triggeredAt: expect.any(Number), event: 'candidateStageChange',
        data: { opportunityId: opp.id, candidateId: opp.candidateId, contactId: opp.contact, fromStageId: h.seed.stageIds.phoneScreen, toStageId: h.seed.stageIds.assessment },
        token: expect.stringMatching(/^[0-9a-f]{48}$/), signature: expect.any(String),
      });
      expect(body.signature).toBe(leverWebhookSignature(sub.signatureToken, String(body.token), Number(body.triggeredAt)));
      const [delivery] = await waitFor(deliveries, (d) => d[0]?.state === 'succeeded');
      expect(delivery).toMatchObject({ webhookId: sub.id, event: 'candidateStageChange', cause: 'ui', attempts: [{ attempt: 1, status: 200, error: null }] });
    });

    it('fires candidateArchiveChange and candidateHired when a recruiter hires', async () => {
      subscribe('candidateArchiveChange');
      subscribe('candidateHired');
      const oppId = h.seed.opportunities[1].id;
      h.sandbox.recruiter.hire(account, oppId, {});
      await waitFor(() => receiver.received.length, (n) => n === 2);
      const byEvent = Object.fromEntries(receiver.received.map((r) => [r.body.event, r.body.data]));
      expect(byEvent.candidateArchiveChange).toMatchObject({ opportunityId: oppId, fromArchived: null, toArchived: { reason: h.seed.hiredReasonId, archivedAt: expect.any(Number) } });
      expect(byEvent.candidateHired).toEqual({ opportunityId: oppId, candidateId: expect.any(String), contactId: expect.any(String) });
    });

    it('sends a test delivery: candidateHired with empty data', async () => {
      const sub = subscribe('candidateStageChange');
      const res = await h.control<{ id: string }>('POST', `/accounts/${account}/webhooks/${sub.id}/test`);
      expect(res.status).toBe(202);
      await waitFor(() => receiver.received.length, (n) => n === 1);
      expect(receiver.received[0].body).toMatchObject({ event: 'candidateHired', data: {} });
      expect(receiver.received[0].body.signature).toBe(leverWebhookSignature(sub.signatureToken, String(receiver.received[0].body.token), Number(receiver.received[0].body.triggeredAt)));
    });

    it('honours origin conditions', async () => {
      subscribe('candidateStageChange', ['referred']);
      const referred = h.sandbox.recruiter.createCandidate(account, { name: 'Referred One', origin: 'referred' });
      h.sandbox.recruiter.moveToStage(account, h.seed.opportunities[4].id, { stage: 'lead-reached-out' }); // sourced: skipped
      h.sandbox.recruiter.moveToStage(account, referred.id, { stage: 'lead-reached-out' });
      await waitFor(() => receiver.received.length, (n) => n === 1);
      expect(deliveries()).toHaveLength(1);
      expect(receiver.received[0].body.data.opportunityId).toBe(referred.id);
    });
  });

  describe('retries', () => {
    it('retries failing answers and logs every attempt', async () => {
      receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
      subscribe('candidateStageChange');
      h.sandbox.recruiter.moveToStage(account, h.seed.opportunities[0].id, { stage: 'offer' });
      const [delivery] = await waitFor(deliveries, (d) => d[0]?.state === 'succeeded');
      expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
      expect(new Set(delivery.attempts.map((a) => a.body.token)).size).toBe(1);
      expect(receiver.received).toHaveLength(3);
    });

    it('treats 3xx as failure and gives up after five retries', async () => {
      receiver = await startReceiver(() => 302);
      subscribe('candidateStageChange');
      h.sandbox.recruiter.moveToStage(account, h.seed.opportunities[0].id, { stage: 'offer' });
      const [delivery] = await waitFor(deliveries, (d) => d[0]?.state === 'failed');
      expect(delivery.attempts.map((a) => a.status)).toEqual([302, 302, 302, 302, 302, 302]);
      expect(delivery.nextAttemptAt).toBeNull();
    });

    it('records network errors as failed attempts', async () => {
      receiver = await startReceiver();
      await receiver.close();
      subscribe('candidateStageChange');
      h.sandbox.recruiter.moveToStage(account, h.seed.opportunities[0].id, { stage: 'offer' });
      const [delivery] = await waitFor(deliveries, (d) => d[0]?.state === 'failed');
      expect(delivery.attempts).toHaveLength(6);
      expect(delivery.attempts[0]).toMatchObject({ status: null, error: expect.stringContaining('fetch failed') });
    });
  });

  describe('lostWebhookDeliveries', () => {
    it('loses the next deliveries (every attempt fails, Lever gives up) and delivers the ones after', async () => {
      receiver = await startReceiver();
      subscribe('candidateStageChange');
      h.sandbox.admin.updateSettings(account, { lostWebhookDeliveries: 2 });
      const [first, second, third] = h.seed.opportunities.map((o) => o.id);
      for (const id of [first!, second!, third!]) h.sandbox.recruiter.moveToStage(account, id, { stage: 'offer' });
      const all = await waitFor(deliveries, (d) => d.length === 3 && d.every((x) => x.state !== 'pending'));
      expect(all.map((d) => d.state).sort()).toEqual(['failed', 'failed', 'succeeded']);
      for (const lost of all.filter((d) => d.state === 'failed')) {
        expect(lost.attempts).toHaveLength(6);
        expect(lost.attempts[0]).toMatchObject({ status: null, error: expect.stringContaining('lostWebhookDeliveries') });
      }
      // only the third reached the receiver
      expect(receiver.received).toHaveLength(1);
      expect(h.sandbox.admin.updateSettings(account, {}).lostWebhookDeliveries).toBe(0);
    });
  });

  describe('apiWritesFireWebhooks', () => {
    beforeEach(async () => { receiver = await startReceiver(); });

    it('is off by default and can be switched on and off again at run time', async () => {
      subscribe('candidateStageChange');
      const oppId = h.seed.opportunities[2].id;
      const move = (stage: string) => h.api('PUT', `/opportunities/${oppId}/stage?perform_as=${h.seed.defaultUserId}`, { body: { stage } });

      expect((await move(h.seed.stageIds.phoneScreen)).status).toBe(200);
      expect(deliveries()).toHaveLength(0); // deliveries are logged synchronously when an event fires

      expect((await h.control('PUT', `/accounts/${account}/settings`, { apiWritesFireWebhooks: true })).body).toMatchObject({ apiWritesFireWebhooks: true });
      await move(h.seed.stageIds.assessment);
      await waitFor(() => receiver.received.length, (n) => n === 1);
      expect(receiver.received[0].body.data).toMatchObject({ opportunityId: oppId, fromStageId: h.seed.stageIds.phoneScreen, toStageId: h.seed.stageIds.assessment });
      expect(deliveries()[0].cause).toBe('api');

      await h.control('PUT', `/accounts/${account}/settings`, { apiWritesFireWebhooks: false });
      await move(h.seed.stageIds.onSite);
      expect(deliveries()).toHaveLength(1);
    });

    it('fires interview events for API writes when on', async () => {
      await h.close();
      h = await startHarness({ apiWritesFireWebhooks: true, webhookRetryDelaysMs: [20] });
      account = h.seed.accountId;
      subscribe('interviewCreated');
      const oppId = h.seed.opportunities[3].id;
      const res = await h.api<{ data: { id: string; interviews: Array<{ id: string }> } }>('POST', `/opportunities/${oppId}/panels?perform_as=${h.seed.defaultUserId}`, {
        body: { timezone: 'UTC', interviews: [{ interviewers: [{ id: h.seed.userIds.interviewer }], date: Date.now() + 3_600_000, duration: 30 }] },
      });
      await waitFor(() => receiver.received.length, (n) => n === 1);
      expect(receiver.received[0].body).toMatchObject({
        event: 'interviewCreated',
        data: { opportunityId: oppId, interviewId: res.body.data.interviews[0].id, panelId: res.body.data.id, contactId: expect.any(String) },
      });
    });
  });
});
