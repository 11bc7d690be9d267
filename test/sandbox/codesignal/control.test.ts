import { createCodeSignalSandbox, seedCodeSignalDemo } from '../../../sandbox/codesignal/index';
import { controlRequest, graphqlRequest, startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';

describe('CodeSignal sandbox: control API and seed', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 });
  });
  afterEach(() => h.close());

  it('seeds a demo company whose users can be aligned with a Lever demo', async () => {
    const sandbox = createCodeSignalSandbox();
    const seed = await seedCodeSignalDemo(sandbox, {
      companyName: 'Lever-aligned',
      apiKey: 'cs_fixed_demo_key_0001',
      users: [
        { name: 'Rachel Recruiter', email: 'rachel@lever-demo.example', role: 'recruiter' },
        { name: 'Ian Interviewer', email: 'ian@lever-demo.example', role: 'interviewer' },
      ],
    });
    expect(seed.apiKey).toBe('cs_fixed_demo_key_0001');
    expect(seed.users.map((u) => [u.email, u.role])).toEqual([
      ['rachel@lever-demo.example', 'recruiter'],
      ['ian@lever-demo.example', 'interviewer'],
    ]);
    expect(seed.tests).toEqual([
      { id: expect.any(String), title: 'Backend Engineer screen', proctored: false },
      { id: expect.any(String), title: 'Frontend Engineer screen', proctored: false },
      { id: expect.any(String), title: 'General Coding Assessment', proctored: true },
    ]);
    expect(seed.interviewTemplates.map((t) => t.name)).toEqual(['Backend pair programming', 'Frontend pair programming']);
    expect(seed.sourcingCandidates.filter((c) => c.status === 'replied')).toHaveLength(2);
    expect(seed.webhookSecret).toBeUndefined();
  });

  it('creates companies, keys, users, tests, templates and candidates over HTTP', async () => {
    const company = await h.ctl<{ id: string; settings: Record<string, unknown> }>('POST', '/companies', { name: 'Globex' });
    expect(company.settings).toEqual({ reactivationCarriesExternalId: false, reactivationAnswers: 'newSession', responseMode: 'full' });
    const key = await h.ctl<{ key: string }>('POST', `/companies/${company.id}/api-keys`, {});
    const user = await h.ctl<{ id: string; contactId: string }>('POST', `/companies/${company.id}/users`, { name: 'Gina Globex', email: 'gina@globex.example' });
    const test = await h.ctl<{ id: string; maxScore: number; tasks: Array<{ maxScore: number }> }>('POST', `/companies/${company.id}/tests`, {
      title: 'Data screen',
      maxScore: 500,
      taskCount: 3,
      proctored: true,
      labels: ['data'],
    });
    expect(test.tasks.map((t) => t.maxScore)).toEqual([166, 166, 168]);
    await expect(h.ctl('POST', `/companies/${company.id}/tests`, { title: 'Data screen' })).rejects.toThrow(/400.*duplicate-test-title/);
    await h.ctl('POST', `/companies/${company.id}/interview-templates`, { name: 'Data pairing' });
    await h.ctl('POST', `/companies/${company.id}/sourcing-candidates`, { firstName: 'Sam', lastName: 'Sourced', email: 'sam@example.org', status: 'contacted' });
    const res = await graphqlRequest<{ company: { name: string; contacts: Array<{ id: string; user: { id: string } }> }; companyTests: { totalCount: number } }>(
      h.graphqlUrl,
      key.key,
      '{ company { name contacts { id user { id } } } companyTests(first: 5) { totalCount } }',
    );
    expect(res.body.data).toEqual({ company: { name: 'Globex', contacts: [{ id: user.contactId, user: { id: user.id } }] }, companyTests: { totalCount: 1 } });
    const view = await h.ctl<{ counts: Record<string, number>; apiKeys: Array<{ permissions: string }> }>('GET', `/companies/${company.id}`);
    expect(view.counts).toEqual({ sessions: 0, interviews: 0, sourcingCandidates: 1, emails: 0 });
    expect(view.apiKeys[0]!.permissions).toBe('all');
  });

  it('validates bodies with zod and maps domain errors to 400 / 404 / 409', async () => {
    await expect(h.ctl('POST', '/companies', { name: '' })).rejects.toThrow(/400/);
    await expect(h.ctl('POST', `/companies/${h.seed.companyId}/users`, { name: 'X', email: 'not-an-email' })).rejects.toThrow(/400.*email/);
    await expect(h.ctl('POST', `/companies/${h.seed.companyId}/users`, { name: 'X', email: 'x@example.org', nickname: 'typo' })).rejects.toThrow(/400/);
    await expect(h.ctl('PUT', `/companies/${h.seed.companyId}/faults`, { errorRate: 2 })).rejects.toThrow(/400/);
    await expect(h.ctl('POST', '/sessions/ses_missing/start')).rejects.toThrow(/404/);
    await expect(h.ctl('GET', '/companies/cmp_missing/sessions')).rejects.toThrow(/404/);
    await expect(h.ctl('GET', '/no-such-route')).rejects.toThrow(/404.*no control route/);
    const { createCompanyTestSession } = (await h.gql<{ createCompanyTestSession: { id: string } }>('mutation($i: TestSessionInput!) { createCompanyTestSession(sessionFields: $i) { id } }', {
      i: { testId: h.seed.tests[0]!.id, candidateEmail: 'c@example.org' },
    })).body.data!;
    await expect(h.ctl('POST', `/sessions/${createCompanyTestSession.id}/verify`)).rejects.toThrow(/409.*proctored/);
    await expect(h.ctl('POST', `/sessions/${createCompanyTestSession.id}/submit`, { score: 5000 })).rejects.toThrow(/400.*score must be between 0 and 1000/);
  });

  it('resets one company (activity only) or everything, and deleting a company revokes its keys', async () => {
    await h.gql('mutation($i: TestSessionInput!) { createCompanyTestSession(sessionFields: $i) { id } }', { i: { testId: h.seed.tests[0]!.id, candidateEmail: 'r@example.org' } });
    expect(h.sandbox.control.sessions(h.seed.companyId)).toHaveLength(1);
    expect(h.sandbox.control.outbox(h.seed.companyId)).toHaveLength(1);
    await h.ctl('POST', `/companies/${h.seed.companyId}/reset`);
    expect(h.sandbox.control.sessions(h.seed.companyId)).toHaveLength(0);
    expect(h.sandbox.control.outbox(h.seed.companyId)).toHaveLength(0);
    expect(await h.ctl('GET', `/companies/${h.seed.companyId}/requests`)).toEqual([]);
    expect((await h.gql('{ company { id } }')).status).toBe(200);

    await h.ctl('DELETE', `/companies/${h.seed.companyId}`);
    expect((await h.gql('{ company { id } }')).status).toBe(401);

    await seedCodeSignalDemo(h.sandbox, { companyName: 'Another' });
    expect(await controlRequest<unknown[]>(h.url, 'GET', '/companies')).toHaveLength(1);
    await h.ctl('POST', '/reset');
    expect(await h.ctl('GET', '/companies')).toEqual([]);
  });

  it('answers GraphQL requests only on POST and reports malformed JSON as a GraphQL error', async () => {
    const get = await fetch(h.graphqlUrl);
    expect(get.status).toBe(405);
    const malformed = await fetch(h.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.seed.apiKey}` }, body: '{"query":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ errors: [{ message: 'POST body sent invalid JSON.' }] });
    const noQuery = await fetch(h.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.seed.apiKey}` }, body: '{}' });
    expect(noQuery.status).toBe(400);
    expect(await noQuery.json()).toEqual({ errors: [{ message: 'Must provide query string.' }] });
  });
});
