import type { Client, WorkflowSignalWithStartOptions } from '@temporalio/client';
import type { erasureWorkflow } from '../workflows/erasure/erasure-workflow';
import { erasureWorkflowId, type ErasureInput } from '../workflows/erasure/messages';
import type { SignalDefinition } from '@temporalio/common';
import type { candidateWorkflow } from '../workflows/candidate/candidate-workflow';
import { candidateWorkflowId } from '../workflows/shared/ids';
import { leverEventSignal, type CandidateWorkflowInput, type LeverCandidateEvent } from '../workflows/candidate/messages';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../workflows/shared/search-attributes';
import { integrationPriority } from './fairness';

export interface CandidateTarget {
  integrationId: string;
  opportunityId: string;
}

/**
 * Signals the candidate's workflow, starting it first if it is not running: one round trip, and
 * once it returns the signal is durably in Temporal's history. Every signal to a candidate workflow
 * from outside Temporal goes through here (Lever events, CodeSignal status reports); the API runs it
 * under its deadline (api/temporal.ts).
 */
export async function signalCandidateWorkflow<Arg>(
  client: Client,
  taskQueue: string,
  target: CandidateTarget,
  signal: SignalDefinition<[Arg]>,
  arg: Arg,
): Promise<string> {
  const workflowId = candidateWorkflowId(target.integrationId, target.opportunityId);
  await client.workflow.signalWithStart<typeof candidateWorkflow, [Arg]>('candidateWorkflow', {
      workflowId,
      taskQueue,
      args: [{ integrationId: target.integrationId, opportunityId: target.opportunityId }],
      signal,
      // the SDK's conditional options type cannot be resolved for a generic argument; this is its one-argument form
      signalArgs: [arg],
      typedSearchAttributes: [
        { key: IntegrationIdKey, value: target.integrationId },
        { key: LeverOpportunityIdKey, value: target.opportunityId },
      ],
      priority: integrationPriority(target.integrationId),
  } as WorkflowSignalWithStartOptions<[Arg]> & { args: [CandidateWorkflowInput] });
  return workflowId;
}

/** A Lever event for the candidate's workflow. */
export const signalLeverEvent = (client: Client, taskQueue: string, target: CandidateTarget, event: LeverCandidateEvent): Promise<string> =>
  signalCandidateWorkflow(client, taskQueue, target, leverEventSignal, event);

/**
 * Starts the candidate's erasure (README "Erasure"), or finds it running: one per opportunity. A second
 * request after it finished runs it again, which finds nothing left and writes no second receipt. Only
 * the integration is a search attribute: the erasure ends every workflow listed for the opportunity,
 * and must not be among them.
 */
export async function startErasure(client: Client, taskQueue: string, input: ErasureInput): Promise<string> {
  const workflowId = erasureWorkflowId(input.integrationId, input.opportunityId);
  await client.workflow.start<typeof erasureWorkflow>('erasureWorkflow', {
    workflowId,
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: IntegrationIdKey, value: input.integrationId }],
    priority: integrationPriority(input.integrationId),
  });
  return workflowId;
}
