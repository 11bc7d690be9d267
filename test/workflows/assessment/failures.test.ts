import { randomUUID } from 'node:crypto';
import { DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND, spacingMs } from '../../../src/codesignal/rate-limiter';
import { WorkflowFailedError } from '@temporalio/client';
import { updateIntegrationSettings } from '../../../src/integrations/repository';
import { ensureDemoIntegration } from '../../../sandbox/demo-integration';
import { ASSESSMENT_INTEGRATION_PERMISSIONS } from '../../../sandbox/lever/index';
import { integrationSettingsSchema, parseStoredSettings } from '../../../src/integrations/settings';
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
import { eventually, testSecretBox } from '../../support/stack';

/**
 * Retryable errors are retried with growing backoff until the flow completes; a non-retryable one ends
 * the assessment at once, with a Lever note and tag where the key allows them and a failed workflow.
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

  /** Fails with the workflow's failure, or throws when the workflow completed. */
  async function failure(harness: Harness, opportunityId: string): Promise<WorkflowFailedError> {
    const outcome = await assessmentResult(harness, opportunityId).then(
      (state) => new Error(`the assessment completed: ${JSON.stringify(state)}`),
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    return outcome as WorkflowFailedError;
  }

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

  it('fails without retrying with CodeSignal.NotFound when the default test does not exist, and says so in Lever', async () => {
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: 'no-such-test' } })).status).toBe(200);
    const c = createCandidate(h, 'unknown-test');
    h.moveToStage(c.id, seed().stageIds.assessment);

    const err = await failure(h, c.id);
    expect(err.cause).toMatchObject({ type: 'CodeSignal.NotFound' });
    // Asked once, never retried; nothing was created.
    expect(invitationRequests(h, c.email)).toHaveLength(1);
    expect(sessionsFor(h, c.email)).toEqual([]);
    expect(noteKinds(h, c.id)).toEqual({ failed: 1 });
    expect(noteTexts(h, c.id)[0]).toContain('Company test with id no-such-test not found');
    expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: error']);
    expect(await eventually(async () => {
      const [a] = await candidateAssessments(h, c.id);
      expect(a?.status).toBe('failed');
      return a;
    })).toMatchObject({ assessmentId: '1', status: 'failed' });
  });

  it('fails without retrying with Lever.Forbidden when the Lever key may not upload files, after writing what it may', async () => {
    const permissions = ASSESSMENT_INTEGRATION_PERMISSIONS.filter((p) => p !== 'files:write:admin');
    const key = h.sandboxes.leverSandbox.admin.createKey(seed().accountId, { permissions: [...permissions], name: 'No file uploads' }).key;
    const sandboxesWithKey = { ...h.sandboxes, lever: { ...h.sandboxes.lever, seed: { ...seed(), apiKey: key } } };
    const created = await ensureDemoIntegration(h.stack.db, testSecretBox, sandboxesWithKey, h.stack.config.publicUrl, `No uploads ${randomUUID()}`);
    // A second integration on the same Lever account; it triggers on the phone screen so the first one stays out of it.
    const stored = parseStoredSettings(created.settings);
    const phoneScreen = seed().stageIds.phoneScreen;
    const settings = integrationSettingsSchema.parse({
      ...stored,
      assessments: { ...stored.assessments, triggerStageIds: [phoneScreen], defaultTestByStage: { [phoneScreen]: plainTest(h).id } },
    });
    const limited: Harness = { ...h, integration: (await updateIntegrationSettings(h.stack.db, testSecretBox, created.id, settings))! };

    const c = createCandidate(limited, 'no-uploads', { stage: seed().stageIds.newApplicant });
    h.moveToStage(c.id, phoneScreen);
    const session = await waitForInvitation(limited, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });

    const err = await failure(limited, c.id);
    expect(err.cause).toMatchObject({ type: 'Lever.Forbidden' });
    // The upload was refused once and not retried; the notes and tags the key may write are there.
    const uploads = leverRequests(h).filter((r) => r.method === 'POST' && r.path === `/v1/opportunities/${c.id}/files`);
    expect(uploads.map((r) => [r.status, r.keyName])).toEqual([[403, 'No file uploads']]);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, result: 1, failed: 1 });
    expect(noteTexts(h, c.id).find((t) => t.startsWith('CodeSignal assessment stopped'))).toContain('files:write:admin');
    const o = h.opportunity(c.id);
    expect(codesignalTags(o)).toEqual(['CodeSignal: error']);
    expect(o.files).toEqual([]);
    expect(o.stage).toBe(phoneScreen);
    expect(sessionsFor(h, c.email)).toHaveLength(1);
    await eventually(async () => expect((await candidateAssessments(limited, c.id))[0]?.status).toBe('failed'));
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
