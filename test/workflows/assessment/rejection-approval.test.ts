import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { noteTexts, waitForInvitation, type Candidate } from '../../support/assessment-faults';
import { decisionCandidate, postDecision, runTagCommands as runCommands } from '../../support/decisions';
import { readJson } from '../../support/lever-webhook';
import { eventually } from '../../support/stack';

const pending = 'CodeSignal: rejection pending approval';

/**
 * Human approval of rejections (README "Assessments"), end to end through both sandboxes: a result below
 * the threshold whose fail outcome moves the candidate waits for a recruiter, who approves or declines by
 * tag command or in the admin API; without a decision by the deadline nothing is done. Passing moves stay automatic.
 */
describe('approval of rejections', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  /** The posting whose rule times out in seconds. */
  const shortPosting = () => seed().postings[2]!.id;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Approval' });
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({
      defaultTestByStage: { [seed().stageIds.assessment]: plain.id },
      thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: seed().stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold', moveToStageId: seed().stageIds.phoneScreen } },
      approval: { rejections: true, timeoutHours: 72, byPosting: { [shortPosting()]: { rejections: true, timeoutHours: 0.002 } } },
    });
    expect(res.status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
  });
  afterAll(() => h?.close());

  const newCandidate = (label: string, postingId?: string): Candidate => decisionCandidate(h, 'Approval', label, postingId);
  const assessment = (c: Candidate) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1));
  /** Invited, then submitted with `percent` of the points; answers once the assessment waits (or is done). */
  async function submitted(c: Candidate, percent: number) {
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await waitForInvitation(h, c);
    control().submitSession(session.id, { score: Math.floor((session.maxScore * percent) / 100) });
    return session;
  }
  async function waitingForDecision(c: Candidate) {
    await submitted(c, 20);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: below threshold', pending]));
      expect((await assessment(c).query(assessmentStateQuery)).pendingDecision).toMatchObject({ kind: 'rejection', stageId: seed().stageIds.phoneScreen });
      // the note follows the tag
      expect(noteTexts(h, c.id).some((t) => t.includes("needs a recruiter's approval") && t.includes('CodeSignal: approve') && t.includes('CodeSignal: decline'))).toBe(true);
    }, 30_000);
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.assessment);
    // the admin UI's timeline reads it from the candidate's assessments
    await eventually(async () => expect((await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(assessmentsQuery))[0]?.pendingDecision).toBeTruthy(), 10_000);
  }
  const decide = (c: Candidate, action: string) => postDecision(h, c, action);
  const runTagCommands = () => runCommands(h);
  const audits = async (c: Candidate) =>
    (await h.stack.db.query<{ action: string; actor: string; details: Record<string, unknown> }>(
      `SELECT action, actor, details FROM audit_log WHERE integration_id = $1 AND (target LIKE $2 OR target LIKE $3) ORDER BY id`,
      [h.integration.id, `opportunityId=${c.id} %`, `%${c.id}%`],
    )).rows;

  it('a passing result still moves the candidate at once', async () => {
    const c = newCandidate('pass');
    await submitted(c, 90);
    await eventually(async () => expect(h.opportunity(c.id).stage).toBe(seed().stageIds.onSite), 30_000);
    expect(h.opportunity(c.id).tags).not.toContain(pending);
    expect((await assessment(c).result()).pendingDecision).toBeUndefined();
  });

  it('approved by the tag "CodeSignal: approve": the rejection is done, the audit log says "Lever tag"', async () => {
    const c = newCandidate('tag-approve');
    await waitingForDecision(c);
    h.sandboxes.leverSandbox.recruiter.addTags(seed().accountId, c.id, { tags: ['CodeSignal: approve'], userId: seed().userIds.recruiter });
    const summary = await runTagCommands();
    expect(summary.results.filter((r) => r.opportunityId === c.id)).toMatchObject([{ outcome: 'done', message: 'the rejection of assessment 1 is approved' }]);
    expect(await assessment(c).result()).toMatchObject({ status: 'completed', decision: 'approved', pendingDecision: null });
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.phoneScreen);
    expect(o.tags).not.toContain(pending);
    expect(o.tags).not.toContain('CodeSignal: approve');
    expect(noteTexts(h, c.id).some((t) => t.includes('the rejection was approved'))).toBe(true);
    expect((await audits(c)).find((a) => a.action === 'tag command approve')).toMatchObject({ actor: 'Lever tag “CodeSignal: approve”', details: { decidedBy: 'Lever tag', outcome: 'done' } });
  });

  it('approved through the admin API: the rejection is done; a second decision is refused', async () => {
    const c = newCandidate('api-approve');
    await waitingForDecision(c);
    const res = await decide(c, 'approve');
    expect(res.status).toBe(202);
    expect(await assessment(c).result()).toMatchObject({ decision: 'approved' });
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.phoneScreen);
    const again = await decide(c, 'decline');
    expect(again.status).toBe(404); // the assessment has ended
    expect((await audits(c)).some((a) => (a.details as { action?: string }).action === 'approve')).toBe(true);
  });

  it('declined by the tag "CodeSignal: decline": nothing is done and the tags say so', async () => {
    const c = newCandidate('decline');
    await waitingForDecision(c);
    h.sandboxes.leverSandbox.recruiter.addTags(seed().accountId, c.id, { tags: ['CodeSignal: decline'], userId: seed().userIds.recruiter });
    await runTagCommands();
    expect(await assessment(c).result()).toMatchObject({ decision: 'declined' });
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.assessment);
    expect(o.tags).toEqual(expect.arrayContaining(['CodeSignal: rejection declined', 'CodeSignal: below threshold']));
    expect(o.tags).not.toContain(pending);
    expect(noteTexts(h, c.id).some((t) => t.includes('the rejection was declined; nothing was done'))).toBe(true);
  });

  it('a decision with nothing waiting is refused (409)', async () => {
    const c = newCandidate('nothing-waiting');
    h.moveToStage(c.id, seed().stageIds.assessment);
    await waitForInvitation(h, c);
    const res = await decide(c, 'approve');
    expect(res.status).toBe(409);
    expect((await readJson(res)).message).toContain('nothing is waiting for a decision');
  });

  it('no decision by the deadline: no action, a note and a tag say so', async () => {
    const c = newCandidate('timeout', shortPosting());
    await submitted(c, 20);
    expect(await assessment(c).result()).toMatchObject({ decision: 'timedOut', pendingDecision: null });
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.assessment);
    expect(o.tags).toEqual(expect.arrayContaining(['CodeSignal: no decision, no action']));
    expect(o.tags).not.toContain(pending);
    expect(noteTexts(h, c.id).some((t) => t.includes('no action was taken'))).toBe(true);
  });
});
