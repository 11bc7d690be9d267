/**
 * Workflow interceptor module (bundled with the workflows; workflowInterceptorModules in worker-wiring.ts):
 * reports each flow's start and end through the `flowMetrics` sink, which the worker turns into
 * `lcs_flows_started_total`, `lcs_flows_completed_total` and `lcs_flows_failed_total` (metrics.ts).
 * It adds no commands, so histories replay unchanged; the sink is not called during replay.
 * Only @temporalio/workflow and types may be imported here (it runs in the workflow sandbox).
 */
import {
  ActivityFailure, ApplicationFailure, ChildWorkflowFailure, ContinueAsNew, TemporalFailure, TimeoutFailure,
  isCancellation, proxySinks, workflowInfo,
  type Sinks, type WorkflowExecuteInput, type WorkflowInboundCallsInterceptor, type WorkflowInterceptorsFactory, type Next,
} from '@temporalio/workflow';

export type FlowMetricName = 'candidate' | 'assessment' | 'interview' | 'import' | 'public_link';

export interface FlowMetricsSinks extends Sinks {
  flowMetrics: {
    started(integrationId: string, flow: FlowMetricName): void;
    completed(integrationId: string, flow: FlowMetricName): void;
    failed(integrationId: string, flow: FlowMetricName, failureType: string): void;
  };
}

/** The flow of each workflow type of src/workflows/index.ts. */
const flows: Record<string, FlowMetricName> = {
  candidateWorkflow: 'candidate',
  assessmentWorkflow: 'assessment',
  interviewWorkflow: 'interview',
  sourcingImportWorkflow: 'import',
  publicLinkScanWorkflow: 'public_link',
  publicLinkSessionWorkflow: 'public_link',
};

/**
 * Every workflow id names its integration second (src/workflows/shared/ids.ts): `candidate/<integration>/…`,
 * `public-links-scan/<integration>` (a scheduled run adds `-<time>`). The metrics side keeps only a UUID.
 */
export function integrationOfWorkflowId(workflowId: string): string {
  return (workflowId.split('/')[1] ?? '').slice(0, 36);
}

/** A failure's type: the ApplicationFailure's type (of the activity or child behind it), `cancelled`, `timeout`, or the failure's class. */
export function failureTypeOf(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  const cause = (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  if (cause instanceof TimeoutFailure) return 'timeout';
  return cause instanceof Error ? cause.name : 'unknown';
}

class FlowMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  private readonly sink = proxySinks<FlowMetricsSinks>().flowMetrics;

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = workflowInfo();
    const flow = flows[info.workflowType];
    if (!flow) return next(input);
    const integrationId = integrationOfWorkflowId(info.workflowId);
    // a run continued from another is the same flow
    if (info.continuedFromExecutionRunId === undefined) this.sink.started(integrationId, flow);
    try {
      const result = await next(input);
      this.sink.completed(integrationId, flow);
      return result;
    } catch (err) {
      // ContinueAsNew goes on; any other non-Temporal error fails the workflow TASK (retried), not the workflow
      if (!(err instanceof ContinueAsNew) && err instanceof TemporalFailure) this.sink.failed(integrationId, flow, failureTypeOf(err));
      throw err;
    }
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new FlowMetricsInterceptor()] });
