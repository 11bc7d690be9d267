import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { noteTexts, waitForInvitation, type Candidate } from '../../support/assessment-faults';
import { decisionCandidate, postDecision, runTagCommands } from '../../support/decisions';
import { eventually } from '../../support/stack';

const reviewTag = 'CodeSignal: needs integrity review';
const passTag = 'CodeSignal: passed';
const failTag = 'CodeSignal: below threshold';

/**
 * CodeSignal's integrity review of non-proctored sessions (README "Assessments"), end to end through both
 * sandboxes: a suggested problem never moves anyone; the outcome waits for a recruiter, who confirms
 * (failed) or clears (as scored) by tag command or in the admin API, on the rejection approval's decision.
 */
describe('integrity review', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const review = (patch: Record<string, unknown>) => h.putSettings({ integrityReview: { enabled: true, timeoutHours: 72, ...patch } });

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Integrity' });
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({
      defaultTestByStage: { [seed().stageIds.assessment]: plain.id },
      thresholds: { passPercent: 70, pass: { tag: passTag, moveToStageId: seed().stageIds.onSite }, fail: { tag: failTag, moveToStageId: seed().stageIds.phoneScreen } },
    });
    expect(res.status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
    expect((await review({})).status).toBe(200);
  });
  afterAll(() => h?.close());

  const newCandidate = (label: string): Candidate => decisionCandidate(h, 'Integrity', label);
  const assessment = (c: Candidate) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1));
  /** Invited, then submitted with `percent` of the points; answers once the result is posted. */
  async function resultPosted(c: Candidate, percent: number) {
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await waitForInvitation(h, c);
    control().submitSession(session.id, { score: Math.floor((session.maxScore * percent) / 100) });
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: completed'), 30_000);
    return session;
  }
  /** A passing result flagged by CodeSignal's review after it was posted: a private note and the tag, no move. */
  async function flagged(c: Candidate, percent: number) {
    const session = await resultPosted(c, percent);
    // CodeSignal's review is still open: nothing moves
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.assessment);
    control().updateIntegrityReview(session.id, true);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toContain(reviewTag);
      expect((await assessment(c).query(assessmentStateQuery)).pendingDecision).toMatchObject({ kind: 'integrity' });
      expect(noteTexts(h, c.id).some((t) => t.includes('integrity review of this result suggests a problem') && t.includes('CodeSignal: integrity confirmed') && t.includes('CodeSignal: integrity cleared'))).toBe(true);
    }, 30_000);
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.assessment);
    expect(o.tags).not.toContain(passTag);
    expect(o.tags).not.toContain(failTag);
  }

  it('flagged, then cleared by the tag "CodeSignal: integrity cleared": the normal outcome runs, tags follow', async () => {
    const c = newCandidate('cleared');
    await flagged(c, 90);
    h.sandboxes.leverSandbox.recruiter.addTags(seed().accountId, c.id, { tags: ['CodeSignal: integrity cleared'], userId: seed().userIds.recruiter });
    const summary = await runTagCommands(h);
    expect(summary.results.filter((r) => r.opportunityId === c.id)).toMatchObject([{ outcome: 'done' }]);
    expect(await assessment(c).result()).toMatchObject({ status: 'completed', decision: 'cleared', passed: true, pendingDecision: null });
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.onSite);
    expect(o.tags).toContain(passTag);
    expect(o.tags).not.toContain(reviewTag);
    expect(noteTexts(h, c.id).some((t) => t.includes('the integrity review was cleared'))).toBe(true);
  });

  it('flagged, then confirmed through the admin API: failed tags, no pass move; the audit log says who', async () => {
    const c = newCandidate('confirmed');
    await flagged(c, 90);
    const res = await postDecision(h, c, 'confirmIntegrity');
    expect(res.status).toBe(202);
    expect(await assessment(c).result()).toMatchObject({ decision: 'confirmed', passed: false });
    const o = h.opportunity(c.id);
    expect(o.stage).not.toBe(seed().stageIds.onSite);
    expect(o.stage).toBe(seed().stageIds.phoneScreen); // today's fail behaviour: approval of rejections is off
    expect(o.tags).toContain(failTag);
    expect(o.tags).not.toContain(passTag);
    expect(noteTexts(h, c.id).some((t) => t.includes('integrity problem was confirmed'))).toBe(true);
    const audits = await h.stack.db.query<{ details: { action?: string } }>(`SELECT details FROM audit_log WHERE integration_id = $1 AND target LIKE $2`, [h.integration.id, `%${c.id}%`]);
    expect(audits.rows.some((a) => a.details.action === 'confirmIntegrity')).toBe(true);
  });

  it('a clean review lets the held outcome run', async () => {
    const c = newCandidate('clean');
    const session = await resultPosted(c, 90);
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.assessment);
    control().updateIntegrityReview(session.id, false);
    expect(await assessment(c).result()).toMatchObject({ passed: true });
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.onSite);
    expect(h.opportunity(c.id).tags).not.toContain(reviewTag);
  });

  it('a problem found once the outcome ran (the review took longer than its wait): a note and the tag, the move is not undone', async () => {
    expect((await review({ timeoutHours: 0.004 })).status).toBe(200);
    try {
      const c = newCandidate('late');
      const session = await resultPosted(c, 90);
      await eventually(async () => expect(h.opportunity(c.id).stage).toBe(seed().stageIds.onSite), 60_000);
      control().updateIntegrityReview(session.id, true);
      await assessment(c).result();
      const o = h.opportunity(c.id);
      expect(o.stage).toBe(seed().stageIds.onSite);
      expect(o.tags).toEqual(expect.arrayContaining([reviewTag, passTag]));
      expect(noteTexts(h, c.id).some((t) => t.includes('already moved') && t.includes('not undone'))).toBe(true);
    } finally {
      await review({});
    }
  });

  it('with the setting off, today\'s behaviour: the outcome runs at once and a flag changes nothing', async () => {
    expect((await review({ enabled: false })).status).toBe(200);
    try {
      const c = newCandidate('off');
      const session = await resultPosted(c, 90);
      expect(await assessment(c).result()).toMatchObject({ passed: true });
      expect(h.opportunity(c.id).stage).toBe(seed().stageIds.onSite);
      control().updateIntegrityReview(session.id, true);
      await new Promise((r) => setTimeout(r, 2000));
      expect(h.opportunity(c.id).tags).not.toContain(reviewTag);
    } finally {
      await review({});
    }
  });
});
