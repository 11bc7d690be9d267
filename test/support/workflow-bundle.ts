/**
 * The run's workflow bundle (`traced`: the one with the OpenTelemetry workflow interceptors, for a process
 * that traces), made once by global-setup.ts: Worker.create and replay take
 * `{ workflowBundle: testWorkflowBundle() }` instead of `workflowsPath`, which bundles again per worker.
 */
export function testWorkflowBundle(opts: { traced?: boolean } = {}): { codePath: string } {
  const codePath = opts.traced ? process.env.TEST_WORKFLOW_BUNDLE_TRACED : process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run the tests through jest (global-setup.ts bundles the workflows)');
  return { codePath };
}
