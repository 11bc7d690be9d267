import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type express from 'express';
import { createApp } from '../../src/api/app';
import { checkedPathParameters } from '../../src/api/ids';
import { webhookUrls } from '../../src/integrations/urls';
import type { Integration } from '../../src/integrations/repository';
import type { WebhookBody } from '../../sandbox/lever/index';
import { assessmentWorkflowId, candidateWorkflowId, importWorkflowId } from '../../src/workflows/shared/ids';
import { candidateStateQuery } from '../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../support/assessment-harness';
import { codesignalRequests, createCandidate, type Candidate } from '../support/assessment-faults';
import { postJson, readJson, signedLeverDelivery } from '../support/lever-webhook';
import { adminToken, eventually, insertIntegration, testLogger } from '../support/stack';
import { captureErrorLogs, settle, startCapturedApi, type CapturedApi, type ErrorLogs } from './hardening-support';

/**
 * Attack: the integration id in the webhook URL in another case. PostgreSQL's uuid type matches
 * `ABC…` to `abc…`, but workflow ids are strings: an accepted Lever delivery re-sent to the upper-cased
 * URL passed de-duplication (its token was remembered under the other spelling), started a second
 * candidate workflow and a second assessment, and Activity showed nothing under the real id. Every id
 * that reaches a workflow id is now accepted only as the service and Lever write it (a lower-case
 * UUID), on every route: any other spelling of an integration id is answered like an unknown one.
 */
describe('attack: an id spelled in another case', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let logs: ErrorLogs;
  const seed = () => h.sandboxes.lever.seed;

  beforeAll(async () => {
    logs = captureErrorLogs(testLogger);
    h = await startAssessmentHarness({ name: 'Case-variant id' });
  });
  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });
  afterEach(() => expect(logs.errors()).toEqual([]));

  const leverUrl = (integrationId: string) => webhookUrls(h.stack.config.publicUrl, integrationId).lever;
  const candidateHandle = (opportunityId: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, opportunityId));
  const expectNoWorkflow = async (workflowId: string) =>
    expect(h.stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  const signalsReceived = async (opportunityId: string) => {
    const history = await candidateHandle(opportunityId).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leverEvent').length;
  };
  /** What the service wrote to Lever (anything but reads) and to CodeSignal (mutations) since `since`. */
  const writesSince = (since: number) => ({
    lever: h.sandboxes.leverSandbox.admin
      .requests(seed().accountId, { since })
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`),
    codesignal: codesignalRequests(h)
      .filter((r) => r.at >= since && r.operationType === 'mutation')
      .map((r) => r.operationName),
  });
  const stageChangeToken = () =>
    [...h.sandboxes.leverSandbox.store.account(seed().accountId).webhooks.values()].find((w) => w.event === 'candidateStageChange')!.signatureToken;
  /** The delivery Lever made to the ingress for the candidate entering the stage (waits for its 2xx). */
  const delivered = (c: Candidate, toStageId: string): Promise<WebhookBody> =>
    eventually(async () => {
      const found = h.sandboxes.leverSandbox.admin
        .deliveries(seed().accountId, { event: 'candidateStageChange', state: 'succeeded' })
        .find((d) => d.url === leverUrl(h.integration.id) && d.attempts[0]?.body.data.opportunityId === c.id && d.attempts[0]?.body.data.toStageId === toStageId);
      expect(found).toBeDefined();
      return found!.attempts.at(-1)!.body;
    }, 20_000);
  const deliveries = async (outcome: string) => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/webhooks?outcome=${outcome}&limit=200`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    return (await readJson(res)).deliveries as Array<{ event: string; httpStatus: number; reason: string | null; opportunityId: string | null }>;
  };
  /** `9f1c2b7e-…` → `9F1c2B7e-…`: letters alternately upper-cased. */
  const mixedCase = (id: string) => {
    let upper = true;
    return id.replace(/[a-f]/g, (ch) => ((upper = !upper) ? ch : ch.toUpperCase()));
  };

  /** One candidate with a candidate workflow and an assessment awaiting selection, made by whichever test needs it first. */
  let awaiting: Promise<Candidate> | undefined;
  const candidateAwaitingSelection = () =>
    (awaiting ??= (async () => {
      const c = createCandidate(h, 'case-variant');
      h.moveToStage(c.id, seed().stageIds.assessment);
      await eventually(async () => {
        expect(h.opportunity(c.id).tags).toContain('CodeSignal: awaiting test selection');
        expect((await candidateHandle(c.id).query(candidateStateQuery)).assessments?.map((a) => a.status)).toEqual(['awaiting_selection']);
      }, 30_000);
      return c;
    })());

  it('an accepted Lever delivery re-sent to the upper-cased URL is 404 unknown_integration and starts nothing', async () => {
    const c = await candidateAwaitingSelection();
    const original = await delivered(c, seed().stageIds.assessment);
    expect(await signalsReceived(c.id)).toBe(1);
    const since = Date.now();

    const unknown = randomUUID();
    const unknownAnswer = await postJson(leverUrl(unknown), original);
    expect(unknownAnswer.status).toBe(404);
    expect(await readJson(unknownAnswer)).toEqual({ error: 'unknown_integration', message: `no integration ${unknown}` });

    for (const spelling of [h.integration.id.toUpperCase(), mixedCase(h.integration.id)]) {
      // the captured delivery as it was, and one freshly signed by Lever for the same candidate
      const fresh = signedLeverDelivery(stageChangeToken(), 'candidateStageChange', original.data as Record<string, unknown>);
      for (const body of [original, fresh]) {
        const res = await postJson(leverUrl(spelling), body, { 'user-agent': 'Lever-Webhooks' });
        expect(res.status).toBe(404);
        // exactly the answer an unknown integration gets: the spelling tells nothing
        expect(await readJson(res)).toEqual({ error: 'unknown_integration', message: `no integration ${spelling}` });
      }
      await expectNoWorkflow(candidateWorkflowId(spelling, c.id));
      await expectNoWorkflow(assessmentWorkflowId(spelling, c.id, 1));
    }
    // to the real URL it is still what it was: a duplicate, acknowledged, nothing done
    const again = await postJson(leverUrl(h.integration.id), original, { 'user-agent': 'Lever-Webhooks' });
    expect(again.status).toBe(200);
    expect(await readJson(again)).toMatchObject({ status: 'duplicate' });

    await settle(1_000);
    expect(await signalsReceived(c.id)).toBe(1);
    expect((await candidateHandle(c.id).query(candidateStateQuery)).assessments).toHaveLength(1);
    await expectNoWorkflow(assessmentWorkflowId(h.integration.id, c.id, 2));
    expect(writesSince(since)).toEqual({ lever: [], codesignal: [] });
  });

  it('a signed delivery naming the opportunity in another case is 400 naming data.opportunityId, starts nothing and shows in Activity', async () => {
    const c = createCandidate(h, 'case-variant-opportunity');
    const since = Date.now();
    for (const opportunityId of [c.id.toUpperCase(), mixedCase(c.id), `{${c.id}}`]) {
      const body = signedLeverDelivery(stageChangeToken(), 'candidateStageChange', { opportunityId, fromStageId: seed().stageIds.phoneScreen, toStageId: seed().stageIds.assessment });
      const res = await postJson(leverUrl(h.integration.id), body, { 'user-agent': 'Lever-Webhooks' });
      expect(res.status).toBe(400);
      expect(await readJson(res)).toEqual({ error: 'invalid_body', message: 'data.opportunityId: must be a Lever opportunity id: a UUID in lower case' });
      await expectNoWorkflow(candidateWorkflowId(h.integration.id, opportunityId));
    }
    await expectNoWorkflow(candidateWorkflowId(h.integration.id, c.id));
    const rows = await eventually(async () => {
      const found = (await deliveries('rejected')).filter((d) => d.opportunityId?.toLowerCase().includes(c.id));
      expect(found).toHaveLength(3);
      return found;
    });
    expect(rows.every((r) => r.httpStatus === 400 && r.reason === 'invalid_body: data.opportunityId: must be a Lever opportunity id: a UUID in lower case')).toBe(true);
    await settle(500);
    expect(writesSince(since)).toEqual({ lever: [], codesignal: [] });
  });

  describe('every route that takes an id', () => {
    let app: express.Express;
    beforeAll(() => {
      app = createApp({ config: h.stack.config, db: h.stack.db, temporal: h.stack.client, logger: testLogger });
    });

    it('is on a router that checks every id parameter, and uses no parameter the checks do not know', () => {
      const routers = routersOf(app);
      expect(routers.length).toBeGreaterThanOrEqual(13);
      for (const router of routers) expect([router.name, Object.keys(router.params).sort()]).toEqual([router.name, [...checkedPathParameters].sort()]);
      const used = new Set(routers.flatMap((r) => r.paths.flatMap(paramsOf)));
      expect([...used].filter((name) => !checkedPathParameters.includes(name))).toEqual([]);
      // the routes this attack is about are among them
      expect(routesOf(app).map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([
          'POST /webhooks/lever/:integrationId',
          'POST /webhooks/codesignal/:integrationId',
          'GET /api/integrations/:integrationId',
          'POST /api/integrations/:integrationId/opportunities/:opportunityId/assessments/:assessmentId/actions',
          'GET /api/sourcing/:integrationId/candidates/:codesignalCandidateId',
          'POST /api/sourcing/:integrationId/candidates/:codesignalCandidateId/status',
          'GET /assessments/select/:integrationId/:opportunityId/:assessmentId',
        ]),
      );
    });

    it('answers another spelling of the integration id like an unknown integration (404), and a malformed opportunity id with 400 naming it, changing nothing', async () => {
      const c = await candidateAwaitingSelection();
      const before = await readJson(await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } }));
      const state = await candidateHandle(c.id).query(candidateStateQuery);
      const since = Date.now();
      const good: Record<string, string> = { integrationId: h.integration.id, opportunityId: c.id, assessmentId: '1', interviewId: '1', codesignalCandidateId: 'src_Example01', sessionId: 'ses_Example01', deliveryId: '1' };
      const bad: Record<string, string[]> = {
        integrationId: [h.integration.id.toUpperCase(), mixedCase(h.integration.id), h.integration.id.replace(/-/g, '')],
        opportunityId: [c.id.toUpperCase(), mixedCase(c.id), 'opp-1'],
        assessmentId: ['01', '1.0', '0x1'],
        interviewId: ['01', '1.0', '0x1'],
        codesignalCandidateId: ['src.Example', 'src Example', 'x'.repeat(101)],
        sessionId: ['ses.Example', 'ses Example', 'x'.repeat(101)],
        deliveryId: ['01', '1.0', '0x1'],
      };
      const call = (method: string, path: string) =>
        fetch(`${h.stack.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          // a rename would have gone through under the other spelling (and sealed the secrets to it)
          ...(method === 'GET' ? {} : { body: JSON.stringify(method === 'PATCH' ? { name: 'renamed through another spelling' } : {}) }),
        });
      const answer = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() });
      const routes = routesOf(app).filter((r) => paramsOf(r.path).length > 0);
      expect(routes.length).toBeGreaterThanOrEqual(15);
      let checked = 0;
      for (const route of routes) {
        const html = route.path.startsWith('/assessments/select/') || route.path.startsWith('/interviews/schedule/');
        for (const param of paramsOf(route.path)) {
          for (const value of bad[param]!) {
            const path = fill(route.path, { ...good, [param]: value });
            const got = await answer(await call(route.method, path));
            const label = `${route.method} ${route.path} with ${param}=${value}`;
            if (html) {
              // the selection link's own answer to a link the service never signed
              expect([label, got.status, got.type]).toEqual([label, 403, expect.stringContaining('text/html')]);
              expect(got.text).toContain(route.path.startsWith('/interviews/') ? 'This scheduling link is not valid.' : 'This assessment link is not valid.');
            } else if (param === 'integrationId') {
              expect([label, got.status, JSON.parse(got.text)]).toEqual([label, 404, { error: 'unknown_integration', message: `no integration ${value}` }]);
              // and an unknown integration gets the same answer on this route
              const unknown = randomUUID();
              const other = await answer(await call(route.method, fill(route.path, { ...good, integrationId: unknown })));
              expect([label, other.status, JSON.parse(other.text)]).toEqual([label, 404, { error: 'unknown_integration', message: `no integration ${unknown}` }]);
            } else if (param === 'assessmentId') {
              expect([label, got.status, JSON.parse(got.text)]).toEqual([label, 404, { error: 'unknown_assessment', message: `no assessment ${value}` }]);
            } else if (param === 'interviewId') {
              expect([label, got.status, JSON.parse(got.text)]).toEqual([label, 404, { error: 'unknown_interview', message: `no interview ${value}` }]);
            } else {
              const json = JSON.parse(got.text);
              expect([label, got.status, json.error]).toEqual([label, 400, 'invalid_parameter']);
              expect([label, json.message]).toEqual([label, expect.stringMatching(new RegExp(`^${param}: must be `))]);
              expect(json.details).toEqual({ issues: [{ path: param, message: expect.any(String) }] });
            }
            checked += 1;
          }
        }
      }
      expect(checked).toBeGreaterThan(50);

      await settle(1_000);
      // nothing was started or signalled, nothing changed
      for (const spelling of bad.integrationId!) await expectNoWorkflow(candidateWorkflowId(spelling, c.id));
      for (const spelling of bad.opportunityId!) {
        await expectNoWorkflow(candidateWorkflowId(h.integration.id, spelling));
        await expectNoWorkflow(assessmentWorkflowId(h.integration.id, spelling, 1));
      }
      for (const id of bad.codesignalCandidateId!) await expectNoWorkflow(importWorkflowId(h.integration.id, id));
      expect(await candidateHandle(c.id).query(candidateStateQuery)).toEqual(state);
      const after = await readJson(await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } }));
      expect(after).toEqual(before);
      expect(writesSince(since)).toEqual({ lever: [], codesignal: [] });
    });
  });
});

describe('deliveries to made-up integration ids', () => {
  let api: CapturedApi;
  let integration: Integration;
  beforeAll(async () => {
    api = await startCapturedApi();
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api?.stop());

  it('are answered 404 and logged in a bounded number of info lines, however many there are', async () => {
    const total = 600;
    const concurrency = 30;
    let next = 0;
    const started = Date.now();
    const statuses = new Map<number, number>();
    const sendOne = async (i: number) => {
      // canonical ids nobody made, and other spellings of a real one
      const id = i % 3 === 2 ? (i % 2 ? integration.id.toUpperCase() : randomUUID().toUpperCase()) : randomUUID();
      const source = i % 2 ? 'lever' : 'codesignal';
      const res = await postJson(`${api.baseUrl}/webhooks/${source}/${id}`, { event: 'candidateHired', triggeredAt: Date.now(), token: 't', data: {} });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) await sendOne(next++);
      }),
    );
    await settle(1_000);

    expect(Object.fromEntries(statuses)).toEqual({ 404: total });
    const unknownLines = api.lines.filter((l) => l.msg === 'webhook delivery to an unknown integration; not recorded');
    expect(unknownLines.length).toBeGreaterThan(0);
    // at most 10 a minute per source, the error handler's lines likewise per route: per one-minute window
    // of the limiters (process-wide, so a window an earlier test opened may end during this one)
    const windows = 1 + Math.ceil((Date.now() - started) / 60_000);
    expect(unknownLines.length).toBeLessThanOrEqual(20 * windows);
    expect(api.lines.filter((l) => !/ pruned$/.test(l.msg)).length).toBeLessThanOrEqual(40 * windows);
    expect(api.loud()).toEqual([]);
    expect(await api.deliveries(integration.id)).toEqual([]);
  }, 120_000);
});

// ---- the app's routers, as Express holds them

interface RouterLayer {
  handle: { name?: string; stack?: RouterLayer[]; params?: Record<string, unknown> };
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string | string[];
}

const paramsOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const fill = (path: string, values: Record<string, string>) => path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(values[name]!));

/** Each router mounted on the app: the param handlers it registered and the paths of its routes and middleware. */
function routersOf(app: express.Express) {
  const top = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
  return top
    .filter((layer) => Array.isArray(layer.handle.stack))
    .map((layer, i) => ({
      name: `router ${i}`,
      params: layer.handle.params ?? {},
      paths: layer.handle.stack!.flatMap((l) => {
        const path = l.route?.path ?? l.rawPath ?? [];
        return Array.isArray(path) ? path : [path];
      }),
    }));
}

/** Every method and path of every route on the app's routers. */
function routesOf(app: express.Express): Array<{ method: string; path: string }> {
  const top = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
  return top
    .filter((layer) => Array.isArray(layer.handle.stack))
    .flatMap((layer) => layer.handle.stack!)
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).filter((m) => m !== '_all').map((m) => ({ method: m.toUpperCase(), path: l.route!.path })));
}
