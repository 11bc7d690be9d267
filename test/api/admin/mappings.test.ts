import { randomUUID } from 'node:crypto';
import { readJson } from '../../support/lever-webhook';
import { insertIntegration, signingToken } from '../../support/stack';
import { CODESIGNAL_RESPONSE_MODES } from '../../support/assessment-harness';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness';

/** The mapping admin API against both sandboxes over HTTP. */
describe.each(CODESIGNAL_RESPONSE_MODES)('mapping admin API (CodeSignal %s)', (mode) => {
  jest.setTimeout(120_000);
  let h: SyncHarness;
  const path = () => `/api/integrations/${h.integration.id}/mappings`;
  /**
   * The mappings path of a new integration on the harness's Lever account and CodeSignal company, with no
   * mapping yet: a test that stores a mapping works on its own, so no other test's mapping is its starting point.
   */
  // Keys of its own on the same accounts: each key has its own rate limit in Lever and CodeSignal, as each integration has its own budget.
  const newIntegrationPath = async () => {
    const integration = await insertIntegration(h.stack.db, {
      lever: { apiKey: h.sandboxes.leverSandbox.admin.createKey(seed().accountId, { permissions: 'all', name: 'Mappings test' }).key, webhookSigningTokens: [signingToken()] },
      codesignal: { apiKey: h.sandboxes.codesignalSandbox.control.createApiKey(h.sandboxes.codesignal.seed.companyId, { permissions: 'all' }).key },
    });
    return `/api/integrations/${integration.id}/mappings`;
  };
  /** As `newIntegrationPath`, with the mapping auto-filled (what an admin starts from), answering it too. */
  const autoMapped = async () => {
    const mappings = await newIntegrationPath();
    const res = await h.admin('POST', `${mappings}/auto`);
    expect(res.status).toBe(200);
    return { mappings, auto: await readJson(res) };
  };
  const seed = () => h.sandboxes.lever.seed;
  const seedStageOrder = () => h.sandboxes.leverSandbox.admin.account(seed().accountId).stages.map((st) => st.id);

  let dana: { leverId: string; codesignalId: string };
  let outsider: { id: string };
  let backgroundCheckId: string;
  beforeAll(async () => {
    h = await startSyncHarness({ codesignalResponseMode: mode });
    // a pair whose e-mails differ only in case, one user on each side only, and a stage no rule knows
    const leverDana = await readJson(await h.leverControl('POST', 'account:/users', { name: 'Dana Diaz', email: 'dana.diaz@acme.example' }));
    const csDana = await h.addCodeSignalUser('Dana D.', 'DANA.Diaz@Acme.Example');
    dana = { leverId: leverDana.id, codesignalId: csDana.id };
    outsider = await h.addCodeSignalUser('Olga Outside', `olga-${randomUUID().slice(0, 6)}@elsewhere.example`);
    await h.leverControl('POST', 'account:/users', { name: 'Lena Leveronly', email: 'lena@acme.example' });
    backgroundCheckId = (await readJson(await h.leverControl('POST', 'account:/stages', { text: 'Background check' }))).id;
  });
  afterAll(() => h.close());

  it('has no mapping before one is computed, and refuses callers without the admin token', async () => {
    const fresh = await insertIntegration(h.stack.db); // the demo integration comes auto-mapped
    expect((await h.admin('GET', `/api/integrations/${fresh.id}/mappings`)).status).toBe(404);
    expect((await h.admin('GET', path())).status).toBe(200);
    expect((await fetch(`${h.stack.baseUrl}${path()}`)).status).toBe(401);
    expect((await h.admin('POST', `/api/integrations/${randomUUID()}/mappings/auto`)).status).toBe(404);
  });

  it('computes users by e-mail and stages by name, and reports what is left unmapped', async () => {
    const mappings = await newIntegrationPath();
    expect((await h.admin('GET', mappings)).status).toBe(404);
    const res = await h.admin('POST', `${mappings}/auto`);
    expect(res.status).toBe(200);
    const m = await readJson(res);
    expect(m.source).toBe('auto');

    const csUsers = h.sandboxes.codesignal.seed.users;
    const expectedUsers = seed().users.map((lu) => ({ codesignalUserId: csUsers.find((c) => c.email === lu.email)!.id, leverUserId: lu.id }));
    expectedUsers.push({ codesignalUserId: dana.codesignalId, leverUserId: dana.leverId });
    expect(m.users.map((u: { codesignalUserId: string; leverUserId: string }) => ({ codesignalUserId: u.codesignalUserId, leverUserId: u.leverUserId })).sort(byCs))
      .toEqual(expectedUsers.sort(byCs));
    expect(m.users.find((u: { leverUserId: string }) => u.leverUserId === seed().userIds.recruiter)).toMatchObject({
      rule: 'email', leverUser: { name: 'Riley Chen', email: 'riley.chen@acme.example' }, codesignalUser: { email: 'riley.chen@acme.example' },
    });

    const statusOf = Object.fromEntries(m.stages.map((s: { leverStageId: string; codesignalStatus: string }) => [s.leverStageId, s.codesignalStatus]));
    const ids = seed().stageIds;
    expect(statusOf).toEqual({
      'lead-new': 'contacted', 'lead-reached-out': 'contacted', 'lead-responded': 'replied', 'applicant-new': 'replied',
      [ids.phoneScreen]: 'screening', [ids.assessment]: 'screening', [ids.onSite]: 'interviewing', offer: 'offer',
    });
    const targetOf = Object.fromEntries(m.statuses.map((s: { codesignalStatus: string; leverStageId?: string; leverArchiveReasonId?: string }) => [s.codesignalStatus, s.leverStageId ?? s.leverArchiveReasonId]));
    const reason = (text: string) => seed().archiveReasons.find((r) => r.text === text)!.id;
    expect(targetOf).toEqual({
      contacted: 'lead-reached-out', replied: 'lead-responded', screening: ids.phoneScreen, interviewing: ids.onSite, offer: 'offer',
      hired: seed().hiredReasonId, rejected: reason('Underqualified'), archived: reason('Withdrew'),
    });
    // in Lever's pipeline order, as Lever lists the stages
    expect(m.stages.map((s: { leverStageId: string }) => s.leverStageId)).toEqual(seedStageOrder().filter((id) => id in statusOf));
    expect(m.stages.find((s: { leverStageId: string }) => s.leverStageId === ids.onSite)).toMatchObject({ rule: 'interview', leverStage: 'On-site interview' });

    expect(m.unmapped.codesignalUsers).toEqual([expect.objectContaining({ id: outsider.id, name: 'Olga Outside' })]);
    expect(m.unmapped.leverUsers).toEqual([expect.objectContaining({ name: 'Lena Leveronly', email: 'lena@acme.example' })]);
    expect(m.unmapped.leverStages).toEqual([{ id: backgroundCheckId, text: 'Background check' }]);
    expect(m.unmapped.codesignalStatuses).toEqual([]);

    const stored = await readJson(await h.admin('GET', mappings));
    expect(stored).toEqual(m);
  });

  it('refuses an invalid mapping with a 400 naming each field', async () => {
    const { mappings, auto: current } = await autoMapped();
    const put = (body: unknown) => h.admin('PUT', mappings, body);
    const issuePaths = async (res: Response) => {
      expect(res.status).toBe(400);
      return ((await readJson(res)).details.issues as Array<{ path: string }>).map((i) => i.path);
    };

    expect(await issuePaths(await put({ ...current, users: [{ codesignalUserId: 'usr_nobody', leverUserId: 'no-such-lever-user' }] })))
      .toEqual(['users.0.codesignalUserId', 'users.0.leverUserId']);
    expect(await issuePaths(await put({ ...current, stages: [...current.stages, { leverStageId: 'no-such-stage', codesignalStatus: 'offer' }] })))
      .toEqual([`stages.${current.stages.length}.leverStageId`]);
    expect(await issuePaths(await put({ ...current, stages: [{ leverStageId: 'lead-new', codesignalStatus: 'maybe' }] })))
      .toEqual(['stages.0.codesignalStatus']);
    // a second status for one stage: not a function from Lever to CodeSignal
    expect(await issuePaths(await put({ ...current, stages: [...current.stages, { leverStageId: 'offer', codesignalStatus: 'hired' }] })))
      .toEqual([`stages.${current.stages.length}.leverStageId`]);
    // screening → On-site interview, which maps to interviewing: the round trip would not come to rest
    const statuses = current.statuses.map((s: { codesignalStatus: string }) =>
      s.codesignalStatus === 'screening' ? { codesignalStatus: 'screening', leverStageId: seed().stageIds.onSite } : s,
    );
    const i = statuses.findIndex((s: { codesignalStatus: string }) => s.codesignalStatus === 'screening');
    const res = await put({ ...current, statuses });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe('invalid_mapping');
    expect(body.message).toContain(`statuses.${i}.leverStageId`);
    expect(body.message).toContain('maps to interviewing in stages, not screening');

    // nothing was stored
    expect(await readJson(await h.admin('GET', mappings))).toEqual(current);
  });

  it('stores an edited mapping: GET → change → PUT round-trips', async () => {
    const { mappings } = await autoMapped();
    const current = await readJson(await h.admin('GET', mappings));
    const outsiderMapped = [...current.users, { codesignalUserId: outsider.id, leverUserId: seed().defaultUserId }];
    const edited = {
      ...current,
      users: outsiderMapped,
      stages: [...current.stages, { leverStageId: backgroundCheckId, codesignalStatus: 'offer' }],
    };
    const res = await h.admin('PUT', mappings, edited);
    expect(res.status).toBe(200);
    const saved = await readJson(res);
    expect(saved.source).toBe('admin');
    expect(saved.users).toHaveLength(edited.users.length);
    expect(saved.users.find((u: { codesignalUserId: string }) => u.codesignalUserId === outsider.id)).toMatchObject({ leverUserId: seed().defaultUserId, rule: null });
    expect(saved.unmapped.codesignalUsers).toEqual([]);
    expect(saved.unmapped.leverStages).toEqual([]);
    expect(await readJson(await h.admin('GET', mappings))).toEqual(saved);
  });

  it('keeps the auto-fill rule of entries saved unchanged, and drops it from the ones the admin changed', async () => {
    const { mappings, auto } = await autoMapped();
    expect(auto.source).toBe('auto');
    const [changed, ...kept] = auto.stages as Array<{ leverStageId: string; codesignalStatus: string; rule: string | null }>;
    const other = changed!.codesignalStatus === 'offer' ? 'screening' : 'offer';
    const res = await h.admin('PUT', mappings, { ...auto, stages: [{ ...changed, codesignalStatus: other }, ...kept] });
    const saved = await readJson(res);
    expect([res.status, saved.message]).toEqual([200, undefined]);
    expect(saved.stages.find((s: { leverStageId: string }) => s.leverStageId === changed!.leverStageId)).toMatchObject({ codesignalStatus: other, rule: null });
    for (const k of kept) expect(saved.stages.find((s: { leverStageId: string }) => s.leverStageId === k.leverStageId).rule).toBe(k.rule);
    expect(kept.some((k) => k.rule !== null)).toBe(true);
    for (const u of auto.users) expect(saved.users.find((s: { codesignalUserId: string }) => s.codesignalUserId === u.codesignalUserId).rule).toBe(u.rule);
  });
});

const byCs = (a: { codesignalUserId: string }, b: { codesignalUserId: string }) => a.codesignalUserId.localeCompare(b.codesignalUserId);
