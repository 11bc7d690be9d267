import { captureErrorLogs, type ErrorLogs } from '../hardening-support';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { webhookUrls } from '../../../src/integrations/urls';
import type { WebhookBody } from '../../../sandbox/lever/index';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { createCandidate, type Candidate } from '../../support/assessment-faults';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { adminToken, eventually, testLogger } from '../../support/stack';

/**
 * Attack: Lever signs only `token + triggeredAt`, never the body (lever-api.md §2.3). A captured delivery
 * keeps verifying when its `data` is changed — here to name another candidate. The ingress remembers
 * tokens with a hash of the body, and the candidate workflow confirms what a body claims with Lever's
 * API before acting; so a re-aimed delivery starts nothing and writes nothing, and Activity says why.
 */
describe('attack: a Lever delivery re-aimed at another opportunity', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let hold: HoldingProxy;
  let logs: ErrorLogs;
  const seed = () => h.sandboxes.lever.seed;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'Re-aimed body' });
    hold = await HoldingProxy.start(h);
  });
  afterAll(async () => {
    await hold?.close();
    await h?.close();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  const ingress = () => webhookUrls(h.stack.config.publicUrl, h.integration.id).lever;
  const candidateHandle = (opportunityId: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, opportunityId));
  const assessmentHandle = (opportunityId: string) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opportunityId, 1));
  const expectNoWorkflow = async (workflowId: string) =>
    expect(h.stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  /** Writes the service made to the opportunity in Lever since `since` (anything but reads). */
  const leverWrites = (opportunityId: string, since: number) =>
    h.sandboxes.leverSandbox.admin
      .requests(seed().accountId, { since })
      .filter((r) => r.method !== 'GET' && r.path.startsWith(`/v1/opportunities/${opportunityId}`))
      .map((r) => `${r.method} ${r.path}`);
  const deliveries = async (outcome: string) => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/webhooks?outcome=${outcome}&limit=200`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    return (await readJson(res)).deliveries as Array<{ event: string; outcome: string; httpStatus: number; reason: string | null; opportunityId: string | null }>;
  };
  /** The candidate workflow has refused `n` events, and its state shows nothing of them. */
  const refused = (opportunityId: string, n: number) =>
    eventually(async () => {
      const s = await candidateHandle(opportunityId).query(candidateStateQuery);
      expect(s.refusedEvents).toBe(n);
      return s;
    }, 30_000);

  it('before the original arrives: the copy starts nothing and writes nothing, Activity shows it refused, and the original is then a replay', async () => {
    const since = Date.now();
    const victim = createCandidate(h, 'victim');
    const target = createCandidate(h, 'target');
    // The recruiter moves the victim into the trigger stage; the attacker gets hold of the delivery first.
    const original = await hold.capture(victim, () => h.moveToStage(victim.id, seed().stageIds.assessment));
    const reaimed = { ...original, data: { ...original.data, opportunityId: target.id } };

    // The signature still verifies and the token is new to the service: only Lever can tell.
    const res = await postJson(ingress(), reaimed, { 'user-agent': 'Lever-Webhooks' });
    expect(res.status).toBe(202);

    const state = await refused(target.id, 1);
    expect(state).toMatchObject({ stageId: null, stageHistory: [], eventsReceived: 0, assessments: [] });
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, target.id, 1));
    const shown = await eventually(async () => {
      const [row] = (await deliveries('refused')).filter((d) => d.opportunityId === target.id);
      expect(row).toBeDefined();
      return row!;
    });
    expect(shown).toMatchObject({ event: 'candidateStageChange', outcome: 'refused', httpStatus: 202 });
    expect(shown.reason).toMatch(/^lever_contradicts: Lever shows the opportunity in stage .* and no entry into stage /);

    // The genuine delivery now comes with a token already spent on another body.
    const late = await postJson(ingress(), original, { 'user-agent': 'Lever-Webhooks' });
    expect(late.status).toBe(401);
    expect(await readJson(late)).toMatchObject({ error: 'replayed_token' });
    await expectNoWorkflow(candidateWorkflowId(h.integration.id, victim.id));

    expect(h.opportunity(target.id).links.filter((l) => l.includes('/assessments/select/'))).toEqual([]);
    expect(h.opportunity(target.id).tags).not.toContain('CodeSignal: awaiting test selection');
    expect({ victim: leverWrites(victim.id, since), target: leverWrites(target.id, since) }).toEqual({ victim: [], target: [] });
  });

  it('after the original was answered: the copy is refused at the door, and nothing is started in Temporal for the target', async () => {
    const victim = createCandidate(h, 'answered-victim');
    const target = createCandidate(h, 'answered-target');
    const since = Date.now();
    h.moveToStage(victim.id, seed().stageIds.assessment);
    const original = await hold.passedOn(victim, 'candidateStageChange');

    const res = await postJson(ingress(), { ...original, data: { ...original.data, opportunityId: target.id } });
    expect(res.status).toBe(401);
    expect(await readJson(res)).toMatchObject({ error: 'replayed_token' });

    await expectNoWorkflow(candidateWorkflowId(h.integration.id, target.id));
    const rejected = await eventually(async () => {
      const [row] = (await deliveries('rejected')).filter((d) => d.opportunityId === target.id);
      expect(row).toBeDefined();
      return row!;
    });
    expect(rejected.reason).toMatch(/^replayed_token: /);
    // the victim's own assessment goes on as it should
    await eventually(async () => expect((await assessmentHandle(victim.id).query(assessmentStateQuery)).status).toBe('awaiting_selection'), 30_000);
    expect(leverWrites(target.id, since)).toEqual([]);
  });

  it('an honestly signed delivery Lever contradicts (the opportunity is not in toStageId) makes the workflow write nothing to Lever', async () => {
    const since = Date.now();
    const c = createCandidate(h, 'contradicted'); // in the phone screen, never in the assessment stage
    const body = signedLeverDelivery(stageChangeToken(h), 'candidateStageChange', {
      opportunityId: c.id,
      candidateId: c.id,
      contactId: h.opportunity(c.id).contact,
      fromStageId: seed().stageIds.phoneScreen,
      toStageId: seed().stageIds.assessment,
    });
    const res = await postJson(ingress(), body, { 'user-agent': 'Lever-Webhooks' });
    expect(res.status).toBe(202);

    const state = await refused(c.id, 1);
    expect(state.stageId).toBeNull();
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, c.id, 1));
    const [row] = await eventually(async () => {
      const rows = (await deliveries('refused')).filter((d) => d.opportunityId === c.id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row!.reason).toContain(`no entry into stage ${seed().stageIds.assessment}`);
    expect(leverWrites(c.id, since)).toEqual([]);
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.phoneScreen);
  });

  it('a hire or archive Lever does not show cancels nothing: the open assessment stays open', async () => {
    const c = createCandidate(h, 'open-assessment');
    h.moveToStage(c.id, seed().stageIds.assessment);
    await eventually(async () => expect((await assessmentHandle(c.id).query(assessmentStateQuery)).status).toBe('awaiting_selection'), 30_000);
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: awaiting test selection'));
    const since = Date.now();
    const reason = seed().archiveReasons.find((r) => r.type === 'non-hired')!.id;

    const hired = signedLeverDelivery(signingTokenFor(h, 'candidateHired'), 'candidateHired', { opportunityId: c.id, candidateId: c.id, contactId: 'x' });
    const archived = signedLeverDelivery(signingTokenFor(h, 'candidateArchiveChange'), 'candidateArchiveChange', {
      opportunityId: c.id,
      fromArchived: null,
      toArchived: { archivedAt: Date.now(), reason },
    });
    for (const body of [hired, archived]) expect((await postJson(ingress(), body)).status).toBe(202);

    const state = await refused(c.id, 2);
    expect(state).toMatchObject({ archived: null, hiredAt: null, stageId: seed().stageIds.assessment });
    expect((await assessmentHandle(c.id).query(assessmentStateQuery)).status).toBe('awaiting_selection');
    expect(state.assessments?.map((a) => a.status)).toEqual(['awaiting_selection']);
    expect(leverWrites(c.id, since)).toEqual([]);
    const rows = await eventually(async () => {
      const found = (await deliveries('refused')).filter((d) => d.opportunityId === c.id);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(rows.map((r) => r.event).sort()).toEqual(['candidateArchiveChange', 'candidateHired']);
  });
});

// ---- helpers

/** The signing token of the integration's Lever subscription for `event`, as Lever's settings page shows it. */
function signingTokenFor(h: AssessmentHarness, event: string): string {
  const hooks = [...h.sandboxes.leverSandbox.store.account(h.sandboxes.lever.seed.accountId).webhooks.values()];
  return hooks.find((w) => w.event === event)!.signatureToken;
}
const stageChangeToken = (h: AssessmentHarness) => signingTokenFor(h, 'candidateStageChange');

/**
 * Stands between the Lever sandbox and the ingress, as someone placed to read deliveries would: it
 * passes everything on, except that while capturing it keeps the first delivery about one
 * opportunity (answering Lever 200, so Lever does not retry) instead of passing it on.
 */
class HoldingProxy {
  private capturing: { opportunityId: string; resolve: (body: WebhookBody) => void } | undefined;
  /** Deliveries passed on to the ingress and answered 2xx, oldest first. */
  private readonly answered: WebhookBody[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: string,
  ) {}

  static async start(h: AssessmentHarness): Promise<HoldingProxy> {
    let proxy: HoldingProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        proxy!
          .receive(Buffer.concat(chunks).toString('utf8'))
          .then((status) => res.writeHead(status).end())
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lever`;
    proxy = new HoldingProxy(server, webhookUrls(h.stack.config.publicUrl, h.integration.id).lever);
    for (const hook of h.sandboxes.leverSandbox.store.account(h.sandboxes.lever.seed.accountId).webhooks.values()) hook.url = url;
    return proxy;
  }

  /** Runs `act` and answers the first delivery about the candidate, which the service never sees. */
  capture(c: Candidate, act: () => void): Promise<WebhookBody> {
    const captured = new Promise<WebhookBody>((resolve) => (this.capturing = { opportunityId: c.id, resolve }));
    act();
    return captured;
  }

  private async receive(text: string): Promise<number> {
    const body = JSON.parse(text) as WebhookBody;
    if (this.capturing && body.data?.opportunityId === this.capturing.opportunityId) {
      this.capturing.resolve(body);
      this.capturing = undefined;
      return 200;
    }
    const res = await postJson(this.target, text, { 'user-agent': 'Lever-Webhooks' });
    await res.arrayBuffer();
    if (res.ok) this.answered.push(body);
    return res.status;
  }

  /** The delivery about the candidate that the ingress answered 2xx (waits for it). */
  passedOn(c: Candidate, event: string): Promise<WebhookBody> {
    return eventually(async () => {
      const body = this.answered.find((b) => b.event === event && b.data?.opportunityId === c.id);
      expect(body).toBeDefined();
      return body!;
    }, 20_000);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}


