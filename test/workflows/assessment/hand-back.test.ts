import type { WorkflowHandle } from '@temporalio/client';
import { HAND_BACK_AFTER_MS, HANDED_BACK } from '../../../src/activities/shared/attempt';
import { processMetrics } from '../../../src/observability/metrics';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { adminToken, eventually } from '../../support/stack';
import {
  activityStarts,
  assessmentHandle,
  assessmentResult,
  createCandidate,
  expectOnePassedAssessment,
  leverRequests,
  plainTest,
  startFaultHarness,
  waitForInvitation,
  type Candidate,
  type FaultHarness,
} from '../../support/assessment-faults';

/** The activities of a workflow started again after an earlier attempt, with the failure that ended that attempt. */
const retries = async (handle: WorkflowHandle) => (await activityStarts(handle)).filter((a) => a.attempt > 1);

/** The retried activities of a candidate's flow: its candidate workflow's and its assessment's. */
const flowRetries = async (h: FaultHarness, c: Candidate) => [...(await retries(h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)))), ...(await retries(assessmentHandle(h, c.id)))];

/** A harness whose one worker runs with the given budget, every candidate of the assessment stage getting the plain test. */
async function harnessWithBudget(budget: Parameters<FaultHarness['startWorker']>[0]): Promise<FaultHarness> {
  const h = await startFaultHarness();
  try {
    await h.startWorker(budget);
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
    return h;
  } catch (err) {
    // nobody else holds it yet to close it
    await h.close();
    throw err;
  }
}

type Session = Awaited<ReturnType<typeof waitForInvitation>>;

/** The invited candidate submits a passing score and ends with one passed assessment on that one session. */
async function submitAndPass(h: FaultHarness, c: Candidate, session: Session) {
  h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
  expect(await assessmentResult(h, c.id, 150_000)).toMatchObject({ status: 'completed', passed: true });
  expectOnePassedAssessment(h, c, session.id);
}

/** The candidate is invited, submits a passing score, and ends with one passed assessment on one session. */
async function passAssessment(h: FaultHarness, c: Candidate) {
  await submitAndPass(h, c, await waitForInvitation(h, c, 150_000));
}

/** The candidate's timeline as the admin API answers it. */
async function timelineOf(h: FaultHarness, c: Candidate) {
  const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/candidates/${c.id}/timeline`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { entries: Array<{ kind: string; title: string; outcome: string; detail?: string; failure?: unknown }> };
}

/** The first call an admin's timeline of these candidates shows as pending and waiting for the named budget (polled until there is one). */
async function waitingEntry(h: FaultHarness, candidates: Candidate[], api: 'Lever' | 'CodeSignal') {
  return eventually(async () => {
    const timelines = await Promise.all(candidates.map((c) => timelineOf(h, c)));
    const entry = timelines.flatMap((t) => t.entries).find((e) => e.outcome === 'pending' && new RegExp(`waiting for the integration's ${api} budget`).test(e.detail ?? ''));
    expect(entry).toBeDefined();
    return entry!;
    // as long as the flows may take (passAssessment's waits): the write activities that show it come last
  }, 150_000, 200);
}

/** The activities the candidates' workflows started again, each checked to follow a hand-back only (no fault in these tests). */
async function handedBackActivities(h: FaultHarness, candidates: Candidate[], each: (c: Candidate) => void = () => undefined): Promise<string[]> {
  const handedBack: string[] = [];
  for (const c of candidates) {
    const found = await flowRetries(h, c);
    expect(found.filter((r) => r.lastFailureType !== HANDED_BACK)).toEqual([]);
    handedBack.push(...found.map((r) => r.activity));
    each(c);
  }
  return handedBack;
}

/** lcs_activity_handbacks_total of the harness's integration for that API (and activity type), summed: the worker runs in this process. */
async function handBacksCounted(h: FaultHarness, api: 'lever' | 'codesignal', activityType = '\\w+'): Promise<number> {
  const counted = [...(await processMetrics().text()).matchAll(new RegExp(`lcs_activity_handbacks_total\\{integration_id="${h.integration.id}",activity_type="${activityType}",api="${api}"\\} (\\d+)`, 'g'))];
  return counted.reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * An activity whose first wait for its integration's Lever budget would pass HAND_BACK_AFTER_MS hands the
 * worker's slot back (src/activities/shared/attempt.ts) and is started again by Temporal when the budget is
 * about free. The next attempt writes as a first one — the handed-back attempt sent nothing — so the flow
 * makes exactly the reads and writes it makes without any wait.
 */
describe('an activity that would wait long for Lever hands its worker slot back', () => {
  jest.setTimeout(240_000);
  let h: FaultHarness;

  beforeAll(async () => {
    // 2 requests a second: ten candidates moved at once queue far past the hand-back threshold
    h = await harnessWithBudget({ leverRequestsPerSecond: 2 });
  });
  afterAll(() => h?.close());

  /** Lever reads of one opportunity: the idempotency reads a retry makes would show here. */
  const readsOf = (c: Candidate) => leverRequests(h).filter((r) => r.method === 'GET' && r.path.startsWith(`/v1/opportunities/${c.id}`) && r.status === 200).length;

  it('writes each assessment once, with no read more than an unhurried candidate, after handing back', async () => {
    expect(HAND_BACK_AFTER_MS).toBeLessThan(5_000);
    // one candidate alone: the reads the flow makes when no attempt waits
    const alone = createCandidate(h, 'alone');
    h.moveToStage(alone.id, h.sandboxes.lever.seed.stageIds.assessment);
    await passAssessment(h, alone);
    const unhurriedReads = readsOf(alone);
    expect(unhurriedReads).toBeGreaterThanOrEqual(1);
    expect(await flowRetries(h, alone)).toEqual([]);

    const candidates = Array.from({ length: 10 }, (_, i) => createCandidate(h, `queued-${i}`));
    for (const c of candidates) h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    // every invitation first, then every result at once: the result writes (note, report, tags, stage) of ten
    // candidates queue far past the threshold however the invitations were spread, so writes hand back too, and
    // they wait long enough for an admin's timeline to be read meanwhile, on a loaded machine too
    const sessions = await Promise.all(candidates.map((c) => waitForInvitation(h, c, 150_000)));
    const passed = Promise.all(candidates.map((c, i) => submitAndPass(h, c, sessions[i]!)));
    // meanwhile an admin's timeline shows a handed-back call as waiting for the budget, not as a failure
    const waiting = await waitingEntry(h, candidates, 'Lever');
    expect(waiting.failure).toBeUndefined();
    await passed;
    // and once written, the timeline lists each of the assessment's Lever writes (one activity writes them: writeAssessmentSteps)
    const written = (await timelineOf(h, candidates[0]!)).entries.filter((e) => e.kind === 'lever' && e.outcome === 'ok').map((e) => e.title);
    expect(written).toEqual(expect.arrayContaining(['Note posted: invitation sent', 'Note posted: result', 'PDF report uploaded', 'Tags set', 'Stage changed in Lever']));

    // a handed-back attempt sent nothing, so its next attempt wrote without the idempotency reads
    const handedBack = await handedBackActivities(h, candidates, (c) => expect(readsOf(c)).toBe(unhurriedReads));
    // activities that write handed back too, not only the first read
    expect(handedBack.filter((a) => a !== 'confirmLeverEvent').length).toBeGreaterThan(0);
    expect(leverRequests(h).filter((r) => r.status === 429)).toEqual([]);
    // operators see them per organization
    expect(await handBacksCounted(h, 'lever')).toBeGreaterThanOrEqual(handedBack.length);
  });
});

/**
 * The same for CodeSignal's budget: an invitation whose first wait for the integration's CodeSignal mutation
 * budget would pass HAND_BACK_AFTER_MS hands the slot back, and each candidate is still invited exactly once.
 */
describe('an activity that would wait long for CodeSignal hands its worker slot back', () => {
  jest.setTimeout(240_000);
  let h: FaultHarness;

  beforeAll(async () => {
    // one invitation a second: ten candidates reaching their invitation together queue past the threshold
    h = await harnessWithBudget({ codesignalMutationsPerSecond: 1 });
  });
  afterAll(() => h?.close());

  it('invites each candidate once after handing back, and shows the wait as one for the CodeSignal budget', async () => {
    const candidates = Array.from({ length: 10 }, (_, i) => createCandidate(h, `invited-${i}`));
    for (const c of candidates) h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    // one session per candidate: no second invitation
    const passed = Promise.all(candidates.map((c) => passAssessment(h, c)));
    const waiting = await waitingEntry(h, candidates, 'CodeSignal');
    expect(waiting.failure).toBeUndefined();
    await passed;

    const handedBack = await handedBackActivities(h, candidates);
    expect(handedBack).toContain('sendInvitation');
    expect(await handBacksCounted(h, 'codesignal', 'sendInvitation')).toBeGreaterThanOrEqual(handedBack.filter((a) => a === 'sendInvitation').length);
    // every invitation went through CodeSignal unthrottled, one per candidate
    const created = h.sandboxes.codesignalSandbox.control.requests({ companyId: h.sandboxes.codesignal.seed.companyId, rootField: 'createCompanyTestSession' });
    expect(created.filter((r) => r.outcome === 'throttled')).toEqual([]);
  });
});
