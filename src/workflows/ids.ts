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

/** One live-interview workflow per interview; `sequence` counts the candidate's interviews from 1. */
export function interviewWorkflowId(integrationId: string, opportunityId: string, sequence: number): string {
  return `interview/${integrationId}/${opportunityId}/${sequence}`;
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

/** One import workflow per CodeSignal sourcing candidate per integration. */
export function importWorkflowId(integrationId: string, codesignalCandidateId: string): string {
  return `import/${integrationId}/${codesignalCandidateId}`;
}

export function parseImportWorkflowId(workflowId: string): { integrationId: string; codesignalCandidateId: string } | undefined {
  const [head, integrationId, codesignalCandidateId, ...rest] = workflowId.split('/');
  if (head !== 'import' || !integrationId || !codesignalCandidateId || rest.length > 0) return undefined;
  return { integrationId, codesignalCandidateId };
}
