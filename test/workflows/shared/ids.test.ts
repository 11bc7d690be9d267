import { assessmentWorkflowId, candidateWorkflowId, importWorkflowId, interviewWorkflowId, parseWorkflowId, publicLinkSessionWorkflowId } from '../../../src/workflows/shared/ids';

/** Workflow ids and their inverse live in one module: what one writes, the other reads back. */
describe('workflow ids', () => {
  const integrationId = '0b7c6f4e-3a1d-4e2f-9c8b-5d4e3f2a1b0c';
  const opportunityId = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';

  it.each([
    [candidateWorkflowId(integrationId, opportunityId), { kind: 'candidate', integrationId, opportunityId }],
    [assessmentWorkflowId(integrationId, opportunityId, 3), { kind: 'assessment', integrationId, opportunityId }],
    [interviewWorkflowId(integrationId, opportunityId, 1), { kind: 'interview', integrationId, opportunityId }],
    [importWorkflowId(integrationId, 'k4Pq8sT2vX9mN3bRz'), { kind: 'import', integrationId, opportunityId: null }],
    [publicLinkSessionWorkflowId(integrationId, 'ses_9KpExample'), { kind: 'public-link', integrationId, opportunityId: null }],
  ])('reads %s back', (id, parsed) => expect(parseWorkflowId(id)).toEqual(parsed));

  it.each(['candidate/x', `candidate/${integrationId}/${opportunityId}/1`, `assessment/${integrationId}/${opportunityId}/01`, `other/${integrationId}/${opportunityId}`, ''])(
    'reads no kind from %p',
    (id) => expect(parseWorkflowId(id)).toBeUndefined(),
  );
});
