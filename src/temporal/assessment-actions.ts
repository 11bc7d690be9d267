import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { recruiterActionUpdate, retakeAssessmentUpdate, type RecruiterAction } from '../workflows/assessment/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../workflows/shared/ids';

/** The recruiter actions on a candidate's assessment: resend, extend, cancel, and retake (a new assessment). */
export type AssessmentAction = RecruiterAction | { action: 'retake' };

/** No such assessment, or it is no longer open (its workflow has ended). */
export class UnknownAssessmentError extends Error {}
/** The workflow refused the action (the assessment is finished, no invitation was sent yet, …): the message says why. */
export class AssessmentActionRefusedError extends Error {}

export interface AssessmentActionTarget {
  integrationId: string;
  opportunityId: string;
  /** The assessment's number (`n` of `assessment/<integration>/<opportunity>/<n>`). */
  assessmentId: string;
}

/**
 * The one code path of a recruiter action, for the admin API (`POST …/assessments/:n/actions`) and the
 * tag commands alike: a Temporal Update on the assessment workflow (resend, extend, cancel), or on the
 * candidate workflow for a retake (answers the new assessment's id). `updateId` makes a repeated call
 * the same Update: Temporal runs it once per workflow run and answers a repeat with the first outcome.
 */
export async function runAssessmentAction(
  client: Client,
  target: AssessmentActionTarget,
  action: AssessmentAction,
  opts: { updateId?: string } = {},
): Promise<{ action: AssessmentAction['action']; assessmentId?: string }> {
  const { integrationId, opportunityId, assessmentId } = target;
  const sequence = Number(assessmentId);
  if (!Number.isInteger(sequence) || sequence < 1) throw new UnknownAssessmentError(`no assessment ${assessmentId}`);
  try {
    if (action.action === 'retake') {
      // A retake is a new assessment of the candidate, tracked on its own.
      const retake = await client.workflow
        .getHandle(candidateWorkflowId(integrationId, opportunityId))
        .executeUpdate(retakeAssessmentUpdate, { args: [{ assessmentId }], updateId: opts.updateId });
      return { action: 'retake', assessmentId: retake.assessmentId };
    }
    await client.workflow.getHandle(assessmentWorkflowId(integrationId, opportunityId, sequence)).executeUpdate(recruiterActionUpdate, { args: [action], updateId: opts.updateId });
    return { action: action.action };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UnknownAssessmentError(`no open assessment ${assessmentId} for candidate ${opportunityId}`);
    if (err instanceof WorkflowUpdateFailedError) throw new AssessmentActionRefusedError((err.cause as Error | undefined)?.message ?? err.message);
    throw err;
  }
}
