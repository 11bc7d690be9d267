import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { cancelInterviewUpdate, interviewStateQuery, scheduleInterviewUpdate, type ScheduleInterviewRequest } from '../../../src/workflows/interview/messages';
import { interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { eventually } from '../../support/stack';

const hour = 60 * 60 * 1000;
const day = 24 * hour;

/**
 * Interviews scheduled through the service: the room is edited to cover the slot and the slot is an
 * externally managed Lever panel (lever-api.md §3.7) kept in step with it — rescheduled, cancelled,
 * cancelled by leaving the stage — and written once even when answers are lost.
 */
describe('live interview scheduled through the service', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let created = 0;

  beforeAll(async () => {
    h = await startAssessmentHarness();
    const res = await h.putSettings(
      { triggerStageIds: [h.sandboxes.lever.seed.stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: h.sandboxes.codesignal.seed.users[0]!.id, expiryHours: 48 },
      'interviews',
    );
    expect(res.status).toBe(200);
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;
  const rooms = (email: string) => control().interviews(companyId()).filter((i) => i.candidateEmail === email);
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const panels = (id: string) => h.sandboxes.leverSandbox.recruiter.inspect(seed().accountId, id).panels as Array<Record<string, unknown> & { id: string; interviews: Array<Record<string, unknown>> }>;
  const handle = (id: string) => h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, id, 1));
  const scheduleLinks = (id: string) => h.opportunity(id).links.filter((l) => l.includes('/interviews/schedule/'));
  /** The recruiter's CodeSignal twin (mapped by e-mail), who becomes the room's interviewer. */
  const recruiterInCodeSignal = () => {
    const recruiter = seed().users.find((u) => u.id === seed().userIds.recruiter)!;
    return h.sandboxes.codesignal.seed.users.find((u) => u.email === recruiter.email)!;
  };

  async function candidateWithRoom() {
    created += 1;
    const email = `scheduled-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Sasha Scheduled${created}`, emails: [email], userId: seed().userIds.recruiter });
    h.moveToStage(opp.id, seed().stageIds.onSite);
    const room = await eventually(async () => {
      expect((await handle(opp.id).query(interviewStateQuery)).status).toBe('scheduled');
      // the link is the last write of the room's set-up: nothing of it is still on its way to Lever
      expect(scheduleLinks(opp.id)).toHaveLength(1);
      return rooms(email)[0]!;
    }, 30_000);
    return { id: opp.id, email, room };
  }

  const slot = (over: Partial<ScheduleInterviewRequest> = {}): ScheduleInterviewRequest => ({
    startsAt: Math.ceil((Date.now() + 3 * day) / 60_000) * 60_000,
    timezone: 'Europe/Paris',
    durationMinutes: 60,
    interviewerIds: [seed().userIds.recruiter, seed().userIds.interviewer],
    templateId: null,
    scheduledBy: null,
    ...over,
  });
  const schedule = (id: string, request: ScheduleInterviewRequest) => handle(id).executeUpdate(scheduleInterviewUpdate, { args: [request] });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => {
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        return ((err as WorkflowUpdateFailedError).cause as Error).message;
      },
    );

  // Whether Lever sends webhooks for the API's own interview writes is not documented: both ways.
  it.each([false, true])('writes one externally managed Lever panel with the slot and edits the room to cover it; a reschedule replaces both (API writes fire webhooks: %s)', async (apiWritesFireWebhooks) => {
    h.sandboxes.leverSandbox.admin.updateSettings(seed().accountId, { apiWritesFireWebhooks });
    try {
      await scheduleAndReschedule(apiWritesFireWebhooks);
    } finally {
      h.sandboxes.leverSandbox.admin.updateSettings(seed().accountId, { apiWritesFireWebhooks: false });
    }
  });

  async function scheduleAndReschedule(webhooks: boolean) {
    const c = await candidateWithRoom();
    const request = slot();
    const scheduled = await schedule(c.id, request);
    const [panel] = panels(c.id);
    expect(panels(c.id)).toHaveLength(1);
    expect(panel).toMatchObject({ id: scheduled.panelId, externallyManaged: true, externalUrl: c.room.url, timezone: 'Europe/Paris' });
    expect(panel!.interviews).toHaveLength(1);
    expect(panel!.interviews[0]).toMatchObject({ id: scheduled.leverInterviewId, date: request.startsAt, duration: 60, location: c.room.url });
    expect((panel!.interviews[0]!.interviewers as Array<{ id: string }>).map((i) => i.id)).toEqual(request.interviewerIds);
    // the room: interviewer from the user mapping, open until a day after the end
    const room = control().interview(c.room.id);
    expect(room.interviewerId).toBe(recruiterInCodeSignal().id);
    const end = request.startsAt + 60 * 60_000;
    expect(room.createDate + room.expirationTime).toBeGreaterThanOrEqual(end + day - 60_000);
    const state = await handle(c.id).query(interviewStateQuery);
    expect(state.schedule).toMatchObject({ panelId: scheduled.panelId, startsAt: request.startsAt, durationMinutes: 60 });
    expect(state.expiresAt).toBe(end + day);
    // the note is the flow's last write after the schedule: it may land a moment after the state says scheduled
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.startsWith('CodeSignal live interview scheduled:') && t.includes('(Europe/Paris)'))).toBe(true));

    // rescheduled a day later, 90 minutes, one interviewer: the same panel and interview, replaced
    const later = slot({ startsAt: request.startsAt + day, durationMinutes: 90, interviewerIds: [seed().userIds.interviewer] });
    const again = await schedule(c.id, later);
    expect(again).toMatchObject({ panelId: scheduled.panelId, leverInterviewId: scheduled.leverInterviewId });
    expect(panels(c.id)).toHaveLength(1);
    expect(panels(c.id)[0]!.interviews[0]).toMatchObject({ date: later.startsAt, duration: 90 });
    expect((panels(c.id)[0]!.interviews[0]!.interviewers as Array<{ id: string }>).map((i) => i.id)).toEqual([seed().userIds.interviewer]);
    const moved = control().interview(c.room.id);
    expect(moved.createDate + moved.expirationTime).toBeGreaterThanOrEqual(later.startsAt + 90 * 60_000 + day - 60_000);
    expect(rooms(c.email)).toHaveLength(1);
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.startsWith('CodeSignal live interview rescheduled:'))).toBe(true));
    if (webhooks) {
      // the panel's own interviewCreated/Updated reach the workflow, which finds the schedule it wrote: no second note
      await eventually(async () => {
        const deliveries = h.sandboxes.leverSandbox.admin.deliveries(seed().accountId).filter((d) => d.event.startsWith('interview') && JSON.stringify(d).includes(scheduled.leverInterviewId));
        expect(deliveries.length).toBeGreaterThanOrEqual(2); // created, then updated
        expect(deliveries.every((d) => d.state === 'succeeded')).toBe(true);
      }, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    expect(noteTexts(c.id).some((t) => t.startsWith('CodeSignal live interview follows the Lever schedule'))).toBe(false);
    expect((await handle(c.id).query(interviewStateQuery)).expiresAt).toBe(later.startsAt + 90 * 60_000 + day);
  }

  it('cancels as the recruiter asks: panel and room gone, both links removed, refused afterwards', async () => {
    const c = await candidateWithRoom();
    await schedule(c.id, slot());
    const final = await handle(c.id).executeUpdate(cancelInterviewUpdate);
    expect(final.status).toBe('cancelled');
    expect(panels(c.id)).toEqual([]);
    expect(control().interview(c.room.id).status).toBe('deleted');
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(h.opportunity(c.id).links).not.toContain(c.room.url);
    expect(scheduleLinks(c.id)).toEqual([]);
    await eventually(async () => expect(noteTexts(c.id).some((t) => t.includes('cancelled: a recruiter cancelled it through the integration'))).toBe(true));
    // RECORD_SCHEDULED_HISTORY=1: refresh the history replay.test.ts replays (scheduled, then cancelled by update)
    if (process.env.RECORD_SCHEDULED_HISTORY) {
      writeFileSync(path.join(__dirname, '..', '..', 'histories', 'interview-workflow-scheduled-v1.json'), historyToJSON(await handle(c.id).fetchHistory()) + '\n');
    }
  });

  it('cancels the slot when the candidate leaves the interview stage before it', async () => {
    const c = await candidateWithRoom();
    await schedule(c.id, slot());
    expect(panels(c.id)).toHaveLength(1);
    h.moveToStage(c.id, seed().stageIds.offer);
    expect(await handle(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(panels(c.id)).toEqual([]);
    expect(control().interview(c.room.id).status).toBe('deleted');
    expect(scheduleLinks(c.id)).toEqual([]);
  });

  it('refuses a slot in the past, beyond the room limit, or once the interview has started, and writes nothing', async () => {
    const c = await candidateWithRoom();
    expect(await refusal(schedule(c.id, slot({ startsAt: Date.now() - hour })))).toBe('the start is in the past');
    expect(await refusal(schedule(c.id, slot({ startsAt: Date.now() + 14 * day })))).toMatch(/at most 14 days from its creation/);
    expect(await refusal(schedule(c.id, slot({ durationMinutes: 0 })))).toMatch(/duration/);
    expect(await refusal(schedule(c.id, slot({ interviewerIds: [] })))).toMatch(/interviewers/);
    expect(panels(c.id)).toEqual([]);
    control().startInterview(c.room.id);
    // CodeSignal sends no event when an interview starts: the cancellation finds it started
    const refusedCancel = await refusal(handle(c.id).executeUpdate(cancelInterviewUpdate));
    expect(refusedCancel).toMatch(/in progress|no longer be cancelled/);
    await eventually(async () => expect((await handle(c.id).query(interviewStateQuery)).status).toBe('in_progress'));
    expect(await refusal(schedule(c.id, slot()))).toMatch(/in progress/);
    expect(panels(c.id)).toEqual([]);
  });

  it('writes one panel and edits one room when the answers of both writes are lost after they commit', async () => {
    const c = await candidateWithRoom();
    control().setFaults(companyId(), { dropNext: 1 }); // editLiveInterview commits, its answer is lost
    h.sandboxes.leverSandbox.admin.updateFaults(seed().accountId, { dropNext: 1 }); // so does the panel POST
    try {
      const scheduled = await schedule(c.id, slot());
      expect(panels(c.id)).toHaveLength(1);
      expect(panels(c.id)[0]!.id).toBe(scheduled.panelId);
      expect(rooms(c.email)).toHaveLength(1);
      expect(control().requests({ companyId: companyId() }).filter((r) => r.operationName === 'EditLiveInterview' && r.outcome === 'dropped')).toHaveLength(1);
      expect(h.sandboxes.leverSandbox.admin.requests(seed().accountId).filter((r) => r.faults.includes('dropped') && r.path.endsWith('/panels'))).toHaveLength(1);
    } finally {
      control().clearFaults(companyId());
      h.sandboxes.leverSandbox.admin.clearFaults(seed().accountId);
    }
    // and a lost room creation, earlier, left one room too (interview-flow.test.ts); the slot moves both once more
    await schedule(c.id, slot({ durationMinutes: 45 }));
    expect(panels(c.id)).toHaveLength(1);
  });
});
