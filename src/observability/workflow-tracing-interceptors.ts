/**
 * Bundled into the workflow code (worker-wiring.ts `workflowInterceptorModules`): Temporal's workflow
 * interceptors for OpenTelemetry — a RunWorkflow span under the client's StartWorkflow /
 * SignalWithStartWorkflow span, HandleSignal spans, and a StartActivity / StartChildWorkflow span
 * whose context travels to the activity or child in Temporal headers. Their spans leave the workflow
 * through the `exporter` sink (tracing.ts `workflowTracingSinks`). Only a worker that traces has them in
 * its bundle (workflowInterceptorModules({ tracing })): they cost worker memory for every cached workflow.
 */
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
