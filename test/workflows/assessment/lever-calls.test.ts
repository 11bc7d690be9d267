import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
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

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

const typeName = (e: temporal.api.history.v1.IHistoryEvent) => (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '?').replace(/^EVENT_TYPE_/, '');

/**
 * One workflow's history in figures: events by type, activities by name, signals received by name, and an
 * estimate of its Temporal Cloud actions (workflow start, activity attempts, timers, signals received,
 * search-attribute upserts; the patch markers are counted apart).
 */
function historyFigures(history: History) {
  const events = history.events ?? [];
  const byType: Record<string, number> = {};
  const activities: Record<string, number> = {};
  const signals: Record<string, number> = {};
  let actions = 0;
  for (const e of events) {
    const type = typeName(e);
    byType[type] = (byType[type] ?? 0) + 1;
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) activities[activity] = (activities[activity] ?? 0) + 1;
    const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (signal) signals[signal] = (signals[signal] ?? 0) + 1;
    if (type === 'ACTIVITY_TASK_STARTED') actions += e.activityTaskStartedEventAttributes?.attempt ?? 1;
    else if (['WORKFLOW_EXECUTION_STARTED', 'TIMER_STARTED', 'WORKFLOW_EXECUTION_SIGNALED', 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'].includes(type)) actions += 1;
  }
  // CodeSignal's webhooks (created, started, finished) reach the assessment as signals, each with its own
  // workflow task, as many as arrive after the session was recorded; a workflow task that timed out or failed
  // (a loaded machine) is tried again: the flow's own events leave both out.
  const webhookEvents = 4 * (signals['sessionEvent'] ?? 0);
  const tasksAgain = 3 * ((byType['WORKFLOW_TASK_TIMED_OUT'] ?? 0) + (byType['WORKFLOW_TASK_FAILED'] ?? 0));
  return { events: events.length, ownEvents: events.length - webhookEvents - tasksAgain, workflowTasks: byType['WORKFLOW_TASK_COMPLETED'] ?? 0, markers: byType['MARKER_RECORDED'] ?? 0, actions, byType, activities, signals };
}

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

  /**
   * Issue #22: the Temporal history events and actions one assessed candidate costs (default test, passed,
   * threshold stage move), both workflows. Printed so it stays measured; the ceilings are the counts once
   * steps that always run together became one activity (`fewer-events-v1`, docs/benchmarks.md): 55 events of
   * its own when no two wake-ups share a workflow task (fewer when they do). Before: 87 events of its own,
   * 10 activities, 13 workflow tasks and 3 patch markers. The candidate workflow's reads of settings, draft and
   * sourcing links became one activity (`event-context-v1`): 45 events when each wake-up has its own workflow
   * task (63 before, with 5 activities and 10 workflow tasks); asking Lever beside that read when the ingress marks
   * a trigger stage (`early-lever-confirmation-v1`) adds the patch's marker and its TemporalChangeVersion
   * search-attribute upsert: 47. CodeSignal sends only `companyTestSessionFinished`
   * meanwhile, so the session is read once, after the result (the created and started events would wake the
   * workflow for more reads, as many as arrive after the invitation's answer).
   */
  it('costs the assessment workflow 5 activities and at most 55 history events of its own, the candidate workflow 2 and 47', async () => {
    const control = h.sandboxes.codesignalSandbox.control;
    const companyId = h.sandboxes.codesignal.seed.companyId;
    const endpoints = control.webhookEndpoints(companyId).map((e) => ({ id: e.id, events: e.events }));
    for (const e of endpoints) await control.updateWebhookEndpoint(companyId, e.id, { events: ['companyTestSessionFinished'] });
    const c = createCandidate(h, 'events');
    try {
      const { sessionId } = await passedCandidateCalls(c);
      expectOnePassedAssessment(h, c, sessionId);
    } finally {
      for (const e of endpoints) await control.updateWebhookEndpoint(companyId, e.id, { events: e.events });
    }

    const assessment = historyFigures(await assessmentHandle(h, c.id).fetchHistory());
    const candidate = historyFigures(await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).fetchHistory());
    const line = (name: string, f: ReturnType<typeof historyFigures>) =>
      `${name}: ${f.events} events (${f.ownEvents} without CodeSignal's webhooks), ${f.workflowTasks} workflow tasks, ${Object.values(f.activities).reduce((a, b) => a + b, 0)} activities, ${f.markers} patch markers, about ${f.actions} actions\n  activities ${JSON.stringify(f.activities)}\n  signals ${JSON.stringify(f.signals)}\n  events ${JSON.stringify(f.byType)}\n`;
    process.stderr.write(`history of one assessed candidate: ${assessment.events + candidate.events} events, about ${assessment.actions + candidate.actions} actions\n${line('assessment workflow', assessment)}${line('candidate workflow', candidate)}`);

    expect(assessment.activities).toEqual({ sendInvitation: 1, writeAssessmentSteps: 2, readSession: 1, recordDryRunResult: 1 });
    expect(assessment.markers).toBeLessThanOrEqual(2);
    expect(assessment.ownEvents).toBeLessThanOrEqual(55);
    // the candidate workflow: one read of the service's own data for the stage entry (event-context-v1) and Lever's confirmation
    expect(candidate.activities).toEqual({ loadEventContext: 1, confirmLeverEvent: 1 });
    expect(candidate.ownEvents).toBeLessThanOrEqual(47);
  });
});
