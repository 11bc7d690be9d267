import {
  activityWorkers,
  assessmentHandle,
  assessmentResult,
  busiestWindow,
  createCandidate,
  expectOnePassedAssessment,
  leverRequests,
  passedFlowWrites,
  plainTest,
  startFaultHarness,
  waitForInvitation,
  type Candidate,
  type FaultHarness,
  type InProcessWorker,
} from '../../support/assessment-faults';

/** Activities that call Lever (the others call CodeSignal only); `writeAssessmentSteps`: several of the others' writes in one (fewer-events-v1). */
const leverActivities = ['getCandidate', 'postAssessmentNote', 'setAssessmentTags', 'uploadAssessmentReport', 'moveStage', 'writeAssessmentSteps'];

/**
 * Lever allows 10 requests per second per key (burst 20). Every Lever call of an integration goes through
 * a PostgreSQL-shared limiter (LEVER_REQUESTS_PER_SECOND, default 9), so all worker processes together
 * stay under it; a 429 that still comes is retried after backoff.
 */
describe('Lever rate limit', () => {
  jest.setTimeout(120_000);
  let h: FaultHarness;
  let workers: InProcessWorker[];

  beforeAll(async () => {
    h = await startFaultHarness();
    // Two workers with their own pools and connections: only PostgreSQL is shared, as between two processes.
    workers = [await h.startWorker(), await h.startWorker()];
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
  });
  afterEach(() => h.sandboxes.leverSandbox.admin.clearFaults(h.sandboxes.lever.seed.accountId));
  afterAll(() => h?.close());

  async function passAssessment(c: Candidate) {
    const session = await waitForInvitation(h, c, 60_000);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    const state = await assessmentResult(h, c.id, 60_000);
    expect(state).toMatchObject({ status: 'completed', passed: true });
    return session;
  }

  it('keeps 15 concurrent candidates (about 120 Lever calls, 6 times the burst) on two workers under Lever’s limit, with no 429 and no failed assessment', async () => {
    const candidates = Array.from({ length: 15 }, (_, i) => createCandidate(h, `load-${i}`));
    const since = Date.now();
    for (const c of candidates) h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);

    const outcomes = await Promise.allSettled(candidates.map(passAssessment));

    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    outcomes.forEach((o, i) => expectOnePassedAssessment(h, candidates[i]!, (o as PromiseFulfilledResult<{ id: string }>).value.id));
    const requests = leverRequests(h).filter((r) => r.at >= since);
    // a first attempt writes without the idempotency read: the flow's writes plus the one read that confirms the stage entry
    expect(requests.length).toBeGreaterThanOrEqual(candidates.length * (passedFlowWrites.length + 1));
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    expect(busiestWindow(requests.map((r) => r.at), 1_000)).toBeLessThanOrEqual(20);
    // Both workers called Lever for these candidates, so the budget held across them, not within one.
    const ran = (await Promise.all(candidates.map((c) => activityWorkers(assessmentHandle(h, c.id))))).flat();
    const leverCallers = new Set(ran.filter((a) => leverActivities.includes(a.activity)).map((a) => a.identity));
    expect([...leverCallers].sort()).toEqual(workers.map((w) => w.identity).sort());
  });

  it('retries a Lever 429 after backoff instead of failing the assessment', async () => {
    const c = createCandidate(h, 'throttled');
    const since = Date.now();
    h.sandboxes.leverSandbox.admin.updateFaults(h.sandboxes.lever.seed.accountId, { rateLimitNext: 2 });
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);

    const session = await passAssessment(c);

    expectOnePassedAssessment(h, c, session.id);
    const reads = leverRequests(h).filter((r) => r.at >= since && r.method === 'GET' && r.path === `/v1/opportunities/${c.id}`).slice(0, 3);
    expect(reads.map((r) => [r.status, r.faults])).toEqual([[429, ['rateLimited']], [429, ['rateLimited']], [200, []]]);
    const [first, second, third] = reads.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThanOrEqual(1_800);
  });
});
