import { randomUUID } from 'node:crypto';
import { IntegrationIdKey } from '../../src/workflows/shared/search-attributes';
import { tagCommandsWorkflowId, type TagCommandsSummary } from '../../src/workflows/tag-commands/messages';
import type { AssessmentHarness } from './assessment-harness';
import type { Candidate } from './assessment-faults';
import { adminToken } from './stack';

/** Helpers of the tests of a recruiter's decisions (README "Assessments": approval of rejections, integrity review). */

/** A new applicant of `postingId` (the seed's first posting by default), named `<kind> <label>`. */
export function decisionCandidate(h: AssessmentHarness, kind: string, label: string, postingId = h.sandboxes.lever.seed.postings[0]!.id): Candidate {
  const seed = h.sandboxes.lever.seed;
  const email = `${kind.toLowerCase()}-${label}-${randomUUID().slice(0, 8)}@candidates.example`;
  const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed.accountId, { name: `${kind} ${label}`, emails: [email], postings: [postingId], origin: 'applied', userId: seed.userIds.recruiter });
  return { id: opp.id, name: `${kind} ${label}`, email };
}

/** One run of the integration's tag commands, as its Schedule starts it. */
export const runTagCommands = (h: AssessmentHarness): Promise<TagCommandsSummary> =>
  h.stack.client.workflow.execute('tagCommandsWorkflow', {
    workflowId: `${tagCommandsWorkflowId(h.integration.id)}-test-${randomUUID()}`,
    taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
    args: [{ integrationId: h.integration.id }],
    typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
  });

/** A recruiter action on the candidate's first assessment through the admin API. */
export const postDecision = (h: AssessmentHarness, c: Candidate, action: string): Promise<Response> =>
  fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/opportunities/${c.id}/assessments/1/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action }),
  });
