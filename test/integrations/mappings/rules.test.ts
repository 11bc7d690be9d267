import { autoFillMapping, unmappedEntries } from '../../../src/integrations/mappings/auto-fill';
import { matchStageRule } from '../../../src/integrations/mappings/rules';
import type { IntegrationMapping, MappingCatalog } from '../../../src/integrations/mappings/schema';
import { mappingIssues } from '../../../src/integrations/mappings/validate';

const catalog: MappingCatalog = {
  leverUsers: [
    { id: 'lu-riley', name: 'Riley Chen', email: 'Riley.Chen@acme.example', active: true },
    { id: 'lu-sam', name: 'Sam Patel', email: 'sam.patel@acme.example', active: true },
    { id: 'lu-gone', name: 'Gone Person', email: 'gone@acme.example', active: false },
    { id: 'lu-twin-1', name: 'Twin One', email: 'twin@acme.example', active: true },
    { id: 'lu-twin-2', name: 'Twin Two', email: 'twin@acme.example', active: true },
  ],
  leverStages: [
    { id: 'lead-new', text: 'New lead' },
    { id: 'lead-reached-out', text: 'Reached out' },
    { id: 'lead-responded', text: 'Responded' },
    { id: 'applicant-new', text: 'New applicant' },
    { id: 'uuid-phone', text: 'Phone screen' },
    { id: 'uuid-assess', text: 'CodeSignal Assessment' },
    { id: 'uuid-onsite', text: 'On-site interview' },
    { id: 'uuid-bg', text: 'Background check' },
    { id: 'offer', text: 'Offer' },
  ],
  leverArchiveReasons: [
    { id: 'r-hired', text: 'Hired', type: 'hired', active: true },
    { id: 'r-under', text: 'Underqualified', type: 'non-hired', active: true },
    { id: 'r-withdrew', text: 'Withdrew', type: 'non-hired', active: true },
    { id: 'r-filled', text: 'Position filled', type: 'non-hired', active: true },
  ],
  codesignalUsers: [
    { id: 'cs-riley', name: 'Riley', email: ' riley.chen@ACME.example ' },
    { id: 'cs-sam', name: 'Sam', email: 'sam.patel@acme.example' },
    { id: 'cs-gone', name: 'Gone', email: 'gone@acme.example' },
    { id: 'cs-twin', name: 'Twin', email: 'twin@acme.example' },
    { id: 'cs-outsider', name: 'Olga', email: 'olga@elsewhere.example' },
  ],
};

describe('mapping rule table and auto-fill', () => {
  const mapping = autoFillMapping(catalog);

  it('maps users by e-mail without case, never to deactivated or ambiguous Lever users', () => {
    expect(mapping.users).toEqual([
      { codesignalUserId: 'cs-riley', leverUserId: 'lu-riley', rule: 'email' },
      { codesignalUserId: 'cs-sam', leverUserId: 'lu-sam', rule: 'email' },
    ]);
  });

  it('maps stages by slug and name, and each status to the stage of its reverse rule', () => {
    const statusOf = Object.fromEntries(mapping.stages.map((s) => [s.leverStageId, s.codesignalStatus]));
    expect(statusOf).toEqual({
      'lead-new': 'contacted',
      'lead-reached-out': 'contacted',
      'lead-responded': 'replied',
      'applicant-new': 'replied',
      'uuid-phone': 'screening',
      'uuid-assess': 'screening',
      'uuid-onsite': 'interviewing',
      offer: 'offer',
    });
    expect(mapping.statuses).toEqual([
      { codesignalStatus: 'contacted', leverStageId: 'lead-reached-out', rule: 'reached-out' },
      { codesignalStatus: 'replied', leverStageId: 'lead-responded', rule: 'responded' },
      { codesignalStatus: 'screening', leverStageId: 'uuid-phone', rule: 'screen' },
      { codesignalStatus: 'interviewing', leverStageId: 'uuid-onsite', rule: 'interview' },
      { codesignalStatus: 'offer', leverStageId: 'offer', rule: 'offer' },
      { codesignalStatus: 'hired', leverArchiveReasonId: 'r-hired', rule: 'hired' },
      { codesignalStatus: 'rejected', leverArchiveReasonId: 'r-under', rule: 'rejected' },
      { codesignalStatus: 'archived', leverArchiveReasonId: 'r-withdrew', rule: 'candidate-withdrew' },
    ]);
    expect(Object.fromEntries(mapping.archiveReasons.map((r) => [r.leverArchiveReasonId, r.codesignalStatus]))).toEqual({
      'r-hired': 'hired', 'r-under': 'rejected', 'r-withdrew': 'archived', 'r-filled': 'rejected',
    });
  });

  it('matches the first rule: a phone interview is screening, a technical interview is interviewing', () => {
    expect(matchStageRule({ id: 'x', text: 'Phone interview' })?.status).toBe('screening');
    expect(matchStageRule({ id: 'x', text: 'Technical interview' })?.status).toBe('interviewing');
    expect(matchStageRule({ id: 'x', text: 'Take-home exercise' })?.status).toBe('screening');
    expect(matchStageRule({ id: 'x', text: 'Reference check' })).toBeUndefined();
  });

  it('reports what it could not map and passes its own validation', () => {
    expect(unmappedEntries(mapping, catalog)).toEqual({
      leverUsers: [
        { id: 'lu-twin-1', name: 'Twin One', email: 'twin@acme.example' },
        { id: 'lu-twin-2', name: 'Twin Two', email: 'twin@acme.example' },
      ],
      codesignalUsers: [
        { id: 'cs-gone', name: 'Gone', email: 'gone@acme.example' },
        { id: 'cs-twin', name: 'Twin', email: 'twin@acme.example' },
        { id: 'cs-outsider', name: 'Olga', email: 'olga@elsewhere.example' },
      ],
      leverStages: [{ id: 'uuid-bg', text: 'Background check' }],
      leverArchiveReasons: [],
      codesignalStatuses: [],
    });
    expect(mappingIssues(mapping, catalog)).toEqual([]);
  });

  it('leaves statuses unmapped when no stage or reason means them', () => {
    const sparse: MappingCatalog = { ...catalog, leverStages: [{ id: 'lead-new', text: 'New lead' }], leverArchiveReasons: [] };
    const m = autoFillMapping(sparse);
    expect(m.statuses).toEqual([{ codesignalStatus: 'contacted', leverStageId: 'lead-new', rule: 'new-lead' }]);
    expect(unmappedEntries(m, sparse).codesignalStatuses).toEqual(['replied', 'screening', 'interviewing', 'offer', 'hired', 'rejected', 'archived']);
  });

  it('names the field of every rule a hand-made mapping breaks', () => {
    const bad: IntegrationMapping = {
      users: [
        { codesignalUserId: 'cs-nobody', leverUserId: 'lu-riley', rule: null },
        { codesignalUserId: 'cs-sam', leverUserId: 'lu-gone', rule: null },
        { codesignalUserId: 'cs-sam', leverUserId: 'lu-nobody', rule: null },
      ],
      stages: [
        { leverStageId: 'uuid-phone', codesignalStatus: 'screening', rule: null },
        { leverStageId: 'uuid-phone', codesignalStatus: 'interviewing', rule: null },
        { leverStageId: 'no-such-stage', codesignalStatus: 'offer', rule: null },
      ],
      archiveReasons: [{ leverArchiveReasonId: 'r-nope', codesignalStatus: 'rejected', rule: null }],
      statuses: [
        { codesignalStatus: 'interviewing', leverStageId: 'uuid-phone', rule: null },
        { codesignalStatus: 'offer', leverStageId: 'offer', rule: null },
        { codesignalStatus: 'offer', leverStageId: 'uuid-phone', rule: null },
        { codesignalStatus: 'hired', leverArchiveReasonId: 'r-hired', rule: null },
      ],
    };
    const issues = mappingIssues(bad, catalog);
    expect(issues.map((i) => i.path)).toEqual([
      'users.0.codesignalUserId',
      'users.1.leverUserId',
      'users.2.codesignalUserId',
      'users.2.leverUserId',
      'stages.1.leverStageId',
      'stages.2.leverStageId',
      'archiveReasons.0.leverArchiveReasonId',
      'statuses.0.leverStageId',
      'statuses.1.leverStageId',
      'statuses.2.codesignalStatus',
      'statuses.2.leverStageId',
      'statuses.3.leverArchiveReasonId',
    ]);
    expect(issues.find((i) => i.path === 'statuses.0.leverStageId')?.message).toContain('maps to screening in stages, not interviewing');
    expect(issues.find((i) => i.path === 'users.1.leverUserId')?.message).toContain('deactivated');
  });
});
