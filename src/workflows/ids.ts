/** One candidate workflow per Lever opportunity per integration. */
const prefix = 'candidate';

export function candidateWorkflowId(integrationId: string, opportunityId: string): string {
  return `${prefix}/${integrationId}/${opportunityId}`;
}

export function parseCandidateWorkflowId(workflowId: string): { integrationId: string; opportunityId: string } | undefined {
  const [head, integrationId, opportunityId, ...rest] = workflowId.split('/');
  if (head !== prefix || !integrationId || !opportunityId || rest.length > 0) return undefined;
  return { integrationId, opportunityId };
}

/** One assessment workflow per assessment; `sequence` counts the candidate's assessments from 1. */
export function assessmentWorkflowId(integrationId: string, opportunityId: string, sequence: number): string {
  return `assessment/${integrationId}/${opportunityId}/${sequence}`;
}

/**
 * The correlation id given to CodeSignal as `externalId` and echoed in its webhooks: it names the
 * assessment workflow without a database lookup.
 */
export function assessmentExternalId(assessmentWorkflowIdValue: string): string {
  return `lcs:${assessmentWorkflowIdValue}`;
}

export function workflowIdFromExternalId(externalId: string | undefined | null): string | undefined {
  if (!externalId?.startsWith('lcs:assessment/')) return undefined;
  const workflowId = externalId.slice('lcs:'.length);
  return workflowId.split('/').length === 4 ? workflowId : undefined;
}
