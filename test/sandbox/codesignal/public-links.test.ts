import { createCodeSignalClient } from '../../../src/codesignal/client';
import { startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';

/** The CodeSignal sandbox seeds public-link sessions and answers them through the public API's `companyTestSessions`. */
describe('CodeSignal sandbox: public-link sessions', () => {
  let sb: SandboxHarness;
  beforeAll(async () => {
    sb = await startSandboxHarness({ logger: false });
  });
  afterAll(() => sb.close());

  const backend = () => sb.seed.tests.find((t) => !t.proctored)!;
  const client = () => createCodeSignalClient({ url: sb.graphqlUrl, apiKey: sb.seed.apiKey });

  it('creates a finished public-link session over the control route and lists it newest finish first with its link', async () => {
    const day = 86_400_000;
    const older = await sb.ctl<{ id: string; status: string; publicInvitationId: string; finishDate: number }>('POST', `/companies/${sb.seed.companyId}/public-link-sessions`, {
      testId: backend().id,
      email: 'older@example.org',
      firstName: 'Olde',
      lastName: 'Taker',
      score: 500,
      finishedAt: Date.now() - 3 * day,
    });
    expect(older).toMatchObject({ status: 'over', candidate: { email: 'older@example.org', firstName: 'Olde', lastName: 'Taker' }, externalId: null, integrations: { leverOpportunityId: null } });
    expect(older.publicInvitationId).toMatch(/^pub_/);
    const newer = sb.sandbox.control.createPublicLinkSession(sb.seed.companyId, {
      testId: backend().id, email: 'newer@example.org', firstName: 'New', lastName: 'Taker', score: 800, leverOpportunityId: 'handled-by-codesignal',
    });
    const started = sb.sandbox.control.createPublicLinkSession(sb.seed.companyId, { testId: backend().id, email: 'busy@example.org', firstName: 'Busy', lastName: 'Taker', score: 0, submit: false });
    expect(started.status).toBe('active');
    // one link per test
    expect(newer.publicInvitationId).toBe(older.publicInvitationId);
    // no invitation e-mail for a link the candidate opened themselves
    expect(sb.sandbox.control.outbox(sb.seed.companyId).filter((e) => [older.id, newer.id].includes(e.sessionId ?? ''))).toEqual([]);

    const invited = await client().createTestSession({ testId: backend().id, candidateEmail: 'invited@example.org', externalId: 'lcs:assessment/x/y/1' });
    const listed = await client().listTestSessions({ testId: backend().id, first: 20 });
    const ids = listed.map((s) => s.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(listed.find((s) => s.id === newer.id)).toMatchObject({ status: 'over', publicInvitationId: older.publicInvitationId, integrations: { leverOpportunityId: 'handled-by-codesignal' } });
    expect(listed.find((s) => s.id === older.id)).toMatchObject({ finishDate: older.finishDate, integrations: null });
    expect(listed.find((s) => s.id === invited.id)).toMatchObject({ publicInvitationId: null, integrations: null, finishDate: null });
    expect(listed.find((s) => s.id === started.id)).toMatchObject({ status: 'active', finishDate: null });

    const full = await client().getPublicLinkSession(older.id);
    expect(full).toMatchObject({ id: older.id, publicInvitationId: older.publicInvitationId, testTaker: { email: 'older@example.org' }, result: { score: 500 } });
  });

  it('pages by 20 at most, as the reference says a public client assumes', async () => {
    // on the other test, so the sessions of the test above stay on its first page whichever runs first
    const proctored = sb.seed.tests.find((t) => t.proctored)!;
    for (let i = 0; i < 22; i++) {
      sb.sandbox.control.createPublicLinkSession(sb.seed.companyId, { testId: proctored.id, email: `bulk${i}@example.org`, firstName: 'Bulk', lastName: String(i), score: i });
    }
    const first = await client().listTestSessions({ testId: proctored.id, first: 50 });
    expect(first).toHaveLength(20);
    const second = await client().listTestSessions({ testId: proctored.id, first: 20, offset: 20 });
    expect(second.map((s) => s.id)).not.toContain(first[0]!.id);
  });

  it('refuses a seed body with an unknown field or test', async () => {
    await expect(sb.ctl('POST', `/companies/${sb.seed.companyId}/public-link-sessions`, { testId: backend().id, email: 'a@example.org', firstName: 'A', lastName: 'B', score: 1, extra: 1 })).rejects.toThrow(/400/);
    await expect(sb.ctl('POST', `/companies/${sb.seed.companyId}/public-link-sessions`, { testId: 'tst_nope', email: 'a@example.org', firstName: 'A', lastName: 'B', score: 1 })).rejects.toThrow(/404/);
  });
});
