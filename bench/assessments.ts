/**
 * Candidates through the whole assessment flow against the Lever sandbox at its real limit (10 req/s
 * sustained, burst 20): recruiter stage moves → signed Lever webhooks → HTTP ingress → workflows →
 * CodeSignal invitations → results → result note, PDF, tags and stage move in Lever. The stack runs
 * in its production shape (Temporal dev server, embedded PostgreSQL, API and worker as separate
 * processes); the sandboxes run in this process, so their request and delivery logs are the record.
 *
 * Phases: (1) all candidates moved at once and invited — Lever saturated; (2) results for the first
 * `--paced` candidates submitted one every `--pace-ms`, leaving Lever headroom — the latency phase;
 * (3) results for the rest submitted at once — Lever saturated again.
 *
 * The adaptive Lever limiter (src/lever/rate-limiter.ts) is measured in the saturated phases: the share
 * of the rate Lever granted that the service used, and the share of 429s — phase 1 at a fixed limit,
 * phase 3 across a change of Lever's limit when `--limit-schedule` is given (e.g. 10,5,10: each value
 * for `--limit-phase-seconds`, the last one for good, from the start of phase 3; the sandbox's
 * `rateLimitSchedule`). `--retry-after` makes the sandbox send Retry-After (Lever does not document one).
 *
 *   npm run bench:assessments -- [--candidates 200] [--paced 50] [--pace-ms 2000] [--timeout-minutes 20]
 *                                  [--lever-rps <LEVER_REQUESTS_PER_SECOND>] [--worker-node-options=--max-old-space-size=600]
 *                                  [--limit-schedule 10,5,10] [--limit-phase-seconds 15] [--retry-after] [--worker-env K=V,…]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { assessmentWorkflowId } from '../src/workflows/shared/ids';
import { createPool } from '../src/db/pool';
import { createLogger } from '../src/log';
import { secretBoxFrom } from '../src/crypto/secret-box';
import { ensureDemoIntegration } from '../sandbox/demo-integration';
import type { InspectedOpportunity, RequestLogEntry } from '../sandbox/lever/index';
import { grantedBetween, rateLimitAt } from '../sandbox/lever/rate-limit';
import { startSandboxes } from '../sandbox/start';
import { cpuSecondsOf, memoryOf, millis, percentile, seconds, sleep, waitUntil } from './support/measure';
import { envPairs, startBenchStack, benchDataConverter } from './support/stack';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '200' },
    paced: { type: 'string', default: '50' },
    'pace-ms': { type: 'string', default: '2000' },
    'lever-rps': { type: 'string' },
    'worker-node-options': { type: 'string' },
    'timeout-minutes': { type: 'string', default: '20' },
    'limit-schedule': { type: 'string' },
    'limit-phase-seconds': { type: 'string', default: '15' },
    'retry-after': { type: 'boolean', default: false },
    // extra environment for the worker process, e.g. WORKER_MAX_CACHED_WORKFLOWS=150 (comma-separated K=V)
    'worker-env': { type: 'string', default: '' },
  },
});
const total = Number(values.candidates);
const pacedCount = Math.min(Number(values.paced), total);
const paceMs = Number(values['pace-ms']);
const phaseTimeoutMs = Number(values['timeout-minutes']) * 60_000;
/** What the worker is told to stay under; the service's own default unless --lever-rps is given. */
const serviceBudget = loadConfig(values['lever-rps'] ? { LEVER_REQUESTS_PER_SECOND: values['lever-rps'] } : {}).LEVER_REQUESTS_PER_SECOND;
const leverLimit = 10;
/** Lever's limit during phase 3, per `--limit-phase-seconds`; none: the fixed limit throughout. */
const limitSchedule = values['limit-schedule']?.split(',').map(Number) ?? [];
if (limitSchedule.some((n) => !(n > 0))) throw new Error('--limit-schedule takes positive numbers, e.g. 10,5,10');
const limitPhaseSeconds = Number(values['limit-phase-seconds']);

interface Candidate {
  index: number;
  opportunityId: string;
  email: string;
  passes: boolean;
  sessionId?: string;
  maxScore?: number;
  submittedAt?: number;
  invited: boolean;
  done: boolean;
}

interface Phase {
  name: string;
  startedAt: number;
  endedAt: number;
  candidates: Candidate[];
  unfinished: number;
}

const noteTexts = (o: InspectedOpportunity) => o.notes.map((n) => String(n.fields[0]?.value ?? ''));

/** Lever calls in a phase: the busy period runs from its first call to its last. */
function leverCalls(log: RequestLogEntry[], phase: Pick<Phase, 'startedAt' | 'endedAt'>) {
  const calls = log.filter((r) => r.at >= phase.startedAt && r.at <= phase.endedAt);
  const busyMs = calls.length > 1 ? calls[calls.length - 1]!.at - calls[0]!.at : 0;
  return { calls, count: calls.length, limited: calls.filter((r) => r.status === 429).length, busyMs, rate: busyMs > 0 ? calls.length / (busyMs / 1000) : NaN };
}

type LimitSettings = Parameters<typeof grantedBetween>[0];

/** The shared adaptive limiter's row (lever_adaptive_rate) as sampled, on PostgreSQL's clock. */
interface LimiterSample { now: number; rate: number; tat: number; blockedUntil: number }

/**
 * Whether the limiter, not the workflows' demand, set the pace at a sample: a Retry-After pause, or
 * the next slot more than 1.5 intervals ahead (GCRA: while callers wait, grants run the full tolerance
 * of 4 intervals ahead; a demand under the rate leaves `tat` at most about one interval ahead).
 */
const limiterBound = (x: LimiterSample) => x.blockedUntil > x.now || x.tat - x.now > 1.5 * (1000 / x.rate);

/**
 * What the service made of the rate Lever granted while the limiter set the pace in [from, to): `used`
 * counts Lever's answers that were not 429s, `granted` is Lever's limit integrated over the same time
 * (its bucket starts full, so up to its burst more could pass). Times when fewer requests were waiting
 * than the rate allows (the tail of a phase, a worker short of CPU) are left out: they measure the
 * workflows, not the limiter.
 */
function grantedShare(calls: RequestLogEntry[], samples: LimiterSample[], settings: LimitSettings, from: number, to: number) {
  const spans: Array<[number, number]> = [];
  for (let i = 0; i + 1 < samples.length; i++) {
    const [x, next] = [samples[i]!, samples[i + 1]!];
    if (x.now < from || next.now > to || !limiterBound(x)) continue;
    const last = spans.at(-1);
    if (last && last[1] === x.now) last[1] = next.now;
    else spans.push([x.now, next.now]);
  }
  const within = (r: RequestLogEntry) => spans.some(([a, b]) => r.at >= a && r.at < b);
  const inSpans = calls.filter(within);
  const used = inSpans.filter((r) => r.status !== 429).length;
  const granted = spans.reduce((sum, [a, b]) => sum + grantedBetween(settings, a, b), 0);
  const boundMs = spans.reduce((sum, [a, b]) => sum + b - a, 0);
  return { used, granted, share: used / granted, limited: inSpans.filter((r) => r.status === 429).length, calls: inSpans.length, boundMs, phaseMs: to - from };
}

/** Calls per whole second of a busy period (the partial last second left out). */
function perSecond(calls: RequestLogEntry[]): number[] {
  if (calls.length === 0) return [];
  const first = calls[0]!.at;
  const buckets = new Array<number>(Math.floor((calls[calls.length - 1]!.at - first) / 1000)).fill(0);
  for (const c of calls) {
    const i = Math.floor((c.at - first) / 1000);
    if (i < buckets.length) buckets[i]! += 1;
  }
  return buckets;
}

async function main() {
  const started = Date.now();
  const load = loadavg()[0]!;
  const logger = createLogger('warn', 'bench');
  // The Lever sandbox keeps its default limit (10 req/s, burst 20): that limit is what is measured against.
  const sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true, lever: { sendRetryAfter: values['retry-after'] } });
  const stack = await startBenchStack({
    env: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl },
    workerEnv: {
      ...(values['lever-rps'] ? { LEVER_REQUESTS_PER_SECOND: values['lever-rps'] } : {}),
      ...(values['worker-node-options'] ? { NODE_OPTIONS: values['worker-node-options'] } : {}),
      ...envPairs('--worker-env', values['worker-env']),
    },
  }).catch(async (err: unknown) => {
    await sandboxes.close();
    throw err;
  });
  const db = createPool(stack.databaseUrl, logger);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: benchDataConverter(stack) });
  try {
    const { leverSandbox, codesignalSandbox } = sandboxes;
    const seed = sandboxes.lever.seed;
    const accountId = seed.accountId;
    const companyId = sandboxes.codesignal.seed.companyId;
    const integration = await ensureDemoIntegration(db, secretBoxFrom({ ENCRYPTION_KEY: stack.encryptionKey }), sandboxes, stack.baseUrl, 'Benchmark');

    // A default test for the trigger stage, set through the admin API: invitations go without the selection click.
    const test = sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const auth = { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
    const current = (await (await fetch(`${stack.baseUrl}/api/integrations/${integration.id}`, { headers: auth })).json()) as { settings: { assessments: Record<string, unknown> } };
    const put = await fetch(`${stack.baseUrl}/api/integrations/${integration.id}/settings`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ ...current.settings, assessments: { ...current.settings.assessments, defaultTestByStage: { [seed.stageIds.assessment]: test.id } } }),
    });
    if (put.status !== 200) throw new Error(`settings refused: ${put.status} ${await put.text()}`);
    const tags = { invited: 'CodeSignal: invited', completed: 'CodeSignal: completed', passed: 'CodeSignal: passed', failed: 'CodeSignal: below threshold' };

    // Candidates with e-mails, created as a recruiter would (the UI path: no /v1 calls, no rate limit).
    const candidates: Candidate[] = Array.from({ length: total }, (_, index) => {
      const email = `bench.candidate.${index}@example.com`;
      const opportunity = leverSandbox.recruiter.createCandidate(accountId, {
        name: `Bench Candidate ${index}`,
        emails: [email],
        stage: seed.stageIds.phoneScreen,
        postings: [seed.postings[0]!.id],
        origin: 'applied',
        userId: seed.userIds.recruiter,
      });
      return { index, opportunityId: opportunity.id, email, passes: index % 4 !== 0, invited: false, done: false };
    });

    const inspect = (c: Candidate) => leverSandbox.recruiter.inspect(accountId, c.opportunityId) as InspectedOpportunity & { tags: string[] };
    const isInvited = (c: Candidate) => {
      const o = inspect(c);
      return o.tags.includes(tags.invited) && noteTexts(o).some((t) => t.startsWith('CodeSignal invitation sent:'));
    };
    const isDone = (c: Candidate) => {
      const o = inspect(c);
      return (
        noteTexts(o).some((t) => t.startsWith('CodeSignal result:')) &&
        o.files.some((f) => f.mimeType === 'application/pdf') &&
        o.tags.includes(tags.completed) &&
        o.tags.includes(c.passes ? tags.passed : tags.failed) &&
        (!c.passes || o.stage === seed.stageIds.onSite)
      );
    };
    /** Runs `act` and polls until every candidate of the phase is through, or the timeout. */
    async function phase(name: string, group: Candidate[], flag: 'invited' | 'done', check: (c: Candidate) => boolean, act: () => Promise<void>): Promise<Phase> {
      const startedAt = Date.now();
      const polling = waitUntil(() => {
        for (const c of group) if (!c[flag] && check(c)) c[flag] = true;
        return group.every((c) => c[flag]);
      }, phaseTimeoutMs);
      await act();
      await polling;
      const endedAt = Date.now();
      const unfinished = group.filter((c) => !c[flag]).length;
      process.stderr.write(`bench: ${name}: ${group.length - unfinished}/${group.length} in ${seconds(endedAt - startedAt)}\n`);
      return { name, startedAt, endedAt, candidates: group, unfinished };
    }

    // The shared adaptive limiter's row, sampled every 100 ms from here to the end of phase 3.
    const limiterSamples: LimiterSample[] = [];
    const sampling = setInterval(() => {
      db.query<{ rate: number; tat: number; blocked_until: number; now: number }>(
        'SELECT rate, tat, blocked_until, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now FROM lever_adaptive_rate WHERE integration_id = $1',
        [integration.id],
      )
        .then(({ rows: [r] }) => r && limiterSamples.push({ now: r.now, rate: Math.min(r.rate, serviceBudget), tat: r.tat, blockedUntil: r.blocked_until }))
        .catch(() => undefined);
    }, 100);

    // 1. Every candidate moved into the trigger stage at once: signed webhooks → ingress → invitations.
    const invite = await phase('invitations', candidates, 'invited', isInvited, async () => {
      for (const c of candidates) leverSandbox.recruiter.moveToStage(accountId, c.opportunityId, { stage: seed.stageIds.assessment, userId: seed.userIds.recruiter });
    });
    const sessionByEmail = new Map(codesignalSandbox.control.sessions(companyId).map((s) => [s.candidate.email, s]));
    for (const c of candidates) {
      c.sessionId = sessionByEmail.get(c.email)?.id;
      c.maxScore = sessionByEmail.get(c.email)?.maxScore;
    }
    const invited = candidates.filter((c) => c.invited && c.sessionId);
    const submit = (c: Candidate) => {
      c.submittedAt = Date.now();
      codesignalSandbox.control.submitSession(c.sessionId!, { score: Math.round(c.maxScore! * (c.passes ? 0.85 : 0.4)), durationMs: 45 * 60_000 });
    };

    // 2. Results one at a time, at a pace that leaves Lever headroom: the latency phase.
    const pacedGroup = invited.slice(0, pacedCount);
    const paced = await phase('paced results', pacedGroup, 'done', isDone, async () => {
      for (const c of pacedGroup) {
        submit(c);
        await sleep(paceMs);
      }
    });
    // 3. The remaining results at once: Lever saturated again, its limit changing when --limit-schedule says so.
    const burstGroup = invited.slice(pacedCount);
    if (limitSchedule.length > 0) {
      leverSandbox.admin.updateSettings(accountId, { rateLimitSchedule: { phases: limitSchedule.map((perSecond) => ({ perSecond, seconds: limitPhaseSeconds })) } });
    }
    const burst = await phase('burst results', burstGroup, 'done', isDone, async () => {
      for (const c of burstGroup) submit(c);
    }).finally(() => clearInterval(sampling));
    await sleep(2_000); // let stragglers' last calls land in the log

    // ---- figures
    const log = leverSandbox.admin.requests(accountId);
    const workflowsLog = log.filter((r) => r.at >= invite.startedAt);
    const a = leverCalls(log, invite);
    const b = leverCalls(log, paced);
    const c = leverCalls(log, burst);
    const saturatedCalls = a.count + c.count;
    const saturatedRate = saturatedCalls / ((a.busyMs + c.busyMs) / 1000);
    const secondsSaturated = [...perSecond(a.calls), ...perSecond(c.calls)];
    const limitedAll = workflowsLog.filter((r) => r.status === 429).length;
    const otherErrors = workflowsLog.filter((r) => r.status >= 400 && r.status !== 429).length;

    const csLog = codesignalSandbox.control.requests({ companyId }).filter((r) => r.at >= invite.startedAt);
    const latency = (group: Candidate[]) => {
      const fromSubmit: number[] = [];
      const fromWebhook: number[] = [];
      const finished = new Map(
        codesignalSandbox.control.deliveries(companyId, { event: 'companyTestSessionFinished' }).map((d) => [d.payload.testSessionId as string, d.deliveredAt]),
      );
      for (const cand of group) {
        const note = inspect(cand).notes.find((n) => String(n.fields[0]?.value ?? '').startsWith('CodeSignal result:'));
        if (!note || cand.submittedAt === undefined) continue;
        fromSubmit.push(note.createdAt - cand.submittedAt);
        const deliveredAt = finished.get(cand.sessionId!);
        if (deliveredAt) fromWebhook.push(note.createdAt - deliveredAt);
      }
      return { fromSubmit, fromWebhook };
    };
    /** Where the time went for one candidate's result note, from the sandboxes' logs (ms after the submit). */
    const timeline = (cand: Candidate) => {
      const t = (at: number | null | undefined) => (at == null ? '—' : `+${at - cand.submittedAt!}`);
      const delivered = (event: 'companyTestSessionStarted' | 'companyTestSessionFinished') =>
        codesignalSandbox.control.deliveries(companyId, { event }).find((d) => d.payload.testSessionId === cand.sessionId)?.deliveredAt;
      const reads = csLog.filter((r) => r.operationName === 'GetTestSession' && r.variables?.id === cand.sessionId && r.at >= cand.submittedAt!);
      const noteCalls = log.filter((r) => r.path.startsWith(`/v1/opportunities/${cand.opportunityId}/notes`) && r.at >= cand.submittedAt!);
      const note = inspect(cand).notes.find((n) => String(n.fields[0]?.value ?? '').startsWith('CodeSignal result:'));
      return (
        `#${cand.index}: webhooks started ${t(delivered('companyTestSessionStarted'))} finished ${t(delivered('companyTestSessionFinished'))}, ` +
        `session reads ${reads.map((r) => `${t(r.at)}${r.outcome === 'ok' ? '' : ` ${r.outcome}`}`).join(' ') || '—'}, ` +
        `Lever notes calls ${noteCalls.map((r) => `${r.method} ${t(r.at)}`).join(' ') || '—'}, note ${t(note?.createdAt)} ms`
      );
    };
    const slowest = (group: Candidate[], n: number) =>
      group
        .filter((cand) => cand.submittedAt !== undefined && inspect(cand).notes.some((x) => String(x.fields[0]?.value ?? '').startsWith('CodeSignal result:')))
        .map((cand) => ({ cand, ms: inspect(cand).notes.find((x) => String(x.fields[0]?.value ?? '').startsWith('CodeSignal result:'))!.createdAt - cand.submittedAt! }))
        .sort((x, y) => y.ms - x.ms)
        .slice(0, n)
        .map(({ cand }) => cand);
    const pacedLatency = latency(pacedGroup);
    const burstLatency = latency(burstGroup);

    const failedStatuses = ['Failed', 'TimedOut', 'Terminated', 'Canceled'];
    const closedBadly = await Promise.all(
      failedStatuses.map((s) => client.workflow.count(`WorkflowType = 'assessmentWorkflow' AND IntegrationId = '${integration.id}' AND ExecutionStatus = '${s}'`)),
    );
    const failedWorkflows = closedBadly.reduce((sum, r) => sum + r.count, 0);
    const completedWorkflows = (await client.workflow.count(`WorkflowType = 'assessmentWorkflow' AND IntegrationId = '${integration.id}' AND ExecutionStatus = 'Completed'`)).count;
    const notDone = candidates.filter((cand) => !cand.done).length;
    const duplicates = candidates.filter((cand) => {
      const o = inspect(cand);
      const texts = noteTexts(o);
      return texts.filter((t) => t.startsWith('CodeSignal result:')).length > 1 || texts.filter((t) => t.startsWith('CodeSignal invitation sent:')).length > 1 || o.files.length > 1;
    }).length;
    const leverDeliveries = leverSandbox.admin.deliveries(accountId, { event: 'candidateStageChange' });
    const leverDeliveryRetries = leverDeliveries.reduce((s, d) => s + Math.max(0, d.attempts.length - 1), 0);
    const csThrottled = csLog.filter((r) => r.outcome === 'throttled').length;
    // Retried activity attempts, by activity and the previous attempt's failure, from the workflows' histories.
    const retries = new Map<string, number>();
    for (const cand of candidates) {
      const history = await client.workflow.getHandle(assessmentWorkflowId(integration.id, cand.opportunityId, 1)).fetchHistory();
      const typeOf = new Map<string, string>();
      for (const e of history.events ?? []) {
        if (e.activityTaskScheduledEventAttributes) typeOf.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
        const started = e.activityTaskStartedEventAttributes;
        if (!started || (started.attempt ?? 1) <= 1) continue;
        const f = started.lastFailure;
        const reason = f?.timeoutFailureInfo ? 'timed out' : (f?.cause?.applicationFailureInfo?.type ?? f?.applicationFailureInfo?.type ?? f?.message ?? 'failed');
        const key = `${typeOf.get(String(started.scheduledEventId)) ?? '?'} ${reason}`;
        retries.set(key, (retries.get(key) ?? 0) + (started.attempt! - 1));
      }
    }
    const retryTotal = [...retries.values()].reduce((sum, n) => sum + n, 0);
    const retryDetail = [...retries.entries()].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ×${n}`).join(', ');
    const worker = memoryOf(stack.worker.pid!);
    const limitSettings = leverSandbox.admin.account(accountId).settings;
    const fixedShare = grantedShare(a.calls, limiterSamples, { rateLimit: limitSettings.rateLimit }, invite.startedAt, invite.endedAt);
    const changingShare = grantedShare(c.calls, limiterSamples, limitSettings, burst.startedAt, burst.endedAt);
    /** Per schedule phase of phase 3: calls/s answered, 429s, the adaptive rate at its end. */
    const scheduleLines = (() => {
      const schedule = limitSettings.rateLimitSchedule;
      if (!schedule) return [];
      return schedule.phases.map((ph, i) => {
        const from = schedule.startedAt + i * ph.seconds * 1000;
        const to = i === schedule.phases.length - 1 ? burst.endedAt : from + ph.seconds * 1000;
        const calls = c.calls.filter((r) => r.at >= from && r.at < to);
        const limited = calls.filter((r) => r.status === 429);
        const rateAtEnd = limiterSamples.filter((x) => x.now <= to).at(-1)?.rate;
        const bound = grantedShare(calls, limiterSamples, limitSettings, from, to);
        const sinceStart = limited.map((r) => `+${((r.at - from) / 1000).toFixed(1)}s`).join(' ');
        return (
          `    Lever at ${String(ph.perSecond).padStart(2)}/s for ${seconds(Math.max(0, to - from)).padStart(7)}   ` +
          `${(calls.filter((r) => r.status !== 429).length / Math.max(1e-9, (to - from) / 1000)).toFixed(2).padStart(5)} answered req/s   ` +
          `share of granted used ${bound.share.toFixed(3)} (${bound.used} of ${bound.granted.toFixed(1)} over ${seconds(bound.boundMs)} limiter-paced)   ` +
          `429s ${limited.length}${limited.length ? ` (${sinceStart})` : ''}   adaptive rate at the end ${rateAtEnd?.toFixed(2) ?? '—'}/s`
        );
      });
    })();

    const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)}%`);
    const lat = (xs: number[]) => `p50 ${millis(percentile(xs, 50)).padStart(7)}   p99 ${millis(percentile(xs, 99)).padStart(7)}   max ${millis(Math.max(...xs)).padStart(7)}   (n=${xs.length})`;
    const phaseLine = (p: Phase, s: ReturnType<typeof leverCalls>) => {
      const slow = perSecond(s.calls).filter((n) => n < serviceBudget - 2).length;
      const throttled = csLog.filter((r) => r.outcome === 'throttled' && r.at >= p.startedAt && r.at <= p.endedAt).length;
      return (
        `${String(p.candidates.length - p.unfinished).padStart(4)}/${String(p.candidates.length).padEnd(4)} in ${seconds(p.endedAt - p.startedAt).padStart(8)}   ` +
        `${String(s.count).padStart(5)} Lever calls over ${seconds(s.busyMs).padStart(8)} = ${s.rate.toFixed(2).padStart(5)} req/s   429s ${s.limited}   ` +
        `seconds under ${serviceBudget - 2} calls ${slow}   CodeSignal throttled ${throttled}`
      );
    };

    console.log(`\nassessment flow — ${total} candidates end to end; Lever sandbox at its default limit ${leverLimit} req/s (burst 20)${limitSchedule.length ? `, in phase 3 ${limitSchedule.join('→')} req/s for ${limitPhaseSeconds} s each` : ''}${values['retry-after'] ? ', with Retry-After' : ', no Retry-After'}; adaptive limiter's ceiling LEVER_REQUESTS_PER_SECOND=${serviceBudget}`);
    console.log(`  machine: ${cpus().length} cores shared with other work (1-min load ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end); API and worker as separate processes${values['worker-node-options'] ? `; worker NODE_OPTIONS=${values['worker-node-options']}` : ''}`);
    console.log(`  phase 1  invitations (all moved at once)          ${phaseLine(invite, a)}`);
    console.log(`  phase 2  results paced 1 per ${millis(paceMs).padEnd(8)}           ${phaseLine(paced, b)}`);
    console.log(`  phase 3  results all at once                     ${phaseLine(burst, c)}`);
    console.log(`  Lever calls per candidate                         ${(workflowsLog.length / total).toFixed(1)} (all phases)`);
    console.log(`  Lever calls/s in saturated periods (1 + 3)        ${saturatedRate.toFixed(2)} req/s = ${(saturatedRate / leverLimit).toFixed(2)}× the limit of ${leverLimit}   (target ≥ 0.90×; the service budget caps it at ${(serviceBudget / leverLimit).toFixed(2)}×)`);
    console.log(`    calls per whole second                          median ${percentile(secondsSaturated, 50)}, p10 ${percentile(secondsSaturated, 10)}, max ${Math.max(...secondsSaturated)} over ${secondsSaturated.length} s`);
    console.log(`  429s                                              ${limitedAll} of ${workflowsLog.length} Lever calls = ${pct(limitedAll, workflowsLog.length)}   (target < 1%)   other 4xx/5xx ${otherErrors}`);
    const shareLine = (s: ReturnType<typeof grantedShare>, whole: ReturnType<typeof leverCalls>) =>
      `${s.share.toFixed(3)} (${s.used} used of ${s.granted.toFixed(1)} granted while the limiter set the pace: ${seconds(s.boundMs)} of the phase's ${seconds(s.phaseMs)})   ` +
      `429s ${s.limited} of ${s.calls} = ${pct(s.limited, s.calls)} (whole phase ${whole.limited} of ${whole.count} = ${pct(whole.limited, whole.count)})   (targets ≥ 0.97, < 0.5%)`;
    console.log(`  share of the granted rate used, fixed limit (1)   ${shareLine(fixedShare, a)}`);
    console.log(`  share of the granted rate used, ${limitSchedule.length ? `limit ${limitSchedule.join('→')} (3)` : 'fixed limit (3)   '}  ${shareLine(changingShare, c)}`);
    for (const line of scheduleLines) console.log(line);
    console.log(`  failed candidates                                 ${notDone} not through the flow, ${failedWorkflows} assessment workflows failed/timed out/terminated, ${completedWorkflows} completed   (target 0 failed)`);
    console.log(`  duplicates (2+ result or invitation notes, files) ${duplicates}`);
    console.log(`  result note visible in Lever, paced (phase 2)     from submit          ${lat(pacedLatency.fromSubmit)}   (target p50 < 1 s, p99 < 3 s)`);
    console.log(`                                                    from finished webhook ${lat(pacedLatency.fromWebhook)}`);
    for (const cand of slowest(pacedGroup, 3)) console.log(`    slowest paced ${timeline(cand)}`);
    console.log(`  result note visible in Lever, saturated (phase 3) from submit          ${lat(burstLatency.fromSubmit)}`);
    console.log(`                                                    from finished webhook ${lat(burstLatency.fromWebhook)}`);
    console.log(`  activity retries                                  ${retryTotal}${retryTotal ? ` (${retryDetail})` : ''}`);
    console.log(`  Lever webhooks: ${leverDeliveries.filter((d) => d.state === 'succeeded').length}/${leverDeliveries.length} stage changes delivered, ${leverDeliveryRetries} retries;  CodeSignal: ${csLog.length} GraphQL calls, ${csThrottled} throttled (its per-key limits, retried by the activities)`);
    console.log(`  worker: ${cpuSecondsOf(stack.worker.pid!).toFixed(0)} s CPU, RSS ${worker.rssMB.toFixed(0)} MB (peak ${worker.peakMB.toFixed(0)} MB);  total run ${seconds(Date.now() - started)}`);
  } finally {
    await connection.close();
    await db.end();
    await stack.stop();
    await sandboxes.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
