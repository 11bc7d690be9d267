import { DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND, spacingMs } from '../../../src/codesignal/rate-limiter';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import {
  assessmentResult,
  codesignalTags,
  createCandidate,
  expectOnePassedAssessment,
  invitationRequests,
  leverRequests,
  noteKinds,
  noteTexts,
  plainTest,
  sessionsFor,
  waitForInvitation,
  type Harness,
} from '../../support/assessment-faults';
import { eventually } from '../../support/stack';

/**
 * Retryable errors are retried with growing backoff until the flow completes; a non-retryable one is not
 * retried: the assessment stops at once under its name (named-stops.test.ts follows stops to their retry).
 */
describe('assessment failures', () => {
  jest.setTimeout(60_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;

  beforeAll(async () => {
    h = await startAssessmentHarness();
  });
  // every test starts from the plain test as the stage's default, whichever test changed it before
  beforeEach(async () => {
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: plainTest(h).id } })).status).toBe(200);
  });
  afterEach(() => {
    h.sandboxes.leverSandbox.admin.clearFaults(seed().accountId);
    h.sandboxes.codesignalSandbox.control.clearFaults(companyId());
  });
  afterAll(() => h?.close());

  const candidateAssessments = (harness: Harness, opportunityId: string) =>
    harness.stack.client.workflow.getHandle(candidateWorkflowId(harness.integration.id, opportunityId)).query(assessmentsQuery);

  it('retries 5xx and 429 from Lever with growing backoff, a CodeSignal 5xx after backoff and its throttling in the pacer\'s next turn, and completes the flow once', async () => {
    const c = createCandidate(h, 'retryable');
    const since = Date.now();
    // Lever's first call (reading the candidate) and CodeSignal's (the invitation) each get a 503, then a 429.
    h.sandboxes.leverSandbox.admin.updateFaults(seed().accountId, { failNext: 1, rateLimitNext: 1 });
    h.sandboxes.codesignalSandbox.control.setFaults(companyId(), { failNext: 1, rateLimitNext: 1 });
    h.moveToStage(c.id, seed().stageIds.assessment);

    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'completed', passed: true });
    expectOnePassedAssessment(h, c, session.id);

    const candidateReads = leverRequests(h).filter((r) => r.at >= since && r.method === 'GET' && r.path === `/v1/opportunities/${c.id}`).slice(0, 3);
    expect(candidateReads.map((r) => r.status)).toEqual([503, 429, 200]);
    expectGrowingBackoff(candidateReads.map((r) => r.at));
    const invitations = invitationRequests(h, c.email);
    expect(invitations.map((r) => [r.httpStatus, r.outcome])).toEqual([[503, 'fault'], [200, 'throttled'], [200, 'ok']]);
    // the 503 is retried by Temporal after its backoff; the throttled request did nothing and is sent again
    // by the CodeSignal pacer in its next turn (src/codesignal/client.ts), not a second Temporal backoff
    const [afterFault, afterThrottle] = invitations.slice(1).map((r, i) => r.at - invitations[i]!.at);
    expect(afterFault).toBeGreaterThanOrEqual(900);
    expect(afterThrottle).toBeGreaterThanOrEqual(spacingMs(DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND) - 100);
    expect(afterThrottle).toBeLessThan(afterFault!);
  });

  it('does not retry CodeSignal.NotFound for an unknown default test: asked once, the flow stops as test-not-found', async () => {
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: 'no-such-test' } })).status).toBe(200);
    const c = createCandidate(h, 'unknown-test');
    h.moveToStage(c.id, seed().stageIds.assessment);

    await eventually(async () => {
      expect((await candidateAssessments(h, c.id))[0]?.stopped).toMatchObject({ name: 'test-not-found', failureType: 'CodeSignal.NotFound', step: 'sendInvitation' });
      expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: error – test-not-found']);
    }, 30_000);
    // Asked once, never retried by Temporal; nothing was created (test/workflows/assessment/named-stops.test.ts resumes such a stop).
    expect(invitationRequests(h, c.email)).toHaveLength(1);
    expect(sessionsFor(h, c.email)).toEqual([]);
    expect(noteKinds(h, c.id)).toEqual({ stopped: 1 });
    expect(noteTexts(h, c.id)[0]).toContain('Company test with id no-such-test not found');
  });
});

/** Each retry waits longer than the one before, starting at the retry policy's 1 s. */
function expectGrowingBackoff(attemptsAt: number[]): void {
  const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!);
  expect(gaps).toHaveLength(2);
  expect(gaps[0]).toBeGreaterThanOrEqual(900);
  expect(gaps[1]).toBeGreaterThanOrEqual(1_800);
  expect(gaps[1]).toBeGreaterThan(gaps[0]! * 1.5);
}
