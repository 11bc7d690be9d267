import type { Client } from '@temporalio/client';
import type { candidateWorkflow } from '../workflows/candidate/candidate-workflow';
import { candidateWorkflowId } from '../workflows/shared/ids';
import { leverEventSignal, type LeverCandidateEvent } from '../workflows/candidate/messages';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../workflows/shared/search-attributes';

export interface CandidateTarget {
  integrationId: string;
  opportunityId: string;
}

/**
 * Signals the candidate's workflow, starting it first if it is not running: one round trip, and
 * once it returns the event is durably in Temporal's history.
 */
export async function signalLeverEvent(
  client: Client,
  taskQueue: string,
  target: CandidateTarget,
  event: LeverCandidateEvent,
  timeoutMs: number,
): Promise<string> {
  const workflowId = candidateWorkflowId(target.integrationId, target.opportunityId);
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.signalWithStart<typeof candidateWorkflow, [LeverCandidateEvent]>('candidateWorkflow', {
      workflowId,
      taskQueue,
      args: [{ integrationId: target.integrationId, opportunityId: target.opportunityId }],
      signal: leverEventSignal,
      signalArgs: [event],
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: target.integrationId },
        { key: LeverOpportunityIdKey, value: target.opportunityId },
      ],
    }),
  );
  return workflowId;
}
