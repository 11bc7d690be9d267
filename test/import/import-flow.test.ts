import { randomUUID } from 'node:crypto';
import { codesignalSignature } from '../../src/codesignal/webhook-signature';
import { findCandidateLink } from '../../src/db/candidate-links';
import { readJson } from '../support/lever-webhook';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness';

/** End to end: "import to Lever" in CodeSignal → webhook → ingress → import workflow → Lever sandbox over HTTP. */
describe('import of CodeSignal sourcing candidates', () => {
  jest.setTimeout(120_000);
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness();
    expect((await h.admin('POST', `/api/integrations/${h.integration.id}/mappings/auto`)).status).toBe(200);
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const csUser = (leverEmail: string) => h.sandboxes.codesignal.seed.users.find((u) => u.email === leverEmail)!;
  const riley = () => ({ cs: csUser('riley.chen@acme.example').id, lever: seed().userIds.recruiter });
  const uniqueEmail = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.net`;
  const noteTexts = (opportunityId: string) => h.opportunity(opportunityId).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const importApi = (candidateId: string) => h.admin('GET', `/api/integrations/${h.integration.id}/imports/${candidateId}`);

  it('creates the opportunity in New Lead, credited to CodeSignal, as the requester’s mapped Lever user', async () => {
    const email = uniqueEmail('ada');
    const profileUrl = `https://app.codesignal.com/profile/${randomUUID()}`;
    const c = await h.addSourcingCandidate({ firstName: 'Ada', lastName: 'Byron', email, profileUrl, tags: ['backend', 'senior'] });
    expect((await importApi(c.id)).status).toBe(404);

    await h.requestImport(c.id, riley().cs);
    const state = await h.importFinished(c.id);
    expect(state).toMatchObject({ status: 'imported', outcome: 'created', createdByLeverUserId: riley().lever, creatorFallback: false, requestedByUserId: riley().cs });

    const [opp, ...others] = h.opportunitiesFor(email);
    expect(others).toHaveLength(0);
    expect(opp).toMatchObject({ id: state.leverOpportunityId, name: 'Ada Byron', stage: 'lead-new', sources: ['CodeSignal'], origin: 'sourced', createdBy: riley().lever, createdVia: 'api' });
    expect(opp!.emails).toEqual([email]);
    expect(opp!.links).toEqual([profileUrl]);
    expect(opp!.tags).toEqual(['backend', 'senior']);
    expect(opp!.notes).toHaveLength(0);

    const link = await findCandidateLink(h.stack.db, h.integration.id, c.id);
    expect(link).toMatchObject({ leverOpportunityId: opp!.id, outcome: 'created', createdByLeverUserId: riley().lever, candidateEmail: email, creatorFallback: false });
    const api = await importApi(c.id);
    expect(api.status).toBe(200);
    expect(await readJson(api)).toMatchObject({ status: 'imported', leverOpportunityId: opp!.id, workflow: { outcome: 'created' }, link: { outcome: 'created' } });
  });

  it('creates exactly one opportunity when Lever’s answer to the create is lost', async () => {
    const email = uniqueEmail('lost');
    const c = await h.addSourcingCandidate({ firstName: 'Lost', lastName: 'Answer', email, tags: ['frontend'] });
    const since = Date.now();
    expect((await h.leverControl('PUT', 'account:/faults', { dropNext: 1 })).status).toBe(200);

    await h.requestImport(c.id, riley().cs);
    const state = await h.importFinished(c.id);
    expect(state).toMatchObject({ status: 'imported', outcome: 'created' });

    const creates = h.sandboxes.leverSandbox.admin.requests(seed().accountId, { method: 'POST', since }).filter((r) => /\/opportunities$/.test(r.path));
    expect(creates).toHaveLength(1);
    expect(creates[0]!.faults).toContain('dropped');
    const opps = h.opportunitiesFor(email);
    expect(opps).toHaveLength(1);
    expect(opps[0]).toMatchObject({ id: state.leverOpportunityId, stage: 'lead-new', createdBy: riley().lever });
    expect(opps[0]!.notes).toHaveLength(0);
  });

  it('never makes a second opportunity for the same person: a repeated request, or another candidate with the e-mail', async () => {
    const email = uniqueEmail('twice');
    const c = await h.addSourcingCandidate({ firstName: 'Grace', lastName: 'Twice', email });
    await h.requestImport(c.id, riley().cs);
    const first = await h.importFinished(c.id);

    // the recruiter clicks again: a new run finds the recorded link
    await h.requestImport(c.id, csUser('sam.patel@acme.example').id);
    const second = await h.importFinished(c.id, (s) => s.outcome === 'already-imported');
    expect(second).toMatchObject({ status: 'imported', leverOpportunityId: first.leverOpportunityId, createdByLeverUserId: riley().lever });

    // the same person sourced twice in CodeSignal: linked to the one opportunity, with a note saying so
    const duplicate = await h.addSourcingCandidate({ firstName: 'Grace', lastName: 'Twice', email: email.toUpperCase(), tags: ['second-source'] });
    await h.requestImport(duplicate.id, riley().cs);
    const linked = await h.importFinished(duplicate.id);
    expect(linked).toMatchObject({ status: 'imported', outcome: 'linked', leverOpportunityId: first.leverOpportunityId });

    const opps = h.opportunitiesFor(email);
    expect(opps).toHaveLength(1);
    expect(opps[0]!.tags).toContain('second-source');
    expect(noteTexts(opps[0]!.id)).toEqual([expect.stringContaining('linked to it instead of creating another one')]);
  });

  it('imports two CodeSignal records of one person requested at the same moment as one opportunity', async () => {
    const email = uniqueEmail('race');
    const [a, b] = await Promise.all([
      h.addSourcingCandidate({ firstName: 'Race', lastName: 'One', email }),
      h.addSourcingCandidate({ firstName: 'Race', lastName: 'Two', email }),
    ]);
    await Promise.all([h.requestImport(a!.id, riley().cs), h.requestImport(b!.id, riley().cs)]);
    const states = await Promise.all([h.importFinished(a!.id), h.importFinished(b!.id)]);
    expect(states.map((s) => s.outcome).sort()).toEqual(['created', 'linked']);
    expect(states[0]!.leverOpportunityId).toBe(states[1]!.leverOpportunityId);
    expect(h.opportunitiesFor(email)).toHaveLength(1);
  });

  it('links to an active opportunity the person already has in Lever instead of creating one', async () => {
    const existing = seed().opportunities.find((o) => o.name === 'Grace Hopper')!;
    const c = await h.addSourcingCandidate({ firstName: 'Grace', lastName: 'Hopper', email: existing.email, profileUrl: 'https://example.org/grace' });
    await h.requestImport(c.id, riley().cs);
    const state = await h.importFinished(c.id);
    expect(state).toMatchObject({ outcome: 'linked', leverOpportunityId: existing.id });
    expect(h.opportunitiesFor(existing.email!)).toHaveLength(1);
    expect(h.opportunity(existing.id).links).toContain('https://example.org/grace');
    expect(noteTexts(existing.id).filter((t) => t.includes('Imported from CodeSignal sourcing'))).toHaveLength(1);
  });

  it('creates a new opportunity on the existing contact when the person’s earlier opportunities are archived', async () => {
    const earlier = seed().opportunities.find((o) => o.name === 'Katherine Johnson')!;
    const underqualified = seed().archiveReasons.find((r) => r.text === 'Underqualified')!.id;
    h.sandboxes.leverSandbox.recruiter.archive(seed().accountId, earlier.id, { reason: underqualified });
    const c = await h.addSourcingCandidate({ firstName: 'Katherine', lastName: 'Johnson', email: earlier.email, profileUrl: 'https://example.org/kj' });
    await h.requestImport(c.id, riley().cs);
    const state = await h.importFinished(c.id);
    expect(state).toMatchObject({ outcome: 'created' });

    const opps = h.opportunitiesFor(earlier.email!);
    expect(opps).toHaveLength(2);
    const created = opps.find((o) => o.id === state.leverOpportunityId)!;
    expect(created).toMatchObject({ stage: 'lead-new', contact: h.opportunity(earlier.id).contact, sources: ['CodeSignal'] });
    // Lever kept the contact's data; the profile link was added afterwards
    expect(created.links).toContain('https://example.org/kj');
    expect(noteTexts(created.id)).toEqual([expect.stringContaining('matched the e-mail to an existing contact')]);
    expect((await findCandidateLink(h.stack.db, h.integration.id, c.id))?.contactDeduped).toBe(true);
  });

  it('falls back to the default Lever user for an unmapped CodeSignal user, and says so in a note', async () => {
    const stranger = await h.addCodeSignalUser('Nora Unmapped', uniqueEmail('nora'));
    const email = uniqueEmail('fallback');
    const c = await h.addSourcingCandidate({ firstName: 'Fall', lastName: 'Back', email });
    await h.requestImport(c.id, stranger.id);
    const state = await h.importFinished(c.id);
    expect(state).toMatchObject({ status: 'imported', outcome: 'created', creatorFallback: true, createdByLeverUserId: seed().defaultUserId, requestedByUserId: stranger.id });

    const [opp] = h.opportunitiesFor(email);
    expect(opp).toMatchObject({ createdBy: seed().defaultUserId, stage: 'lead-new' });
    expect(opp!.notes).toHaveLength(1);
    expect(opp!.notes[0]).toMatchObject({ author: seed().defaultUserId, createdVia: 'api' });
    const text = noteTexts(opp!.id)[0]!;
    expect(text).toContain(`Nora Unmapped (${stranger.email}) asked for the import but has no mapped Lever user`);
    expect(text).toContain("the integration's default Lever user created it");
  });

  describe('ingress', () => {
    const deliver = (payload: Record<string, unknown>) => {
      const url = `${h.stack.config.publicUrl}/webhooks/codesignal/${h.integration.id}`;
      const body = { event: 'sourcingCandidateImportRequested', triggeredOn: Date.now(), payload };
      const signature = codesignalSignature(h.integration.codesignalWebhookSecret!, url, body.event, body.triggeredOn);
      return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-codesignal-signature': signature },
        body: JSON.stringify(body),
      });
    };

    it('acknowledges a signed delivery whose payload does not parse, and starts nothing', async () => {
      const res = await deliver({ requestedByUserId: riley().cs });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({ status: 'ignored', reason: 'invalid payload' });
    });

    it('trusts CodeSignal’s API, not the body: a candidate nobody asked to import is not imported', async () => {
      const email = uniqueEmail('forged');
      const c = await h.addSourcingCandidate({ firstName: 'Not', lastName: 'Requested', email });
      const res = await deliver({ candidateId: c.id, requestedByUserId: riley().cs, candidateEmail: email, candidateName: 'Not Requested' });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({ status: 'accepted', workflowId: `import/${h.integration.id}/${c.id}` });
      const state = await h.importFinished(c.id);
      expect(state).toMatchObject({ status: 'failed', failure: { type: 'ImportNotRequested' } });
      expect(h.opportunitiesFor(email)).toHaveLength(0);
      expect(await readJson(await importApi(c.id))).toMatchObject({ status: 'failed', leverOpportunityId: null, link: null });
    });
  });
});
