import {
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
  interviewStateQuery,
  interviewStatusSignal,
  leverInterviewChangeSignal,
  liveInterviewEventSignal,
  type InterviewCancelReason,
  type InterviewState,
  type InterviewStatus,
  type InterviewWorkflowInput,
  type RoomSnapshot,
} from './messages';
import type { InterviewNote } from './notes';
import { failureOf } from '../shared/failures';
import { startTimer } from '../shared/timers';

const hour = 60 * 60 * 1000;

/** From this version on, a room deleted or archived in CodeSignal has its link removed from the opportunity too. */
const roomGoneLinkPatch = 'room-gone-link-v1';

/** Lever and CodeSignal calls: retried with backoff for a day, but not past a non-retryable answer. */
const acts = proxyActivities<InterviewActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

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
  };
  const inbox = {
    leverChanges: [] as Array<{ leverInterviewId: string; change: 'created' | 'updated' | 'deleted' }>,
    roomEvents: 0,
    cancel: undefined as InterviewCancelReason | undefined,
  };
  setHandler(leverInterviewChangeSignal, (change) => void inbox.leverChanges.push(change));
  setHandler(liveInterviewEventSignal, () => void (inbox.roomEvents += 1));
  setHandler(cancelInterviewSignal, ({ reason }) => void (inbox.cancel ??= reason));
  setHandler(interviewStateQuery, () => state);

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
  /** Cancels a room not started yet; undefined (and the cancellation changes nothing) when it has started. */
  async function cancel(reason: InterviewCancelReason, room: RoomSnapshot): Promise<InterviewState | undefined> {
    // Histories from before the activity answered hold no result here: the room was cancelled.
    if ((await acts.cancelRoom({ ...ref, roomId: room.id })) === false) {
      roomStarted = true;
      return undefined;
    }
    await acts.setRoomLink({ ...ref, url: room.url, present: false });
    await note({ kind: 'cancelled', reason });
    await setStatus('cancelled', 'cancelled');
    return state;
  }

  try {
    const candidate = await acts.getInterviewCandidate({ integrationId: input.integrationId, opportunityId: input.opportunityId });
    if (!candidate.email) throw ApplicationFailure.nonRetryable('the candidate has no email address in Lever', 'CandidateWithoutEmail');
    const interviewerId = await acts.resolveInterviewer({
      integrationId: input.integrationId,
      leverOwnerId: settings.interviewer === 'owner' ? candidate.ownerId : null,
      defaultCodeSignalUserId: settings.defaultCodeSignalUserId ?? null,
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
    scheduleExpiry(room, room.readAt + settings.expiryHours * hour);
    await acts.setRoomLink({ ...ref, url: room.url, present: true });
    await note({ kind: 'created', roomUrl: room.url, expiresAt: state.expiresAt });
    await setStatus('scheduled', 'scheduled');

    let eventsSeen = 0;
    for (;;) {
      await condition(() => inbox.cancel !== undefined || inbox.leverChanges.length > 0 || inbox.roomEvents > eventsSeen || expiryDue || feedbackDue);
      if (inbox.cancel !== undefined) {
        const reason = inbox.cancel;
        inbox.cancel = undefined;
        // Once the interview has started, leaving the stage or archiving changes nothing.
        const cancelled = state.status === 'scheduled' ? await cancel(reason, room) : undefined;
        if (cancelled) return cancelled;
      }

      for (const change of inbox.leverChanges.splice(0)) {
        if (change.change === 'deleted') {
          const cancelled = state.leverInterviewIds.includes(change.leverInterviewId) && state.status === 'scheduled' ? await cancel('lever_interview_deleted', room) : undefined;
          if (cancelled) return cancelled;
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
          return state;
        }
        if (expiryDue && room.status === 'pending') {
          expiryDue = false;
          await acts.setRoomLink({ ...ref, url: room.url, present: false });
          await note({ kind: 'expired' });
          await setStatus('expired', 'expired');
          return state;
        }
        expiryDue = false;
      }
      if (state.status === 'finished' && (room.feedback.length > 0 || feedbackDue)) {
        await note({ kind: 'outcome', room, feedback: room.feedback });
        const evaluations = [...new Set(room.feedback.flatMap((f) => (f.evaluation ? [f.evaluation] : [])))];
        await setStatus('completed', 'completed');
        if (evaluations.length) await acts.setInterviewTags({ ...ref, add: evaluations.map((e) => `CodeSignal interview: ${e}`), remove: [] });
        return state;
      }
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    state.failure = failureOf(err, 'InterviewFailed');
    await note({ kind: 'failed', message: state.failure.message, failureType: state.failure.type, roomCreated: state.roomId !== null }).catch(() => undefined);
    await setStatus('failed', 'failed').catch(() => undefined);
    throw ApplicationFailure.nonRetryable(`interview ${input.interviewId} failed: ${state.failure.message}`, state.failure.type);
  } finally {
    cancelExpiry();
    cancelFeedbackWait();
  }
}
