import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { noteTexts, waitForInvitation } from '../../support/assessment-faults';
import { decisionCandidate } from '../../support/decisions';
import { eventually } from '../../support/stack';

const reviewTag = 'CodeSignal: needs integrity review';
const noActionTag = 'CodeSignal: no decision, no action';
const timedOutNote = 'no decision on the integrity review by';

/**
 * The integrity review's deadline (README "Assessments", item 8): a result CodeSignal's review flags waits
 * for a recruiter; with no decision within `integrityReview.timeoutHours` nothing is done — no stage move,
 * no archive, no pass or fail tag — and a note and the "no decision, no action" tag say so, once. The
 * deadline is real time on the run's Temporal dev server: 0.01 h (36 s), long enough to flag the session
 * while CodeSignal's review is still open (the same wait), short enough for a test.
 */
describe('integrity review: no decision by the deadline', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Integrity timeout' });
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    const res = await h.putSettings({
      defaultTestByStage: { [seed().stageIds.assessment]: plain.id },
      thresholds: { passPercent: 70, pass: { tag: 'CodeSignal: passed', moveToStageId: seed().stageIds.onSite }, fail: { tag: 'CodeSignal: below threshold', moveToStageId: seed().stageIds.phoneScreen } },
      integrityReview: { enabled: true, timeoutHours: 0.01 },
    });
    expect(res.status).toBe(200);
  });
  afterAll(() => h?.close());

  it.each([
    ['a passing result', 90],
    ['a failing result', 20],
  ])('%s flagged, then no decision: no move, no archive, the timed-out note once', async (_label, percent) => {
    const c = decisionCandidate(h, 'Integrity', `timeout-${percent}`);
    const assessment = h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1));
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.floor((session.maxScore * percent) / 100) });
    await eventually(async () => expect(h.opportunity(c.id).tags).toContain('CodeSignal: completed'), 30_000);
    h.sandboxes.codesignalSandbox.control.updateIntegrityReview(session.id, true);
    await eventually(async () => {
      expect(h.opportunity(c.id).tags).toContain(reviewTag);
      expect((await assessment.query(assessmentStateQuery)).pendingDecision).toMatchObject({ kind: 'integrity' });
    }, 30_000);

    // nobody decides: the workflow ends by itself at the deadline
    expect(await assessment.result()).toMatchObject({ status: 'completed', decision: 'timedOut', pendingDecision: null });
    const o = h.opportunity(c.id);
    expect(o.stage).toBe(seed().stageIds.assessment);
    expect((o as { archived?: unknown }).archived ?? null).toBeNull();
    expect(o.archiveHistory ?? []).toEqual([]);
    expect(o.tags).toEqual(expect.arrayContaining([noActionTag, reviewTag]));
    expect(o.tags).not.toContain('CodeSignal: passed');
    expect(o.tags).not.toContain('CodeSignal: below threshold');
    const timedOut = noteTexts(h, c.id).filter((t) => t.includes(timedOutNote));
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]).toContain('no action was taken (the candidate stays where they are)');
    // nothing after the deadline moves the candidate either
    await new Promise((r) => setTimeout(r, 2000));
    expect(h.opportunity(c.id).stage).toBe(seed().stageIds.assessment);
    expect(noteTexts(h, c.id).filter((t) => t.includes(timedOutNote))).toHaveLength(1);
  });
});
