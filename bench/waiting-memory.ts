/**
 * Worker memory with many candidates waiting for their results at once: `--candidates` assessment
 * workflows (and their candidate workflows) invited and waiting on durable timers and webhooks in
 * one worker process, against that worker's idle baseline in the same run.
 *
 * Getting 5,000 candidates invited takes ~25,000 Lever calls. The service keeps each integration
 * under LEVER_REQUESTS_PER_SECOND (at most 10), so one integration would need ~45 minutes; instead the
 * candidates are spread over `--integrations` integrations, each with its own Lever and CodeSignal
 * API key at the sandboxes' default limits (as several customers on one worker). Stage changes go in
 * by signal-with-start of the candidate workflows, as the ingress does, so no Lever webhooks fan out.
 *
 * The worker first runs from source (ts-node, bundling workflows at start, as the other benchmarks
 * run it); then, restarted as a production build (compiled JS + prebuilt workflow bundle), once per
 * heap size, every waiting workflow is queried so the sticky cache fills again. The default sticky
 * cache size (`maxCachedWorkflows`) is derived from the V8 heap limit.
 *
 *   npm run bench:memory -- [--candidates 5000] [--integrations 10] [--heaps 600,1024,default,18000] [--concurrency 32]
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { createIntegration, type Integration } from '../src/integrations/repository';
import { createPool } from '../src/db/pool';
import { createLogger } from '../src/log';
import type { InspectedOpportunity } from '../sandbox/lever/index';
import { startSandboxes } from '../sandbox/start';
import { integrationSettingsSchema } from '../src/integrations/settings';
import { signalLeverEvent } from '../src/temporal/candidate-client';
import { dataConverterFor } from '../src/temporal/payload-codec';
import { assessmentStateQuery } from '../src/workflows/assessment/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../src/workflows/shared/ids';
import { candidateStateQuery } from '../src/workflows/candidate/messages';
import { buildProductionWorker } from './support/build';
import { cpuSecondsOf, forEachConcurrently, memoryOf, seconds, sleep, waitUntil } from './support/measure';
import { startBenchStack, type BenchStack } from './support/stack';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '5000' },
    integrations: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    heaps: { type: 'string', default: '600,1024,default,18000' },
    'timeout-minutes': { type: 'string', default: '60' },
  },
});
const total = Number(values.candidates);
const integrationCount = Number(values.integrations);
const concurrency = Number(values.concurrency);
const heaps = values.heaps.split(',').filter(Boolean);
const timeoutMs = Number(values['timeout-minutes']) * 60_000;
const taskQueue = 'lever-codesignal';
const targetMB = 400;

/** V8's heap limit (MiB) of a Node process started with these flags. */
function heapLimitMiB(flags: string[]): number {
  return Number(execFileSync(process.execPath, [...flags, '-p', 'require("v8").getHeapStatistics().heap_size_limit']).toString()) / 1024 / 1024;
}

/** The SDK's default `maxCachedWorkflows` with reuseV8Context (@temporalio/worker 1.24, worker-options.js). */
const defaultCacheSize = (heapMiB: number) => Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);

/** Waits until the process has used less than 2% of a core for 5 s (or 2 minutes passed). */
async function quiet(pid: number): Promise<void> {
  await waitUntil(async () => {
    const before = cpuSecondsOf(pid);
    await sleep(5_000);
    return cpuSecondsOf(pid) - before < 0.1;
  }, 120_000, 0);
}

/** RSS after the process went quiet: the last of five samples one second apart, and their maximum. */
async function settledRss(pid: number): Promise<{ rss: number; max: number; peak: number }> {
  await quiet(pid);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(memoryOf(pid).rssMB);
    await sleep(1_000);
  }
  return { rss: samples[samples.length - 1]!, max: Math.max(...samples), peak: memoryOf(pid).peakMB };
}

interface Row {
  worker: string;
  cacheSize: number;
  idle: number;
  /** With the first workflows loaded; undefined where not measured. */
  first?: number;
  waiting: number;
  peak: number;
  note: string;
}

async function main() {
  const started = Date.now();
  const load = loadavg()[0]!;
  const logger = createLogger('warn', 'bench');

  // The production build first, so compiling does not overlap the measurements.
  let builtWorker: string | undefined;
  const buildDir = path.join(tmpdir(), `lcs-bench-build-${process.pid}`);
  try {
    const t0 = Date.now();
    builtWorker = buildProductionWorker(buildDir);
    process.stderr.write(`bench: production build in ${seconds(Date.now() - t0)} (${buildDir})\n`);
  } catch (err) {
    process.stderr.write(`bench: production build failed, only the source worker is measured: ${(err as Error).message}\n`);
  }

  const sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
  let stack: BenchStack;
  try {
    stack = await startBenchStack({ env: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
  } catch (err) {
    await sandboxes.close();
    throw err;
  }
  const db = createPool(stack.databaseUrl, logger);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: dataConverterFor({ ENCRYPTION_KEY: stack.encryptionKey }) });
  const rows: Row[] = [];
  try {
    const { leverSandbox, codesignalSandbox } = sandboxes;
    const seed = sandboxes.lever.seed;
    const accountId = seed.accountId;
    const companyId = sandboxes.codesignal.seed.companyId;
    const sourceHeap = heapLimitMiB([]);

    const sourceIdle = await settledRss(stack.worker.pid!);
    process.stderr.write(`bench: idle source worker ${sourceIdle.rss.toFixed(0)} MB\n`);

    // Several integrations, each with its own keys: each gets the sandboxes' per-key limits and the service's per-integration budget.
    const test = sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const settings = integrationSettingsSchema.parse({
      defaultLeverUserId: seed.defaultUserId,
      assessments: {
        triggerStageIds: [seed.stageIds.assessment],
        defaultTestByStage: { [seed.stageIds.assessment]: test.id },
        thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: seed.stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold' } },
      },
    });
    const integrations: Integration[] = [];
    const box = secretBoxFrom({ ENCRYPTION_KEY: stack.encryptionKey });
    for (let k = 0; k < integrationCount; k++) {
      integrations.push(
        await createIntegration(db, box, {
          name: `Memory benchmark ${k}`,
          lever: { apiKey: leverSandbox.admin.createKey(accountId, { permissions: 'all', name: `bench ${k}` }).key, webhookSigningTokens: ['bench-unused-token'] },
          codesignal: { apiKey: codesignalSandbox.control.createApiKey(companyId, { permissions: 'all', label: `bench ${k}` }).key },
          settings,
        }),
      );
    }

    const candidates = Array.from({ length: total }, (_, i) => {
      const opportunity = leverSandbox.recruiter.createCandidate(accountId, {
        name: `Waiting Candidate ${i}`,
        emails: [`waiting.candidate.${i}@example.com`],
        stage: seed.stageIds.phoneScreen,
        origin: 'sourced',
        userId: seed.userIds.recruiter,
      });
      return { integrationId: integrations[i % integrationCount]!.id, opportunityId: opportunity.id, invited: false };
    });

    // Every candidate enters the trigger stage, delivered as the ingress delivers a Lever webhook.
    const fillStarted = Date.now();
    const signalled = await forEachConcurrently(candidates, concurrency, async (c, i) => {
      await signalLeverEvent(
        client,
        taskQueue,
        c,
        { kind: 'stageChange', key: `bench-${i}`, triggeredAt: Date.now(), fromStageId: seed.stageIds.phoneScreen, toStageId: seed.stageIds.assessment },
      );
    });
    if (signalled.failures) process.stderr.write(`bench: ${signalled.failures} signal-with-start calls failed: ${String(signalled.firstError)}\n`);
    process.stderr.write(`bench: ${total} candidate workflows signalled in ${seconds(Date.now() - fillStarted)}\n`);

    // The sandbox keeps the last 10,000 requests; collect them as they come to count all of them.
    const leverCalls = new Map<string, number>();
    const collectLeverCalls = () => {
      for (const r of leverSandbox.admin.requests(accountId)) leverCalls.set(r.id, r.status);
    };
    let lastReport = Date.now();
    const allInvited = await waitUntil(() => {
      collectLeverCalls();
      for (const c of candidates) {
        if (c.invited) continue;
        const o = leverSandbox.recruiter.inspect(accountId, c.opportunityId) as InspectedOpportunity & { tags: string[] };
        c.invited = o.tags.includes('CodeSignal: invited') && o.notes.some((n) => String(n.fields[0]?.value ?? '').startsWith('CodeSignal invitation sent:'));
      }
      const done = candidates.filter((c) => c.invited).length;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        process.stderr.write(`bench: ${done}/${total} invited after ${seconds(Date.now() - fillStarted)}, worker RSS ${memoryOf(stack.worker.pid!).rssMB.toFixed(0)} MB\n`);
      }
      return done === total;
    }, timeoutMs, 2_000);
    const fillMs = Date.now() - fillStarted;
    const invitedCount = candidates.filter((c) => c.invited).length;
    const sourceWaiting = await settledRss(stack.worker.pid!);
    const running = async (type: string) =>
      (await client.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = 'Running'`)).count;
    const [runningAssessments, runningCandidates] = [await running('assessmentWorkflow'), await running('candidateWorkflow')];
    collectLeverCalls();
    const leverLimited = [...leverCalls.values()].filter((status) => status === 429).length;
    rows.push({
      worker: 'source (ts-node)',
      cacheSize: defaultCacheSize(sourceHeap),
      idle: sourceIdle.rss,
      waiting: sourceWaiting.rss,
      peak: sourceWaiting.peak,
      note: `after the invitations (cache filled by the flow itself)`,
    });

    // The production build, once per heap size: idle after the restart; after one candidate's two workflows
    // (the workflow thread, its V8 context and the bundle loaded); after every waiting workflow was queried.
    const queries = candidates.flatMap((c) => [
      () => client.workflow.getHandle(assessmentWorkflowId(c.integrationId, c.opportunityId, 1)).query(assessmentStateQuery),
      () => client.workflow.getHandle(candidateWorkflowId(c.integrationId, c.opportunityId)).query(candidateStateQuery),
    ]);
    const touch = async (from: number, to: number) => {
      const result = await forEachConcurrently(queries.slice(from, to), concurrency, async (q) => void (await q()));
      if (result.failures) process.stderr.write(`bench: ${result.failures} queries failed: ${String(result.firstError)}\n`);
      return to - from - result.failures;
    };
    for (const heap of builtWorker ? heaps : []) {
      const flags = heap === 'default' ? [] : [`--max-old-space-size=${heap}`];
      const cacheSize = defaultCacheSize(heapLimitMiB(flags));
      const worker = await stack.restartWorker({ entry: builtWorker, env: flags.length ? { NODE_OPTIONS: flags.join(' ') } : {} });
      await sleep(12_000); // past the server's sticky-poller window, so queries go to the new worker's normal queue
      const idle = await settledRss(worker.pid!);
      let answered = await touch(0, 2);
      const first = await settledRss(worker.pid!);
      const t0 = Date.now();
      answered += await touch(2, queries.length);
      const touchMs = Date.now() - t0;
      const waiting = await settledRss(worker.pid!);
      rows.push({
        worker: `build, ${heap === 'default' ? 'default heap' : `--max-old-space-size=${heap}`}`,
        cacheSize,
        idle: idle.rss,
        first: first.rss,
        waiting: waiting.rss,
        peak: waiting.peak,
        note: `${answered}/${queries.length} workflows queried (${seconds(touchMs)})`,
      });
      process.stderr.write(`bench: ${rows[rows.length - 1]!.worker}: idle ${idle.rss.toFixed(0)} MB, first ${first.rss.toFixed(0)} MB, waiting ${waiting.rss.toFixed(0)} MB\n`);
    }

    const fmt = (mb: number) => `${mb.toFixed(0).padStart(5)} MB`;
    console.log(`\nworker memory with ${invitedCount} of ${total} candidates invited and waiting (${runningAssessments} assessment + ${runningCandidates} candidate workflows running)`);
    console.log(`  machine: ${cpus().length} cores shared with other work (1-min load ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end)`);
    console.log(`  fill: ${integrationCount} integrations with their own Lever/CodeSignal keys at the sandboxes' default limits (Lever 10 req/s, burst 20 per key),`);
    console.log(`        service budget LEVER_REQUESTS_PER_SECOND default per integration; stage changes by signal-with-start; ${allInvited ? 'all invited' : 'TIMED OUT'} in ${seconds(fillMs)};`);
    console.log(`        ${leverCalls.size} Lever calls, ${leverLimited} answered 429`);
    const open = runningAssessments + runningCandidates;
    console.log(`  worker                               cache size   idle RSS   1st workflows   all waiting   ratio to idle   per cached workflow   peak RSS   (target all waiting < ${targetMB} MB)`);
    for (const r of rows) {
      // Marginal cost of one more cached workflow, past the fixed cost of the first ones.
      const cached = Math.min(r.cacheSize, open);
      const perWorkflowKB = r.first === undefined ? NaN : ((r.waiting - r.first) * 1000) / (cached - 2);
      console.log(
        `  ${r.worker.padEnd(36)} ${String(r.cacheSize).padStart(10)}   ${fmt(r.idle)}   ${(r.first === undefined ? '—' : fmt(r.first)).padStart(13)}   ${fmt(r.waiting).padStart(11)}   ${(r.waiting / r.idle).toFixed(2).padStart(12)}×   ${(Number.isNaN(perWorkflowKB) ? '—' : `${perWorkflowKB.toFixed(0)} kB`).padStart(19)}   ${fmt(r.peak)}   ${r.note}`,
      );
    }
    console.log(`  per cached workflow = (all waiting − 1st workflows) ÷ (cache size − 2), cache size capped at the ${open} open workflows; it includes garbage from cache churn`);
    console.log(`  total run ${seconds(Date.now() - started)}`);
  } finally {
    await connection.close();
    await db.end();
    await stack.stop();
    await sandboxes.close();
    rmSync(buildDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
