import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { CODESIGNAL_RESPONSE_MODES, startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

const day = 24 * 60 * 60 * 1000;

/** Proctoring, recruiter actions and cancellation, end to end through both sandboxes, with CodeSignal answering in full and as sparsely as its schema allows. */
describe.each(CODESIGNAL_RESPONSE_MODES)('assessment lifecycle (CodeSignal %s)', (mode) => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let created = 0;

  beforeAll(async () => {
    h = await startAssessmentHarness({ codesignalResponseMode: mode });
    const seed = h.sandboxes.lever.seed;
    const proctored = h.sandboxes.codesignal.seed.tests.find((t) => t.proctored)!;
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const posting = seed.postings[1]!;
    // The posting's default wins over the stage's: every invitation here goes out without the selection page.
    const res = await h.putSettings({
      defaultTestByStage: { [seed.stageIds.assessment]: plain.id },
      defaultTestByPosting: { [posting.id]: proctored.id },
    });
    expect(res.status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
  });
  afterAll(() => h.close());

  /** A fresh candidate in Lever (created by a recruiter), optionally applied to a posting. */
  function newCandidate(postingId?: string) {
    const seed = h.sandboxes.lever.seed;
    created += 1;
    const email = `lifecycle-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, {
      name: `Casey Lifecycle${created}`,
      emails: [email],
      ...(postingId ? { postings: [postingId] } : {}),
      userId: seed.userIds.recruiter,
    });
    return { id: opp.id, email };
  }
  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const sessionsFor = (email: string) => control().sessions(h.sandboxes.codesignal.seed.companyId).filter((s) => s.candidate.email === email);
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const handle = (id: string) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, id, 1));
  /** The session's `finished_at` in assessment_sessions: set once it waits on no CodeSignal result (lcs_candidates_waiting_on_result). */
  const finishedAt = async (sessionId: string) =>
    (await h.stack.db.query<{ finished_at: Date | null }>('SELECT finished_at FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2', [h.integration.id, sessionId])).rows[0]?.finished_at;
  const invited = async (c: { id: string; email: string }) => {
    h.moveToStage(c.id, seed().stageIds.assessment);
    return eventually(async () => {
      expect((await handle(c.id).query(assessmentStateQuery)).status).toBe('invited');
      return sessionsFor(c.email)[0]!;
    }, 30_000);
  };
  const act = (id: string, body: unknown) =>
    fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${id}/assessments/1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('proctored: a provisional note on submission, the final one after verification', async () => {
    const c = newCandidate(seed().postings[1]!.id);
    const session = await invited(c);
    expect(session.proctored).toBe(true);
    control().submitSession(session.id, { score: Math.floor(session.maxScore * 0.5) });
    await eventually(async () => {
      expect(noteTexts(c.id).some((t) => t.startsWith('CodeSignal result (provisional'))).toBe(true);
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: verification pending');
    }, 30_000);
    expect(h.opportunity(c.id).files).toHaveLength(0);

    control().verifySession(session.id);
    const state = await handle(c.id).result();
    expect(state).toMatchObject({ status: 'completed', passed: false });
    const o = h.opportunity(c.id);
    expect(o.files).toHaveLength(1);
    expect(o.tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: below threshold']));
    expect(o.stage).toBe(seed().stageIds.assessment); // no stage move configured for a fail
    const final = noteTexts(c.id).find((t) => t.startsWith('CodeSignal result:'))!;
    expect(final).toContain('Proctoring: verified');
    expect(final).toContain('Outcome: below the threshold');
    // notifyFollowers is off in these settings.
    expect(o.notes.every((n) => n.notifyFollowers === false)).toBe(true);
  });

  it('proctored: a result that is not verified gets a final note with the reasons', async () => {
    const c = newCandidate(seed().postings[1]!.id);
    const session = await invited(c);
    control().submitSession(session.id, { score: session.maxScore });
    await eventually(async () => expect((await handle(c.id).query(assessmentStateQuery)).status).toBe('verification_pending'), 30_000);
    control().rejectSession(session.id, [{ name: 'Identity mismatch', description: 'ID did not match the person on camera' }]);
    expect(await handle(c.id).result()).toMatchObject({ status: 'not_verified' });
    const note = noteTexts(c.id).find((t) => t.startsWith('CodeSignal result NOT verified'))!;
    // sparse: the session read back names no reasons; the webhook's are unsigned (reference §8), so none are claimed
    expect(note).toContain(mode === 'full' ? 'Identity mismatch: ID did not match the person on camera' : 'Reasons: no reason given');
    expect(h.opportunity(c.id).tags).toContain('CodeSignal: not verified');
  });

  it('recruiter actions: resend and extend an open invitation', async () => {
    const c = newCandidate();
    const first = await invited(c);
    const outbox = () => control().outbox(h.sandboxes.codesignal.seed.companyId).filter((m) => m.sessionId === first.id);

    expect((await act(c.id, { action: 'resend' })).status).toBe(202);
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.includes('sent again'))).toBe(true));
    expect(outbox().filter((m) => m.kind === 'resend')).toHaveLength(1);

    const before = first.expirationDate;
    expect((await act(c.id, { action: 'extend', days: 5 })).status).toBe(202);
    // sparse: CodeSignal does not tell the expiry, so the service extends from the expiry it asked for (milliseconds apart)
    await eventually(async () => expect(Math.abs(control().session(first.id).expirationDate - (before + 5 * day))).toBeLessThanOrEqual(mode === 'full' ? 0 : 60_000));
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.includes('extended'))).toBe(true));
    expect((await act(c.id, { action: 'extend', days: 0 })).status).toBe(400);
    // A retake needs a finished assessment.
    const early = await act(c.id, { action: 'retake' });
    expect(early.status).toBe(409);
    expect((await readJson(early)).message).toContain('only a finished, expired or declined assessment can be retaken');
  });

  it('a retake is a new assessment that reactivates the session and follows the new session id', async () => {
    const c = newCandidate();
    const first = await invited(c);
    control().submitSession(first.id, { score: 0 });
    expect(await handle(c.id).result()).toMatchObject({ status: 'completed', passed: false });

    const res = await act(c.id, { action: 'retake' });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ assessmentId: '2' });
    expect((await act(c.id, { action: 'retake' })).status).toBe(409); // only one retake of assessment 1

    const retake = h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 2));
    const second = await eventually(async () => {
      const state = await retake.query(assessmentStateQuery);
      expect(state.status).toBe('invited');
      return control().session(state.sessionId!);
    }, 30_000);
    expect(second.id).not.toBe(first.id);
    expect(control().session(first.id).reactivatedSession?.newSessionId).toBe(second.id);
    expect(noteTexts(c.id).some((t) => t.startsWith('CodeSignal retake of'))).toBe(true);
    // the reactivated session waits on nothing more; the retake's does
    expect(await finishedAt(first.id)).toBeInstanceOf(Date);
    expect(await finishedAt(second.id)).toBeNull();

    control().submitSession(second.id, { score: second.maxScore });
    expect(await retake.result()).toMatchObject({ status: 'completed', passed: true, sessionIds: [second.id] });
    expect(await finishedAt(second.id)).toBeInstanceOf(Date);
    expect(h.opportunity(c.id).files).toHaveLength(2);
    const list = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments`, { headers: { authorization: `Bearer ${adminToken}` } });
    const { assessments } = await readJson(list);
    expect(assessments.map((a: { assessmentId: string; status: string; retakeOf?: string }) => [a.assessmentId, a.status, a.retakeOf])).toEqual([
      ['1', 'completed', undefined],
      ['2', 'completed', '1'],
    ]);
  });

  it('refuses an unknown action and actions on a finished assessment', async () => {
    const c = newCandidate();
    const session = await invited(c);
    const bad = await act(c.id, { action: 'explode' });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).message).toContain('action');
    expect((await act(c.id, { action: 'cancel' })).status).toBe(202);
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(await finishedAt(session.id)).toBeInstanceOf(Date);
    const after = await act(c.id, { action: 'resend' });
    // the assessment's workflow has ended: no open assessment to act on
    expect(after.status).toBe(404);
    expect((await readJson(after)).error).toBe('unknown_assessment');
  });

  it('archiving the candidate in Lever cancels the pending session and says so', async () => {
    const c = newCandidate();
    const session = await invited(c);
    const reason = seed().archiveReasons.find((r) => r.type === 'non-hired')!;
    expect(await finishedAt(session.id)).toBeNull();
    h.sandboxes.leverSandbox.recruiter.archive(seed().accountId, c.id, { reason: reason.id });
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(control().session(session.id).status).toBe('deleted');
    // no longer waiting on a result
    expect(await finishedAt(session.id)).toBeInstanceOf(Date);
    expect(noteTexts(c.id).some((t) => t.includes('cancelled: the candidate was archived in Lever'))).toBe(true);
    expect(h.opportunity(c.id).tags).toContain('CodeSignal: cancelled');
  });

  it('hiring the candidate cancels the pending session too', async () => {
    const c = newCandidate();
    const session = await invited(c);
    h.sandboxes.leverSandbox.recruiter.hire(seed().accountId, c.id, {});
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(control().session(session.id).status).toBe('deleted');
    expect(noteTexts(c.id).some((t) => t.includes('cancelled: the candidate was hired'))).toBe(true);
  });
});
