import { context, isSpanContextValid, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_URL_FULL, ATTR_URL_PATH, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../config';

/**
 * Traces (docs/observability.md "Traces"): one trace from a Lever webhook through the workflows to each
 * Lever and CodeSignal call. Off unless OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set (or a test hands in
 * an exporter): off, nothing is registered and every span call is the OpenTelemetry API's no-op.
 *
 * On: a NodeTracerProvider (AsyncLocalStorage context, W3C trace context) exporting over OTLP/HTTP in
 * batches; client spans for every fetch (undici) made while a span is active; the Express middleware of
 * http-server-spans.ts for incoming requests; Temporal's interceptors for the client (start/signal),
 * the workflows (bundled: workflow-tracing-interceptors.ts, their spans leave through the `exporter`
 * sink) and the activities.
 */

/** The process the provider belongs to; names the service unless OTEL_SERVICE_NAME does. */
export type TracedProcess = 'api' | 'worker' | 'dev';
const defaultServiceNames: Record<TracedProcess, string> = {
  api: 'lever-codesignal-api',
  worker: 'lever-codesignal-worker',
  // `npm start`: the API and the worker in one process, so one provider
  dev: 'lever-codesignal',
};

export type TracingConfig = Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'>;

export interface TracingOptions {
  /** Where spans go instead of OTLP (tests: the SDK's InMemorySpanExporter, through a SimpleSpanProcessor). */
  exporter?: SpanExporter;
  /** Or the processor itself. */
  spanProcessor?: SpanProcessor;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Where the traces go: the OTLP URL, `custom` for a handed-in exporter, undefined when off. */
  readonly destination: string | undefined;
  /** Ends every span still open, exports what is buffered and unregisters everything (idempotent). */
  shutdown(): Promise<void>;
}

interface ActiveTracing {
  provider: NodeTracerProvider;
  /** Workflow spans arrive through the `exporter` sink and go out with the process's own. */
  workflowSink: ReturnType<typeof makeWorkflowExporter>['export'];
}

/** The process's one provider (OpenTelemetry's API is process-global too); undefined when off. */
let active: ActiveTracing | undefined;

/** OTLP/HTTP's traces URL: the traces endpoint as given, else `/v1/traces` on the general endpoint (the OTLP spec's rule). */
export function otlpTracesUrl(config: TracingConfig): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

const off: Tracing = { enabled: false, destination: undefined, shutdown: async () => undefined };

/**
 * Starts tracing for this process when configured; call it first in an entry point, before the
 * Temporal clients and workers are made (their interceptors are chosen when they are created).
 */
export function startTracing(config: TracingConfig, role: TracedProcess, opts: TracingOptions = {}): Tracing {
  if (active) throw new Error('tracing is already started in this process');
  const url = otlpTracesUrl(config);
  const processor =
    opts.spanProcessor ?? (opts.exporter ? new SimpleSpanProcessor(opts.exporter) : url ? new BatchSpanProcessor(new OTLPTraceExporter({ url })) : undefined);
  if (!processor) return off;

  const resource = Resource.default().merge(new Resource({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? defaultServiceNames[role] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // the AsyncLocalStorage context manager (NodeTracerProvider's default on Node) and W3C trace context only
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const unregisterInstrumentations = registerInstrumentations({ tracerProvider: provider, instrumentations: [outgoingFetchSpans()] });
  const exporterSink = makeWorkflowExporter(processor, resource).export;
  active = {
    provider,
    // only what identifies the run: the whole WorkflowInfo (search attributes, memo, last result…) never becomes attributes
    workflowSink: { fn: (info, spans) => exporterSink.fn(workflowIdentity(info), spans), callDuringReplay: false },
  };
  const mine = active;
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    destination: url && !opts.spanProcessor && !opts.exporter ? url : 'custom',
    shutdown: () =>
      (stopped ??= (async () => {
        unregisterInstrumentations();
        try {
          await provider.shutdown();
        } finally {
          if (active === mine) active = undefined;
          trace.disable();
          context.disable();
          propagation.disable();
        }
      })()),
  };
}

/** Whether this process traces (startTracing found an endpoint or was handed an exporter). */
export const tracingEnabled = (): boolean => active !== undefined;

const workflowIdentity = (info: WorkflowInfo): WorkflowInfo =>
  ({ workflowId: info.workflowId, runId: info.runId, workflowType: info.workflowType, namespace: info.namespace, taskQueue: info.taskQueue }) as WorkflowInfo;

/**
 * A URL as a span may show it: no query (Lever's `?email=`, `perform_as`, a feed's token), no user
 * info, and every path segment that is not a plain word (`opportunities`, `notes`, `v1`, `graphql`)
 * replaced by `{id}` — `/v1/opportunities/{id}/notes`. Ids are not candidate data, but a template
 * keeps span names few and nothing a path may carry reaches the trace backend.
 */
export function urlTemplate(url: URL): { path: string; full: string } {
  const path = url.pathname
    .split('/')
    .map((segment) => (segment === '' || /^[A-Za-z_]+$/.test(segment) || /^v\d+$/.test(segment) ? segment : '{id}'))
    .join('/');
  return { path, full: `${url.protocol}//${url.host}${path}` };
}

/** Client spans for fetch (undici's diagnostics channels, so no module patching), only inside a traced unit of work. */
function outgoingFetchSpans(): UndiciInstrumentation {
  return new UndiciInstrumentation({
    // a fetch outside any request or activity (a sandbox's own webhook delivery in development) starts no trace
    requireParentforSpans: true,
    startSpanHook: (request) => {
      const { path, full } = urlTemplate(new URL(request.path, request.origin));
      // replaces what the instrumentation took from the URL as sent; `url.query` is left out
      return { [ATTR_URL_FULL]: full, [ATTR_URL_PATH]: path, [ATTR_URL_QUERY]: undefined, 'url.template': path };
    },
    requestHook: (span, request) => span.updateName(`${request.method} ${urlTemplate(new URL(request.path, request.origin)).path}`),
  });
}

/** For every Temporal Client the API makes: a start or signal carries the caller's trace into the workflow. */
export function temporalClientInterceptors(): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: tracingEnabled() ? [new OpenTelemetryWorkflowClientInterceptor()] : [] };
}

/**
 * The activity's span (a child of the workflow's StartActivity span), and its trace and span ids on the
 * SDK's log lines for the activity — also on "Activity completed"/"Activity failed", written after the
 * span ended (hence the span context is kept, not read from the active context).
 */
export const activityTracing: ActivityInterceptorsFactory = (ctx) => {
  if (!tracingEnabled()) return {};
  const inbound = new OpenTelemetryActivityInboundInterceptor(ctx);
  let ranIn: SpanContext | undefined;
  return {
    inbound: {
      execute: (input, next) =>
        inbound.execute(input, (i) => {
          ranIn = trace.getSpanContext(context.active());
          return next(i);
        }),
    },
    outbound: {
      getLogAttributes: (input, next) =>
        ranIn && isSpanContextValid(ranIn) ? next({ trace_id: ranIn.traceId, span_id: ranIn.spanId, ...input }) : next(input),
    },
  };
};

/**
 * The sink the bundled workflow interceptors export through. Always injected (the one bundle holds the
 * interceptors whether or not this process traces): spans are dropped while tracing is off.
 */
export function workflowTracingSinks(): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => active?.workflowSink.fn(info, spans),
        callDuringReplay: false,
      },
    },
  };
}

