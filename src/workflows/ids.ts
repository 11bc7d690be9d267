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
