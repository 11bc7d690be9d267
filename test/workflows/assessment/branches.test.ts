import { randomUUID } from 'node:crypto';
import { findAssessmentWorkflowId } from '../../../src/activities/assessment/sessions-repository';
import { assessmentStateQuery, type AssessmentStatus } from '../../../src/workflows/assessment/messages';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import {
  assessmentHandle,
  assessmentResult,
  codesignalRequests,
  codesignalTags,
  leverRequests,
  noteKinds,
  noteTexts,
  sessionsFor,
  waitForInvitation,
  type Candidate,
} from '../../support/assessment-faults';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

/**
 * Branches of the assessment workflow the other suites do not reach: a failure whose Lever note is
 * refused, a retake CodeSignal grants on its own, retakes of expired and declined assessments, a
 * declined invitation and a session found `finalizing` (score still being computed).
 */
describe('assessment branches', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const seedTest = (proctored: boolean) => h.sandboxes.codesignal.seed.tests.find((t) => t.proctored === proctored)!;
  /** The demo postings: each invites to its own default test (see beforeAll). */
  const posting = { plain: 0, proctored: 1, missingTest: 2 } as const;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Branches' });
    const postings = seed().postings;
    const res = await h.putSettings({
      defaultTestByStage: { [seed().stageIds.assessment]: seedTest(false).id },
      defaultTestByPosting: { [postings[posting.proctored]!.id]: seedTest(true).id, [postings[posting.missingTest]!.id]: 'no-such-test' },
    });
    expect(res.status).toBe(200);
  });
  afterAll(() => h?.close());
  /** The session's `finished_at` in assessment_sessions: set once it waits on no CodeSignal result (lcs_candidates_waiting_on_result). */
  const finishedAt = async (sessionId: string) =>
    (await h.stack.db.query<{ finished_at: Date | null }>('SELECT finished_at FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2', [h.integration.id, sessionId])).rows[0]?.finished_at;

  /** A new applicant on one of the demo postings, created by a recruiter in Lever. */
  function newCandidate(label: string, postingIndex: number = posting.plain): Candidate {
    const email = `${label}-${randomUUID().slice(0, 8)}@candidates.example`;
    const name = `Branch ${label}`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, {
      name,
      emails: [email],
      postings: [seed().postings[postingIndex]!.id],
      origin: 'applied',
      userId: seed().userIds.recruiter,
    });
    return { id: opp.id, name, email };
  }
  async function invited(c: Candidate) {
    h.moveToStage(c.id, seed().stageIds.assessment);
    return waitForInvitation(h, c);
  }
  const candidateAssessments = (c: Candidate) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(assessmentsQuery);
  /** Waits until the candidate workflow knows assessment `n` is `status` (a retake is decided on that). */
  const summaryStatus = (c: Candidate, n: string, status: AssessmentStatus) =>
    eventually(async () => expect((await candidateAssessments(c)).find((a) => a.assessmentId === n)?.status).toBe(status), 30_000);
  const retake = (c: Candidate) =>
    fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments/1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'retake' }),
    });

  it('a stop whose Lever note is refused still stops under the original error\'s name, tagged, without retrying the note', async () => {
    // A Lever admin takes the note permission away from the integration's key (same key, fewer scopes).
    const admin = h.sandboxes.leverSandbox.admin;
    const key = admin.keys(seed().accountId).find((k) => k.key === seed().apiKey)!;
    const narrow = (permissions: string[]) => {
      admin.revokeKey(seed().accountId, key.key);
      admin.createKey(seed().accountId, { key: key.key, name: key.name, permissions });
    };
    expect(key.permissions).toContain('notes:write:admin');
    narrow(key.permissions.filter((p) => p !== 'notes:write:admin'));
    try {
      const c = newCandidate('refused-note', posting.missingTest);
      h.moveToStage(c.id, seed().stageIds.assessment);
      // The stop is named by CodeSignal's answer, not by the refused note.
      const stopped = await eventually(async () => {
        const { stopped } = await assessmentHandle(h, c.id).query(assessmentStateQuery);
        expect(stopped).toMatchObject({ name: 'test-not-found', failureType: 'CodeSignal.NotFound' });
        expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: error – test-not-found']);
        return stopped!;
      }, 30_000);
      expect(stopped.message).toContain('no-such-test');
      const notePosts = leverRequests(h).filter((r) => r.method === 'POST' && r.path === `/v1/opportunities/${c.id}/notes`);
      expect(notePosts.map((r) => r.status)).toEqual([403]);
      expect(h.opportunity(c.id).notes).toEqual([]);
      await eventually(async () => expect((await candidateAssessments(c)).find((a) => a.assessmentId === '1')?.stopped).toMatchObject({ name: 'test-not-found' }), 30_000);
      expect(sessionsFor(h, c.email)).toEqual([]);
    } finally {
      narrow(key.permissions);
    }
  });

  it('follows a retake CodeSignal grants itself after a rejected proctored result, and takes the retake’s result', async () => {
    const c = newCandidate('granted-retake', posting.proctored);
    const first = await invited(c);
    control().submitSession(first.id, { score: 100 });
    await eventually(async () => expect((await assessmentHandle(h, c.id).query(assessmentStateQuery)).status).toBe('verification_pending'), 30_000);
    const { retake: granted } = control().rejectSession(first.id, [{ name: 'Technical issue', description: 'Camera stopped' }], true);
    expect(granted).not.toBeNull();
    const retakeId = granted!.id;

    if (h.codesignalResponseMode === 'sparse') {
      // A sparse account does not show `retakeSession`: the service cannot see the retake and ends with the rejection.
      expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'not_verified', sessionIds: [first.id] });
      return;
    }
    const state = await eventually(async () => {
      const s = await assessmentHandle(h, c.id).query(assessmentStateQuery);
      expect(s).toMatchObject({ status: 'invited', sessionId: retakeId, sessionIds: [first.id, retakeId] });
      return s;
    }, 30_000);
    expect(state.score).toBeNull();
    // The retake is recorded for this workflow, so its webhooks reach it.
    expect(await findAssessmentWorkflowId(h.stack.db, h.integration.id, retakeId)).toBe(assessmentHandle(h, c.id).workflowId);
    // the workflow now waits on the retake only: the session it replaced is finished
    expect(await finishedAt(first.id)).toBeInstanceOf(Date);
    expect(await finishedAt(retakeId)).toBeNull();
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, provisional: 1, retake: 1 });
    expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: invited']);
    // CodeSignal granted it: the service did not reactivate anything.
    expect(codesignalRequests(h, { operationName: 'ReactivateTestSession' }).filter((r) => r.variables?.id === first.id)).toEqual([]);

    control().submitSession(retakeId, { score: 500 });
    await eventually(async () => expect(noteKinds(h, c.id).provisional).toBe(2), 30_000);
    control().verifySession(retakeId);
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'completed', sessionId: retakeId, sessionIds: [first.id, retakeId], score: 500 });
    expect(h.opportunity(c.id).files.map((f) => f.name)).toEqual([`codesignal-report-${c.id}-1-${retakeId}.pdf`]);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, provisional: 2, retake: 1, result: 1 });
    expect(await finishedAt(retakeId)).toBeInstanceOf(Date);
  });

  it('a declined invitation ends the assessment with a note and the "declined" tag, and no result', async () => {
    const c = newCandidate('declined');
    const session = await invited(c);
    expect(await finishedAt(session.id)).toBeNull();
    control().declineSession(session.id);
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'declined', score: null, passed: null, sessionIds: [session.id] });
    expect(await finishedAt(session.id)).toBeInstanceOf(Date);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, declined: 1 });
    expect(noteTexts(h, c.id).find((t) => t.startsWith('The candidate declined'))).toContain(seedTest(false).title);
    const o = h.opportunity(c.id);
    expect(codesignalTags(o)).toEqual(['CodeSignal: declined']);
    expect(o.files).toEqual([]);
    expect(o.stage).toBe(seed().stageIds.assessment);
    // The declined session is left as the candidate left it, not deleted.
    expect(control().session(session.id).status).toBe('declined');
    await summaryStatus(c, '1', 'declined');
  });

  it.each([
    ['expired', (id: string): unknown => control().expireSession(id)],
    ['declined', (id: string): unknown => control().declineSession(id)],
  ] as const)('retaking a finished-as-%s assessment reactivates its session and takes the new result', async (status, end) => {
    const c = newCandidate(`retake-${status}`);
    const first = await invited(c);
    end(first.id);
    expect(await assessmentResult(h, c.id)).toMatchObject({ status });
    // expired or declined in CodeSignal: no longer waiting on a result
    expect(await finishedAt(first.id)).toBeInstanceOf(Date);
    await summaryStatus(c, '1', status);

    const res = await retake(c);
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ assessmentId: '2' });
    const second = assessmentHandle(h, c.id, 2);
    const newId = await eventually(async () => {
      const s = await second.query(assessmentStateQuery);
      expect(s.status).toBe('invited');
      return s.sessionId!;
    }, 30_000);
    expect(control().session(first.id).reactivatedSession?.newSessionId).toBe(newId);
    expect(sessionsFor(h, c.email).map((s) => s.id).sort()).toEqual([first.id, newId].sort());
    expect(noteTexts(h, c.id).filter((t) => t.startsWith('CodeSignal retake of'))).toHaveLength(1);
    expect(await finishedAt(newId)).toBeNull();

    control().submitSession(newId, { score: control().session(newId).maxScore });
    expect(await second.result()).toMatchObject({ status: 'completed', passed: true, sessionIds: [newId] });
    expect(await finishedAt(newId)).toBeInstanceOf(Date);
    await summaryStatus(c, '2', 'completed');
    expect((await candidateAssessments(c)).map((a) => [a.assessmentId, a.status, a.retakeOf])).toEqual([
      ['1', status, undefined],
      ['2', 'completed', '1'],
    ]);
  });

  it('a session found finalizing (score still being computed) counts as started and waits for the score', async () => {
    const c = newCandidate('finalizing');
    const session = await invited(c);
    const reads = () => codesignalRequests(h, { operationName: 'GetTestSession' }).filter((r) => r.variables?.id === session.id);
    const readsBefore = reads().length;
    // Started and submitted at once: the start's webhook arrives when the session is already finalizing.
    control().submitSession(session.id, { score: 300, holdScoring: true });
    expect(control().session(session.id).status).toBe('finalizing');
    await eventually(async () => {
      expect(reads().length).toBeGreaterThan(readsBefore);
      expect((await assessmentHandle(h, c.id).query(assessmentStateQuery)).status).toBe('started');
      expect(codesignalTags(h.opportunity(c.id))).toEqual(['CodeSignal: in progress']);
    }, 30_000);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1 });
    expect(h.opportunity(c.id).files).toEqual([]);

    control().finishScoring(session.id);
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'completed', score: 300, passed: false });
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, result: 1 });
    expect(h.opportunity(c.id).files).toHaveLength(1);
  });
});
