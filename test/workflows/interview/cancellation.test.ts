import { randomUUID } from 'node:crypto';
import { interviewStateQuery, type InterviewStatus } from '../../../src/workflows/interview/messages';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { candidateWorkflowId, interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { eventually } from '../../support/stack';

const hour = 60 * 60 * 1000;

/**
 * How a live interview ends early, end to end through the ingress and both sandboxes: the Lever
 * interview deleted, the candidate hired, and a cancellation that comes after the interview started.
 * (A room deleted in CodeSignal is noticed on the room's expiry timer: feedback-timer.test.ts.)
 */
describe('live interview cancellation', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Interview cancellation' });
    const interviewer = h.sandboxes.codesignal.seed.users[0]!.id;
    const res = await h.putSettings({ triggerStageIds: [seed().stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewer }, 'interviews');
    expect(res.status).toBe(200);
  });
  afterAll(() => h?.close());

  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const notes = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  /** Each note's first line: what it says, without the service's reference marker. */
  const headlines = (id: string) => notes(id).map((t) => t.split('\n')[0] ?? '');
  const handle = (id: string) => h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, id, 1));
  const interviewTags = (id: string) => h.opportunity(id).tags.filter((t) => t.startsWith('CodeSignal interview:')).sort();
  const candidateKnows = (id: string, status: InterviewStatus) =>
    eventually(async () => {
      const state = await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, id)).query(candidateStateQuery);
      expect(state.interviews?.[0]?.status).toBe(status);
    }, 30_000);

  /** A new candidate moved to the on-site stage, once the room is on the opportunity. */
  async function candidateWithRoom(label: string) {
    const email = `${label}-${randomUUID().slice(0, 8)}@candidates.example`;
    const c = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Sam ${label}`, emails: [email], userId: seed().userIds.recruiter });
    h.moveToStage(c.id, seed().stageIds.onSite);
    const room = await eventually(async () => {
      expect((await handle(c.id).query(interviewStateQuery)).status).toBe('scheduled');
      const [created] = control().interviews(h.sandboxes.codesignal.seed.companyId).filter((i) => i.candidateEmail === email);
      expect(h.opportunity(c.id).links).toContain(created!.url);
      return created!;
    }, 30_000);
    return { id: c.id, room };
  }

  /** Cancelled before it took place: room deleted in CodeSignal, link gone, a note with the reason, tagged "cancelled". */
  async function expectCancelled(c: { id: string; room: { id: string; url: string } }, reason: string) {
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled', roomId: c.room.id });
    expect(control().interview(c.room.id).status).toBe('deleted');
    expect(h.opportunity(c.id).links).not.toContain(c.room.url);
    expect(headlines(c.id).filter((t) => t.startsWith('CodeSignal live interview cancelled'))).toEqual([`CodeSignal live interview cancelled: ${reason}.`]);
    expect(interviewTags(c.id)).toEqual(['CodeSignal interview: cancelled']);
    await candidateKnows(c.id, 'cancelled');
  }

  it('deleting the Lever interview the room follows cancels the room', async () => {
    const c = await candidateWithRoom('lever-deleted');
    h.sandboxes.leverSandbox.recruiter.schedulePanel(seed().accountId, c.id, {
      timezone: 'UTC',
      interviews: [{ interviewers: [{ id: seed().userIds.interviewer }], date: Date.now() + 48 * hour, duration: 60 }],
      userId: seed().userIds.recruiter,
    });
    const [leverInterview] = h.opportunity(c.id).interviews;
    await eventually(async () => expect((await handle(c.id).query(interviewStateQuery)).leverInterviewIds).toEqual([leverInterview!.id]), 30_000);

    h.sandboxes.leverSandbox.recruiter.deleteInterview(seed().accountId, c.id, leverInterview!.id, { userId: seed().userIds.recruiter });
    await expectCancelled(c, 'the interview was deleted in Lever');
  });

  it('hiring the candidate before the interview cancels the room', async () => {
    const c = await candidateWithRoom('hired');
    h.sandboxes.leverSandbox.recruiter.hire(seed().accountId, c.id, {});
    await expectCancelled(c, 'the candidate was hired');
  });

  it('leaving the stage after the interview started changes nothing: the room stays and its feedback is posted', async () => {
    const c = await candidateWithRoom('started');
    // CodeSignal sends no event when an interview starts: the service learns it only when it reads the room.
    control().startInterview(c.room.id);
    h.moveToStage(c.id, seed().stageIds.offer);
    await eventually(async () => expect((await handle(c.id).query(interviewStateQuery)).status).toBe('in_progress'), 30_000);
    expect(control().interview(c.room.id).status).toBe('active');
    expect(h.opportunity(c.id).links).toContain(c.room.url);
    expect(notes(c.id).some((t) => t.startsWith('CodeSignal live interview cancelled'))).toBe(false);
    expect(interviewTags(c.id)).toEqual(['CodeSignal interview: scheduled']);

    control().finishInterview(c.room.id, { questionsSolved: 1, feedback: { notes: 'Finished after the stage change.', overallEvaluation: 'yes' } });
    expect(await handle(c.id).result()).toMatchObject({ status: 'completed' });
    expect(notes(c.id).find((t) => t.startsWith('CodeSignal live interview finished'))).toContain('Notes: Finished after the stage change.');
    expect(interviewTags(c.id)).toContain('CodeSignal interview: completed');
    expect(interviewTags(c.id)).not.toContain('CodeSignal interview: cancelled');
    await candidateKnows(c.id, 'completed');
  });
});
