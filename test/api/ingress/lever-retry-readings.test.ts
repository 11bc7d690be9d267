import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Integration } from '../../../src/integrations/repository';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { ensureDemoIntegration } from '../../../sandbox/demo-integration';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { eventually, startStack, testSecretBox, type TestStack } from '../../support/stack';

/**
 * lever-api.md §2.5 (and §2.2 for `id`) leaves open whether a retried webhook delivery reuses its `token`/`signature` and
 * whether bodies carry the event `id` [U]. The Lever sandbox's real emitter delivers to the service's
 * ingress through a forwarder that loses the service's first answer (the service got the delivery,
 * Lever saw a 503), so Lever retries: under every reading the service acts on the stage change once.
 */

interface ServiceAnswer {
  token: string;
  id: string | undefined;
  status: number;
  body: { status?: string };
}

/** Forwards Lever's deliveries to the service; answers 503 to the first attempt of each event after the service answered it. */
class LossyForwarder {
  readonly answers = new Map<string, ServiceAnswer[]>();
  target = '';

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<LossyForwarder> {
    let self: LossyForwarder | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        self!
          .forward(req.url ?? '/', Buffer.concat(chunks))
          .then(({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new LossyForwarder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** The event a delivery is about, the same for every attempt: what it says and when Lever says it happened. */
  static eventOf(delivery: { event: string; triggeredAt: number; data: { opportunityId?: string } }): string {
    return `${delivery.event}:${delivery.data.opportunityId}:${delivery.triggeredAt}`;
  }

  private async forward(path: string, raw: Buffer): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.target}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    const text = await res.text();
    const delivery = JSON.parse(raw.toString('utf8')) as { event: string; triggeredAt: number; token: string; id?: string; data: { opportunityId?: string } };
    const key = LossyForwarder.eventOf(delivery);
    const seen = this.answers.get(key) ?? [];
    seen.push({ token: delivery.token, id: delivery.id, status: res.status, body: JSON.parse(text) as ServiceAnswer['body'] });
    this.answers.set(key, seen);
    return seen.length === 1 ? { status: 503, body: '{"error":"answer lost"}' } : { status: res.status, body: text };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.each([
  { webhookRetriesReuseToken: true, webhookEventId: true },
  { webhookRetriesReuseToken: true, webhookEventId: false },
  { webhookRetriesReuseToken: false, webhookEventId: true },
  { webhookRetriesReuseToken: false, webhookEventId: false },
])('a retried Lever delivery (quirks %o)', (quirks) => {
  jest.setTimeout(60_000);
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let forwarder: LossyForwarder;
  let integration: Integration;

  beforeAll(async () => {
    sandboxes = await startSandboxes({
      leverPort: 0,
      codesignalPort: 0,
      quiet: true,
      lever: { webhookRetryDelaysMs: [200, 400, 800, 1600, 3200], quirks },
      codesignal: { webhookRetryDelaysMs: () => 300 },
    });
    stack = await startStack({ config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
    forwarder = await LossyForwarder.start();
    forwarder.target = stack.baseUrl;
    // Lever's webhooks point at the forwarder, which passes every request on to the service
    integration = await ensureDemoIntegration(stack.db, testSecretBox, sandboxes, forwarder.url, `Lever retries ${randomUUID()}`);
  });
  afterAll(async () => {
    await stack?.stop();
    await forwarder?.close();
    await sandboxes?.close();
  });

  it('is acted on once, whether it reuses the token and whether it names the event', async () => {
    const seed = sandboxes.lever.seed;
    const { leverSandbox } = sandboxes;
    const opp = leverSandbox.recruiter.createCandidate(seed.accountId, { name: 'Rhea Retry', emails: [`rhea-${randomUUID()}@example.org`], userId: seed.userIds.recruiter });
    leverSandbox.recruiter.moveToStage(seed.accountId, opp.id, { stage: seed.stageIds.phoneScreen });

    /** Lever's delivery of the move to `stageId`, once it succeeded. */
    const deliveryOf = (stageId: string) =>
      eventually(async () => {
        const [d] = leverSandbox.admin.deliveries(seed.accountId, { event: 'candidateStageChange' })
          .filter((x) => x.attempts[0]?.body.data.opportunityId === opp.id && x.attempts[0]?.body.data.toStageId === stageId);
        expect(d?.state).toBe('succeeded');
        return d!;
      }, 20_000);

    // Lever's side: the first attempt failed (the lost answer), the retry got the service's answer
    const delivery = await deliveryOf(seed.stageIds.phoneScreen);
    expect(delivery.attempts.map((a) => a.status)).toEqual([503, expect.any(Number)]);
    const [first, retry] = delivery.attempts.map((a) => a.body);
    expect(retry!.token === first!.token).toBe(quirks.webhookRetriesReuseToken);
    expect(retry!.id).toBe(quirks.webhookEventId ? first!.id : undefined);
    expect(retry!.id).toEqual(quirks.webhookEventId ? expect.any(String) : undefined);

    // the service's side: both attempts reached it; the retry was a known duplicate, or accepted and dropped by the workflow
    const answers = forwarder.answers.get(LossyForwarder.eventOf(first!))!;
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [202, 'accepted'],
      quirks.webhookRetriesReuseToken ? [200, 'duplicate'] : [202, 'accepted'],
    ]);

    // a later change, signalled after both deliveries of the first: once the workflow shows it, it has handled the retry too
    leverSandbox.recruiter.moveToStage(seed.accountId, opp.id, { stage: seed.stageIds.newApplicant });
    expect((await deliveryOf(seed.stageIds.newApplicant)).attempts).toHaveLength(2);
    const handle = stack.client.workflow.getHandle(candidateWorkflowId(integration.id, opp.id));
    const state = await eventually(async () => {
      const s = await handle.query(candidateStateQuery);
      expect(s.stageId).toBe(seed.stageIds.newApplicant);
      return s;
    }, 20_000);
    // acted on once: one entry for the change, however many deliveries carried it
    expect(state.stageHistory.filter((h) => h.stageId === seed.stageIds.phoneScreen)).toHaveLength(1);
    // the Activity log, written just after each answer
    const again = quirks.webhookRetriesReuseToken ? 'duplicate' : 'accepted';
    await eventually(async () => {
      const { rows } = await stack.db.query<{ outcome: string }>(
        `SELECT outcome FROM webhook_deliveries WHERE integration_id = $1 AND source = 'lever' AND opportunity_id = $2 ORDER BY received_at, id`,
        [integration.id, opp.id],
      );
      expect(rows.map((r) => r.outcome)).toEqual(['accepted', again, 'accepted', again]);
    });
  });
});
