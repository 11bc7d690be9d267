import { createCandidate, plainTest, startAnswerWithholdingProxy, startFaultHarness, within, type FaultHarness } from '../../support/assessment-faults';

/**
 * The production worker (src/worker.ts, as a child process) on SIGTERM: activities get
 * WORKER_SHUTDOWN_GRACE_SECONDS to finish and are then cancelled; one whose call does not end on
 * cancellation must not keep the process alive. Here CodeSignal's answer to the invitation is withheld,
 * so that call runs until the client's own 15 s timeout.
 */
describe('worker shutdown', () => {
  jest.setTimeout(120_000);
  let h: FaultHarness;

  beforeAll(async () => {
    h = await startFaultHarness();
    // A default test sends the invitation at once.
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
  });
  afterAll(() => h?.close());

  it('gives up 5 s after its grace time on an activity that outlives its cancellation, exits non-zero and says why', async () => {
    const proxy = await startAnswerWithholdingProxy(h.sandboxes.codesignal.url);
    try {
      // the only worker, with a grace time of 1 s (spawnWorkerProcess)
      const worker = h.spawnWorkerProcess({ CODESIGNAL_API_URL: `${proxy.url}/graphql` });
      const invitationSent = proxy.withholdAnswer((r) => r.body.includes('"operationName":"CreateTestSession"'));
      const c = createCandidate(h, 'shutdown');
      h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
      await within(invitationSent, 60_000, `the worker process never sent the invitation; its output:\n${worker.output()}`);

      // The call waits for an answer that never comes: without a force time the worker would wait for the
      // client's 15 s timeout and then report a clean drain (exit 0).
      const code = await within(worker.terminate(), 30_000, 'the worker did not exit');
      expect(code).toBe(1);
      expect(worker.output()).toContain('activities still running after the grace time');
      expect(worker.output()).not.toContain(c.email);
    } finally {
      await proxy.close();
    }
  });
});
