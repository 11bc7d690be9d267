/**
 * Fairness between organizations: two integrations share the deployment and its one task queue, each
 * with its own Lever account (the sandbox limits every key to its real 10 req/s, burst 20) and
 * CodeSignal company. Integration A moves `--bulk` candidates into its trigger stage at once; while A's
 * invitations go out, integration B moves one candidate every `--pace-ms`. Measured: B's invitation
 * latency (the stage move, which sends Lever's signed webhook, → the "CodeSignal invitation sent" note
 * visible in Lever) and A's throughput, on a Temporal server with task queue fairness
 * (`matching.enableFairness`, every workflow keyed by its integration: src/temporal/fairness.ts) and then,
 * in the same command, without it. Each run has its own stack and sandboxes.
 *
 *   npm run bench:fairness -- [--bulk 500] [--pace-ms 3000] [--runs on,off] [--timeout-minutes 15] [--worker-env K=V,…] [--env K=V,…]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../src/config';
import { assessmentWorkflowId, candidateWorkflowId } from '../src/workflows/shared/ids';
import { createPool } from '../src/db/pool';
import { createLogger } from '../src/log';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { ensureDemoIntegration } from '../sandbox/demo-integration';
import { seedCodeSignalDemo } from '../sandbox/codesignal/index';
import { seedLeverDemo, type LeverDemoSeed } from '../sandbox/lever/index';
import { startSandboxes, type RunningSandboxes } from '../sandbox/start';
import { millis, percentile, seconds, sleep, waitUntil } from './support/measure';
import { envPairs, startBenchStack, type BenchStack, benchDataConverter } from './support/stack';

const { values } = parseArgs({
  options: {
    bulk: { type: 'string', default: '500' },
    'pace-ms': { type: 'string', default: '3000' },
    runs: { type: 'string', default: 'on,off' },
    'timeout-minutes': { type: 'string', default: '15' },
    // extra environment for the worker process, e.g. WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=16 (comma-separated K=V)
    'worker-env': { type: 'string', default: '' },
    // extra environment for the API and the worker, e.g. INGRESS_DELIVERIES_PER_INTEGRATION=8
    env: { type: 'string', default: '' },
  },
});
const workerEnv = envPairs('--worker-env', values['worker-env']);
const stackEnv = envPairs('--env', values.env);
const bulk = Number(values.bulk);
const paceMs = Number(values['pace-ms']);
const timeoutMs = Number(values['timeout-minutes']) * 60_000;
const runs = values.runs.split(',').map((r) => r.trim() === 'on');
const serviceBudget = loadConfig({}).LEVER_REQUESTS_PER_SECOND;

/** One organization: its Lever account, its CodeSignal company and its integration. */
interface Org {
  name: string;
  integrationId: string;
  lever: LeverDemoSeed;
}

interface Moved {
  opportunityId: string;
  movedAt: number;
  /** When the sandbox's Lever began sending the stage-change webhook (its first attempt's POST). */
  sentAt?: number;
  /** When the ingress answered Lever's stage-change webhook 2xx (after Lever's retries of a 503, if any). */
  acceptedAt?: number;
  invitedAt?: number;
  /** Until the invitation, the time its workflow and activity tasks waited in the task queue (from the histories). */
  queuedMs?: number;
  /** Each of those tasks: what it was and how long it waited (ms), in order. */
  waits?: string;
  workflowTaskWaits?: number[];
  activityWaits?: number[];
}

interface RunResult {
  fairness: boolean;
  single: Moved[];
  bulk: Moved[];
  bulkStartedAt: number;
  bulkEndedAt: number;
  bulkLeverRate: number;
  singleLeverCalls: number;
  /** Webhook deliveries the ingress answered 503 at first (Temporal's deadline passed), retried by Lever. */
  retriedDeliveries: { bulk: number; single: number };
}

/**
 * The second organization on the same sandboxes (the worker has one LEVER_API_URL and one
 * CODESIGNAL_API_URL): a Lever account and a CodeSignal company of its own, wired like the demo's.
 */
async function secondOrg(sandboxes: RunningSandboxes): Promise<RunningSandboxes> {
  const { leverSandbox, codesignalSandbox } = sandboxes;
  const lever = seedLeverDemo(leverSandbox, { apiKey: 'bench-fairness-lever-b', accountName: 'Second org', permissions: 'all' });
  const codesignal = await seedCodeSignalDemo(codesignalSandbox, { apiKey: 'bench-fairness-codesignal-b', companyName: 'Second org', users: lever.users.map((u) => ({ name: u.name, email: u.email })) });
  const { control } = codesignalSandbox;
  return {
    ...sandboxes,
    lever: { ...sandboxes.lever, seed: lever, createWebhook: (url, event) => leverSandbox.admin.createWebhook(lever.accountId, { url, event }).signatureToken },
    codesignal: {
      ...sandboxes.codesignal,
      seed: codesignal,
      setWebhook: async (url, secret) => void (await control.addWebhookEndpoint(codesignal.companyId, { url, secret, events: null })),
      sourcingFeedUrl: `${sandboxes.codesignal.url}/sourcing-feed/${encodeURIComponent(codesignal.companyId)}`,
      connectSourcing: (connection) => void control.setSourcingConnection(codesignal.companyId, connection),
    },
  };
}

const millisOf = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/**
 * How long the candidate's workflow and activity tasks waited to be dispatched (scheduled → started) up to
 * `until`, in its candidate and assessment workflows: the part of the latency a task queue's order decides.
 */
async function queuedMs(client: Client, integrationId: string, opportunityId: string, until: number): Promise<{ total: number; waits: string; workflowTaskWaits: number[]; activityWaits: number[] }> {
  let total = 0;
  const waits: string[] = [];
  const workflowTaskWaits: number[] = [];
  const activityWaits: number[] = [];
  for (const workflowId of [candidateWorkflowId(integrationId, opportunityId), assessmentWorkflowId(integrationId, opportunityId, 1)]) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduledAt = new Map(events.map((e) => [String(e.eventId), millisOf(e.eventTime)]));
    const activityType = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]));
    for (const e of events) {
      const startedAt = millisOf(e.eventTime);
      if (startedAt > until) break;
      const scheduled = e.workflowTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskStartedEventAttributes?.scheduledEventId;
      if (scheduled == null) continue;
      const wait = Math.max(0, startedAt - (scheduledAt.get(String(scheduled)) ?? startedAt));
      total += wait;
      (e.workflowTaskStartedEventAttributes ? workflowTaskWaits : activityWaits).push(wait);
      const attempt = e.activityTaskStartedEventAttributes?.attempt ?? 1;
      waits.push(`${activityType.get(String(scheduled)) ?? 'wft'}${attempt > 1 ? `#${attempt}` : ''} ${wait}`);
    }
    waits.push('|');
  }
  return { total, waits: waits.join(' '), workflowTaskWaits, activityWaits };
}

/** An integration for the organization, with a default test for its trigger stage (invitations go at once). */
async function setUpOrg(stack: BenchStack, sandboxes: RunningSandboxes, name: string): Promise<Org> {
  const db = createPool(stack.databaseUrl, createLogger('warn', 'bench'));
  try {
    const integration = await ensureDemoIntegration(db, secretBoxFrom({ ENCRYPTION_KEY: stack.encryptionKey }), sandboxes, stack.baseUrl, name);
    const test = sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const auth = { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
    const current = (await (await fetch(`${stack.baseUrl}/api/integrations/${integration.id}`, { headers: auth })).json()) as { settings: { assessments: Record<string, unknown> } };
    const assessments = { ...current.settings.assessments, defaultTestByStage: { [sandboxes.lever.seed.stageIds.assessment]: test.id } };
    const put = await fetch(`${stack.baseUrl}/api/integrations/${integration.id}/settings`, { method: 'PUT', headers: auth, body: JSON.stringify({ ...current.settings, assessments }) });
    if (put.status !== 200) throw new Error(`settings refused: ${put.status} ${await put.text()}`);
    return { name, integrationId: integration.id, lever: sandboxes.lever.seed };
  } finally {
    await db.end();
  }
}

async function run(fairness: boolean): Promise<RunResult> {
  const sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
  let stack: BenchStack | undefined;
  try {
    // The dev server's SQLite on a shared 2-core machine can take more than the ingress's 3 s deadline to
    // create 500 workflows at once; the ingress then answers 503 and Lever retries after 1 s, 5 s, 30 s, 2 min
    // … A longer deadline keeps that retry schedule out of the figures (B's latency is also given from the
    // accepted delivery).
    stack = await startBenchStack({
      fairness,
      workerEnv,
      env: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl, TEMPORAL_RPC_TIMEOUT_MS: '15000', ...stackEnv },
    });
    const a = await setUpOrg(stack, sandboxes, 'Bulk org');
    const b = await setUpOrg(stack, await secondOrg(sandboxes), 'Single org');
    const { leverSandbox } = sandboxes;

    // Candidates are created as a recruiter would (the UI path: no /v1 calls, no rate limit), then moved.
    const create = (org: Org, label: string) =>
      leverSandbox.recruiter.createCandidate(org.lever.accountId, {
        name: `Bench ${label}`,
        emails: [`bench.${label}@example.com`],
        stage: org.lever.stageIds.phoneScreen,
        postings: [org.lever.postings[0]!.id],
        origin: 'applied',
        userId: org.lever.userIds.recruiter,
      }).id;
    const move = (org: Org, opportunityId: string): Moved => {
      const movedAt = Date.now();
      leverSandbox.recruiter.moveToStage(org.lever.accountId, opportunityId, { stage: org.lever.stageIds.assessment, userId: org.lever.userIds.recruiter });
      return { opportunityId, movedAt };
    };
    /** When the invitation note became visible in Lever, if it has. */
    const invitedAt = (org: Org, m: Moved) => {
      const o = leverSandbox.recruiter.inspect(org.lever.accountId, m.opportunityId);
      return o.notes.find((n) => String(n.fields[0]?.value ?? '').startsWith('CodeSignal invitation sent:'))?.createdAt;
    };
    const check = (org: Org, group: Moved[]) => {
      for (const m of group) m.invitedAt ??= invitedAt(org, m);
      return group.every((m) => m.invitedAt !== undefined);
    };

    const bulkIds = Array.from({ length: bulk }, (_, i) => create(a, `a.${i}`));
    const bulkStartedAt = Date.now();
    const bulkMoved = bulkIds.map((id) => move(a, id));
    const single: Moved[] = [];
    // B moves one candidate every pace while A's invitations are going out
    const bulkDone = waitUntil(() => check(a, bulkMoved), timeoutMs, 500);
    let aDone = false;
    void bulkDone.then(() => (aDone = true));
    while (!aDone) {
      single.push(move(b, create(b, `b.${single.length}`)));
      await Promise.race([sleep(paceMs), bulkDone]);
      check(b, single);
    }
    const bulkEndedAt = Math.max(...bulkMoved.map((m) => m.invitedAt ?? Date.now()));
    await waitUntil(() => check(b, single), 60_000, 100);

    // when each stage change's webhook was accepted, from the sandbox's delivery log
    const accepted = (org: Org, group: Moved[]) => {
      const byOpportunity = new Map<string, { sentAt: number; at: number; attempts: number }>();
      for (const d of leverSandbox.admin.deliveries(org.lever.accountId, { event: 'candidateStageChange', state: 'succeeded' })) {
        const last = d.attempts.at(-1)!;
        byOpportunity.set(String((last.body.data as { opportunityId?: unknown }).opportunityId), { sentAt: d.attempts[0]!.at, at: last.at + last.durationMs, attempts: d.attempts.length });
      }
      let retried = 0;
      for (const m of group) {
        const found = byOpportunity.get(m.opportunityId);
        m.acceptedAt = found?.at;
        m.sentAt = found?.sentAt;
        if (found && found.attempts > 1) retried += 1;
      }
      return retried;
    };
    const retriedDeliveries = { bulk: accepted(a, bulkMoved), single: accepted(b, single) };
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, dataConverter: benchDataConverter(stack) });
      for (const m of single) {
        if (m.invitedAt === undefined) continue;
        const q = await queuedMs(client, b.integrationId, m.opportunityId, m.invitedAt);
        m.queuedMs = q.total;
        m.waits = q.waits;
        m.workflowTaskWaits = q.workflowTaskWaits;
        m.activityWaits = q.activityWaits;
      }
    } finally {
      await connection.close();
    }
    const calls = (org: Org) => leverSandbox.admin.requests(org.lever.accountId).filter((r) => r.at >= bulkStartedAt && r.at <= bulkEndedAt);
    const bulkCalls = calls(a);
    const r: RunResult = { fairness, single, bulk: bulkMoved, bulkStartedAt, bulkEndedAt, bulkLeverRate: bulkCalls.length / ((bulkEndedAt - bulkStartedAt) / 1000), singleLeverCalls: calls(b).length, retriedDeliveries };
    process.stderr.write(`bench: fairness ${fairness ? 'on' : 'off'}: ${bulkMoved.filter((m) => m.invitedAt).length}/${bulk} bulk invited in ${seconds(bulkEndedAt - bulkStartedAt)}, ${single.length} single moves\n`);
    return r;
  } finally {
    await stack?.stop();
    await sandboxes.close();
  }
}

async function main() {
  const load = loadavg()[0]!;
  const results: RunResult[] = [];
  for (const fairness of runs) results.push(await run(fairness));

  const lat = (xs: number[]) => `p50 ${millis(percentile(xs, 50)).padStart(7)}   p99 ${millis(percentile(xs, 99)).padStart(7)}   max ${millis(Math.max(...xs)).padStart(7)}   (n=${xs.length})`;
  console.log(`\nfairness between organizations — A moves ${bulk} candidates at once, B one every ${millis(paceMs)} while A's run; each its own Lever account at the sandbox's 10 req/s (burst 20), service budget LEVER_REQUESTS_PER_SECOND=${serviceBudget}`);
  console.log(`  machine: ${cpus().length} cores shared with other work (1-min load ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end); API and worker as separate processes, one task queue`);
  for (const r of results) {
    const singleLatency = r.single.filter((m) => m.invitedAt !== undefined).map((m) => m.invitedAt! - m.movedAt);
    const missing = r.single.length - singleLatency.length;
    const invitedBulk = r.bulk.filter((m) => m.invitedAt !== undefined).length;
    const span = (r.bulkEndedAt - r.bulkStartedAt) / 1000;
    console.log(`  fairness ${r.fairness ? 'on ' : 'off'} (matching.enableFairness=${r.fairness})`);
    const fromAccepted = r.single.filter((m) => m.invitedAt !== undefined && m.acceptedAt !== undefined).map((m) => m.invitedAt! - m.acceptedAt!);
    console.log(`    B, stage move → invitation note in Lever        ${lat(singleLatency)}${missing ? `   ${missing} not invited within a minute of A's end` : ''}   (target p99 < 5 s)`);
    // the sandbox sends every account's webhooks from this one process, so a webhook of B's moved with A's bulk leaves after A's
    const fromSent = r.single.filter((m) => m.invitedAt !== undefined && m.sentAt !== undefined).map((m) => m.invitedAt! - m.sentAt!);
    console.log(`    B, webhook sent → invitation note               ${lat(fromSent)}`);
    console.log(`    B, webhook accepted → invitation note           ${lat(fromAccepted)}`);
    console.log(`      of which its tasks waited in the task queue   ${lat(r.single.flatMap((m) => (m.queuedMs === undefined ? [] : [m.queuedMs])))}`);
    console.log(`      p90 ${millis(percentile(singleLatency, 90))}`);
    console.log(`      each of B's workflow tasks waited   ${lat(r.single.flatMap((m) => m.workflowTaskWaits ?? []))}`);
    console.log(`      each of B's activity tasks waited   ${lat(r.single.flatMap((m) => m.activityWaits ?? []))}`);
    // the three slowest: when they were moved (from A's bulk move) and where their time went
    const slowest = r.single.filter((m) => m.invitedAt !== undefined).sort((x, y) => y.invitedAt! - y.movedAt - (x.invitedAt! - x.movedAt)).slice(0, 3);
    for (const m of slowest) {
      const webhook = m.sentAt !== undefined && m.acceptedAt !== undefined ? `webhook sent +${m.sentAt - m.movedAt} ms, answered +${m.acceptedAt - m.movedAt} ms; ` : '';
      console.log(`      slow B: ${m.invitedAt! - m.movedAt} ms, moved ${seconds(m.movedAt - r.bulkStartedAt)} after A's bulk; ${webhook}task waits in ms (candidate | assessment workflow): ${m.waits ?? '—'}`);
    }
    console.log(`    webhooks answered 503 at first, retried by Lever: A ${r.retriedDeliveries.bulk}/${bulk}, B ${r.retriedDeliveries.single}/${r.single.length}`);
    console.log(`    A, ${invitedBulk}/${bulk} invited in ${seconds(r.bulkEndedAt - r.bulkStartedAt).padStart(8)}            ${(invitedBulk / span).toFixed(2)} invitations/s, ${r.bulkLeverRate.toFixed(2)} Lever req/s on A's key;  B's key ${r.singleLeverCalls} calls meanwhile`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
