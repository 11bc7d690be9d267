import { basic, startHarness, type Harness } from './harness';

type Json = Record<string, unknown>;

describe('Lever sandbox: control API', () => {
  // a sandbox of its own for each test: one resets every account, another reads the demo account's request log
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(() => h.close());

  it('sets up an account the way a Super Admin would, and acts as a recruiter', async () => {
    const account = await h.control<{ id: string; stages: Array<{ id: string }>; archiveReasons: Array<{ id: string; type: string }> }>('POST', '/accounts', { name: 'Globex' });
    expect(account.status).toBe(201);
    const a = `/accounts/${account.body.id}`;
    expect(account.body.stages.map((s) => s.id)).toEqual(['lead-new', 'lead-reached-out', 'lead-responded', 'applicant-new', 'offer']);

    const key = await h.control<{ key: string; permissions: string[] }>('POST', `${a}/keys`, { permissions: ['stages:read:admin', 'opportunities:read:admin'] });
    expect(key.status).toBe(201);
    expect(key.body.permissions).toEqual(['stages:read:admin', 'opportunities:read:admin']);
    const user = await h.control<{ id: string; username: string }>('POST', `${a}/users`, { name: 'Pat Admin', email: 'pat@globex.example', accessRole: 'super admin' });
    expect(user.body.username).toBe('pat');
    const stage = await h.control<{ id: string }>('POST', `${a}/stages`, { text: 'Take-home' });
    const reason = await h.control<{ id: string }>('POST', `${a}/archive-reasons`, { text: 'Joined us', type: 'hired' });
    const posting = await h.control<{ id: string }>('POST', `${a}/postings`, { text: 'SRE', owner: user.body.id, team: 'Ops' });
    expect(posting.status).toBe(201);

    const stages = await fetch(`${h.server.apiUrl}/stages`, { headers: { authorization: basic(key.body.key) } }).then((r) => r.json() as Promise<{ data: Array<{ id: string; text: string }> }>);
    expect(stages.data.map((s) => s.text)).toEqual(['New lead', 'Reached out', 'Responded', 'New applicant', 'Take-home', 'Offer']);

    const opp = await h.control<{ id: string; stage: string; createdVia: string }>('POST', `${a}/opportunities`, { name: 'Jo Candidate', emails: ['jo@example.com'], postings: [posting.body.id], userId: user.body.id });
    expect(opp.body).toMatchObject({ stage: 'lead-new', createdVia: 'ui' });
    const o = `${a}/opportunities/${opp.body.id}`;
    const moved = await h.control<{ stage: string; stageChanges: Array<{ userId: string }> }>('POST', `${o}/stage`, { stage: stage.body.id, userId: user.body.id });
    expect(moved.body.stage).toBe(stage.body.id);
    expect(moved.body.stageChanges[1].userId).toBe(user.body.id);
    const tagged = await h.control<{ tags: string[] }>('POST', `${o}/tags`, { tags: ['vip'] });
    expect(tagged.body.tags).toContain('vip');
    const hired = await h.control<{ archived: { reason: string } }>('POST', `${o}/hire`, { reason: reason.body.id });
    expect(hired.body.archived.reason).toBe(reason.body.id);
    const unarchived = await h.control<{ archived: null; archiveHistory: unknown[] }>('POST', `${o}/unarchive`, {});
    expect(unarchived.body.archived).toBeNull();
    expect(unarchived.body.archiveHistory).toHaveLength(2);
    const inspected = await h.control<Json>('GET', o);
    expect(inspected.body).toMatchObject({ id: opp.body.id, notes: [], files: [], panels: [], interviews: [], applications: [expect.objectContaining({ posting: posting.body.id })] });
  });

  it('logs /v1 requests with method, path, status and perform_as; 401s go to the unattributed log', async () => {
    await h.api('GET', `/opportunities/${h.seed.opportunities[0].id}?expand=stage`);
    await h.api('POST', `/opportunities/${h.seed.opportunities[0].id}/notes?perform_as=${h.seed.defaultUserId}`, { body: { value: 'logged' } });
    await h.api('GET', '/stages', { key: 'wrong-key-123' });
    const log = await h.control<Json[]>('GET', `/accounts/${h.seed.accountId}/requests?method=post`);
    expect(log.body.at(-1)).toMatchObject({
      method: 'POST', path: `/v1/opportunities/${h.seed.opportunities[0].id}/notes`, status: 201, performAs: h.seed.defaultUserId, keyName: 'CodeSignal Integration',
    });
    const unattributed = await h.control<Json[]>('GET', '/requests/unattributed');
    expect(unattributed.body.at(-1)).toMatchObject({ status: 401, accountId: null, path: '/v1/stages' });
  });

  it('answers {code,message} for bad control requests', async () => {
    const bad = await h.control('POST', `/accounts/${h.seed.accountId}/users`, { name: 'No Email' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'BadRequest', message: expect.stringContaining('email') });
    expect((await h.control('GET', '/accounts/missing')).status).toBe(404);
    expect((await h.control('POST', `/accounts/${h.seed.accountId}/keys`, { permissions: ['opportunities:read'] })).status).toBe(400);
  });

  it('resets one account (its keys keep working) or everything', async () => {
    const { body } = await h.control<{ opportunities: unknown[]; users: unknown[] }>('POST', `/accounts/${h.seed.accountId}/reset`);
    expect(body.opportunities).toEqual([]);
    expect(body.users).toEqual([]);
    expect((await h.api('GET', '/opportunities')).status).toBe(200);
    expect((await h.control('POST', '/reset')).status).toBe(204);
    expect((await h.control<unknown[]>('GET', '/accounts')).body).toEqual([]);
    expect((await h.api('GET', '/opportunities')).status).toBe(401);
  });
});
