import { randomUUID } from 'node:crypto';
import { findCandidateLink } from '../../../src/activities/sourcing/candidate-links';
import { listWebhookDeliveries } from '../../../src/db/webhook-deliveries';
import { readJson } from '../../support/lever-webhook';
import { eventually } from '../../support/stack';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness';

/** End to end: the sourcing API's import call → import workflow → Lever sandbox over HTTP. */
describe('sourcing API: importing CodeSignal candidates as New Leads', () => {
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
  const candidateId = () => `cs_${randomUUID().replace(/-/g, '').slice(0, 17)}`;
  /** The admin list's row of an imported candidate (`GET …/sourcing/candidates`, as the Sourcing page reads it). */
  const listedImport = async (codesignalCandidateId: string) => {
    const res = await h.admin('GET', `/api/integrations/${h.integration.id}/sourcing/candidates?limit=200`);
    expect(res.status).toBe(200);
    return ((await readJson(res)).candidates as Array<Record<string, unknown>>).find((c) => c.codesignalCandidateId === codesignalCandidateId);
  };
  const noteTexts = (opportunityId: string) => h.opportunity(opportunityId).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));

  it('creates the opportunity in New Lead, credited to CodeSignal, as the sourcer’s mapped Lever user (201), and reads it back', async () => {
    const email = uniqueEmail('ada');
    const id = candidateId();
    const profileUrl = `https://app.codesignal.com/candidate/${id}`;
    expect((await h.sourcing('GET', `/candidates/${id}`)).status).toBe(404);

    const { status, answer } = await h.importCandidate({
      codesignalCandidateId: id, name: 'Ada Byron', emails: [email], phones: ['+1 555 0100'], profileUrl, links: ['https://github.com/ada'],
      tags: ['backend', 'senior'], sourcedBy: { codesignalUserId: riley().cs, name: 'Riley Chen' },
    });
    expect(status).toBe(201);
    expect(answer).toMatchObject({
      codesignalCandidateId: id, status: 'imported', outcome: 'created', createdBy: { leverUserId: riley().lever, fallback: false }, contactDeduped: false, failure: null,
      self: `${h.stack.config.publicUrl}/api/sourcing/${h.integration.id}/candidates/${id}`,
    });

    const [opp, ...others] = h.opportunitiesFor(email);
    expect(others).toHaveLength(0);
    expect(opp).toMatchObject({ id: answer.leverOpportunityId, name: 'Ada Byron', stage: 'lead-new', sources: ['CodeSignal'], origin: 'sourced', createdBy: riley().lever, createdVia: 'api' });
    expect(opp!.emails).toEqual([email]);
    expect(opp!.links).toEqual([profileUrl, 'https://github.com/ada']);
    expect(opp!.tags).toEqual(['backend', 'senior']);
    expect(opp!.notes).toHaveLength(0);

    const link = await findCandidateLink(h.stack.db, h.integration.id, id);
    expect(link).toMatchObject({ leverOpportunityId: opp!.id, outcome: 'created', createdByLeverUserId: riley().lever, candidateEmail: email, creatorFallback: false });
    const back = await h.sourcing('GET', `/candidates/${id}`);
    expect(back.status).toBe(200);
    expect(await readJson(back)).toMatchObject({ status: 'imported', leverOpportunityId: opp!.id, outcome: 'created' });

    // the admin list names the candidate (the import kept the opportunity in the candidate directory), and the candidate search finds them by e-mail
    expect(await listedImport(id)).toMatchObject({ leverOpportunityId: opp!.id, candidateName: 'Ada Byron', outcome: 'created', createdByLeverUserId: riley().lever });
    const search = await h.admin('GET', `/api/integrations/${h.integration.id}/candidates?q=${encodeURIComponent(email)}`);
    expect(await readJson(search)).toMatchObject({ match: 'email', candidates: [{ opportunityId: opp!.id, name: 'Ada Byron', emails: [email] }] });

    // the call is on the Activity page as a sourcing call, identifiers only
    const rows = await listWebhookDeliveries(h.stack.db, h.integration.id, { limit: 20, source: 'sourcing' });
    expect(rows.find((r) => r.event === 'importCandidate' && r.workflowId === `import/${h.integration.id}/${id}`)).toMatchObject({ outcome: 'accepted', httpStatus: 201 });
  });

  it('applies the lead to a posting when one is given', async () => {
    const posting = seed().postings[0]!;
    const email = uniqueEmail('posted');
    const { status, answer } = await h.importCandidate({ name: 'Posted Lead', emails: [email], postingId: posting.id, sourcedBy: { codesignalUserId: riley().cs } });
    expect(status).toBe(201);
    expect(h.opportunity(answer.leverOpportunityId!).applications.map((a) => a.posting)).toEqual([posting.id]);
  });

  it('answers 422 naming Lever’s refusal for a posting Lever does not have, and creates nothing', async () => {
    const email = uniqueEmail('noposting');
    const { status, answer } = await h.importCandidate({ name: 'No Posting', emails: [email], postingId: randomUUID(), sourcedBy: { codesignalUserId: riley().cs } });
    expect(status).toBe(422);
    expect(answer).toMatchObject({ error: 'import_failed', status: 'failed', leverOpportunityId: null, failure: { type: expect.any(String) } });
    expect(h.opportunitiesFor(email)).toHaveLength(0);
  });

  it('creates exactly one opportunity when Lever’s answer to the create is lost', async () => {
    const email = uniqueEmail('lost');
    const since = Date.now();
    expect((await h.leverControl('PUT', 'account:/faults', { dropNext: 1 })).status).toBe(200);
    const { status, answer } = await h.importCandidate({ name: 'Lost Answer', emails: [email], tags: ['frontend'], sourcedBy: { codesignalUserId: riley().cs } });
    expect(status).toBe(201);
    expect(answer).toMatchObject({ status: 'imported', outcome: 'created' });

    const creates = h.sandboxes.leverSandbox.admin.requests(seed().accountId, { method: 'POST', since }).filter((r) => /\/opportunities$/.test(r.path));
    expect(creates).toHaveLength(1);
    expect(creates[0]!.faults).toContain('dropped');
    const opps = h.opportunitiesFor(email);
    expect(opps).toHaveLength(1);
    expect(opps[0]).toMatchObject({ id: answer.leverOpportunityId, stage: 'lead-new', createdBy: riley().lever });
    expect(opps[0]!.notes).toHaveLength(0);
  });

  it('answers 202 while Lever is unavailable, keeps importing, and the import can be read back at self', async () => {
    const email = uniqueEmail('slow');
    // every Lever call fails for a while: the activity's retries (1 s, 2 s, 4 s, 8 s) outlast the call's 10 s wait
    expect((await h.leverControl('PUT', 'account:/faults', { failNext: 4 })).status).toBe(200);
    const { status, answer } = await h.importCandidate({ name: 'Slow Lever', emails: [email], sourcedBy: { codesignalUserId: riley().cs } });
    expect(status).toBe(202);
    expect(answer).toMatchObject({ status: 'importing', outcome: null, leverOpportunityId: null });
    const self = answer.self.replace(h.stack.config.publicUrl, h.stack.baseUrl);
    await eventually(async () => {
      const back = await fetch(self, { headers: { authorization: `Bearer ${h.sourcingToken}` } });
      expect(await readJson(back)).toMatchObject({ status: 'imported', outcome: 'created', leverOpportunityId: expect.any(String) });
    }, 60_000, 500);
    expect(h.opportunitiesFor(email)).toHaveLength(1);
  });

  it('never makes a second opportunity for the same person: a repeated call, or another CodeSignal candidate with the e-mail', async () => {
    const email = uniqueEmail('twice');
    const id = candidateId();
    const first = await h.importCandidate({ codesignalCandidateId: id, name: 'Grace Twice', emails: [email], sourcedBy: { codesignalUserId: riley().cs } });
    expect(first.status).toBe(201);

    // the recruiter clicks again (another sourcer this time): the recorded import answers
    const again = await h.importCandidate({ codesignalCandidateId: id, name: 'Grace Twice', emails: [email], sourcedBy: { codesignalUserId: csUser('sam.patel@acme.example').id } });
    expect(again.status).toBe(200);
    expect(again.answer).toMatchObject({ status: 'imported', outcome: 'already-imported', leverOpportunityId: first.answer.leverOpportunityId, createdBy: { leverUserId: riley().lever } });

    // the same person sourced twice in CodeSignal: linked to the one opportunity, with a note saying so
    const linked = await h.importCandidate({ name: 'Grace Twice', emails: [email.toUpperCase()], tags: ['second-source'], sourcedBy: { codesignalUserId: riley().cs } });
    expect(linked.status).toBe(200);
    expect(linked.answer).toMatchObject({ status: 'imported', outcome: 'linked', leverOpportunityId: first.answer.leverOpportunityId });

    const opps = h.opportunitiesFor(email);
    expect(opps).toHaveLength(1);
    expect(opps[0]!.tags).toContain('second-source');
    expect(noteTexts(opps[0]!.id)).toEqual([expect.stringContaining('linked to it instead of creating another one')]);
  });

  it('imports two CodeSignal records of one person sent at the same moment as one opportunity', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all([
      h.importCandidate({ name: 'Race One', emails: [email], sourcedBy: { codesignalUserId: riley().cs } }),
      h.importCandidate({ name: 'Race Two', emails: [email], sourcedBy: { codesignalUserId: riley().cs } }),
    ]);
    expect(answers.map((a) => a.answer.outcome).sort()).toEqual(['created', 'linked']);
    expect(answers[0]!.answer.leverOpportunityId).toBe(answers[1]!.answer.leverOpportunityId);
    expect(h.opportunitiesFor(email)).toHaveLength(1);
  });

  it('links to an active opportunity the person already has in Lever instead of creating one', async () => {
    const existing = seed().opportunities.find((o) => o.name === 'Grace Hopper')!;
    const id = candidateId();
    const { answer } = await h.importCandidate({
      codesignalCandidateId: id, name: 'Grace B. Hopper', emails: [existing.email!], profileUrl: 'https://example.org/grace', sourcedBy: { codesignalUserId: riley().cs },
    });
    expect(answer).toMatchObject({ outcome: 'linked', leverOpportunityId: existing.id });
    // named as Lever has the adopted opportunity, not as the request spelt it
    expect(await listedImport(id)).toMatchObject({ leverOpportunityId: existing.id, candidateName: 'Grace Hopper', outcome: 'linked' });
    expect(h.opportunitiesFor(existing.email!)).toHaveLength(1);
    expect(h.opportunity(existing.id).links).toContain('https://example.org/grace');
    expect(noteTexts(existing.id).filter((t) => t.includes('Imported from CodeSignal sourcing'))).toHaveLength(1);
  });

  it('creates a new opportunity on the existing contact when the person’s earlier opportunities are archived', async () => {
    const earlier = seed().opportunities.find((o) => o.name === 'Katherine Johnson')!;
    const underqualified = seed().archiveReasons.find((r) => r.text === 'Underqualified')!.id;
    // archived through Lever's API, which fires no webhook: nothing of this test keeps calling Lever after it
    // (a later test's failNext counts every Lever request of the account)
    const archived = await fetch(`${h.sandboxes.lever.apiUrl}/opportunities/${earlier.id}/archived`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${seed().apiKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: underqualified }),
    });
    expect(archived.status).toBe(200);
    expect(h.opportunity(earlier.id).archiveHistory.at(-1)).toMatchObject({ archived: { reason: underqualified }, via: 'api' });
    const id = candidateId();
    const { answer } = await h.importCandidate({ codesignalCandidateId: id, name: 'Katherine Johnson', emails: [earlier.email!], profileUrl: 'https://example.org/kj', sourcedBy: { codesignalUserId: riley().cs } });
    expect(answer).toMatchObject({ outcome: 'created' });

    const opps = h.opportunitiesFor(earlier.email!);
    expect(opps).toHaveLength(2);
    const created = opps.find((o) => o.id === answer.leverOpportunityId)!;
    expect(created).toMatchObject({ stage: 'lead-new', contact: h.opportunity(earlier.id).contact, sources: ['CodeSignal'] });
    // Lever kept the contact's data; the profile link was added afterwards
    expect(created.links).toContain('https://example.org/kj');
    expect(noteTexts(created.id)).toEqual([expect.stringContaining('matched the e-mail to an existing contact')]);
    expect((await findCandidateLink(h.stack.db, h.integration.id, id))?.contactDeduped).toBe(true);
  });

  it('falls back to the default Lever user for an unmapped CodeSignal user, and says so in a note', async () => {
    const email = uniqueEmail('fallback');
    const stranger = { codesignalUserId: 'csUnmapped0000001', name: 'Nora Unmapped', email: uniqueEmail('nora') };
    const { answer } = await h.importCandidate({ name: 'Fall Back', emails: [email], sourcedBy: stranger });
    expect(answer).toMatchObject({ status: 'imported', outcome: 'created', createdBy: { leverUserId: seed().defaultUserId, fallback: true } });

    const [opp] = h.opportunitiesFor(email);
    expect(opp).toMatchObject({ createdBy: seed().defaultUserId, stage: 'lead-new' });
    expect(opp!.notes).toHaveLength(1);
    expect(opp!.notes[0]).toMatchObject({ author: seed().defaultUserId, createdVia: 'api' });
    const text = noteTexts(opp!.id)[0]!;
    expect(text).toContain(`Nora Unmapped (${stranger.email}) asked for the import but has no mapped Lever user`);
    expect(text).toContain("the integration's default Lever user created it");
  });

  describe('the edge', () => {
    it('refuses a call without the integration’s sourcing token, whatever else it holds (401), and starts nothing', async () => {
      const body = { codesignalCandidateId: candidateId(), name: 'No Token', emails: [uniqueEmail('notoken')], sourcedBy: { codesignalUserId: riley().cs } };
      const url = `${h.stack.baseUrl}/api/sourcing/${h.integration.id}/candidates`;
      const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${h.sourcingToken}` }, { authorization: 'Bearer test-admin-token-0123456789' }]) {
        const res = await post(headers);
        expect(res.status).toBe(401);
        expect(await readJson(res)).toMatchObject({ error: 'invalid_token' });
      }
      // nothing was imported: no Lever opportunity, and the candidate is unknown to the service
      expect(h.opportunitiesFor(body.emails[0]!)).toHaveLength(0);
      expect((await h.sourcing('GET', `/candidates/${body.codesignalCandidateId}`)).status).toBe(404);
      // the token of one integration opens no other
      const other = await h.sourcing('POST', '/candidates', body, h.sourcingToken);
      expect(other.status).toBe(201);
      const elsewhere = await fetch(`${h.stack.baseUrl}/api/sourcing/${randomUUID()}/candidates`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.sourcingToken}` }, body: JSON.stringify(body),
      });
      expect(elsewhere.status).toBe(404);
    });

    it('a rotated token replaces the old one at once', async () => {
      const res = await h.admin('POST', `/api/integrations/${h.integration.id}/sourcing/token`);
      const { token } = (await readJson(res)) as { token: string };
      expect((await h.sourcing('GET', '/candidates/unknown0000000001', undefined, token)).status).toBe(404);
      expect((await h.sourcing('GET', '/candidates/unknown0000000001', undefined, h.sourcingToken)).status).toBe(401);
      h.sourcingToken = token;
    });

    it('answers 400 naming each wrong or unknown field, and imports nothing', async () => {
      const res = await h.sourcing('POST', '/candidates', { codesignalCandidateId: 'bad id!', name: '', emails: [], sourcedBy: { codesignalUserId: riley().cs }, favourite: true });
      expect(res.status).toBe(400);
      const body = (await readJson(res)) as { error: string; message: string };
      expect(body.error).toBe('invalid_body');
      for (const field of ['codesignalCandidateId', 'name', 'emails', 'unknown field favourite']) expect(body.message).toContain(field);
    });

    it('a status change of a candidate never imported is 404; a wrong status or a time in the future is 400', async () => {
      const unknown = await h.reportStatus('neverImported00001', { status: 'screening' });
      expect(unknown.status).toBe(404);
      expect(await readJson(unknown)).toMatchObject({ error: 'unknown_candidate' });
      const { answer } = await h.importCandidate({ name: 'Status Edge', emails: [uniqueEmail('edge')], sourcedBy: { codesignalUserId: riley().cs } });
      const wrong = await h.reportStatus(answer.codesignalCandidateId, { status: 'promoted' as 'hired' });
      expect(wrong.status).toBe(400);
      expect(((await readJson(wrong)) as { message: string }).message).toContain('status');
      const future = await h.reportStatus(answer.codesignalCandidateId, { status: 'screening', changedAt: Date.now() + 3_600_000 });
      expect(future.status).toBe(400);
      expect(((await readJson(future)) as { message: string }).message).toContain('changedAt');
    });
  });
});
