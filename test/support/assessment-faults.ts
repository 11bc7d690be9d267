import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { NativeConnection, Worker } from '@temporalio/worker';
import { testWorkflowBundle } from './workflow-bundle';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../src/activities';
import { webhookUrls } from '../../src/integrations/urls';
import { activityDepsFrom } from '../../src/config';
import type { Integration } from '../../src/integrations/repository';
import { createPool } from '../../src/db/pool';
import type { InspectedOpportunity, RequestLogEntry, WebhookBody } from '../../sandbox/lever/index';
import type { RunningSandboxes } from '../../sandbox/start';
import { dataKeyStoreFrom } from '../../src/crypto/data-keys';
import { dataConverterFor, workerDataConverter } from '../../src/temporal/payload-codec';
import { startAssessmentHarness } from './assessment-harness';
import type { assessmentWorkflow } from '../../src/workflows/assessment/assessment-workflow';
import { assessmentWorkflowId } from '../../src/workflows/shared/ids';
import { assessmentStateQuery } from '../../src/workflows/assessment/messages';
import { postJson, readJson, signedLeverDelivery } from './lever-webhook';
import { adminToken, eventually, startStack, testLogger, testWorkerSinks, type TestStack } from './stack';
import { workerInterceptors, workerStopped } from '../../src/worker';

/** What the helpers below need of a harness; both `startAssessmentHarness` and `startFaultHarness` give it. */
export interface Harness {
  sandboxes: RunningSandboxes;
  stack: TestStack;
  integration: Integration;
  opportunity(opportunityId: string): InspectedOpportunity & { tags: string[]; links: string[] };
}

export interface InProcessWorker {
  identity: string;
  stop(): Promise<void>;
}

export interface WorkerProcess {
  pid: number;
  output(): string;
  /** SIGKILL: no drain, no goodbye to Temporal, in-flight answers are lost. */
  kill(): Promise<void>;
  /** SIGTERM, as a deployment stops it: the worker drains; answers its exit code. */
  terminate(): Promise<number | null>;
}

export interface FaultHarness extends Harness {
  moveToStage(opportunityId: string, stageId: string): void;
  putSettings(patch: Record<string, unknown>): Promise<void>;
  /**
   * A worker on the harness's task queue with its own pool and connection, as a separate process would have;
   * `leverRequestsPerSecond` and `codesignalMutationsPerSecond` instead of the configuration's.
   */
  startWorker(opts?: { leverRequestsPerSecond?: number; codesignalMutationsPerSecond?: number }): Promise<InProcessWorker>;
  /** The production worker entry (src/worker.ts) as a child process on the harness's task queue. */
  spawnWorkerProcess(env?: Record<string, string>): WorkerProcess;
  close(): Promise<void>;
}

const repoRoot = path.join(__dirname, '..', '..');


/**
 * The assessment harness (both sandboxes, the API, the demo integration) with workers under the test's
 * control: none by default, so a test can run, crash and replace them.
 */
export async function startFaultHarness(): Promise<FaultHarness> {
  const base = await startAssessmentHarness({ worker: false, name: 'Faults' });
  const { stack, integration } = base;
  const { config } = stack;
  const workers = new Set<InProcessWorker>();
  const processes = new Set<WorkerProcess>();

  return {
    ...base,
    putSettings: (patch) => putAssessmentSettings(stack, integration, patch),

    async startWorker(opts = {}) {
      const identity = `in-process-${workers.size + 1}-${randomUUID().slice(0, 8)}`;
      const db = createPool(config.DATABASE_URL!, testLogger);
      const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
      // The options of createCandidateWorker (src/worker.ts), plus an identity so histories show which worker ran what.
      const worker = await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowBundle: testWorkflowBundle(),
        dataConverter: workerDataConverter(dataConverterFor(config, dataKeyStoreFrom(db, config))),
        activities: createActivities({ db, logger: testLogger, ...activityDepsFrom(config, config.LINK_SIGNING_SECRET!), ...opts }),
        interceptors: workerInterceptors(),
        sinks: testWorkerSinks(),
        shutdownGraceTime: '1s',
        identity,
      });
      const running = worker.run();
      const handle: InProcessWorker = {
        identity,
        stop: async () => {
          if (!workers.delete(handle)) return;
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await workerStopped(worker, running);
          await connection.close();
          await db.end();
        },
      };
      workers.add(handle);
      return handle;
    },

    spawnWorkerProcess(env = {}) {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          DATABASE_URL: config.DATABASE_URL,
          TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
          TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
          TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
          LINK_SIGNING_SECRET: config.LINK_SIGNING_SECRET,
          ENCRYPTION_KEY: config.ENCRYPTION_KEY,
          PUBLIC_URL: config.publicUrl,
          LEVER_API_URL: config.leverApiUrl,
          CODESIGNAL_API_URL: config.codesignalApiUrl,
          WORKER_SHUTDOWN_GRACE_SECONDS: '1',
          // a free port each: another test's worker process may hold the default 9464
          METRICS_PORT: '0',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const handle: WorkerProcess = {
        pid: child.pid!,
        output: () => output,
        kill: async () => {
          processes.delete(handle);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        terminate: async () => {
          processes.delete(handle);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
      processes.add(handle);
      return handle;
    },

    async close() {
      await Promise.all([...processes].map((p) => p.kill()));
      await Promise.all([...workers].map((w) => w.stop()));
      await base.close();
    },
  };
}

/** The admin API's settings PUT (validated against Lever), merged into the current assessment settings. */
export async function putAssessmentSettings(stack: TestStack, integration: Integration, patch: Record<string, unknown>): Promise<void> {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const current = (await readJson(await fetch(`${stack.baseUrl}/api/integrations/${integration.id}`, { headers }))).settings;
  const res = await fetch(`${stack.baseUrl}/api/integrations/${integration.id}/settings`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ ...current, assessments: { ...current.assessments, ...patch } }),
  });
  if (res.status !== 200) throw new Error(`settings refused: ${res.status} ${await res.text()}`);
}

// ---- candidates and their flow

export interface Candidate {
  id: string;
  name: string;
  email: string;
}

/** A new applicant (unique email, on a posting) created by a recruiter in Lever's UI, by default in the phone-screen stage. */
export function createCandidate(h: Harness, label: string, opts: { stage?: string } = {}): Candidate {
  const seed = h.sandboxes.lever.seed;
  const email = `${label}-${randomUUID().slice(0, 8)}@candidates.example`;
  const name = `Fault ${label}`;
  const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, {
    name,
    emails: [email],
    stage: opts.stage ?? seed.stageIds.phoneScreen,
    postings: [seed.postings[0]!.id],
    origin: 'applied',
    userId: seed.userIds.recruiter,
  });
  return { id: opp.id, name, email };
}

/** The demo company's non-proctored test: submitting it finishes the session at once. */
export const plainTest = (h: Harness) => h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;

export const assessmentHandle = (h: Harness, opportunityId: string, sequence = 1): WorkflowHandle<typeof assessmentWorkflow> =>
  h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opportunityId, sequence));

/** Moves the candidate into the trigger stage and answers the selection link once it is on the opportunity and the assessment waits for a choice. */
export async function selectionLink(h: Harness & { moveToStage(opportunityId: string, stageId: string): void }, c: Candidate): Promise<string> {
  h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
  return eventually(async () => {
    const url = h.opportunity(c.id).links.find((l) => l.includes('/assessments/select/'));
    expect(url).toBeDefined();
    expect((await assessmentHandle(h, c.id).query(assessmentStateQuery)).status).toBe('awaiting_selection');
    return url!;
  }, 30_000);
}

export const sessionsFor = (h: Harness, email: string) =>
  h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).filter((s) => s.candidate.email === email);

/** Invitation e-mails CodeSignal sent to an address: a second invitation would show here even on the same session. */
export const invitationEmails = (h: Harness, email: string) =>
  h.sandboxes.codesignalSandbox.control.outbox(h.sandboxes.codesignal.seed.companyId).filter((m) => m.kind === 'invitation' && m.to === email);

/** Waits for the Lever side of the invitation (tag and note), then for exactly one CodeSignal session. */
export async function waitForInvitation(h: Harness, c: Candidate, timeoutMs = 30_000) {
  await eventually(async () => {
    expect(h.opportunity(c.id).tags).toContain('CodeSignal: invited');
    expect(noteKinds(h, c.id).invitation).toBeGreaterThanOrEqual(1);
  }, timeoutMs);
  const sessions = sessionsFor(h, c.email);
  expect(sessions.map((s) => s.id)).toHaveLength(1);
  return sessions[0]!;
}

/** Waits until the assessment workflow exists, then for its result (a failed workflow rejects). */
export async function assessmentResult(h: Harness, opportunityId: string, timeoutMs = 30_000) {
  const handle = assessmentHandle(h, opportunityId);
  await eventually(() => handle.describe(), timeoutMs);
  return within(handle.result(), 2 * timeoutMs, `assessment of ${opportunityId} did not end`);
}

// ---- webhooks delivered again, late or out of order

/** The body Lever delivered to the integration for a candidate entering a stage (waits for a successful delivery). */
export async function deliveredStageChange(h: Harness, opportunityId: string, toStageId: string): Promise<WebhookBody> {
  const url = webhookUrls(h.stack.config.publicUrl, h.integration.id).lever;
  return eventually(async () => {
    const delivery = h.sandboxes.leverSandbox.admin
      .deliveries(h.sandboxes.lever.seed.accountId, { event: 'candidateStageChange', state: 'succeeded' })
      .find((d) => d.url === url && d.attempts[0]?.body.data.opportunityId === opportunityId && d.attempts[0]?.body.data.toStageId === toStageId);
    expect(delivery).toBeDefined();
    return delivery!.attempts[0]!.body;
  });
}

/** Posts a body to the integration's Lever webhook URL as Lever would; answers the status. */
export async function postLeverDelivery(h: Harness, body: unknown): Promise<number> {
  const res = await postJson(webhookUrls(h.stack.config.publicUrl, h.integration.id).lever, body, { 'user-agent': 'Lever-Webhooks' });
  await res.arrayBuffer();
  return res.status;
}

/**
 * A stage change Lever signs now but that happened at `triggeredAt` (a delivery retried late), signed
 * with the integration's stage-change subscription token; `id` defaults to a new event.
 */
export function lateStageChange(h: Harness, event: { opportunityId: string; fromStageId: string | null; toStageId: string; triggeredAt: number; id?: string }) {
  const { id = randomUUID(), triggeredAt, ...data } = event;
  const token = h.integration.leverWebhookSigningTokens[0]!;
  return { id, ...signedLeverDelivery(token, 'candidateStageChange', data, triggeredAt) };
}

// ---- what was written

const noteKindsByPrefix: Array<[string, string]> = [
  ['CodeSignal invitation sent:', 'invitation'],
  ['CodeSignal result NOT verified', 'notVerified'],
  ['CodeSignal result (provisional', 'provisional'],
  ['CodeSignal result:', 'result'],
  ['CodeSignal retake', 'retake'],
  ['CodeSignal assessment stopped because of an error', 'failed'],
  ['CodeSignal assessment stopped:', 'stopped'],
  ['CodeSignal assessment cancelled', 'cancelled'],
  ['The candidate declined', 'declined'],
];

export const noteTexts = (h: Harness, opportunityId: string) =>
  h.opportunity(opportunityId).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));

/** Notes on the opportunity counted by what they say, e.g. `{ invitation: 1, result: 1 }`. */
export function noteKinds(h: Harness, opportunityId: string): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const text of noteTexts(h, opportunityId)) {
    const kind = noteKindsByPrefix.find(([prefix]) => text.startsWith(prefix))?.[1] ?? `other: ${text.slice(0, 40)}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

export const codesignalTags = (o: { tags: string[] }) => o.tags.filter((t) => t.startsWith('CodeSignal:')).sort();

/** The Lever request log of the harness's account (every /v1 request, faulted ones included). */
export const leverRequests = (h: Harness): RequestLogEntry[] => h.sandboxes.leverSandbox.admin.requests(h.sandboxes.lever.seed.accountId);

/**
 * Writes to one opportunity that Lever committed, in order (see `describeWrite`). A write whose answer
 * was dropped after the commit counts: Lever applied it.
 */
export function committedWrites(h: Harness, opportunityId: string): RequestLogEntry[] {
  const prefix = `/v1/opportunities/${opportunityId}/`;
  return leverRequests(h).filter((r) => r.method !== 'GET' && r.path.startsWith(prefix) && r.status >= 200 && r.status < 300);
}

/** `POST notes`, `PUT stage`, … */
export const describeWrite = (r: RequestLogEntry) => `${r.method} ${r.path.slice(r.path.lastIndexOf('/') + 1)}`;

/** The Lever writes of one passed assessment with a default test, in order. */
export const passedFlowWrites = [
  'POST notes', // invitation note
  'POST addTags', // CodeSignal: invited
  'POST notes', // result note
  'POST files', // PDF report
  'POST removeTags', // CodeSignal: invited
  'POST addTags', // CodeSignal: completed and CodeSignal: passed, in one write
  'PUT stage', // On-site interview
];

/** The tag changes of one passed assessment with a default test, as `+tag` / `-tag`, in order. */
export const passedFlowTagChanges = ['+CodeSignal: invited', '-CodeSignal: invited', '+CodeSignal: completed', '+CodeSignal: passed'];

/**
 * Records every change Lever applies to an opportunity's tags, one entry per tag per committed write
 * (`+tag` / `-tag`; a write that changed nothing records `=`). Reads the sandbox's record directly, so it
 * sees writes whose answers were lost.
 */
export function recordTagChanges(h: Harness, opportunityId: string): string[] {
  const record = h.sandboxes.leverSandbox.store.account(h.sandboxes.lever.seed.accountId).opportunity(opportunityId);
  const changes: string[] = [];
  let current = record.tags;
  Object.defineProperty(record, 'tags', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (next: string[]) => {
      const diff = [...next.filter((t) => !current.includes(t)).map((t) => `+${t}`), ...current.filter((t) => !next.includes(t)).map((t) => `-${t}`)];
      changes.push(...(diff.length ? diff : ['=']));
      current = next;
    },
  });
  return changes;
}

/** CodeSignal GraphQL requests of the demo company (every one, throttled and faulted included). */
export const codesignalRequests = (h: Harness, filter: { operationName?: string } = {}) =>
  h.sandboxes.codesignalSandbox.control.requests({ companyId: h.sandboxes.codesignal.seed.companyId, ...filter });

/** The `createCompanyTestSession` requests for one candidate's e-mail, in order. */
export const invitationRequests = (h: Harness, email: string) =>
  codesignalRequests(h, { operationName: 'CreateTestSession' }).filter((r) => (r.variables?.input as { candidateEmail?: string } | undefined)?.candidateEmail === email);

/** Everything one passed assessment must have left, exactly once, whatever happened on the way. */
export function expectOnePassedAssessment(h: Harness, c: Candidate, sessionId: string, tagChanges?: string[]): void {
  const seed = h.sandboxes.lever.seed;
  expect(sessionsFor(h, c.email).map((s) => s.id)).toEqual([sessionId]);
  expect(invitationEmails(h, c.email)).toHaveLength(1);
  expect(noteKinds(h, c.id)).toEqual({ invitation: 1, result: 1 });
  const o = h.opportunity(c.id);
  expect(o.files.map((f) => f.name)).toEqual([expect.stringMatching(new RegExp(`^codesignal-report-${c.id}-1-${sessionId}\\.pdf$`))]);
  expect(codesignalTags(o)).toEqual(['CodeSignal: completed', 'CodeSignal: passed']);
  expect(o.stage).toBe(seed.stageIds.onSite);
  expect(committedWrites(h, c.id).map(describeWrite)).toEqual(passedFlowWrites);
  if (tagChanges) expect(tagChanges).toEqual(passedFlowTagChanges);
}

/** Rejects with `what` when the promise has not settled after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Largest number of instants inside any window of `windowMs`. */
export function busiestWindow(instants: number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * Each activity start in a workflow's history (the last attempt of each activity: earlier ones are not
 * recorded), with the worker that ran it and the type of the failure that ended the attempt before, if any.
 */
export async function activityStarts(handle: WorkflowHandle): Promise<Array<{ activity: string; identity: string; attempt: number; lastFailureType: string | null }>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  const started: Array<{ activity: string; identity: string; attempt: number; lastFailureType: string | null }> = [];
  for (const event of history.events ?? []) {
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs) scheduled.set(String(event.eventId), attrs.activityType?.name ?? '?');
    const s = event.activityTaskStartedEventAttributes;
    if (s) {
      started.push({
        activity: scheduled.get(String(s.scheduledEventId)) ?? '?',
        identity: s.identity ?? '',
        attempt: s.attempt ?? 0,
        lastFailureType: s.lastFailure?.applicationFailureInfo?.type ?? null,
      });
    }
  }
  return started;
}

/** Identities of the workers that ran the activities of a workflow (from its history). */
export async function activityWorkers(handle: WorkflowHandle): Promise<Array<{ activity: string; identity: string; attempt: number }>> {
  return (await activityStarts(handle)).map(({ activity, identity, attempt }) => ({ activity, identity, attempt }));
}

// ---- a proxy that loses answers the way a crashed process does

export interface AnswerWithholdingProxy {
  url: string;
  /**
   * The next request matching `match` reaches the server, which commits it, but its answer never reaches
   * the client. Resolves once the server has answered (i.e. the write is committed).
   */
  withholdAnswer(match: (req: { method: string; path: string; body: string }) => boolean): Promise<{ status: number }>;
  close(): Promise<void>;
}

/** An HTTP forwarder to `target` for one client (e.g. a worker process that is about to be killed). */
export async function startAnswerWithholdingProxy(target: string): Promise<AnswerWithholdingProxy> {
  const agent = new http.Agent({ keepAlive: false });
  let pending: { match: (req: { method: string; path: string; body: string }) => boolean; resolve: (v: { status: number }) => void } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const hold = pending?.match({ method: req.method!, path: req.url!, body: body.toString('utf8') }) ? pending : undefined;
      if (hold) pending = undefined;
      const upstream = http.request(new URL(req.url!, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent }, (answer) => {
        if (hold) {
          answer.resume();
          answer.on('end', () => hold.resolve({ status: answer.statusCode ?? 0 }));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    withholdAnswer: (match) => new Promise((resolve) => (pending = { match, resolve })),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
