import { Worker } from '@temporalio/worker';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { testDataConverter, testWorkerSinks } from '../../support/stack';
import { testWorkflowBundle } from '../../support/workflow-bundle';
import {
  assessmentHandle,
  assessmentResult,
  codesignalTags,
  createCandidate,
  expectOnePassedAssessment,
  leverRequests,
  plainTest,
  recordTagChanges,
  startFaultHarness,
  waitForInvitation,
  type Candidate,
  type FaultHarness,
  type InProcessWorker,
} from '../../support/assessment-faults';

/**
 * The Lever calls one candidate costs on the happy path (default test, passed, threshold stage move):
 * the flow's writes plus the one opportunity read that confirms the stage entry and names the candidate.
 * The result's status and threshold tags go in one removeTags and one addTags.
 * A first attempt writes without an idempotency read; the tags a workflow set are removed unread; the
 * stage move uses the opportunity the tag write before it answered; the report is rendered from the
 * candidate the workflow already knows.
 */
describe('Lever calls per assessed candidate', () => {
  jest.setTimeout(120_000);
  let h: FaultHarness;
  let worker: InProcessWorker;

  beforeAll(async () => {
    h = await startFaultHarness();
    worker = await h.startWorker();
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
  });

  /** Trigger stage → invitation → passed; answers the candidate's Lever calls as "METHOD /path" (a read with its query). */
  async function passedCandidateCalls(c: Candidate): Promise<{ calls: string[]; sessionId: string }> {
    const since = Date.now();
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'completed', passed: true, sessionIds: [session.id] });
    const prefix = `/v1/opportunities/${c.id}`;
    // nothing but calls about this candidate
    expect(leverRequests(h).filter((r) => r.at >= since && !r.path.startsWith(prefix) && r.method !== 'GET')).toEqual([]);
    const calls = leverRequests(h)
      .filter((r) => r.at >= since && r.path.startsWith(prefix))
      .map((r) => `${r.method} ${r.path.slice(prefix.length) || '/'}${r.method === 'GET' && r.query ? `?${r.query}` : ''}`);
    return { calls, sessionId: session.id };
  }

  it('costs the writes plus one read on the happy path', async () => {
    const c = createCandidate(h, 'calls');
    const tagChanges = recordTagChanges(h, c.id);
    const { calls, sessionId } = await passedCandidateCalls(c);

    expectOnePassedAssessment(h, c, sessionId, tagChanges);
    process.stderr.write(`Lever calls of one passed candidate (${calls.length}):\n  ${calls.join('\n  ')}\n`);
    expect(calls).toEqual([
      'GET /?expand=applications', // the stage entry confirmed, the candidate named (candidate workflow)
      'POST /notes', // invitation note
      'POST /addTags', // CodeSignal: invited
      'POST /notes', // result note
      'POST /files', // PDF report
      'POST /removeTags', // CodeSignal: invited
      'POST /addTags', // CodeSignal: completed and CodeSignal: passed, in one write
      'PUT /stage', // the threshold's stage
    ]);

    // the patched code's own histories replay (the recorded ones of older code: test/workflows/replay.test.ts)
    const replay = { workflowBundle: testWorkflowBundle(), dataConverter: testDataConverter(), sinks: testWorkerSinks() };
    for (const handle of [assessmentHandle(h, c.id), h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id))]) {
      await Worker.runReplayHistory(replay, await handle.fetchHistory(), handle.workflowId);
    }
  });

  it('removes, unread, the status and threshold tags an earlier assessment left, and only those', async () => {
    const c = createCandidate(h, 'earlier-tags');
    const seed = h.sandboxes.lever.seed;
    h.sandboxes.leverSandbox.recruiter.addTags(seed.accountId, c.id, { tags: ['CodeSignal: completed', 'CodeSignal: below threshold', 'Referral'], userId: seed.userIds.recruiter });
    const tagChanges = recordTagChanges(h, c.id);
    const { calls } = await passedCandidateCalls(c);

    expect(calls).toEqual([
      'GET /?expand=applications',
      'POST /notes', // invitation note
      'POST /removeTags', // CodeSignal: completed (the earlier assessment's)
      'POST /addTags', // CodeSignal: invited
      'POST /notes', // result note
      'POST /files', // PDF report
      'POST /removeTags', // CodeSignal: invited and CodeSignal: below threshold (the earlier assessment's), in one write
      'POST /addTags', // CodeSignal: completed and CodeSignal: passed, in one write
      'PUT /stage',
    ]);
    expect(tagChanges).toEqual([
      // a removal of two lists them in the opportunity's order
      '-CodeSignal: completed', '+CodeSignal: invited', '-CodeSignal: below threshold', '-CodeSignal: invited', '+CodeSignal: completed', '+CodeSignal: passed',
    ]);
    expect([...h.opportunity(c.id).tags].sort()).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: passed', 'Referral']));
    expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: completed', 'CodeSignal: passed']);
  });
});
