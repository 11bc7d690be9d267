import type { InjectedSinks } from '@temporalio/worker';
import type { Logger } from '../log';
import { flowMetricsSinks } from './metrics';
import type { FlowMetricsSinks } from './workflow-metrics-interceptor';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { workflowTracingSinks } from './tracing';

/**
 * What observability adds to every worker of the service: workflow interceptor modules (bundled with the
 * workflow code, so `npm run build`, the test run's one bundle and a bundle from source all hold them)
 * and the sinks those interceptors report through (workflow code reaches the process only by sinks).
 */
export function workflowInterceptorModules(): string[] {
  return [require.resolve('./workflow-tracing-interceptors'), require.resolve('./workflow-metrics-interceptor')];
}

export interface WorkerSinkDeps {
  logger: Logger;
}

export function workerSinks(deps: WorkerSinkDeps): InjectedSinks<FlowMetricsSinks & OpenTelemetrySinks> {
  return { ...flowMetricsSinks(), ...workflowTracingSinks() };
}
