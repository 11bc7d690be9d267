import type { InjectedSinks } from '@temporalio/worker';
import type { Logger } from '../log';
import { flowMetricsSinks } from './metrics';
import type { FlowMetricsSinks } from './workflow-metrics-interceptor';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { workflowTracingSinks } from './tracing';

/**
 * What observability adds to every worker of the service: workflow interceptor modules (bundled with the
 * workflow code: `npm run build` and the test run make a bundle with and one without tracing, a bundle
 * from source takes the worker's choice) and the sinks those interceptors report through (workflow code
 * reaches the process only by sinks). The OpenTelemetry workflow interceptors come only with `tracing`:
 * they cost about 0.8 MB of worker memory per cached workflow (docs/benchmarks.md), for spans a worker
 * without tracing drops anyway.
 */
export function workflowInterceptorModules(opts: { tracing: boolean }): string[] {
  return [...(opts.tracing ? [require.resolve('./workflow-tracing-interceptors')] : []), require.resolve('./workflow-metrics-interceptor')];
}

export interface WorkerSinkDeps {
  logger: Logger;
}

export function workerSinks(deps: WorkerSinkDeps): InjectedSinks<FlowMetricsSinks & OpenTelemetrySinks> {
  return { ...flowMetricsSinks(), ...workflowTracingSinks() };
}
