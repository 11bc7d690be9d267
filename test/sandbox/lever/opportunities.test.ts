import { startHarness, type Harness } from './harness';

type Opp = {
  id: string; contact: string; name: string; stage: string | { id: string; text: string }; owner: unknown; emails: string[]; tags: string[];
  links: string[]; sources: string[]; followers: unknown[]; applications: string[]; archived: { reason: string; archivedAt: number } | null;
  stageChanges: Array<{ toStageId: string; toStageIndex: number; userId: string | null; updatedAt: number }>;
  lastAdvancedAt: number; updatedAt: number; urls: { show: string }; origin: string;
};
type One = { data: Opp; deduped?: boolean };
type Many = { data: Opp[]; hasNext: boolean };

describe('Lever sandbox: opportunities', () => {
  let h: Harness;
  let bot: string;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    bot = h.seed.defaultUserId;
  });
  afterAll(() => h.close());

  const create = (body: unknown, performAs: string | null = bot) =>
    h.api<One>('POST', `/opportunities${performAs === null ? '' : `?perform_as=${performAs}`}`, { body });

  describe('perform_as on create', () => {
    it('is required', async () => {
      const res = await create({ name: 'No Actor' }, null);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('perform_as') });
    });

    it('is ignored when put in the body', async () => {
      expect((await h.api('POST', '/opportunities', { body: { name: 'Body Actor', perform_as: bot } })).status).toBe(400);
    });

    it('must name an active user of the account', async () => {
      expect((await create({ name: 'Ghost' }, 'f0000000-0000-4000-8000-000000000000')).status).toBe(400);
      const gone = h.sandbox.admin.createUser(h.seed.accountId, { name: 'Gone User', email: 'gone@acme.example', deactivated: true });
      expect((await create({ name: 'Ghost' }, gone.id)).status).toBe(400);
    });
  });

  it('creates an opportunity in New lead, owned by the perform_as user, with posting tags and follower', async () => {
    const posting = h.seed.postings[0];
    const res = await create({ name: 'Ada Example', emails: ['ada.example@example.com'], origin: 'sourced', sources: ['AssessCo'], tags: ['assessco-invited'], postings: [posting.id] });
    expect(res.status).toBe(201);
    expect('deduped' in res.body).toBe(false);
    const opp = res.body.data;
    expect(opp).toMatchObject({
      name: 'Ada Example', emails: ['ada.example@example.com'], stage: 'lead-new', owner: bot, origin: 'sourced',
      sources: ['AssessCo'], archived: null, followers: [posting.ownerId],
      urls: { show: `https://hire.lever.co/candidates/${opp.id}` },
    });
    expect(opp.tags).toEqual(expect.arrayContaining(['assessco-invited', 'Backend Engineer', 'Engineering', 'Remote']));
    expect(opp.applications).toHaveLength(1);
    expect(opp.stageChanges).toEqual([{ toStageId: 'lead-new', toStageIndex: 0, userId: bot, updatedAt: expect.any(Number) }]);
    expect(opp.id).not.toBe(opp.contact);
  });

  it('dedupes by email: a new opportunity on the existing contact, whose data wins, flagged deduped:true', async () => {
    const first = await create({ name: 'Grace Original', emails: ['grace.dedupe@example.com'] });
    const second = await create({ name: 'Grace Renamed', emails: ['GRACE.dedupe@example.com'], headline: 'ignored' });
    expect(second.status).toBe(201);
    expect(second.body.deduped).toBe(true);
    expect(second.body.data.id).not.toBe(first.body.data.id);
    expect(second.body.data.contact).toBe(first.body.data.contact);
    expect(second.body.data.name).toBe('Grace Original');
    const listed = await h.api<Many>('GET', '/opportunities?email=grace.dedupe@example.com');
    expect(listed.body.data.map((o) => o.id).sort()).toEqual([first.body.data.id, second.body.data.id].sort());
  });

  it('refuses multipart creates instead of creating an empty candidate', async () => {
    const body = new FormData();
    body.append('name', 'Multipart Person');
    const res = await h.api('POST', `/opportunities?perform_as=${bot}`, { body });
    expect(res.status).toBe(400);
  });

  it('lists the application a posting create made', async () => {
    const { data: opp } = (await create({ name: 'Applicant', postings: [h.seed.postings[2].id] })).body;
    const apps = await h.api<{ data: Array<{ id: string; opportunityId: string; posting: string; type: string }> }>('GET', `/opportunities/${opp.id}/applications`);
    expect(apps.body.data).toEqual([expect.objectContaining({ id: opp.applications[0], opportunityId: opp.id, posting: h.seed.postings[2].id, type: 'user' })]);
  });

  it('rejects more than one posting', async () => {
    const res = await create({ name: 'Two Jobs', postings: [h.seed.postings[0].id, h.seed.postings[1].id] });
    expect(res.status).toBe(400);
  });

  it('changes stage, recording history with the pipeline index and user', async () => {
    const { data: opp } = (await create({ name: 'Stage Mover', emails: ['mover@example.com'] })).body;
    const stages = (await h.api<{ data: Array<{ id: string }> }>('GET', '/stages')).body.data.map((s) => s.id);
    const target = h.seed.stageIds.assessment;
    const moved = await h.api<One>('PUT', `/opportunities/${opp.id}/stage?perform_as=${h.seed.userIds.recruiter}`, { body: { stage: target } });
    expect(moved.status).toBe(200);
    expect(moved.body.data.stage).toBe(target);
    expect(moved.body.data.stageChanges[1]).toEqual({ toStageId: target, toStageIndex: stages.indexOf(target), userId: h.seed.userIds.recruiter, updatedAt: expect.any(Number) });
    expect(moved.body.data.lastAdvancedAt).toBe(moved.body.data.stageChanges[1].updatedAt);
    expect(moved.body.data.updatedAt).toBeGreaterThanOrEqual(opp.updatedAt);

    const anonymous = await h.api<One>('PUT', `/opportunities/${opp.id}/stage`, { body: { stage: 'offer' } });
    expect(anonymous.body.data.stageChanges[2]).toMatchObject({ toStageId: 'offer', userId: null });
    expect((await h.api('PUT', `/opportunities/${opp.id}/stage`, { body: { stage: 'no-such-stage' } })).status).toBe(404);
    expect((await h.api('PUT', `/opportunities/${opp.id}/stage`, { body: {} })).status).toBe(400);
  });

  it('archives with a reason and unarchives with reason:null', async () => {
    const { data: opp } = (await create({ name: 'Archie', emails: ['archie@example.com'] })).body;
    const reason = h.seed.archiveReasons.find((r) => r.text === 'Withdrew')?.id;
    const archived = await h.api<One>('PUT', `/opportunities/${opp.id}/archived`, { body: { reason } });
    expect(archived.body.data.archived).toEqual({ reason, archivedAt: expect.any(Number) });
    const listedArchived = await h.api<Many>('GET', `/opportunities?archived=true&email=archie@example.com`);
    expect(listedArchived.body.data).toHaveLength(1);
    const back = await h.api<One>('PUT', `/opportunities/${opp.id}/archived`, { body: { reason: null } });
    expect(back.body.data.archived).toBeNull();
    expect((await h.api<Many>('GET', `/opportunities?archived=true&email=archie@example.com`)).body.data).toHaveLength(0);
  });

  it('adds and removes tags, sources and contact-level links', async () => {
    const first = (await create({ name: 'Linus Links', emails: ['links@example.com'] })).body.data;
    const second = (await create({ name: 'Linus Links', emails: ['links@example.com'] })).body.data;
    const tagged = await h.api<One>('POST', `/opportunities/${first.id}/addTags`, { body: { tags: ['cs-invited', 'cs-sent'] } });
    expect(tagged.body.data.tags).toEqual(['cs-invited', 'cs-sent']);
    const untagged = await h.api<One>('POST', `/opportunities/${first.id}/removeTags`, { body: { tags: ['cs-invited', 'never-there'] } });
    expect(untagged.body.data.tags).toEqual(['cs-sent']);

    await h.api('POST', `/opportunities/${first.id}/addLinks`, { body: { links: ['https://app.codesignal.com/report/1'] } });
    const sibling = await h.api<One>('GET', `/opportunities/${second.id}`);
    expect(sibling.body.data.links).toEqual(['https://app.codesignal.com/report/1']);
    await h.api('POST', `/opportunities/${second.id}/removeLinks`, { body: { links: ['https://app.codesignal.com/report/1'] } });
    expect((await h.api<One>('GET', `/opportunities/${first.id}`)).body.data.links).toEqual([]);

    await h.api('POST', `/opportunities/${first.id}/addSources`, { body: { sources: ['CodeSignal'] } });
    const sources = await h.api<{ data: Array<{ text: string; count: number }> }>('GET', '/sources');
    expect(sources.body.data).toContainEqual({ text: 'CodeSignal', count: 1 });
    const tags = await h.api<{ data: Array<{ text: string; count: number }> }>('GET', '/tags');
    expect(tags.body.data).toContainEqual({ text: 'cs-sent', count: 1 });
    expect((await h.api('POST', `/opportunities/${first.id}/addTags`, { body: { tags: 'not-a-list' } })).status).toBe(400);
  });

  it('expands stage, owner and followers', async () => {
    const opp = h.seed.opportunities[0];
    const res = await h.api<One>('GET', `/opportunities/${opp.id}?expand=stage&expand=owner&expand=followers`);
    expect(res.body.data.stage).toEqual({ id: h.seed.stageIds.phoneScreen, text: 'Phone screen' });
    expect(res.body.data.owner).toMatchObject({ id: h.seed.userIds.recruiter, name: 'Riley Chen' });
    expect(res.body.data.followers).toEqual([expect.objectContaining({ id: h.seed.userIds.recruiter })]);
    expect((await h.api('GET', `/opportunities/${opp.id}?expand=everything`)).status).toBe(400);
  });

  it('filters the list by stage, posting, contact and update time', async () => {
    const [ada, grace] = h.seed.opportunities;
    const byStage = await h.api<Many>('GET', `/opportunities?stage_id=${h.seed.stageIds.assessment}&stage_id=${h.seed.stageIds.phoneScreen}`);
    expect(byStage.body.data.map((o) => o.id).sort()).toEqual([ada.id, grace.id].sort());
    const byPosting = await h.api<Many>('GET', `/opportunities?posting_id=${h.seed.postings[1].id}`);
    expect(byPosting.body.data.map((o) => o.name)).toEqual(['Alan Turing']);
    const adaFull = (await h.api<One>('GET', `/opportunities/${ada.id}`)).body.data;
    const byContact = await h.api<Many>('GET', `/opportunities?contact_id=${adaFull.contact}`);
    expect(byContact.body.data.map((o) => o.id)).toEqual([ada.id]);
    const future = await h.api<Many>('GET', `/opportunities?updated_at_start=${Date.now() + 60_000}`);
    expect(future.body.data).toEqual([]);
    expect((await h.api('GET', '/opportunities?updated_at_start=yesterday')).status).toBe(400);
  });

  it('reads users, postings and archive reasons with their filters', async () => {
    const users = await h.api<{ data: Array<{ id: string; email: string }> }>('GET', '/users?email=RILEY.CHEN@acme.example');
    expect(users.body.data.map((u) => u.id)).toEqual([h.seed.userIds.recruiter]);
    const hired = await h.api<{ data: Array<{ id: string; type: string }> }>('GET', '/archive_reasons?type=hired');
    expect(hired.body.data.map((r) => r.id)).toEqual([h.seed.hiredReasonId]);
    const posting = await h.api<{ data: { id: string; owner: string; state: string } }>('GET', `/postings/${h.seed.postings[0].id}`);
    expect(posting.body.data).toMatchObject({ owner: h.seed.postings[0].ownerId, state: 'published' });
    expect((await h.api<{ data: unknown[] }>('GET', '/postings?state=closed')).body.data).toEqual([]);
  });
});
