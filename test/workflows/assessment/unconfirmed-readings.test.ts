import { REACTIVATION_ANSWERS } from '../../../sandbox/codesignal/index';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

/**
 * codesignal-api.md §5 says only that after `reactivateCompanyTestSession` "the old session then exposes
 * reactivatedSession { newSessionId }": the mutation may answer the new session or the old one (sandbox
 * setting `reactivationAnswers`). A recruiter's retake, through the API and the worker, follows the new
 * session and writes its result to Lever under either answer.
 */
describe('a retake whichever session the reactivation answers', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Reactivation answers' });
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect((await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plain.id }, defaultTestByPosting: {} })).status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
  });
  afterAll(() => h?.close());

  const seed = () => h.sandboxes.lever.seed;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const handleOf = (opportunityId: string, n: number) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opportunityId, n));

  it.each(REACTIVATION_ANSWERS)('follows the new session (reactivationAnswers: %s)', async (answers) => {
    control().updateSettings(companyId(), { reactivationAnswers: answers });
    const email = `reactivation-${answers}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: 'Remy Reactivated', emails: [email], userId: seed().userIds.recruiter });

    // a first assessment, finished below the threshold
    h.moveToStage(opp.id, seed().stageIds.assessment);
    const first = await eventually(async () => {
      expect((await handleOf(opp.id, 1).query(assessmentStateQuery)).status).toBe('invited');
      return control().sessions(companyId()).find((s) => s.candidate.email === email)!;
    }, 30_000);
    control().submitSession(first.id, { score: 0 });
    expect(await handleOf(opp.id, 1).result()).toMatchObject({ status: 'completed', passed: false });

    // the recruiter asks for a retake: CodeSignal reactivates the first session
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${opp.id}/assessments/1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'retake' }),
    });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ assessmentId: '2' });
    const newId = await eventually(async () => {
      const reactivated = control().session(first.id).reactivatedSession;
      expect(reactivated).not.toBeNull();
      return reactivated!.newSessionId;
    }, 30_000);
    const retake = handleOf(opp.id, 2);
    await eventually(async () => expect(await retake.query(assessmentStateQuery)).toMatchObject({ status: 'invited', sessionId: newId }), 30_000);

    control().submitSession(newId, { score: control().session(newId).maxScore });
    expect(await retake.result()).toMatchObject({ status: 'completed', passed: true, sessionId: newId, sessionIds: [newId] });
    const results = h.opportunity(opp.id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n')).filter((t) => t.startsWith('CodeSignal result:'));
    expect(results.map((t) => /Outcome: (.*)/.exec(t)?.[1])).toEqual(['below the threshold', 'passed the threshold']);
  });
});
