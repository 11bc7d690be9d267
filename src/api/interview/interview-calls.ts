import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  cancelInterviewUpdate,
  interviewStateQuery,
  scheduleInterviewUpdate,
  type InterviewState,
  type InterviewStatus,
  type ScheduledInterview,
  type ScheduleInterviewRequest,
} from '../../workflows/interview/messages';
import { interviewWorkflowId } from '../../workflows/shared/ids';
import { refusalOf } from './schedule-request';

/** What the interview workflow answered a schedule or a cancellation. */
export type Outcome<T> =
  | { kind: 'done'; value: T }
  /** Refused, with the reason for the recruiter (the workflow's own, or the interview being over). */
  | { kind: 'refused'; message: string }
  /** The update failed for another reason (a Lever or CodeSignal write it could not make): nothing for the recruiter to fix. */
  | { kind: 'failed' }
  | { kind: 'unknown' };

/** Why an interview in `status` takes no schedule, for the recruiter; null when it does (`scheduled`). */
export function notOpenReason(status: InterviewStatus): string | null {
  switch (status) {
    case 'scheduled':
      return null;
    case 'starting':
      return 'The CodeSignal interview room is still being created. Reload this page in a moment.';
    case 'in_progress':
      return 'This interview has started: it can no longer be scheduled or cancelled.';
    case 'finished':
    case 'completed':
      return 'This interview is over: it can no longer be scheduled or cancelled.';
    default:
      return `This interview is ${status}: it can no longer be scheduled or cancelled.`;
  }
}

/** The interview workflow of one interview, by the ids in a path (`interviewId` checked as a sequence number at the edge). */
export function interviewHandle(temporal: Client, ids: { integrationId: string; opportunityId: string; interviewId: string }): WorkflowHandle {
  return temporal.workflow.getHandle(interviewWorkflowId(ids.integrationId, ids.opportunityId, Number(ids.interviewId)));
}

/** The interview's state, or undefined when there is no such interview workflow. */
export async function interviewStateOf(handle: WorkflowHandle): Promise<InterviewState | undefined> {
  try {
    return await handle.query(interviewStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Runs one of the interview workflow's updates. A refusal (`ScheduleRefused`) is answered with its
 * message; an interview whose workflow has ended takes no update (Temporal answers as if there were
 * no workflow), so its state says whether it exists: refused when it does, unknown when it does not.
 */
async function update<T>(handle: WorkflowHandle, run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { kind: 'done', value: await run() };
  } catch (err) {
    const refused = refusalOf(err);
    if (refused !== undefined) return { kind: 'refused', message: refused };
    if (err instanceof WorkflowUpdateFailedError) return { kind: 'failed' };
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const state = await interviewStateOf(handle);
    if (!state) return { kind: 'unknown' };
    return { kind: 'refused', message: notOpenReason(state.status) ?? 'This interview no longer takes a schedule.' };
  }
}

export const scheduleInterview = (handle: WorkflowHandle, request: ScheduleInterviewRequest): Promise<Outcome<ScheduledInterview>> =>
  update(handle, () => handle.executeUpdate(scheduleInterviewUpdate, { args: [request] }));

export const cancelInterview = (handle: WorkflowHandle): Promise<Outcome<InterviewState>> => update(handle, () => handle.executeUpdate(cancelInterviewUpdate));
