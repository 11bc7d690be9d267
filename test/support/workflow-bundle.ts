/**
 * The run's workflow bundle, made once by global-setup.ts: Worker.create and replay take
 * `{ workflowBundle: testWorkflowBundle() }` instead of `workflowsPath`, which bundles again per worker.
 */
export function testWorkflowBundle(): { codePath: string } {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run the tests through jest (global-setup.ts bundles the workflows)');
  return { codePath };
}
