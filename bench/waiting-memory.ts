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
 * `--workers` entry, every waiting workflow is queried so the sticky cache fills again: half of them
 * (RSS measured), then the rest (RSS measured again: with the cache full both times, equal figures are
 * the plateau). An entry is `shipped` (Node flags of `npm run start:worker`, the configured default of
 * WORKER_MAX_CACHED_WORKFLOWS: what production runs) or `<node flags>@<cache size>`, e.g. `@250` (no
 * flags, cache 250). Each of those workers runs with bench/support/memory-probe.js, which splits its RSS
 * into the main thread's V8 heap, the workflow thread's V8 heap, external memory and the rest (native:
 * the SDK's Rust core, code, stacks, the allocator's free pages).
 *
 * The burst itself is measured too (README "Benchmarks"): invitations per second, the CPU each server
 * used meanwhile, and, from the workflow histories of `--assessed` candidates whose results are then
 * submitted, the history events per assessed candidate and where an invitation's time went (waiting for
 * a workflow task, waiting for an activity slot, running activities, retries): the bottleneck.
 *
 * `--sqlite rollback` runs the Temporal dev server with SQLite's default journal instead of the project's write-ahead log
 * (dev/temporal-dev-server.ts), to measure what the journal costs the burst.
 *
 *   npm run bench:memory -- [--candidates 5000] [--integrations 10] [--workers shipped,@250] [--concurrency 32] [--assessed 100] [--sqlite wal|rollback]
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { createIntegration, type Integration } from '../src/integrations/repository';
import { createPool } from '../src/db/pool';
import { createLogger } from '../src/log';
import type { InspectedOpportunity } from '../sandbox/lever/index';
import { startSandboxes } from '../sandbox/start';
import { integrationSettingsSchema } from '../src/integrations/settings';
import { signalLeverEvent } from '../src/temporal/candidate-client';
import { assessmentStateQuery, sessionEventSignal } from '../src/workflows/assessment/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../src/workflows/shared/ids';
import { candidateStateQuery } from '../src/workflows/candidate/messages';
import { buildProductionWorker } from './support/build';
import { cpuSecondsOf, forEachConcurrently, memoryOf, seconds, serverPids, sleep, waitUntil } from './support/measure';
import type { SqliteJournal } from '../dev/temporal-dev-server';
import { startBenchStack, type BenchStack, benchDataConverter, isInterrupted } from './support/stack';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '5000' },
    integrations: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    workers: { type: 'string', default: 'shipped' },
    'timeout-minutes': { type: 'string', default: '60' },
    assessed: { type: 'string', default: '100' },
    sqlite: { type: 'string', default: 'wal' },
  },
});
const assessedSample = Number(values.assessed);
const total = Number(values.candidates);
const integrationCount = Number(values.integrations);
const concurrency = Number(values.concurrency);
const workerVariants = values.workers.split(',').filter(Boolean);
const timeoutMs = Number(values['timeout-minutes']) * 60_000;
const taskQueue = 'lever-codesignal';
const targetMB = 300;
if (values.sqlite !== 'wal' && values.sqlite !== 'rollback') throw new Error(`--sqlite is wal or rollback, not ${values.sqlite}`);
/** How the dev server's SQLite file commits: `wal` as the project runs it, `rollback` (SQLite's default) to measure the difference. */
const sqliteJournal: SqliteJournal = values.sqlite;

/** The worker's sticky cache: WORKER_MAX_CACHED_WORKFLOWS (src/config.ts), whatever the heap. */
const configuredCacheSize = loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS;
const memoryProbe = path.join(__dirname, 'support', 'memory-probe.js');

/** `NAME=value` words (environment) and the rest (Node flags) of a command line's words. */
function envAndFlags(words: string[]): { env: Record<string, string>; flags: string[] } {
  const isEnv = (w: string) => /^[A-Z_][A-Z0-9_]*=/.test(w);
  return { env: Object.fromEntries(words.filter(isEnv).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)])), flags: words.filter((w) => !isEnv(w)) };
}
/** How production starts the worker: `npm run start:worker` (package.json), e.g. `node --max-semi-space-size=2 dist/worker.js`. */
function shippedWorker(): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts['start:worker']!.split(/\s+/);
  return envAndFlags(words.filter((w, i) => w !== 'node' && i < words.indexOf('dist/worker.js')));
}
/** A `--workers` entry: `shipped`, or `[NAME=value ...] [node flags]@<cache size>`. */
function workerVariant(entry: string): { label: string; flags: string[]; cacheSize: number; env: Record<string, string> } {
  if (entry === 'shipped') {
    const { env, flags } = shippedWorker();
    return { label: `shipped (${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...flags].join(' ') || 'no flags'})`, flags, cacheSize: configuredCacheSize, env };
  }
  const at = entry.lastIndexOf('@');
  const { env, flags } = envAndFlags(entry.slice(0, at).split(/\s+/).filter(Boolean));
  const cache = entry.slice(at + 1);
  return { label: entry.slice(0, at).trim() || 'no flags', flags, cacheSize: Number(cache), env: { ...env, WORKER_MAX_CACHED_WORKFLOWS: cache } };
}

/** The worker's RSS split by bench/support/memory-probe.js, in MB: V8 heaps (main thread, workflow threads), external, the rest. */
interface MemorySplit {
  mainHeap: number;
  workflowHeap: number;
  external: number;
  native: number;
}
function memorySplit(prefix: string, rssMB: number): MemorySplit | undefined {
  const dir = path.dirname(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${path.basename(prefix)}-`) && f.endsWith('.json'));
  if (files.length === 0) return undefined;
  const threads = files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { threadId: number; heapTotal: number; external: number });
  const mb = (bytes: number) => bytes / 1e6;
  const mainHeap = mb(threads.filter((t) => t.threadId === 0).reduce((sum, t) => sum + t.heapTotal, 0));
  const workflowHeap = mb(threads.filter((t) => t.threadId !== 0).reduce((sum, t) => sum + t.heapTotal, 0));
  const external = mb(threads.reduce((sum, t) => sum + t.external, 0));
  return { mainHeap, workflowHeap, external, native: rssMB - mainHeap - workflowHeap - external };
}
const splitText = (s: MemorySplit | undefined) =>
  s ? `main heap ${s.mainHeap.toFixed(0)}, workflow heap ${s.workflowHeap.toFixed(0)}, external ${s.external.toFixed(0)}, native ${s.native.toFixed(0)} MB` : 'no split';

const cpuOf = (pid: number) => {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return NaN;
  }
};

/** Where a workflow's time went, from its history: task queue waits, activity run time, retries. */
interface HistoryFigures {
  events: number;
  workflowTaskWaitMs: number;
  activityWaitMs: number;
  activityRunMs: number;
  activityRetries: number;
  activities: number;
}
function historyFigures(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): HistoryFigures {
  const events = history.events ?? [];
  const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const f: HistoryFigures = { events: events.length, workflowTaskWaitMs: 0, activityWaitMs: 0, activityRunMs: 0, activityRetries: 0, activities: 0 };
  for (const e of events) {
    const wtStarted = e.workflowTaskStartedEventAttributes;
    if (wtStarted) {
      const scheduled = byId.get(Number(wtStarted.scheduledEventId));
      if (scheduled) f.workflowTaskWaitMs += at(e) - at(scheduled);
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const scheduled = byId.get(Number(started.scheduledEventId));
      // the started event is written at completion; its time is the last attempt's start
      if (scheduled) f.activityWaitMs += at(e) - at(scheduled);
      f.activityRetries += Math.max(0, (started.attempt ?? 1) - 1);
      f.activities += 1;
    }
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (done) {
      const startedEvent = byId.get(Number(done.startedEventId));
      if (startedEvent) f.activityRunMs += at(e) - at(startedEvent);
    }
  }
  return f;
}

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
  /** After half of the waiting workflows were queried (the cache full already when they outnumber it). */
  half?: number;
  /** All waiting, a minute after `waiting`: the worker idle, V8's memory reducer has had its turn. */
  later?: number;
  laterSplit?: MemorySplit;
  waiting: number;
  peak: number;
  note: string;
  /** Memory split (memory-probe.js) with the first workflows loaded and with all waiting. */
  firstSplit?: MemorySplit;
  waitingSplit?: MemorySplit;
}

async function main() {
  const started = Date.now();
  const load = loadavg()[0]!;
  const logger = createLogger('warn', 'bench');

  // The production build first, so compiling does not overlap the measurements.
  let builtWorker: string | undefined;
  const buildDir = path.join(tmpdir(), `lcs-bench-build-${process.pid}`);
  // also when Ctrl-C ends the benchmark (the stack's handler exits without coming back here)
  process.once('exit', () => rmSync(buildDir, { recursive: true, force: true }));
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
    stack = await startBenchStack({ env: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl }, sqliteJournal });
  } catch (err) {
    await sandboxes.close();
    throw err;
  }
  const db = createPool(stack.databaseUrl, logger);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: benchDataConverter(stack) });
  const rows: Row[] = [];
  try {
    const { leverSandbox, codesignalSandbox } = sandboxes;
    const seed = sandboxes.lever.seed;
    const accountId = seed.accountId;
    const companyId = sandboxes.codesignal.seed.companyId;

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
      return { integrationId: integrations[i % integrationCount]!.id, opportunityId: opportunity.id, invited: false, invitedAt: 0, email: `waiting.candidate.${i}@example.com` };
    });
    // Lever shows them in the trigger stage (the candidate workflow confirms every event with Lever before acting)
    for (const c of candidates) leverSandbox.recruiter.moveToStage(accountId, c.opportunityId, { stage: seed.stageIds.assessment, userId: seed.userIds.recruiter });

    // Every candidate enters the trigger stage, delivered as the ingress delivers a Lever webhook.
    const servers = [{ pid: stack.worker.pid!, name: 'worker' }, ...serverPids(stack.dataDir)];
    const cpuBefore = servers.map((p) => cpuOf(p.pid));
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
        if (c.invited) c.invitedAt = Date.now();
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
    const cpuUsed = servers.map((p, i) => ({ name: p.name, cores: (cpuOf(p.pid) - cpuBefore[i]!) / (fillMs / 1000) }));
    // the invitations' pace: all of them over the fill, and the middle 80 % (past the start-up, before the tail)
    const invitedTimes = candidates.filter((c) => c.invited).map((c) => c.invitedAt - fillStarted).sort((a, b) => a - b);
    const at = (q: number) => invitedTimes[Math.min(invitedTimes.length - 1, Math.floor(q * invitedTimes.length))] ?? NaN;
    const steadyRate = (0.8 * invitedTimes.length) / ((at(0.9) - at(0.1)) / 1000);

    // A sample is assessed to its end (results submitted), and its histories tell the events per assessed
    // candidate and where the time of its invitation went.
    const sample = candidates.filter((c) => c.invited).slice(0, assessedSample);
    const sessionsByEmail = new Map(codesignalSandbox.control.sessions(companyId).map((x) => [x.candidate.email, x]));
    for (const c of sample) {
      const session = sessionsByEmail.get(c.email);
      if (!session) continue;
      codesignalSandbox.control.submitSession(session.id, { score: Math.round(session.maxScore * 0.85), durationMs: 40 * 60_000 });
      // CodeSignal's webhook, as the ingress hands it on (these integrations have no webhook endpoint in the sandbox)
      await client.workflow
        .getHandle(assessmentWorkflowId(c.integrationId, c.opportunityId, 1))
        .signal(sessionEventSignal, { sessionId: session.id, event: 'companyTestSessionFinished', triggeredOn: Date.now() });
    }
    const resultNoted = (c: (typeof sample)[number]) =>
      (leverSandbox.recruiter.inspect(accountId, c.opportunityId) as InspectedOpportunity).notes.some((n) => String(n.fields[0]?.value ?? '').startsWith('CodeSignal result:'));
    const assessedAll = await waitUntil(() => sample.every(resultNoted), 10 * 60_000, 2_000);
    const figures = await Promise.all(
      sample.filter(resultNoted).map(async (c) => {
        const assessment = historyFigures(await client.workflow.getHandle(assessmentWorkflowId(c.integrationId, c.opportunityId, 1)).fetchHistory());
        const candidate = historyFigures(await client.workflow.getHandle(candidateWorkflowId(c.integrationId, c.opportunityId)).fetchHistory());
        return { assessment, candidate };
      }),
    );
    const mean = (pick: (f: (typeof figures)[number]) => number) => figures.reduce((sum, f) => sum + pick(f), 0) / Math.max(1, figures.length);
    // printed now: the memory measurements after it take a while
    console.log(`\nburst: ${invitedCount} of ${total} candidates over ${integrationCount} integrations invited in ${seconds(fillMs)}: ${(invitedCount / (fillMs / 1000)).toFixed(2)} invitations/s overall, ${steadyRate.toFixed(2)}/s between the 10th and 90th percentile (dev server SQLite journal: ${sqliteJournal})`);
    console.log(`  cores used during the burst: ${cpuUsed.map((c) => `${c.name} ${c.cores.toFixed(2)}`).join(', ')} (of ${cpus().length})`);
    const perCandidate = (label: string, pick: (f: HistoryFigures) => number, unit = '') =>
      `${label} ${mean((f) => pick(f.assessment) + pick(f.candidate)).toFixed(1)}${unit} (assessment ${mean((f) => pick(f.assessment)).toFixed(1)}, candidate ${mean((f) => pick(f.candidate)).toFixed(1)})`;
    console.log(`  per assessed candidate (${figures.length} assessed${assessedAll ? '' : ', some results not written in 10 minutes'}): ${perCandidate('history events', (f) => f.events)}, ${perCandidate('activities', (f) => f.activities)}, ${perCandidate('activity retries', (f) => f.activityRetries)}`);
    const parts = {
      'waiting for a workflow task': mean((f) => f.assessment.workflowTaskWaitMs + f.candidate.workflowTaskWaitMs),
      'waiting for an activity slot or retry backoff': mean((f) => f.assessment.activityWaitMs + f.candidate.activityWaitMs),
      'running activities (Lever/CodeSignal calls and their limiters)': mean((f) => f.assessment.activityRunMs + f.candidate.activityRunMs),
    };
    const ranked = Object.entries(parts).sort((a, b) => b[1] - a[1]);
    console.log(`  where an assessed candidate's time went (mean per candidate, both workflows): ${ranked.map(([k, v]) => `${k} ${seconds(v)}`).join('; ')}`);
    console.log(`  bottleneck: ${ranked[0]![0]}`);

    const sourceWaiting = await settledRss(stack.worker.pid!);
    const running = async (type: string) =>
      (await client.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = 'Running'`)).count;
    const [runningAssessments, runningCandidates] = [await running('assessmentWorkflow'), await running('candidateWorkflow')];
    collectLeverCalls();
    const leverLimited = [...leverCalls.values()].filter((status) => status === 429).length;
    rows.push({
      worker: 'source (ts-node)',
      cacheSize: configuredCacheSize,
      idle: sourceIdle.rss,
      waiting: sourceWaiting.rss,
      peak: sourceWaiting.peak,
      note: `after the invitations (cache filled by the flow itself)`,
    });

    // The production build, once per --workers entry: idle after the restart; after one candidate's two workflows
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
    for (const [n, variant] of (builtWorker ? workerVariants : []).map(workerVariant).entries()) {
      const probe = path.join(stack.dataDir, `memory-probe-${n}`);
      // the variant's flags and the probe (in every thread of the worker) through NODE_OPTIONS, which takes V8's heap flags
      const env = { ...variant.env, NODE_OPTIONS: [...variant.flags, `--require=${memoryProbe}`].join(' '), LCS_MEMORY_PROBE: probe };
      const cacheSize = variant.cacheSize;
      const worker = await stack.restartWorker({ entry: builtWorker, env });
      await sleep(12_000); // past the server's sticky-poller window, so queries go to the new worker's normal queue
      const idle = await settledRss(worker.pid!);
      const idleSplit = memorySplit(probe, idle.rss);
      let answered = await touch(0, 2);
      const first = await settledRss(worker.pid!);
      const firstSplit = memorySplit(probe, first.rss);
      const t0 = Date.now();
      const halfway = Math.floor(queries.length / 2);
      answered += await touch(2, halfway);
      let touchMs = Date.now() - t0;
      const half = await settledRss(worker.pid!);
      const t1 = Date.now();
      answered += await touch(halfway, queries.length);
      touchMs += Date.now() - t1;
      const waiting = await settledRss(worker.pid!);
      const waitingSplit = memorySplit(probe, waiting.rss);
      // a waiting worker is idle most of the time: V8 collects (and returns) the replays' garbage then
      await sleep(60_000);
      const later = memoryOf(worker.pid!).rssMB;
      const laterSplit = memorySplit(probe, later);
      rows.push({
        worker: `build, ${variant.label}`,
        cacheSize,
        idle: idle.rss,
        first: first.rss,
        half: half.rss,
        waiting: waiting.rss,
        peak: waiting.peak,
        note: `${answered}/${queries.length} workflows queried (${seconds(touchMs)}, ${((answered / touchMs) * 1000).toFixed(0)} queries/s)`,
        firstSplit,
        waitingSplit,
        later,
        laterSplit,
      });
      process.stderr.write(`bench: ${rows[rows.length - 1]!.worker}, cache ${cacheSize}: idle ${idle.rss.toFixed(0)} MB (${splitText(idleSplit)}), first ${first.rss.toFixed(0)} MB, half ${half.rss.toFixed(0)} MB, waiting ${waiting.rss.toFixed(0)} MB (${splitText(waitingSplit)}), a minute later ${later.toFixed(0)} MB (${splitText(laterSplit)})\n`);
    }

    const fmt = (mb: number) => `${mb.toFixed(0).padStart(5)} MB`;
    console.log(`\nworker memory with ${invitedCount} of ${total} candidates invited and waiting (${runningAssessments} assessment + ${runningCandidates} candidate workflows running)`);
    console.log(`  machine: ${cpus().length} cores shared with other work (1-min load ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end)`);
    console.log(`  fill: ${integrationCount} integrations with their own Lever/CodeSignal keys at the sandboxes' default limits (Lever 10 req/s, burst 20 per key),`);
    console.log(`        service budget LEVER_REQUESTS_PER_SECOND default per integration; stage changes by signal-with-start; ${allInvited ? 'all invited' : 'TIMED OUT'} in ${seconds(fillMs)};`);
    console.log(`        ${leverCalls.size} Lever calls, ${leverLimited} answered 429`);
    const open = runningAssessments + runningCandidates;
    console.log(`  worker                                          cache size   idle RSS   1st workflows   half queried   all waiting   1 min later   ratio to idle   per cached workflow   peak RSS   (target all waiting < ${targetMB} MB)`);
    for (const r of rows) {
      // Marginal cost of one more cached workflow, past the fixed cost of the first ones.
      const cached = Math.min(r.cacheSize, open);
      const perWorkflowKB = r.first === undefined ? NaN : ((r.waiting - r.first) * 1000) / (cached - 2);
      console.log(
        `  ${r.worker.padEnd(47)} ${String(r.cacheSize).padStart(10)}   ${fmt(r.idle)}   ${(r.first === undefined ? '—' : fmt(r.first)).padStart(13)}   ${(r.half === undefined ? '—' : fmt(r.half)).padStart(12)}   ${fmt(r.waiting).padStart(11)}   ${(r.later === undefined ? '—' : fmt(r.later)).padStart(11)}   ${(r.waiting / r.idle).toFixed(2).padStart(12)}×   ${(Number.isNaN(perWorkflowKB) ? '—' : `${perWorkflowKB.toFixed(0)} kB`).padStart(19)}   ${fmt(r.peak)}   ${r.note}`,
      );
    }
    console.log(`  per cached workflow = (all waiting − 1st workflows) ÷ (cache size − 2), cache size capped at the ${open} open workflows; it includes garbage from cache churn`);
    console.log(`  where the RSS went (bench/support/memory-probe.js; V8 heaps as allocated, native = RSS − heaps − external: Rust core, code, stacks, allocator)`);
    for (const r of rows.filter((row) => row.waitingSplit)) {
      const [f, w] = [r.firstSplit, r.waitingSplit!];
      const cached = Math.min(r.cacheSize, open) - 2;
      const per = (pick: (s: MemorySplit) => number) => (f ? `${(((pick(w) - pick(f)) * 1000) / cached).toFixed(0)} kB` : '—');
      console.log(`  ${r.worker}, cache ${r.cacheSize}: all waiting ${splitText(w)}; a minute later ${splitText(r.laterSplit)}; per cached workflow: workflow heap ${per((s) => s.workflowHeap)}, main heap ${per((s) => s.mainHeap)}, external ${per((s) => s.external)}, native ${per((s) => s.native)}`);
    }
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
  // interrupted (Ctrl-C): the measurement failed because its processes were being stopped; the interrupt's
  // handler exits once every one of them has stopped (exiting here would leave the rest running)
  if (isInterrupted()) return;
  console.error(err);
  process.exit(1);
});
