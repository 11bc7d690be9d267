import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { InterviewActivities } from '../../activities/interview/interview-activities';
import {
  cancelInterviewSignal,
  cancelInterviewUpdate,
  interviewStateQuery,
  interviewStatusSignal,
  leverInterviewChangeSignal,
  liveInterviewEventSignal,
  MAX_INTERVIEW_MINUTES,
  MAX_ROOM_HOURS,
  ROOM_GRACE_AFTER_END_MS,
  scheduleInterviewUpdate,
  type InterviewCancelReason,
  type InterviewState,
  type InterviewStatus,
  type InterviewWorkflowInput,
  type RoomSnapshot,
  type ScheduledInterview,
  type ScheduleInterviewRequest,
} from './messages';
import type { InterviewNote } from './notes';
import { failureOf } from '../shared/failures';
import { aboutTheLeverUser, createStops, StoppedFlowCancelled, type FlowStop } from '../shared/stops';
import type { StopActivities } from '../../activities/shared/stops';
import type { SettingsActivities } from '../../activities/shared/settings-activities';
import { startTimer } from '../shared/timers';

const hour = 60 * 60 * 1000;

/** From this version on, a room deleted or archived in CodeSignal has its link removed from the opportunity too. */
const roomGoneLinkPatch = 'room-gone-link-v1';

/** From this version on, the opportunity gets a signed "Schedule CodeSignal interview" link while the room is pending. */
const scheduleLinkPatch = 'interview-schedule-link-v1';

/** Lever and CodeSignal calls: retried with backoff for a day, but not past a non-retryable answer. */
const callOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
/** Unwrapped: every call in the workflow goes through its stops (`stops.wrap`), where a failure stops the flow under a name. */
const interviewCalls = proxyActivities<InterviewActivities>(callOptions);
/** A stop's confirmation with Lever, and the settings read again on a retry. */
const stopCalls = proxyActivities<StopActivities & Pick<SettingsActivities, 'loadInterviewSettings'>>(callOptions);

/** The writes of a slot a recruiter is waiting for on the scheduling page: retried for two minutes, then refused. */
const scheduling = proxyActivities<InterviewActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
});

const minute = 60_000;

/**
 * Why a slot cannot be scheduled, for the recruiter; undefined when it can. A start in the past is
 * refused by the API and by the room's edit (workflow code has no clock). `roomCreatedAt`: when the
 * room was created. Whether CodeSignal counts a room's 1–336 hours from its
 * creation or from the edit is not documented; the sandbox counts from creation, the stricter reading,
 * so the room is edited to cover the slot counted from its creation (an hour to spare).
 */
function slotProblem(request: ScheduleInterviewRequest, roomCreatedAt: number): string | undefined {
  const { startsAt, durationMinutes, interviewerIds, timezone } = request;
  if (!Number.isInteger(startsAt)) return 'the start is not a time';
  if (!Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAX_INTERVIEW_MINUTES) return `the duration must be 1 to ${MAX_INTERVIEW_MINUTES} minutes`;
  if (!timezone) return 'a time zone is required';
  if (interviewerIds.length < 1 || interviewerIds.length > 10 || new Set(interviewerIds).size !== interviewerIds.length) return 'choose 1 to 10 different interviewers';
  if (startsAt + durationMinutes * minute + ROOM_GRACE_AFTER_END_MS > roomCreatedAt + (MAX_ROOM_HOURS - 1) * hour) {
    return `CodeSignal keeps a room open for at most ${MAX_ROOM_HOURS / 24} days from its creation: schedule an interview that ends within ${MAX_ROOM_HOURS / 24 - 1} days of the candidate entering the interview stage`;
  }
  return undefined;
}

/** A refusal the API shows the recruiter as it is (409). */
const refused = (message: string) => ApplicationFailure.create({ type: 'ScheduleRefused', message, nonRetryable: true });

type ScheduleJob = { request: ScheduleInterviewRequest; answer?: { ok: ScheduledInterview } | { refused: string } };

type TaggedStatus = 'scheduled' | 'completed' | 'expired' | 'cancelled' | 'failed';

/**
 * One CodeSignal live interview of one candidate: room created and linked on the Lever opportunity,
 * kept in step with the interviews recruiters schedule in Lever, cancelled when the candidate moves
 * on or is archived, and closed with the interviewer's feedback as a Lever note.
 */
export async function interviewWorkflow(input: InterviewWorkflowInput): Promise<InterviewState> {
  const { settings } = input;
  const ref = { integrationId: input.integrationId, opportunityId: input.opportunityId, interviewId: input.interviewId };
  const workflowId = workflowInfo().workflowId;
  const state: InterviewState = {
    interviewId: input.interviewId,
    status: 'starting',
    roomId: null,
    roomUrl: null,
    codesignalInterviewerId: null,
    expiresAt: null,
    leverInterviewIds: [],
    feedback: [],
    failure: null,
    schedule: null,
  };
  const inbox = {
    leverChanges: [] as Array<{ leverInterviewId: string; change: 'created' | 'updated' | 'deleted' }>,
    roomEvents: 0,
    cancel: undefined as InterviewCancelReason | undefined,
    schedules: [] as ScheduleJob[],
    /** Recruiter cancellations (update) answered so far, and refused because the interview had started. */
    cancelsRefused: 0,
  };
  setHandler(leverInterviewChangeSignal, (change) => void inbox.leverChanges.push(change));
  setHandler(liveInterviewEventSignal, () => void (inbox.roomEvents += 1));
  setHandler(cancelInterviewSignal, ({ reason }) => void (inbox.cancel ??= reason));
  setHandler(interviewStateQuery, () => state);
  const openForScheduling = () => {
    if (state.status === 'starting') throw refused('the interview room is still being created: try again in a moment');
    if (state.status !== 'scheduled') throw refused(`the interview is ${state.status.replace('_', ' ')}: it can no longer be scheduled or cancelled here`);
  };
  setHandler(
    scheduleInterviewUpdate,
    async (request) => {
      const job: ScheduleJob = { request };
      inbox.schedules.push(job);
      await condition(() => job.answer !== undefined);
      if ('refused' in job.answer!) throw refused(job.answer.refused);
      return job.answer!.ok;
    },
    {
      validator: (request) => {
        openForScheduling();
        const problem = slotProblem(request, roomCreatedAt);
        if (problem) throw refused(problem);
      },
    },
  );
  setHandler(
    cancelInterviewUpdate,
    async () => {
      const refusedBefore = inbox.cancelsRefused;
      inbox.cancel ??= 'recruiter_request';
      await condition(() => state.status === 'cancelled' || inbox.cancelsRefused > refusedBefore || state.status !== 'scheduled');
      if (state.status !== 'cancelled') throw refused(`the interview is ${state.status.replace('_', ' ')}: it can no longer be cancelled`);
      return state;
    },
    { validator: openForScheduling },
  );

  /** Where the flow cannot go on, it stops under a name until a retry (README "When a flow stops: named errors"). */
  const stops = createStops({
    failedTag: () => settings.tags.failed,
    defaultUserDeactivated: () => stopCalls.defaultLeverUserDeactivated({ integrationId: input.integrationId }),
    announce: async (stop) => {
      await acts.setInterviewTags({ ...ref, add: [stop.tag], remove: [], withoutUser: aboutTheLeverUser(stop) }).catch(() => undefined);
      await note({ kind: 'stopped', stop });
    },
    resumed: (stop) => acts.setInterviewTags({ ...ref, add: [], remove: [stop.tag], withoutUser: aboutTheLeverUser(stop) }),
    report: async (stop) => {
      state.stopped = stop;
      await candidateWorkflow
        .signal(interviewStatusSignal, { interviewId: input.interviewId, status: state.status, stopped: stop })
        .catch((err: unknown) => log.warn('candidate workflow not reachable for a status update', { error: String(err) }));
    },
    cancelled: () => inbox.cancel !== undefined,
  });
  const acts = stops.wrap(interviewCalls);

  let notes = 0;
  const note = (body: InterviewNote) =>
    acts.postInterviewNote({ ...ref, note: body, notifyFollowers: input.notifyFollowers, noteRef: `interview-${input.interviewId}/${++notes}/${body.kind}` });
  const candidateWorkflow = getExternalWorkflowHandle(input.candidateWorkflowId);
  async function setStatus(status: InterviewStatus, tag?: TaggedStatus): Promise<void> {
    state.status = status;
    if (tag) {
      const all = Object.values(settings.tags);
      await acts.setInterviewTags({ ...ref, add: [settings.tags[tag]], remove: all.filter((t) => t !== settings.tags[tag]) });
    }
    await candidateWorkflow
      .signal(interviewStatusSignal, { interviewId: input.interviewId, status })
      .catch((err: unknown) => log.warn('candidate workflow not reachable for a status update', { error: String(err) }));
  }

  let cancelExpiry = () => {};
  let expiryDue = false;
  function scheduleExpiry(room: RoomSnapshot, expiresAt: number): void {
    cancelExpiry();
    expiryDue = false;
    state.expiresAt = expiresAt;
    cancelExpiry = startTimer(expiresAt - room.readAt, () => (expiryDue = true));
  }
  let feedbackDue = false;
  let cancelFeedbackWait = () => {};

  // Set when a cancellation found the interview already started: the room is read again.
  let roomStarted = false;
  /** Whether this run put the scheduling link on the opportunity (runs before scheduleLinkPatch did not). */
  let scheduleLink = false;
  /** When the room was created (the creating activity's clock); scheduling counts CodeSignal's room limit from it. */
  let roomCreatedAt = 0;

  /** A terminal state: the scheduling link goes, slots still waiting are refused, the updates answered. */
  async function ended(final: InterviewState): Promise<InterviewState> {
    for (const job of inbox.schedules.splice(0)) job.answer = { refused: `the interview is ${final.status}` };
    if (scheduleLink) await acts.setScheduleLink({ ...ref, present: false });
    await condition(allHandlersFinished);
    return final;
  }

  /** Edits the room to cover the slot and writes it as a Lever panel; the recruiter gets the refusal if either fails. */
  async function schedule(job: ScheduleJob, room: RoomSnapshot): Promise<RoomSnapshot> {
    const { request } = job;
    if (state.status !== 'scheduled') {
      job.answer = { refused: `the interview is ${state.status.replace('_', ' ')}: it can no longer be scheduled` };
      return room;
    }
    const expiresAt = request.startsAt + request.durationMinutes * minute + ROOM_GRACE_AFTER_END_MS;
    try {
      const interviewerId = await scheduling.resolveScheduleInterviewer({ integrationId: input.integrationId, leverInterviewerIds: request.interviewerIds, current: state.codesignalInterviewerId });
      const edited = await scheduling.editRoom({ ...ref, roomId: room.id, createdAt: roomCreatedAt, startsAt: request.startsAt, expiresAt, interviewerId, templateId: request.templateId });
      const panel = await scheduling.writeSchedulePanel({
        ...ref,
        roomUrl: room.url,
        startsAt: request.startsAt,
        timezone: request.timezone,
        durationMinutes: request.durationMinutes,
        interviewerIds: request.interviewerIds,
        scheduledBy: request.scheduledBy,
        current: state.schedule ? { panelId: state.schedule.panelId, leverInterviewId: state.schedule.leverInterviewId } : null,
      });
      const again = state.schedule != null;
      state.codesignalInterviewerId = interviewerId;
      state.schedule = { ...request, ...panel, roomUrl: room.url, expiresAt };
      if (!state.leverInterviewIds.includes(panel.leverInterviewId)) state.leverInterviewIds.push(panel.leverInterviewId);
      scheduleExpiry(edited, expiresAt);
      job.answer = { ok: state.schedule };
      await note({ kind: 'scheduled', at: request.startsAt, timezone: request.timezone, durationMinutes: request.durationMinutes, expiresAt, again });
      return edited;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = failureOf(err, 'ScheduleFailed');
      job.answer ??= { refused: failure.type === 'ScheduleRefused' ? failure.message : `Lever or CodeSignal refused the schedule: ${failure.message}` };
      return room;
    }
  }
  /** Cancels a room not started yet; undefined (and the cancellation changes nothing) when it has started. */
  async function cancel(reason: InterviewCancelReason, room: Pick<RoomSnapshot, 'id' | 'url'>): Promise<InterviewState | undefined> {
    // Histories from before the activity answered hold no result here: the room was cancelled.
    if ((await acts.cancelRoom({ ...ref, roomId: room.id })) === false) {
      roomStarted = true;
      return undefined;
    }
    if (state.schedule) await acts.deleteSchedulePanel({ ...ref, panelId: state.schedule.panelId, scheduledBy: state.schedule.scheduledBy });
    await acts.setRoomLink({ ...ref, url: room.url, present: false });
    await note({ kind: 'cancelled', reason });
    await setStatus('cancelled', 'cancelled');
    return state;
  }

  /** Cancelled while stopped (archived, moved on): best effort, the stop may be the very problem. */
  async function cancelStopped(stop: FlowStop): Promise<InterviewState> {
    const reason = inbox.cancel!;
    inbox.cancel = undefined;
    await acts.setInterviewTags({ ...ref, add: [], remove: [stop.tag], withoutUser: aboutTheLeverUser(stop) }).catch(() => undefined);
    const room = state.roomId !== null && state.roomUrl !== null ? { id: state.roomId, url: state.roomUrl } : null;
    try {
      if (!(room && state.status === 'scheduled' && (await cancel(reason, room)))) {
        await note({ kind: 'cancelled', reason });
        await setStatus('cancelled', 'cancelled');
      }
    } catch (err) {
      log.warn('a stopped live interview could not be cancelled everywhere', { error: String(err) });
    }
    state.status = 'cancelled';
    state.stopped = null;
    return ended(state).catch(() => state);
  }

  try {
    // one step with the e-mail check: after a stop for a missing e-mail, the retry reads the candidate again
    const candidate = await stops.untilFixed('getInterviewCandidate', async () => {
      const read = await interviewCalls.getInterviewCandidate({ integrationId: input.integrationId, opportunityId: input.opportunityId });
      if (!read.email) throw ApplicationFailure.nonRetryable('the candidate has no email address in Lever', 'CandidateWithoutEmail');
      return { ...read, email: read.email };
    });
    // a retry after a stop reads the settings again: the admin may have set a default interviewer meanwhile
    let resolves = 0;
    const interviewerId = await stops.untilFixed('resolveInterviewer', async () => {
      const current = resolves++ > 0 ? (await stopCalls.loadInterviewSettings({ integrationId: input.integrationId })).interviews : settings;
      return interviewCalls.resolveInterviewer({
        integrationId: input.integrationId,
        leverOwnerId: current.interviewer === 'owner' ? candidate.ownerId : null,
        defaultCodeSignalUserId: current.defaultCodeSignalUserId ?? null,
      });
    });
    state.codesignalInterviewerId = interviewerId;
    let room = await acts.createRoom({
      ...ref,
      workflowId,
      candidateName: candidate.name,
      candidateEmail: candidate.email,
      interviewerId,
      templateId: settings.templateId ?? null,
      expirationMs: settings.expiryHours * hour,
    });
    state.roomId = room.id;
    state.roomUrl = room.url;
    roomCreatedAt = room.readAt;
    scheduleExpiry(room, room.readAt + settings.expiryHours * hour);
    await acts.setRoomLink({ ...ref, url: room.url, present: true });
    await note({ kind: 'created', roomUrl: room.url, expiresAt: state.expiresAt });
    await setStatus('scheduled', 'scheduled');
    // last: a recruiter who follows the link at once finds the room ready to be scheduled
    if (patched(scheduleLinkPatch)) {
      await acts.setScheduleLink({ ...ref, present: true });
      scheduleLink = true;
    }

    let eventsSeen = 0;
    for (;;) {
      await condition(() => inbox.cancel !== undefined || inbox.leverChanges.length > 0 || inbox.roomEvents > eventsSeen || expiryDue || feedbackDue || inbox.schedules.length > 0);
      if (inbox.cancel !== undefined) {
        const reason = inbox.cancel;
        inbox.cancel = undefined;
        // Once the interview has started, leaving the stage or archiving changes nothing.
        const cancelled = state.status === 'scheduled' ? await cancel(reason, room) : undefined;
        if (cancelled) return await ended(cancelled);
        inbox.cancelsRefused += 1;
      }
      for (const job of inbox.schedules.splice(0)) room = await schedule(job, room);

      for (const change of inbox.leverChanges.splice(0)) {
        if (change.change === 'deleted') {
          const cancelled = state.leverInterviewIds.includes(change.leverInterviewId) && state.status === 'scheduled' ? await cancel('lever_interview_deleted', room) : undefined;
          if (cancelled) return await ended(cancelled);
          continue;
        }
        const scheduled = await acts.readLeverInterview({ ...ref, leverInterviewId: change.leverInterviewId });
        if (!scheduled || state.status !== 'scheduled') continue;
        if (!state.leverInterviewIds.includes(change.leverInterviewId)) state.leverInterviewIds.push(change.leverInterviewId);
        // Keep the room open until a day after the scheduled end; CodeSignal allows at most 336 hours.
        const wanted = Math.min(scheduled.date + scheduled.durationMinutes * 60_000 + 24 * hour, scheduled.readAt + 336 * hour);
        if (wanted !== state.expiresAt) {
          room = await acts.updateRoomExpiry({ ...ref, roomId: room.id, expirationMs: wanted - scheduled.readAt });
          scheduleExpiry(room, wanted);
          await note({ kind: 'rescheduled', at: scheduled.date, expiresAt: wanted });
        }
      }

      if (inbox.roomEvents > eventsSeen || expiryDue || roomStarted) {
        eventsSeen = inbox.roomEvents;
        roomStarted = false;
        room = await acts.readRoom({ ...ref, roomId: room.id, url: room.url });
        state.feedback = room.feedback;
        if (room.status === 'active' && state.status === 'scheduled') await setStatus('in_progress');
        if (room.status === 'over' && state.status !== 'finished') {
          await setStatus('finished');
          cancelExpiry();
          cancelFeedbackWait = startTimer(settings.feedbackWaitHours * hour, () => (feedbackDue = true));
        }
        if (room.status === 'deleted' || room.status === 'archived') {
          // The link would lead to a room that is gone; earlier histories left it on the opportunity.
          if (patched(roomGoneLinkPatch)) await acts.setRoomLink({ ...ref, url: room.url, present: false });
          await note({ kind: 'cancelled', reason: 'recruiter' });
          await setStatus('cancelled', 'cancelled');
          return await ended(state);
        }
        if (expiryDue && room.status === 'pending') {
          expiryDue = false;
          await acts.setRoomLink({ ...ref, url: room.url, present: false });
          await note({ kind: 'expired' });
          await setStatus('expired', 'expired');
          return await ended(state);
        }
        expiryDue = false;
      }
      if (state.status === 'finished' && (room.feedback.length > 0 || feedbackDue)) {
        await note({ kind: 'outcome', room, feedback: room.feedback });
        const evaluations = [...new Set(room.feedback.flatMap((f) => (f.evaluation ? [f.evaluation] : [])))];
        await setStatus('completed', 'completed');
        if (evaluations.length) await acts.setInterviewTags({ ...ref, add: evaluations.map((e) => `CodeSignal interview: ${e}`), remove: [] });
        return await ended(state);
      }
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof StoppedFlowCancelled) return await stops.passThrough(() => cancelStopped(err.stop));
    state.failure = failureOf(err, 'InterviewFailed');
    // best effort (histories from before named stops): the error may be the very permission these writes need
    const failure = state.failure;
    await stops.passThrough(async () => {
      await note({ kind: 'failed', message: failure.message, failureType: failure.type, roomCreated: state.roomId !== null }).catch(() => undefined);
      await setStatus('failed', 'failed').catch(() => undefined);
      await ended(state).catch(() => undefined);
    });
    throw ApplicationFailure.nonRetryable(`interview ${input.interviewId} failed: ${state.failure.message}`, state.failure.type);
  } finally {
    cancelExpiry();
    cancelFeedbackWait();
  }
}
