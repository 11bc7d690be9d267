import type { InjectedSinks } from '@temporalio/worker';
import type { Logger } from '../log';

/**
 * What observability adds to every worker of the service: workflow interceptor modules (bundled with the
 * workflow code, so `npm run build`, the test run's one bundle and a bundle from source all hold them)
 * and the sinks those interceptors report through (workflow code reaches the process only by sinks).
 */
export function workflowInterceptorModules(): string[] {
  return [];
}

export interface WorkerSinkDeps {
  logger: Logger;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- filled in by the metrics and tracing sinks
export function workerSinks(deps: WorkerSinkDeps): InjectedSinks<Record<string, never>> {
  return {};
}
