/**
 * The shapes of the ids workflow ids are made of, each written exactly one way: a workflow id is a
 * string, so `candidate/<ID>/…` and `candidate/<id>/…` would be two workflows for one candidate. The
 * ingress refuses anything else at its edge (src/api/ids.ts) instead of folding it.
 */

/** Integration ids (crypto.randomUUID) and Lever's opportunity ids (lever-api.md §2.2, §3.1): a UUID in lower case, as both write them. */
const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isCanonicalUuid = (value: string): boolean => canonicalUuid.test(value);

/**
 * CodeSignal's ids are opaque and case-sensitive (base62, e.g. Meteor-style `9KpExample…`), so they
 * are used exactly as given, never case-folded; only their shape is checked: letters, digits, `_`, `-`.
 */
const codesignalId = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
export const isCodeSignalId = (value: string): boolean => codesignalId.test(value);

/** A candidate's n-th assessment or interview, from 1, in decimal without leading zeros (`1`, never `01`, `1.0`, `0x1`). */
const sequence = /^[1-9][0-9]{0,8}$/;
export const isSequenceNumber = (value: string): boolean => sequence.test(value);

/** One candidate workflow per Lever opportunity per integration. */
const prefix = 'candidate';

export function candidateWorkflowId(integrationId: string, opportunityId: string): string {
  return `${prefix}/${integrationId}/${opportunityId}`;
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

/** The Temporal Schedule of an integration's public-link scan. */
export const publicLinkScheduleId = (integrationId: string): string => `public-links/${integrationId}`;

/** The public-link scan workflow (the schedule's runs get Temporal's `-<timestamp>` suffix; a run started by the admin API has it bare). */
export const publicLinkScanWorkflowId = (integrationId: string): string => `public-links-scan/${integrationId}`;

/** One workflow per public-link session: it decides, posts or imports, or waits for an admin's decision. */
export const publicLinkSessionWorkflowId = (integrationId: string, sessionId: string): string => `public-link/${integrationId}/${sessionId}`;

/**
 * The inverse of the ids above, for what reads a workflow id back (the delivery log): which kind of
 * workflow, for which integration, and the Lever opportunity when the id names one.
 */
export function parseWorkflowId(workflowId: string): { kind: 'candidate' | 'assessment' | 'interview' | 'import' | 'public-link'; integrationId: string; opportunityId: string | null } | undefined {
  const [kind, integrationId, third, fourth, ...rest] = workflowId.split('/');
  if (!integrationId || !third || rest.length > 0) return undefined;
  if (kind === 'candidate' && fourth === undefined) return { kind, integrationId, opportunityId: third };
  if ((kind === 'assessment' || kind === 'interview') && fourth !== undefined && isSequenceNumber(fourth)) return { kind, integrationId, opportunityId: third };
  if ((kind === 'import' || kind === 'public-link') && fourth === undefined) return { kind, integrationId, opportunityId: null };
  return undefined;
}
