import { startSandboxHarness, startWebhookReceiver, waitFor, type SandboxHarness, type WebhookReceiver } from '../../../src/sandbox/codesignal/testing';

/** Sandbox extension (reference §9: CodeSignal's public API has no sourcing objects). */

const CANDIDATE = `query($id: ID!) {
  sourcingCandidate(id: $id) { id firstName lastName email profileUrl tags status replied statusUpdatedAt statusUpdatedBy { id } importRequestedAt importedBy { id } externalRef }
}`;

const SET_STATUS = `mutation($id: ID!, $status: SourcingCandidateStatus!, $ref: String) {
  setSourcingCandidateStatus(id: $id, status: $status, externalRef: $ref) { id status statusUpdatedBy { id } externalRef }
}`;

interface Candidate {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  tags: string[];
  status: string;
  replied: boolean;
  statusUpdatedAt: number | null;
  statusUpdatedBy: { id: string } | null;
  importRequestedAt: number | null;
  importedBy: { id: string } | null;
  externalRef: string | null;
}

describe('CodeSignal sandbox: sourcing import and two-way status sync (sandbox extension)', () => {
  let h: SandboxHarness;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 }, { webhook: { url: receiver.url, secret: 'src' } });
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const recruiter = () => h.seed.users[0]!.id;
  const ada = () => h.seed.sourcingCandidates[0]!; // replied
  const grace = () => h.seed.sourcingCandidates[1]!; // contacted, not replied
  const read = async (id: string) => (await h.gql<{ sourcingCandidate: Candidate }>(CANDIDATE, { id })).body.data!.sourcingCandidate;
  const events = (name: string) => receiver.events().filter((r) => r.body!.event === name).map((r) => r.body!);

  it('lists candidates with filters and pagination', async () => {
    const all = await h.gql<{ sourcingCandidates: { totalCount: number; candidates: Array<{ firstName: string }>; pageInfo: { hasNextPage: boolean } } }>(
      '{ sourcingCandidates(first: 3) { totalCount pageInfo { hasNextPage } candidates { firstName } } }',
    );
    expect(all.body.data?.sourcingCandidates.totalCount).toBe(4);
    expect(all.body.data?.sourcingCandidates.pageInfo.hasNextPage).toBe(true);
    const replied = await h.gql<{ sourcingCandidates: { candidates: Array<{ firstName: string }> } }>('{ sourcingCandidates(first: 10, status: replied) { candidates { firstName } } }');
    expect(replied.body.data?.sourcingCandidates.candidates.map((c) => c.firstName).sort()).toEqual(['Ada', 'Katherine']);
  });

  it('"import to Lever" in the UI fires sourcingCandidateImportRequested and records who asked', async () => {
    await h.ctl('POST', `/sourcing-candidates/${ada().id}/import-request`, { userId: recruiter() });
    const [requested] = await waitFor(() => events('sourcingCandidateImportRequested').length === 1 && events('sourcingCandidateImportRequested'));
    expect(requested!.payload).toEqual({ candidateId: ada().id, requestedByUserId: recruiter(), candidateEmail: 'ada.lovelace@example.org', candidateName: 'Ada Lovelace' });
    const candidate = await read(ada().id);
    expect(candidate).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', replied: true, importedBy: { id: recruiter() }, tags: ['backend', 'senior'] });
    expect(typeof candidate.importRequestedAt).toBe('number');
    const pending = await h.gql<{ sourcingCandidates: { candidates: Array<{ id: string }> } }>('{ sourcingCandidates(first: 10, importRequested: true) { candidates { id } } }');
    expect(pending.body.data?.sourcingCandidates.candidates).toEqual([{ id: ada().id }]);
  });

  it('refuses to import a candidate who has not replied, until they reply', async () => {
    await expect(h.ctl('POST', `/sourcing-candidates/${grace().id}/import-request`, { userId: recruiter() })).rejects.toThrow(/400.*replied/);
    await h.ctl('POST', `/sourcing-candidates/${grace().id}/reply`, {});
    expect(await read(grace().id)).toMatchObject({ status: 'replied', replied: true });
    await h.ctl('POST', `/sourcing-candidates/${grace().id}/import-request`, { userId: recruiter() });
    await waitFor(() => events('sourcingCandidateImportRequested').length === 1);
  });

  it('a status change in the CodeSignal UI fires sourcingCandidateStatusChanged with changeSource "ui"', async () => {
    await h.ctl('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'interviewing', userId: recruiter() });
    const [changed] = await waitFor(() => events('sourcingCandidateStatusChanged').length === 1 && events('sourcingCandidateStatusChanged'));
    expect(changed!.payload).toEqual({ candidateId: ada().id, fromStatus: 'replied', toStatus: 'interviewing', changedByUserId: recruiter(), changeSource: 'ui' });
    expect(await read(ada().id)).toMatchObject({ status: 'interviewing', statusUpdatedBy: { id: recruiter() } });
  });

  it('an API status change fires the webhook (changeSource "api") while the setting is on, and not once it is switched off at run time', async () => {
    const first = await h.gql<{ setSourcingCandidateStatus: { status: string; statusUpdatedBy: null; externalRef: string } }>(SET_STATUS, { id: ada().id, status: 'screening', ref: 'lever:opp_42' });
    expect(first.body.data?.setSourcingCandidateStatus).toMatchObject({ status: 'screening', statusUpdatedBy: null, externalRef: 'lever:opp_42' });
    const [viaApi] = await waitFor(() => events('sourcingCandidateStatusChanged').length === 1 && events('sourcingCandidateStatusChanged'));
    expect(viaApi!.payload).toEqual({ candidateId: ada().id, fromStatus: 'replied', toStatus: 'screening', changedByUserId: null, changeSource: 'api', externalRef: 'lever:opp_42' });

    await h.ctl('PUT', `/companies/${h.seed.companyId}/settings`, { sourcingApiStatusChangesFireWebhook: false });
    await h.gql(SET_STATUS, { id: ada().id, status: 'offer' });
    await h.ctl('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'hired', userId: recruiter() });
    // the UI change still fires; it is delivered after anything queued before it, so the API change cannot be in flight
    await waitFor(() => events('sourcingCandidateStatusChanged').length === 2);
    expect(events('sourcingCandidateStatusChanged').map((e) => [e.payload.fromStatus, e.payload.toStatus, e.payload.changeSource])).toEqual([
      ['replied', 'screening', 'api'],
      ['offer', 'hired', 'ui'],
    ]);
    expect((await read(ada().id)).status).toBe('hired');
  });

  it('setting the current status again is a no-op without a webhook; unknown ids and statuses are errors', async () => {
    await h.gql(SET_STATUS, { id: ada().id, status: 'replied' });
    const missing = await h.gql(SET_STATUS, { id: 'src_nope', status: 'offer' });
    expect(missing.body.errors?.[0]?.message).toBe('Sourcing candidate with id src_nope not found');
    const badEnum = await h.gql(SET_STATUS, { id: ada().id, status: 'promoted' });
    expect(badEnum.status).toBe(400);
    await h.ctl('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'rejected', userId: recruiter() });
    await waitFor(() => events('sourcingCandidateStatusChanged').length === 1);
    expect(events('sourcingCandidateStatusChanged')[0]!.payload.toStatus).toBe('rejected');
  });
});
