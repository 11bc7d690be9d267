/**
 * The production shape with several processes of each kind: two API processes and three worker processes
 * (ts-node entries, as deployed) against one Temporal and one PostgreSQL (the run's servers, a database
 * of this file's own), the Lever sandbox at its real limit (10 req/s, burst 20) and CodeSignal's sandbox
 * in this process. Both APIs sit behind one public address (PUBLIC_URL), a forwarder in this process that
 * sends each webhook (Lever's and CodeSignal's) to a random API, and some Lever deliveries to both at
 * once. Shows that dedupe (delivery tokens, workflow ids, event keys) and the Lever rate limit
 * (LEVER_REQUESTS_PER_SECOND, shared through PostgreSQL) hold across processes, from the stage move to
 * the result written back, and that the integration's reconciliation Schedule stays one Schedule when both
 * APIs save its settings at once, its sweep run by a worker under the same limit. A version rollout across
 * worker processes: test/workflows/worker-controller.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { ensureDemoIntegration } from '../../sandbox/demo-integration';
import type { InspectedOpportunity } from '../../sandbox/lever/index';
import { startSandboxes, type RunningSandboxes } from '../../sandbox/start';
import { assessmentWorkflowId } from '../../src/workflows/shared/ids';
import { reconciliationScheduleId, type ReconciliationSummary } from '../../src/workflows/reconciliation/messages';
import { spawnEntry, stopChild } from '../../bench/support/stack';
import { onFreePorts } from '../support/free-port';
import { isolatedDatabase, type IsolatedDatabase } from '../support/isolated-database';
import { postJson, readJson, signedLeverDelivery } from '../support/lever-webhook';
import { adminToken, eventually, testDataConverter, testEncryptionKey, testSecretBox } from '../support/stack';

const candidateCount = 24;
/** Candidates whose stage-change delivery goes to both APIs at once. */
const bothCount = 4;
const leverBurst = 20;

interface Answer {
  api: number;
  status: number;
  text: string;
  contentType: string | null;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('production shape: two APIs and three workers on one Temporal and one PostgreSQL', () => {
  jest.setTimeout(240_000);

  const children: ChildProcess[] = [];
  let database: IsolatedDatabase | undefined;
  let sandboxes: RunningSandboxes | undefined;
  let forwarder: Server | undefined;
  let connection: Connection | undefined;
  let logDir: string | undefined;

  afterAll(async () => {
    for (const child of children.reverse()) await stopChild(child).catch(() => undefined);
    await connection?.close();
    await new Promise((resolve) => (forwarder ? forwarder.close(resolve) : resolve(undefined)));
    await sandboxes?.close();
    await database?.drop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('dedupes deliveries across APIs, keeps the workers under Lever\'s limit together, invites every candidate once and writes each result once', async () => {
    logDir = mkdtempSync(path.join(tmpdir(), 'lcs-multi-'));
    database = await isolatedDatabase('multiproc');
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    const { lever, codesignal, leverSandbox, codesignalSandbox } = sandboxes;
    const env = {
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
      DATABASE_URL: database.url,
      ADMIN_TOKEN: adminToken,
      LINK_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: testEncryptionKey,
      TEMPORAL_TASK_QUEUE: `multi-${randomBytes(6).toString('hex')}`,
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      LEVER_API_URL: lever.apiUrl,
      CODESIGNAL_API_URL: codesignal.graphqlUrl,
      LEVER_REQUESTS_PER_SECOND: '9',
    };

    // Every ingress call (Lever's and CodeSignal's webhooks) goes to a random API; a stage change of the
    // opportunities in `toBoth` goes to both APIs at once, and Lever hears the first 2xx answer.
    const apiUrls: string[] = [];
    const toBoth = new Set<string>();
    const answersByToken = new Map<string, Answer[]>();
    const send = async (api: number, req: IncomingMessage, body: Buffer): Promise<Answer> => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
      const res = await fetch(`${apiUrls[api]}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
      return { api, status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
    };
    forwarder = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        let parsed: { event?: string; token?: string; data?: { opportunityId?: string } } | undefined;
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        const opportunityId = parsed?.event === 'candidateStageChange' ? parsed.data?.opportunityId : undefined;
        const answers = opportunityId && toBoth.has(opportunityId) ? await Promise.all([send(0, req, body), send(1, req, body)]) : [await send(Math.floor(Math.random() * 2), req, body)];
        if (parsed?.token) answersByToken.set(parsed.token, [...(answersByToken.get(parsed.token) ?? []), ...answers]);
        const chosen = answers.find((a) => a.status < 300) ?? answers[0]!;
        res.writeHead(chosen.status, chosen.contentType ? { 'content-type': chosen.contentType } : {});
        res.end(chosen.text);
      })().catch((err: Error) => {
        res.writeHead(502);
        res.end(err.message);
      });
    });
    const forwarderUrl = await new Promise<string>((resolve) => forwarder!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(forwarder!.address() as { port: number }).port}`)));
    const track = (child: ChildProcess) => children.push(child);
    const startApi = (n: number) =>
      onFreePorts(1, async ([port]) => {
        const url = `http://127.0.0.1:${port}`;
        await spawnEntry('src/api/server.ts', { ...env, PORT: String(port), PUBLIC_URL: forwarderUrl }, 'api listening', path.join(logDir!, `api-${n}.log`), track);
        return url;
      });
    const workers: ChildProcess[] = [];
    const startWorker = async (n: number) => workers.push(await spawnEntry('src/worker.ts', { ...env, PUBLIC_URL: forwarderUrl }, 'worker started', path.join(logDir!, `worker-${n}.log`), track));
    // Both APIs behind the forwarder's address, their PUBLIC_URL (CodeSignal signs the URL it calls).
    // The first API migrates (a no-op on the migrated database) before the rest start, as in a rollout.
    apiUrls.push(await startApi(1));
    const [second] = await Promise.all([startApi(2), startWorker(1), startWorker(2), startWorker(3)]);
    apiUrls.push(second);

    // The integration wired to the sandboxes at the service's public address (the forwarder); its
    // default test for the trigger stage set through one API's admin API.
    const integration = await ensureDemoIntegration(database.db, testSecretBox, sandboxes, forwarderUrl, 'Multi-process');
    const seed = lever.seed;
    const accountId = seed.accountId;
    const companyId = codesignal.seed.companyId;
    const test = codesignal.seed.tests.find((t) => !t.proctored)!;
    const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const current = (await (await fetch(`${apiUrls[1]}/api/integrations/${integration.id}`, { headers: auth })).json()) as { settings: { assessments: Record<string, unknown> } };
    // the same save through both APIs at once: each keeps the integration's reconciliation Schedule in line
    const puts = await Promise.all(
      [0, 1].map((api) =>
        fetch(`${apiUrls[api]}/api/integrations/${integration.id}/settings`, {
          method: 'PUT',
          headers: auth,
          body: JSON.stringify({ ...current.settings, assessments: { ...current.settings.assessments, defaultTestByStage: { [seed.stageIds.assessment]: test.id } } }),
        }),
      ),
    );
    expect(puts.map((p) => p.status)).toEqual([200, 200]);
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    const client = new Client({ connection, dataConverter: testDataConverter() });
    await eventually(async () => {
      const schedules: string[] = [];
      for await (const schedule of client.schedule.list()) if (schedule.scheduleId.includes(integration.id)) schedules.push(schedule.scheduleId);
      expect(schedules.filter((id) => id.startsWith('reconciliation/'))).toEqual([reconciliationScheduleId(integration.id)]);
    }, 10_000, 250);

    const candidates = Array.from({ length: candidateCount }, (_, index) =>
      leverSandbox.recruiter.createCandidate(accountId, {
        name: `Multi Candidate ${index}`,
        emails: [`multi.candidate.${index}@example.com`],
        stage: seed.stageIds.phoneScreen,
        postings: [seed.postings[0]!.id],
        origin: 'applied',
        userId: seed.userIds.recruiter,
      }).id,
    );
    for (const id of candidates.slice(0, bothCount)) toBoth.add(id);
    const inspect = (id: string) => leverSandbox.recruiter.inspect(accountId, id) as InspectedOpportunity & { tags: string[] };
    const notesStartingWith = (id: string, prefix: string) => inspect(id).notes.filter((n) => String(n.fields[0]?.value ?? '').startsWith(prefix)).length;
    const invitationNotes = (id: string) => notesStartingWith(id, 'CodeSignal invitation sent:');
    const resultNotes = (id: string) => notesStartingWith(id, 'CodeSignal result:');

    // All at once: Lever saturated by three workers.
    const movedAt = Date.now();
    for (const id of candidates) leverSandbox.recruiter.moveToStage(accountId, id, { stage: seed.stageIds.assessment, userId: seed.userIds.recruiter });
    await eventually(async () => {
      const waiting = candidates.filter((id) => !(inspect(id).tags.includes('CodeSignal: invited') && invitationNotes(id) >= 1));
      if (waiting.length > 0) throw new Error(`${waiting.length} of ${candidateCount} candidates not invited yet`);
    }, 150_000, 500);

    // Lever retries of the deliveries sent to both APIs: the same token and body again, to a random API.
    const deliveries = leverSandbox.admin.deliveries(accountId, { event: 'candidateStageChange' });
    const retried: Answer[] = [];
    for (const id of candidates.slice(0, bothCount)) {
      const delivery = deliveries.find((d) => (d.attempts[0]?.body.data as { opportunityId?: string } | undefined)?.opportunityId === id)!;
      const body = delivery.attempts[0]!.body;
      const firstTwo = answersByToken.get(body.token)!;
      // both APIs answered 2xx; whichever got it once the other had answered says it is a duplicate
      expect(firstTwo.map((a) => a.api).sort()).toEqual([0, 1]);
      for (const a of firstTwo) expect([200, 202]).toContain(a.status);
      const api = retried.length % 2;
      const webhookPath = new URL(delivery.url).pathname;
      const again = await postJson(`${apiUrls[api]}${webhookPath}`, body, { 'user-agent': 'Lever-Webhooks' });
      retried.push({ api, status: again.status, text: JSON.stringify(await readJson(again)), contentType: null });
      // Lever's own retry: the same event with a token of its own, to the other API; acted on, and dropped by the workflow id
      const resigned = signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, body.event, body.data, body.triggeredAt);
      const fresh = await postJson(`${apiUrls[1 - api]}${webhookPath}`, resigned, { 'user-agent': 'Lever-Webhooks' });
      expect([200, 202]).toContain(fresh.status);
      expect(await readJson(fresh)).not.toMatchObject({ status: 'duplicate' });
    }
    for (const r of retried) {
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ status: 'duplicate' });
    }
    expect(deliveries.filter((d) => d.state === 'succeeded')).toHaveLength(candidateCount);
    const bothAnswers = candidates.slice(0, bothCount).map((id) => {
      const d = deliveries.find((x) => (x.attempts[0]?.body.data as { opportunityId?: string } | undefined)?.opportunityId === id)!;
      return answersByToken.get(d.attempts[0]!.body.token)!.map((a) => `${a.api}:${a.status}:${(JSON.parse(a.text) as { status?: string }).status}`);
    });

    // Each candidate: one invitation note, one CodeSignal session, one assessment workflow (run 1 only).
    await new Promise((r) => setTimeout(r, 1_500)); // let any straggling duplicate land
    for (const id of candidates) expect(invitationNotes(id)).toBe(1);
    const sessions = codesignalSandbox.control.sessions(companyId);
    for (let i = 0; i < candidateCount; i++) expect(sessions.filter((s) => s.candidate.email === `multi.candidate.${i}@example.com`)).toHaveLength(1);
    for (const id of candidates) await client.workflow.getHandle(assessmentWorkflowId(integration.id, id, 1)).describe();
    // the work spread over the worker processes (a worker's identity is pid@host)
    const identities = new Set<string>();
    for (const id of candidates) {
      const history = await client.workflow.getHandle(assessmentWorkflowId(integration.id, id, 1)).fetchHistory();
      for (const e of history.events ?? []) {
        const identity = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity);
      }
    }
    const workerPids = workers.map((w) => String(w.pid));
    for (const identity of identities) expect(workerPids).toContain(identity.split('@')[0]);
    expect(identities.size).toBeGreaterThanOrEqual(2);
    await eventually(async () => {
      const { count } = await client.workflow.count(`WorkflowType = 'assessmentWorkflow' AND IntegrationId = '${integration.id}'`);
      expect(count).toBe(candidateCount);
    }, 10_000, 250);

    // Results for every candidate at once: the result written back once each, Lever saturated again.
    const emails = new Map(candidates.map((id, i) => [`multi.candidate.${i}@example.com`, id]));
    for (const session of sessions.filter((x) => emails.has(x.candidate.email ?? ''))) {
      codesignalSandbox.control.submitSession(session.id, { score: Math.round(session.maxScore * 0.85), durationMs: 45 * 60_000 });
    }
    await eventually(async () => {
      const waiting = candidates.filter((id) => !(inspect(id).tags.includes('CodeSignal: completed') && resultNotes(id) >= 1));
      if (waiting.length > 0) throw new Error(`${waiting.length} of ${candidateCount} candidates without their result yet`);
    }, 90_000, 500);
    await new Promise((r) => setTimeout(r, 1_000)); // let any straggling duplicate land
    for (const id of candidates) {
      expect(resultNotes(id)).toBe(1);
      expect(invitationNotes(id)).toBe(1);
    }

    // One sweep of the reconciliation Schedule, run by one of the workers under the same Lever limit: every
    // candidate's stage entry was seen by its workflow, so it repairs nothing.
    const schedule = client.schedule.getHandle(reconciliationScheduleId(integration.id));
    expect((await schedule.describe()).state.paused).toBe(false);
    await schedule.trigger();
    const sweep = await eventually(async () => {
      const run = (await schedule.describe()).info.recentActions.at(-1)?.action;
      if (!run) throw new Error('the Schedule has not started a sweep yet');
      return client.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId);
    }, 30_000, 250);
    const summary = (await sweep.result()) as ReconciliationSummary;
    expect([summary.outcome, summary.repairs, summary.lever?.failed, summary.lever?.repaired]).toEqual(['completed', 0, 0, 0]);
    const sweepIdentities = new Set((await sweep.fetchHistory()).events?.map((e) => e.workflowTaskStartedEventAttributes?.identity).filter(Boolean));
    for (const identity of sweepIdentities) expect(workerPids).toContain(String(identity).split('@')[0]);

    // Lever's limit held across the three workers: no 429, never more than the burst in any one second.
    const calls = leverSandbox.admin.requests(accountId).filter((r) => r.at >= movedAt).sort((a, b) => a.at - b.at);
    const limited = calls.filter((r) => r.status === 429).length;
    let maxInSecond = 0;
    for (let i = 0, j = 0; i < calls.length; i++) {
      while (calls[i]!.at - calls[j]!.at >= 1000) j++;
      maxInSecond = Math.max(maxInSecond, i - j + 1);
    }
    const busyMs = calls.length > 1 ? calls[calls.length - 1]!.at - calls[0]!.at : 0;
    console.log(
      `multi-process: ${candidateCount} candidates invited and their results written in ${Date.now() - movedAt} ms; ${calls.length} Lever calls over ${busyMs} ms ` +
        `(${((calls.length * 1000) / Math.max(busyMs, 1)).toFixed(1)}/s), max ${maxInSecond} in any second, 429s ${limited}; ` +
        `${identities.size} worker identities; both-API answers ${JSON.stringify(bothAnswers)}; retries ${retried.map((r) => `${r.api}:${(JSON.parse(r.text) as { status?: string }).status}`).join(' ')}`,
    );
    expect(calls.length).toBeGreaterThan(candidateCount);
    expect(limited).toBe(0);
    expect(maxInSecond).toBeLessThanOrEqual(leverBurst);
  });
});
