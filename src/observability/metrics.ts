import type { InjectedSinks } from '@temporalio/worker';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CODESIGNAL_EVENTS } from '../codesignal/webhook-events';
import type { Db } from '../db/pool';
import type { DeliveryOutcome } from '../db/webhook-deliveries';
import { handledLeverEvents } from '../lever/webhook-events';
import { isCanonicalUuid } from '../workflows/shared/ids';
import type { FlowMetricName, FlowMetricsSinks } from './workflow-metrics-interceptor';

/**
 * The service's Prometheus metrics (docs/observability.md, "Metrics"). One `ServiceMetrics` holds one
 * registry; the process exposes `processMetrics()` on its metrics listener (metrics-server.ts), and a
 * test may make its own instance so that nothing it counts reaches another test. Every label value is
 * bounded: integration ids are checked to be ids (else `unknown`), events and operations come from
 * fixed lists, and no candidate, opportunity, session or workflow id is ever a label.
 */

export type ExternalApi = 'lever' | 'codesignal';
export type WebhookMetricSource = 'lever' | 'codesignal' | 'sourcing';
/** accepted, duplicate, ignored, rejected, failed (`refused` is set later, by the candidate workflow, and never answered). */
export type WebhookMetricOutcome = DeliveryOutcome;
export type FlowName = FlowMetricName;
export type LeverWriteKind = 'note' | 'file' | 'tag' | 'stage' | 'link' | 'archive' | 'feedback';
export type LeverWriteOutcome = 'written' | 'already_present';
export type ReconciliationSource = 'lever' | 'codesignal';
export type ReconciliationRepairKind = 'stage_change' | 'finished' | 'expired' | 'reactivated' | 'ended' | 'feedback';
export type ReconciliationRunOutcome = 'completed' | 'partial' | 'failed' | 'disabled';

/** One request to Lever or CodeSignal as its client saw it (limiter wait excluded from `seconds`). */
export interface ExternalRequestObservation {
  /** Bounded: `GET /opportunities/:id` for Lever, the GraphQL operation name for CodeSignal. */
  operation: string;
  /** The HTTP status, `network_error` or `graphql_error`. */
  status: number | 'network_error' | 'graphql_error';
  seconds: number;
  /** The answer said "too many requests" (Lever 429, CodeSignal throttling). */
  rateLimited: boolean;
}

/** What an integration's API clients report (src/integrations/clients.ts builds one per client). */
export interface ExternalApiObserver {
  request(o: ExternalRequestObservation): void;
  limiterWait(seconds: number): void;
}

export const UNKNOWN = 'unknown';
const OTHER = 'other';

/** An integration id as a label: integration ids are UUIDs; anything else (a stranger's made-up id) is `unknown`. */
export const integrationLabel = (id: string | null | undefined): string => (id && isCanonicalUuid(id) ? id : UNKNOWN);

const knownEvents: Record<WebhookMetricSource, ReadonlySet<string>> = {
  lever: new Set<string>(handledLeverEvents),
  codesignal: new Set<string>(CODESIGNAL_EVENTS),
  // the sourcing API's calls (src/api/sourcing/sourcing-routes.ts)
  sourcing: new Set(['importCandidate', 'getImport', 'statusChange']),
};

/** A delivery's event as a label: only the events the service knows; a missing one is `none`, any other `other`. */
export function eventLabel(source: WebhookMetricSource, event: string | null | undefined): string {
  if (!event) return 'none';
  return knownEvents[source].has(event) ? event : OTHER;
}

/** A GraphQL operation name as a label: letters and digits only, as the documents name them. */
export const operationLabel = (operation: string): string => (/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(operation) ? operation : OTHER);

/** Failure types as a label: an identifier-like type name, else `other`. */
export const failureTypeLabel = (type: string | null | undefined): string => (type && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(type) ? type : OTHER);

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const waitBuckets = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Reads, per integration, how many assessments are sent and not finished (at scrape time). */
export type WaitingOnResultSource = () => Promise<ReadonlyArray<{ integrationId: string; waiting: number }>>;

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly waitingSources = new Set<WaitingOnResultSource>();
  private defaultsCollected = false;

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private readonly webhooks = this.counter('lcs_webhooks_received_total', 'Webhook and sourcing deliveries the ingress answered.', [
    'integration_id', 'source', 'event', 'outcome', 'http_status',
  ]);
  private readonly ingressDuration = this.histogram('lcs_ingress_request_duration_seconds', 'Time from request to answer on the webhook and sourcing routes.', ['source', 'http_status'], durationBuckets);
  private readonly externalRequests = this.counter('lcs_external_requests_total', 'Requests to Lever or CodeSignal.', ['integration_id', 'api', 'operation', 'status']);
  private readonly externalDuration = this.histogram('lcs_external_request_duration_seconds', 'Latency of requests to Lever or CodeSignal, rate-limiter wait excluded.', ['api', 'operation'], durationBuckets);
  private readonly rateLimited = this.counter('lcs_external_rate_limited_total', 'Answers of Lever or CodeSignal that said too many requests.', ['integration_id', 'api']);
  private readonly limiterWait = this.histogram('lcs_rate_limiter_wait_seconds', 'Time spent waiting for the shared per-integration rate limiter.', ['integration_id', 'api'], waitBuckets);
  private readonly limiterGranted = new Gauge({
    name: 'lcs_rate_limiter_granted_per_second',
    help: 'The rate the shared limiter grants (Lever: requests per second; CodeSignal: mutations per second per field).',
    labelNames: ['integration_id', 'api'] as const,
    registers: [this.registry],
  });
  private readonly activityRetries = this.counter('lcs_activity_retries_total', 'Activity attempts after the first.', ['activity_type']);
  private readonly activityHandBacks = this.counter('lcs_activity_handbacks_total', 'Activity attempts that handed their worker slot back rather than wait long for the integration\'s Lever or CodeSignal budget.', ['integration_id', 'activity_type', 'api']);
  private readonly flowsStarted = this.counter('lcs_flows_started_total', 'Workflows started.', ['integration_id', 'flow']);
  private readonly flowsCompleted = this.counter('lcs_flows_completed_total', 'Workflows that completed.', ['integration_id', 'flow']);
  private readonly flowsFailed = this.counter('lcs_flows_failed_total', 'Workflows that failed, by failure type.', ['integration_id', 'flow', 'failure_type']);
  private readonly leverWrites = this.counter('lcs_lever_writes_total', 'Writes to Lever the flows made, or found already made (idempotency read).', ['integration_id', 'kind', 'outcome']);
  private readonly reconciliationRuns = this.counter('lcs_reconciliation_runs_total', 'Reconciliation sweeps that ended, by outcome.', ['integration_id', 'outcome']);
  private readonly reconciliationRepairs = this.counter(
    'lcs_reconciliation_repairs_total',
    'What a reconciliation sweep repaired: a lost Lever stage change or CodeSignal event signalled as its webhook would have been.',
    ['integration_id', 'source', 'kind'],
  );
  private readonly reconciliationSilent = this.counter(
    'lcs_reconciliation_webhook_silent_total',
    'Reconciliation sweeps that found a source\'s webhook silent (something finished and its webhook never arrived).',
    ['integration_id', 'source'],
  );

  constructor() {
    const sources = this.waitingSources;
    new Gauge({
      name: 'lcs_candidates_waiting_on_result',
      help: 'Assessments sent and not finished, read from PostgreSQL at scrape time.',
      labelNames: ['integration_id'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const source of sources) {
          // a slow or unreachable PostgreSQL leaves the gauge empty; the rest of the scrape is answered
          const rows = await source().catch(() => []);
          for (const row of rows) this.inc({ integration_id: integrationLabel(row.integrationId) }, row.waiting);
        }
      },
    });
  }

  /**
   * Adds prom-client's default process and Node.js metrics, prefixed `lcs_` (lcs_process_cpu_seconds_total,
   * lcs_nodejs_eventloop_lag_seconds, lcs_nodejs_heap_size_used_bytes…); once, by the process's metrics listener.
   */
  withDefaultMetrics(): this {
    if (!this.defaultsCollected) collectDefaultMetrics({ register: this.registry, prefix: 'lcs_' });
    this.defaultsCollected = true;
    return this;
  }

  webhookAnswered(d: { integrationId: string | null; source: WebhookMetricSource; event: string | null; outcome: WebhookMetricOutcome; httpStatus: number; seconds: number }): void {
    const httpStatus = String(d.httpStatus);
    this.webhooks.inc({ integration_id: integrationLabel(d.integrationId), source: d.source, event: eventLabel(d.source, d.event), outcome: d.outcome, http_status: httpStatus });
    this.ingressDuration.observe({ source: d.source, http_status: httpStatus }, d.seconds);
  }

  /** The observer an integration's Lever or CodeSignal client reports to. */
  externalApi(api: ExternalApi, integrationId: string): ExternalApiObserver {
    const integration_id = integrationLabel(integrationId);
    return {
      request: (o) => {
        const operation = api === 'codesignal' ? operationLabel(o.operation) : o.operation;
        this.externalRequests.inc({ integration_id, api, operation, status: String(o.status) });
        this.externalDuration.observe({ api, operation }, o.seconds);
        if (o.rateLimited) this.rateLimited.inc({ integration_id, api });
      },
      limiterWait: (seconds) => this.limiterWait.observe({ integration_id, api }, seconds),
    };
  }

  rateLimiterGranted(api: ExternalApi, integrationId: string, perSecond: number): void {
    this.limiterGranted.set({ integration_id: integrationLabel(integrationId), api }, perSecond);
  }

  activityRetried(activityType: string): void {
    this.activityRetries.inc({ activity_type: failureTypeLabel(activityType) });
  }

  activityHandedBack(integrationId: string, activityType: string, api: 'lever' | 'codesignal'): void {
    this.activityHandBacks.inc({ integration_id: integrationLabel(integrationId), activity_type: failureTypeLabel(activityType), api });
  }

  flowStarted(integrationId: string | null, flow: FlowName): void {
    this.flowsStarted.inc({ integration_id: integrationLabel(integrationId), flow });
  }

  flowCompleted(integrationId: string | null, flow: FlowName): void {
    this.flowsCompleted.inc({ integration_id: integrationLabel(integrationId), flow });
  }

  flowFailed(integrationId: string | null, flow: FlowName, failureType: string): void {
    this.flowsFailed.inc({ integration_id: integrationLabel(integrationId), flow, failure_type: failureTypeLabel(failureType) });
  }

  leverWrite(integrationId: string, kind: LeverWriteKind, outcome: LeverWriteOutcome): void {
    this.leverWrites.inc({ integration_id: integrationLabel(integrationId), kind, outcome });
  }

  reconciliationRun(integrationId: string, outcome: ReconciliationRunOutcome): void {
    this.reconciliationRuns.inc({ integration_id: integrationLabel(integrationId), outcome });
  }

  reconciliationRepaired(integrationId: string, source: ReconciliationSource, kind: ReconciliationRepairKind): void {
    this.reconciliationRepairs.inc({ integration_id: integrationLabel(integrationId), source, kind });
  }

  reconciliationWebhookSilent(integrationId: string, source: ReconciliationSource): void {
    this.reconciliationSilent.inc({ integration_id: integrationLabel(integrationId), source });
  }

  /** Adds a source of `lcs_candidates_waiting_on_result`; returns the function that removes it. */
  addWaitingOnResultSource(source: WaitingOnResultSource): () => void {
    this.waitingSources.add(source);
    return () => this.waitingSources.delete(source);
  }

  /** The Prometheus text of every metric of this registry. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

let processWide: ServiceMetrics | undefined;

/**
 * The process's one registry, made on first use: what the instrumented code counts into and its /metrics
 * serves (metrics-server.ts adds the default metrics when it starts).
 */
export function processMetrics(): ServiceMetrics {
  processWide ??= new ServiceMetrics();
  return processWide;
}

/** The worker side of workflow-metrics-interceptor.ts: never called while a workflow replays. */
export function flowMetricsSinks(metrics: ServiceMetrics = processMetrics()): InjectedSinks<FlowMetricsSinks> {
  return {
    flowMetrics: {
      started: { fn: (_info, integrationId, flow) => metrics.flowStarted(integrationId, flow), callDuringReplay: false },
      completed: { fn: (_info, integrationId, flow) => metrics.flowCompleted(integrationId, flow), callDuringReplay: false },
      failed: { fn: (_info, integrationId, flow, failureType) => metrics.flowFailed(integrationId, flow, failureType), callDuringReplay: false },
    },
  };
}

/**
 * `lcs_candidates_waiting_on_result` from PostgreSQL: assessment workflows with a CodeSignal test session
 * (assessment_sessions) not yet finished. The assessment activities set `finished_at` when an assessment
 * ends (its result, not-verified, expired, declined, cancelled or failed note) and when a retake or
 * reactivation replaces a session (sessions-repository.ts). Sessions recorded more than `withinDays` days
 * ago (default 365, longer than any invitation: expiryDays ≤ 180, plus extensions) are not counted: only
 * the rows of a workflow ended outside its own code (terminated, reset) stay unfinished that long. The
 * query gives up after `timeoutMs` (the scrape then shows no value rather than waiting).
 */
export function waitingOnResultFromDb(db: Db, opts: { timeoutMs?: number; withinDays?: number } = {}): WaitingOnResultSource {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const withinDays = opts.withinDays ?? 365;
  return async () => {
    const query = (async () => {
      const client = await db.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
        const { rows } = await client.query<{ integration_id: string; waiting: number }>(
          `SELECT s.integration_id::text AS integration_id, count(DISTINCT s.workflow_id)::int AS waiting
             FROM assessment_sessions s
            WHERE s.finished_at IS NULL AND s.created_at > now() - make_interval(days => $1::int)
            GROUP BY s.integration_id`,
          [withinDays],
        );
        await client.query('COMMIT');
        return rows.map((r) => ({ integrationId: r.integration_id, waiting: r.waiting }));
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`lcs_candidates_waiting_on_result: no answer from PostgreSQL within ${timeoutMs} ms`)), timeoutMs + 500);
    });
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
      query.catch(() => undefined);
    }
  };
}
