import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLeverClient, leverOperation } from '../../src/lever/client';
import { ensureLink, ensureNote, ensureTags } from '../../src/lever/writes';
import { activityRetryMetrics } from '../../src/observability/activity-metrics-interceptor';
import { eventLabel, integrationLabel, processMetrics, ServiceMetrics, type ExternalRequestObservation } from '../../src/observability/metrics';
import { workerInterceptors } from '../../src/worker';
import { createLeverSandbox, seedLeverDemo } from '../../sandbox/lever/index';
import { startConfiguredMetricsServer, startMetricsServer, temporalMetricsBindAddress, type MetricsServer } from '../../src/observability/metrics-server';
import { loadConfig } from '../../src/config';
import { failureTypeOf, integrationOfWorkflowId } from '../../src/observability/workflow-metrics-interceptor';
import { assessmentWorkflowId, candidateWorkflowId, publicLinkScanWorkflowId } from '../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../support/assessment-harness';
import { onFreePorts } from '../support/free-port';
import { eventually, testEncryptionKey, testLogger } from '../support/stack';

const root = path.join(__dirname, '..', '..');
const prometheusPath = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';

describe('metric labels are bounded', () => {
  const opportunityId = randomUUID();
  const integrationId = randomUUID();

  it('names Lever requests by method and path template, never by an id', () => {
    expect(leverOperation('GET', `/opportunities/${opportunityId}`)).toBe('GET /opportunities/:id');
    expect(leverOperation('POST', `/opportunities/${opportunityId}/addTags`)).toBe('POST /opportunities/:id/addTags');
    expect(leverOperation('DELETE', `/opportunities/${opportunityId}/files/f-1?perform_as=u-1`)).toBe('DELETE /opportunities/:id/files/:id');
    expect(leverOperation('GET', '/stages')).toBe('GET /stages');
  });

  it('labels a made-up integration id `unknown` and an unknown event `other`', () => {
    expect(integrationLabel(integrationId)).toBe(integrationId);
    expect(integrationLabel('not-an-integration')).toBe('unknown');
    expect(integrationLabel(opportunityId.toUpperCase())).toBe('unknown');
    expect(eventLabel('lever', 'candidateStageChange')).toBe('candidateStageChange');
    expect(eventLabel('lever', `evil-${opportunityId}`)).toBe('other');
    expect(eventLabel('codesignal', 'companyTestSessionFinished')).toBe('companyTestSessionFinished');
    expect(eventLabel('sourcing', null)).toBe('none');
  });

  it('reads the integration, never the opportunity, from a workflow id', () => {
    expect(integrationOfWorkflowId(candidateWorkflowId(integrationId, opportunityId))).toBe(integrationId);
    expect(integrationOfWorkflowId(assessmentWorkflowId(integrationId, opportunityId, 2))).toBe(integrationId);
    expect(integrationOfWorkflowId(`${publicLinkScanWorkflowId(integrationId)}-2026-01-01T00:00:00Z`)).toBe(integrationId);
    expect(failureTypeOf(new Error('x'))).toBe('Error');
  });

  it('never puts an opportunity id into a label, whatever the callers pass', async () => {
    const metrics = new ServiceMetrics();
    metrics.webhookAnswered({ integrationId: opportunityId.replace(/-/g, ''), source: 'lever', event: opportunityId, outcome: 'rejected', httpStatus: 404, seconds: 0.01 });
    const lever = metrics.externalApi('lever', integrationId);
    lever.request({ operation: leverOperation('GET', `/opportunities/${opportunityId}/notes`), status: 200, seconds: 0.02, rateLimited: false });
    lever.limiterWait(0.001);
    metrics.externalApi('codesignal', integrationId).request({ operation: `query ${opportunityId}`, status: 'graphql_error', seconds: 0.02, rateLimited: true });
    metrics.flowStarted(`${opportunityId}x`, 'assessment');
    metrics.flowFailed(integrationId, 'assessment', `Type ${opportunityId}`);
    metrics.leverWrite(integrationId, 'note', 'already_present');
    metrics.activityRetried('moveStage');
    metrics.addWaitingOnResultSource(async () => [{ integrationId, waiting: 3 }]);
    const text = await metrics.text();
    expect(text).not.toContain(opportunityId);
    expect(text).not.toContain(opportunityId.replace(/-/g, ''));
    expect(text).toContain('lcs_webhooks_received_total{integration_id="unknown",source="lever",event="other",outcome="rejected",http_status="404"} 1');
    expect(text).toContain(`lcs_external_requests_total{integration_id="${integrationId}",api="lever",operation="GET /opportunities/:id/notes",status="200"} 1`);
    expect(text).toContain(`lcs_external_requests_total{integration_id="${integrationId}",api="codesignal",operation="other",status="graphql_error"} 1`);
    expect(text).toContain(`lcs_external_rate_limited_total{integration_id="${integrationId}",api="codesignal"} 1`);
    expect(text).toContain('lcs_flows_started_total{integration_id="unknown",flow="assessment"} 1');
    expect(text).toContain(`lcs_flows_failed_total{integration_id="${integrationId}",flow="assessment",failure_type="other"} 1`);
    expect(text).toContain(`lcs_candidates_waiting_on_result{integration_id="${integrationId}"} 3`);
    expect(text).toContain('lcs_activity_retries_total{activity_type="moveStage"} 1');
    // no default metrics unless asked for: a test's registry holds only what it counted
    expect(text).not.toContain('lcs_process_');
  });

  it('counts the Lever writes a flow makes and those its idempotency read finds made, naming requests without ids', async () => {
    const sandbox = createLeverSandbox({ logger: false, rateLimit: { perSecond: 1000, burst: 1000 } });
    const demo = seedLeverDemo(sandbox, { permissions: 'all' });
    const server = await sandbox.listen(0);
    try {
      const requests: ExternalRequestObservation[] = [];
      const writes: string[] = [];
      const lever = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey, observe: (o) => requests.push(o), observeWrite: (kind, outcome) => writes.push(`${kind} ${outcome}`) });
      const bot = demo.defaultUserId;
      const opp = sandbox.recruiter.createCandidate(demo.accountId, { name: 'Metrics', emails: ['metrics@example.org'], userId: bot });
      const note = { ref: 'a/1/result', text: 'Result', notifyFollowers: false, performAs: bot };
      await ensureNote(lever, opp.id, note, { mayHaveWritten: false });
      await ensureNote(lever, opp.id, note, { mayHaveWritten: true });
      await ensureTags(lever, opp.id, { add: ['x'], remove: [] }, bot, { mayHaveWritten: false });
      await ensureTags(lever, opp.id, { add: ['x'], remove: ['y'] }, bot, { mayHaveWritten: true });
      await ensureLink(lever, opp.id, 'https://example.org/l', true, bot, { mayHaveWritten: true });
      await ensureLink(lever, opp.id, 'https://example.org/l', true, bot, { mayHaveWritten: true });
      expect(writes).toEqual(['note written', 'note already_present', 'tag written', 'tag already_present', 'link written', 'link already_present']);
      expect(requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
        'POST /opportunities/:id/notes 201',
        'GET /opportunities/:id/notes 200',
        'POST /opportunities/:id/addTags 200',
        'GET /opportunities/:id 200',
        'GET /opportunities/:id 200',
        'POST /opportunities/:id/addLinks 200',
        'GET /opportunities/:id 200',
      ]);
      expect(requests.every((r) => r.seconds >= 0 && !r.rateLimited)).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('counts activity attempts after the first, through the workers\' activity interceptors', async () => {
    expect(workerInterceptors().activity).toContain(activityRetryMetrics);
    const retries = async () => Number(/lcs_activity_retries_total\{activity_type="moveStage"\} (\d+)/.exec(await processMetrics().text())?.[1] ?? 0);
    const start = await retries();
    activityRetryMetrics({ info: { attempt: 1, activityType: 'moveStage' } } as never);
    activityRetryMetrics({ info: { attempt: 3, activityType: 'moveStage' } } as never);
    expect(await retries()).toBe(start + 1);
  });

  it('reads its settings from the environment: a port, 0, or off; the SDK exporter\'s address or off', async () => {
    const defaults = loadConfig({});
    expect([defaults.METRICS_PORT, defaults.METRICS_HOST, defaults.TEMPORAL_METRICS_BIND_ADDRESS]).toEqual([9464, '0.0.0.0', '127.0.0.1:0']);
    expect(loadConfig({ METRICS_PORT: 'off' }).METRICS_PORT).toBe('off');
    expect(loadConfig({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ TEMPORAL_METRICS_BIND_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_METRICS_BIND_ADDRESS/);
    expect(await temporalMetricsBindAddress({ TEMPORAL_METRICS_BIND_ADDRESS: 'off' })).toBeUndefined();
    expect(await temporalMetricsBindAddress({ TEMPORAL_METRICS_BIND_ADDRESS: '127.0.0.1:9465' })).toBe('127.0.0.1:9465');
    expect(await temporalMetricsBindAddress(defaults)).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(await startConfiguredMetricsServer({ METRICS_HOST: '127.0.0.1', METRICS_PORT: 'off' }, { logger: testLogger })).toBeUndefined();
  });

  it('serves /metrics and answers anything else 404 JSON', async () => {
    const metrics = new ServiceMetrics();
    metrics.activityRetried('x');
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, logger: testLogger, temporalMetricsAddress: '127.0.0.1:1' });
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(body).toContain('lcs_activity_retries_total{activity_type="x"} 1');
      // an exporter that does not answer costs only its own part
      expect(body).toMatch(/^# Temporal SDK metrics unavailable: /m);
      const other = await fetch(server.url.replace('/metrics', '/admin'));
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ error: 'not_found', message: 'only GET /metrics is served here' });
    } finally {
      await server.close();
    }
  });
});

/** A child process's output, kept for the failure message. */
function started(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return () => output;
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });

async function untilAnswers(url: string, child: ChildProcess, output: () => string, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('metrics scraped by a real Prometheus while one assessment runs end to end', () => {
  jest.setTimeout(240_000);
  let h: AssessmentHarness;
  let listener: MetricsServer;
  let worker: { child: ChildProcess; metricsPort: number };
  let prometheus: { child: ChildProcess; url: string };
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'lcs-prometheus-'));
    h = await startAssessmentHarness({ name: 'Metrics' });
    // the test process's own listener: its API and worker count into the process registry
    listener = await startMetricsServer({ host: '127.0.0.1', port: 0, db: h.stack.db, logger: testLogger });

    // The production worker entry as a process, on a task queue of its own: its listener carries the SDK's temporal_* metrics
    // (Runtime.install runs once per process, and jest's has none).
    worker = await onFreePorts(1, async ([metricsPort]) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
          DATABASE_URL: process.env.TEST_DATABASE_URL!,
          LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789abcdef',
          ENCRYPTION_KEY: testEncryptionKey,
          TEMPORAL_TASK_QUEUE: `metrics-${randomUUID()}`,
          METRICS_HOST: '127.0.0.1',
          METRICS_PORT: String(metricsPort),
          TEMPORAL_METRICS_BIND_ADDRESS: '127.0.0.1:0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = started(child);
      try {
        await untilAnswers(`http://127.0.0.1:${metricsPort}/metrics`, child, output, 'the worker');
      } catch (err) {
        await stopped(child);
        throw err;
      }
      return { child, metricsPort: metricsPort! };
    });

    prometheus = await onFreePorts(1, async ([port]) => {
      const config = path.join(tmp, 'prometheus.yml');
      writeFileSync(
        config,
        [
          'global:',
          '  scrape_interval: 1s',
          '  evaluation_interval: 1s',
          'scrape_configs:',
          '  - job_name: lcs-test',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${listener.port}']`,
          '  - job_name: lcs-worker',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${worker.metricsPort}']`,
          '',
        ].join('\n'),
      );
      const child = spawn(prometheusPath, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(tmp, `data-${port}`)}`, `--web.listen-address=127.0.0.1:${port}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = started(child);
      try {
        await untilAnswers(`http://127.0.0.1:${port}/-/ready`, child, output, 'Prometheus', 30_000);
      } catch (err) {
        await stopped(child);
        throw err;
      }
      return { child, url: `http://127.0.0.1:${port}` };
    });
  });

  afterAll(async () => {
    if (prometheus) await stopped(prometheus.child);
    if (worker) await stopped(worker.child);
    await listener?.close();
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The instant vector of a PromQL query, as Prometheus's HTTP API answers it. */
  async function query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  }
  const valueOf = async (promql: string) => Number((await query(promql))[0]?.value[1] ?? 0);
  const untilAtLeast = (promql: string, min = 1) =>
    eventually(async () => {
      expect(await valueOf(promql)).toBeGreaterThanOrEqual(min);
    }, 30_000, 500);

  it('counts the webhooks, API requests, flows and Lever writes of one assessment, next to the SDK\'s metrics', async () => {
    const seed = h.sandboxes.lever.seed;
    const c = seed.opportunities.find((o) => o.email && o.postingId)!;
    const id = h.integration.id;
    h.moveToStage(c.id, seed.stageIds.assessment);
    const link = await eventually(async () => {
      const url = h.opportunity(c.id).links.find((l) => l.includes('/assessments/select/'));
      expect(url).toBeDefined();
      return url!;
    }, 30_000);
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect((await fetch(link, { method: 'POST', body: new URLSearchParams({ testId: test.id }) })).status).toBe(202);
    const session = await eventually(async () => {
      const [s] = h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).filter((x) => x.candidate.email === c.email);
      expect(s).toBeDefined();
      return s!;
    }, 30_000);
    // sent, not finished: read from PostgreSQL at scrape time
    await new Promise((r) => setTimeout(r, 12000));
    // (every process with a database pool reports it: the test's and the worker's)
    await untilAtLeast(`max(lcs_candidates_waiting_on_result{integration_id="${id}"})`);

    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: session.maxScore });
    await eventually(async () => {
      expect(h.opportunity(c.id).stage).toBe(seed.stageIds.onSite);
      expect(h.opportunity(c.id).files).toHaveLength(1);
    }, 60_000);

    await untilAtLeast(`sum(lcs_webhooks_received_total{integration_id="${id}",source="lever",event="candidateStageChange",outcome="accepted",http_status="202"})`);
    await untilAtLeast(`sum(lcs_webhooks_received_total{integration_id="${id}",source="codesignal",event="companyTestSessionFinished",outcome="accepted"})`);
    await untilAtLeast(`sum(lcs_ingress_request_duration_seconds_count{source="lever"})`);
    await untilAtLeast(`sum(lcs_external_requests_total{integration_id="${id}",api="lever",operation="GET /opportunities/:id",status="200"})`);
    await untilAtLeast(`sum(lcs_external_requests_total{integration_id="${id}",api="codesignal",status="200"})`);
    await untilAtLeast(`sum(lcs_external_request_duration_seconds_count{api="codesignal"})`);
    await untilAtLeast(`sum(lcs_rate_limiter_wait_seconds_count{integration_id="${id}",api="lever"})`);
    await untilAtLeast(`lcs_rate_limiter_granted_per_second{integration_id="${id}",api="lever"}`, 9);
    await untilAtLeast(`sum(lcs_flows_started_total{integration_id="${id}",flow="candidate"})`);
    await untilAtLeast(`sum(lcs_flows_started_total{integration_id="${id}",flow="assessment"})`);
    await untilAtLeast(`sum(lcs_flows_completed_total{integration_id="${id}",flow="assessment"})`);
    for (const kind of ['note', 'file', 'tag', 'stage', 'link']) await untilAtLeast(`sum(lcs_lever_writes_total{integration_id="${id}",kind="${kind}",outcome="written"})`);
    // the result note ends the wait: the session is finished in PostgreSQL, and the gauge leaves it
    const { rows } = await h.stack.db.query<{ finished_at: Date | null }>('SELECT finished_at FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2', [id, session.id]);
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
    await eventually(async () => expect(await valueOf(`max(lcs_candidates_waiting_on_result{integration_id="${id}"})`)).toBe(0), 30_000, 500);
    await untilAtLeast('count(lcs_process_cpu_seconds_total)', 2);

    // the worker process's listener appends the Temporal SDK's own exporter
    await untilAtLeast('count({job="lcs-worker",__name__=~"temporal_.+"})');
    await untilAtLeast('count(temporal_worker_task_slots_available{job="lcs-worker"})');
    expect(await valueOf('up{job="lcs-worker"}')).toBe(1);
    expect(await valueOf('up{job="lcs-test"}')).toBe(1);

    // no series anywhere carries the opportunity or the session id
    const series = await query('{__name__=~"lcs_.+"}');
    expect(series.length).toBeGreaterThan(20);
    for (const s of series) {
      for (const value of Object.values(s.metric)) {
        expect(value).not.toContain(c.id);
        expect(value).not.toContain(session.id);
      }
    }
  });
});
