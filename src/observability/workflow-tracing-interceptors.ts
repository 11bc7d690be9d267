/**
 * Bundled into the workflow code (worker-wiring.ts `workflowInterceptorModules`): Temporal's workflow
 * interceptors for OpenTelemetry — a RunWorkflow span under the client's StartWorkflow /
 * SignalWithStartWorkflow span, HandleSignal spans, and a StartActivity / StartChildWorkflow span
 * whose context travels to the activity or child in Temporal headers. Their spans leave the workflow
 * through the `exporter` sink (tracing.ts `workflowTracingSinks`), which drops them when the worker
 * does not trace; with or without it, these interceptors are in every worker's bundle.
 */
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
