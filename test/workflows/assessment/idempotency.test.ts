import {
  activityWorkers,
  assessmentHandle,
  assessmentResult,
  committedWrites,
  codesignalRequests,
  createCandidate,
  expectOnePassedAssessment,
  invitationRequests,
  leverRequests,
  plainTest,
  recordTagChanges,
  sessionsFor,
  startAnswerWithholdingProxy,
  startFaultHarness,
  waitForInvitation,
  within,
  type Candidate,
  type FaultHarness,
  type InProcessWorker,
} from '../../support/assessment-faults';

/**
 * Every write to Lever and CodeSignal happens once per assessment event, whatever is lost on the way:
 * answers dropped after the commit, 5xx and 429 at seeded rates, and a worker process killed mid-write.
 */
describe('assessment writes are idempotent', () => {
  jest.setTimeout(120_000);
  let h: FaultHarness;
  let worker: InProcessWorker;
  const lever = () => h.sandboxes.leverSandbox.admin;
  const codesignal = () => h.sandboxes.codesignalSandbox.control;
  const accountId = () => h.sandboxes.lever.seed.accountId;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;

  beforeAll(async () => {
    h = await startFaultHarness();
    worker = await h.startWorker();
    // A default test sends the invitation at once; the selection page is not the point here.
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
  });
  afterEach(() => {
    lever().clearFaults(accountId());
    codesignal().clearFaults(companyId());
  });
  afterAll(() => h?.close());

  /** Trigger stage → invitation → the candidate passes → the assessment's result. */
  async function passAssessment(c: Candidate, invitationTimeoutMs?: number) {
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    const session = await waitForInvitation(h, c, invitationTimeoutMs);
    codesignal().submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    const state = await assessmentResult(h, c.id);
    expect(state).toMatchObject({ status: 'completed', passed: true, sessionIds: [session.id] });
    return session;
  }

  it('writes every note, file, tag, stage change and invitation once when each write loses its answer after the commit', async () => {
    const c = createCandidate(h, 'dropped');
    const tagChanges = recordTagChanges(h, c.id);
    // Every Lever write commits and then loses its connection; so does the first CodeSignal invitation.
    lever().updateFaults(accountId(), { dropNext: 1_000 });
    codesignal().setFaults(companyId(), { dropNext: 1 });

    const session = await passAssessment(c);

    expectOnePassedAssessment(h, c, session.id, tagChanges);
    // Each of the 8 writes lost its answer, and its retry found the effect instead of writing again.
    expect(committedWrites(h, c.id).filter((w) => !w.faults.includes('dropped'))).toEqual([]);
    // The invitation mutation ran twice (lost answer, then its retry) and CodeSignal kept one session.
    expect(invitationRequests(h, c.email).map((r) => r.outcome)).toEqual(['dropped', 'ok']);
  });

  it('writes everything once for concurrent candidates under seeded 5xx, 429 and lost-answer rates on both sides', async () => {
    const candidates = ['rates-a', 'rates-b', 'rates-c'].map((label) => createCandidate(h, label));
    const tagChanges = candidates.map((c) => recordTagChanges(h, c.id));
    const since = Date.now();
    // One of each fault for certain (counters), then more at seeded rates: low enough that no call needs
    // six attempts in a row (a minute of backoff), high enough to hit reads and writes of every activity.
    const faults = { failNext: 1, rateLimitNext: 1, dropNext: 1, seed: 4242, errorRate: 0.04, rateLimitRate: 0.04, dropAfterCommitRate: 0.15 };
    lever().updateFaults(accountId(), faults);
    codesignal().setFaults(companyId(), faults);

    const sessions = await Promise.all(candidates.map((c) => passAssessment(c)));

    candidates.forEach((c, i) => expectOnePassedAssessment(h, c, sessions[i]!.id, tagChanges[i]));
    // The faults did happen: the counts above held through them.
    const leverFaults = new Set(leverRequests(h).filter((r) => r.at >= since).flatMap((r) => r.faults));
    expect([...leverFaults].sort()).toEqual(['dropped', 'error', 'rateLimited']);
    const codesignalOutcomes = new Set(codesignalRequests(h).filter((r) => r.at >= since).map((r) => r.outcome));
    expect([...codesignalOutcomes]).toEqual(expect.arrayContaining(['dropped', 'fault', 'throttled']));
  });

  it('sends one invitation when the worker process is killed after CodeSignal committed it but before the worker heard back', async () => {
    // The killed process must be the only worker, so the invitation is in flight there.
    await worker.stop();
    const proxy = await startAnswerWithholdingProxy(h.sandboxes.codesignal.url);
    try {
      const doomed = h.spawnWorkerProcess({ CODESIGNAL_API_URL: `${proxy.url}/graphql` });
      const invitationCommitted = proxy.withholdAnswer((r) => r.body.includes('"operationName":"CreateTestSession"'));
      const c = createCandidate(h, 'crash');
      const tagChanges = recordTagChanges(h, c.id);
      h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);

      await within(invitationCommitted, 60_000, `the worker process never sent the invitation; its output:\n${doomed.output()}`);
      expect(sessionsFor(h, c.email)).toHaveLength(1);
      await doomed.kill();
      const replacement = await h.startWorker();

      // Temporal retries the invitation once its 30 s start-to-close timeout has passed.
      const session = await passAssessment(c, 60_000);

      expectOnePassedAssessment(h, c, session.id, tagChanges);
      expect(invitationRequests(h, c.email).map((r) => r.outcome)).toEqual(['ok', 'ok']);
      const invitations = (await activityWorkers(assessmentHandle(h, c.id))).filter((a) => a.activity === 'sendInvitation');
      expect(invitations).toEqual([{ activity: 'sendInvitation', identity: replacement.identity, attempt: 2 }]);
    } finally {
      await proxy.close();
    }
  });
});
