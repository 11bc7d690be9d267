import { createCodeSignalSandbox, seedCodeSignalDemo } from '../../../sandbox/codesignal/index';
import { graphqlRequest, startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';

describe('CodeSignal sandbox: GraphQL transport, auth and limits', () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    h = await startSandboxHarness({ rateLimitPerSecond: 1000 });
  });
  afterAll(() => h.close());

  describe('authentication (Bearer API key → one company)', () => {
    it('answers the WhoAmI query for a valid key', async () => {
      const res = await h.gql<{ company: { id: string; name: string; contacts: Array<{ id: string; name: string; email: string; status: string; user: { id: string } | null }> } }>(
        'query WhoAmI { company { id name contacts { id name email status user { id } } } }',
      );
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.company.id).toBe(h.seed.companyId);
      expect(res.body.data?.company.name).toBe('Acme Demo');
      const contacts = res.body.data!.company.contacts;
      expect(contacts.map((c) => c.email)).toEqual(h.seed.users.map((u) => u.email));
      // a contact id is not a user id; user { id } is the CodeSignal user id
      expect(contacts.map((c) => c.user?.id)).toEqual(h.seed.users.map((u) => u.id));
      expect(contacts.every((c) => c.id !== c.user?.id && c.status === 'active')).toBe(true);
    });

    it('answers 401 for a missing or unknown key by default', async () => {
      const missing = await graphqlRequest(h.graphqlUrl, null, '{ company { id } }');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.body.errors?.[0]?.message).toMatch(/Unauthorized/);
      const unknown = await h.gql('{ company { id } }', {}, 'cs_not-a-real-key-000000');
      expect(unknown.status).toBe(401);
    });

    it('answers an "Access Denied" GraphQL error with HTTP 200 when invalidKeyAs is graphqlError', async () => {
      const other = await startSandboxHarness({ invalidKeyAs: 'graphqlError' });
      try {
        const res = await other.gql('{ company { id } }', {}, 'cs_not-a-real-key-000000');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ data: null, errors: [{ message: 'Access Denied' }] });
      } finally {
        await other.close();
      }
    });

    it('keeps companies fully isolated', async () => {
      const sandbox = h.sandbox;
      const other = await seedCodeSignalDemo(sandbox, { companyName: 'Other Co', users: [{ name: 'Olga Other', email: 'olga@other.example' }] });
      const mine = await h.gql<{ companyTest: { id: string } | null }>('query($id: ID!) { companyTest(id: $id) { id } }', { id: other.tests[0]!.id });
      expect(mine.body.data?.companyTest).toBeNull();
      const theirs = await h.gql<{ companyTest: { id: string } | null }>('query($id: ID!) { companyTest(id: $id) { id } }', { id: other.tests[0]!.id }, other.apiKey);
      expect(theirs.body.data?.companyTest?.id).toBe(other.tests[0]!.id);
      const foreignCompany = await h.gql('query($id: ID) { company(id: $id) { id } }', { id: other.companyId });
      expect(foreignCompany.body.errors?.[0]).toMatchObject({ message: 'Access Denied', path: ['company'] });
    });
  });

  describe('permissions (AccessType sets on keys)', () => {
    it('denies a field outside the key permission set with an "Access Denied" error at its path', async () => {
      const key = await h.ctl<{ key: string; permissions: string[] }>('POST', `/companies/${h.seed.companyId}/api-keys`, { permissions: ['company_read', 'company_test_read'] });
      expect(key.permissions).toEqual(['company_read', 'company_test_read']);
      const res = await h.gql<{ company: { id: string } | null; companyTestSession: unknown }>(
        'query Mixed($id: ID!) { company { id } companyTestSession(id: $id) { id } }',
        { id: 'ses_whatever' },
        key.key,
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ company: { id: h.seed.companyId }, companyTestSession: null });
      expect(res.body.errors).toEqual([expect.objectContaining({ message: 'Access Denied', path: ['companyTestSession'] })]);
      const mutation = await h.gql('mutation($f: TestSessionInput!) { createCompanyTestSession(sessionFields: $f) { id } }', { f: { testId: h.seed.tests[0]!.id } }, key.key);
      expect(mutation.body.errors?.[0]?.message).toBe('Access Denied');
      expect(h.sandbox.control.sessions(h.seed.companyId)).toHaveLength(0);
    });

    it('rejects unknown permission names in the control API', async () => {
      await expect(h.ctl('POST', `/companies/${h.seed.companyId}/api-keys`, { permissions: ['company_everything'] })).rejects.toThrow(/400/);
    });
  });

  describe('query validation and limits', () => {
    it('answers 400 with GraphQL validation errors for a field that does not exist', async () => {
      const res = await h.gql('{ companyTests(first: 5) { tests { id percentile } } }');
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.message).toBe('Cannot query field "percentile" on type "CompanyTest".');
      expect(res.body.data).toBeUndefined();
    });

    it('answers 400 for a missing required argument, a syntax error and a bad variable', async () => {
      expect((await h.gql('{ companyTests { totalCount } }')).body.errors?.[0]?.message).toMatch(/argument "first" of type "Int!" is required/);
      const syntax = await h.gql('{ company { id ');
      expect(syntax.status).toBe(400);
      expect(syntax.body.errors?.[0]?.message).toMatch(/^Syntax Error/);
      const variable = await h.gql('query($id: ID!) { companyTestSession(id: $id) { id } }', {});
      expect(variable.status).toBe(400);
      expect(variable.body.errors?.[0]?.message).toMatch(/Variable "\$id" of required type "ID!" was not provided/);
    });

    it('enforces depth ≤ 10', async () => {
      const ok = await h.gql('query Deep10 { companyTestSession(id: "x") { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { id } } } } } } } } } }');
      expect(ok.status).toBe(200);
      expect(ok.body.errors).toBeUndefined();
      const tooDeep = await h.gql(
        'query Deep11 { companyTestSession(id: "x") { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { retakeSession { id } } } } } } } } } } }',
      );
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.errors?.[0]?.message).toBe("'Deep11' exceeds maximum operation depth of 10");
    });

    it('enforces cost ≤ 10 000 using the documented @cost multipliers', async () => {
      const cheap = await h.gql('{ companyTests(first: 100) { tests { id testLabels { title } } } }');
      expect(cheap.status).toBe(200);
      const expensive = await h.gql('{ companyTests(first: 5000) { tests { id testLabels { title } } } }');
      expect(expensive.status).toBe(400);
      // (complexity 1 + tests 1 + testLabels 1) × first 5000
      expect(expensive.body.errors?.[0]?.message).toBe('The query exceeds the maximum cost of 10000. Actual cost is 15000');
    });

    it('lets introspection through (docs are generated from it)', async () => {
      const res = await h.gql<{ __type: { enumValues: Array<{ name: string }> } }>('{ __type(name: "TestSessionStatus") { enumValues { name } } }');
      expect(res.body.data?.__type.enumValues.map((v) => v.name)).toEqual([
        'pending', 'active', 'gracePeriod', 'finalizing', 'over', 'deleted', 'deletedForPii', 'expired', 'declined', 'archived',
      ]);
    });
  });

  describe('tests catalogue', () => {
    it('lists, searches, sorts and paginates companyTests', async () => {
      const page = await h.gql<{ companyTests: { totalCount: number; pageInfo: { hasNextPage: boolean }; tests: Array<{ title: string; duration: number; labels: string[]; scoringModel: { type: string } }> } }>(
        'query ListTests($first: Int!, $offset: Int) { companyTests(first: $first, offset: $offset, sortBy: title, sortDirection: asc) { totalCount pageInfo { hasNextPage } tests { id title externalTitle duration labels scoringModel { type } } } }',
        { first: 2, offset: 0 },
      );
      expect(page.body.data?.companyTests.totalCount).toBe(3);
      expect(page.body.data?.companyTests.pageInfo.hasNextPage).toBe(true);
      expect(page.body.data?.companyTests.tests.map((t) => t.title)).toEqual(['Backend Engineer screen', 'Frontend Engineer screen']);
      expect(page.body.data?.companyTests.tests[0]).toMatchObject({ duration: 4_200_000, labels: ['backend'], scoringModel: { type: 'raw' } });
      const last = await h.gql<{ companyTests: { pageInfo: { hasNextPage: boolean }; tests: Array<{ title: string; scoringModel: { type: string; scoreRange: { min: number; max: number } } }> } }>(
        '{ companyTests(first: 2, offset: 2) { pageInfo { hasNextPage } tests { title scoringModel { type } } } }',
      );
      expect(last.body.data?.companyTests.pageInfo.hasNextPage).toBe(false);
      expect(last.body.data?.companyTests.tests).toEqual([{ title: 'General Coding Assessment', scoringModel: { type: 'codingScore2023' } }]);
      const search = await h.gql<{ companyTests: { totalCount: number; tests: Array<{ title: string }> } }>(
        '{ companyTests(first: 10, titleSearchText: "ENGINEER", sortDirection: desc) { totalCount tests { title } } }',
      );
      expect(search.body.data?.companyTests.tests.map((t) => t.title)).toEqual(['Frontend Engineer screen', 'Backend Engineer screen']);
    });

    it('returns one test with its score range labels and reminder templates', async () => {
      const res = await h.gql<{ companyTest: { title: string; createDate: number; scoreRangeLabels: unknown; emailReminderTemplates: Array<{ name: string }> } }>(
        'query($id: ID!) { companyTest(id: $id) { title createDate scoreRangeLabels { label scoreRange { min max } } emailReminderTemplates { name subjectLine message } } }',
        { id: h.seed.tests[0]!.id },
      );
      const test = res.body.data!.companyTest;
      expect(test.title).toBe('Backend Engineer screen');
      expect(typeof test.createDate).toBe('number');
      expect(test.scoreRangeLabels).toEqual([{ label: 'Pass', scoreRange: { min: 600, max: 1000 } }, { label: 'Fail', scoreRange: { min: 0, max: 599 } }]);
      expect(test.emailReminderTemplates.map((t) => t.name)).toEqual(['default']);
    });

    it('refuses fields and operations the reference does not document, as validation errors', async () => {
      for (const query of ['{ company { contacts { user { username } } } }', '{ company { contacts { user { profile { name } } } } }', '{ user(userId: "x") { id } }', '{ company { alias } }']) {
        const res = await h.gql(query);
        expect({ query, status: res.status, data: res.body.data }).toEqual({ query, status: 400, data: undefined });
        expect(res.body.errors?.[0]?.message).toMatch(/^Cannot query field/);
      }
    });
  });

  it('records every request with its operation name in the request log', async () => {
    const sandbox = createCodeSignalSandbox();
    const server = await sandbox.listen(0);
    try {
      const seed = await seedCodeSignalDemo(sandbox);
      await graphqlRequest(`${server.url}/graphql`, seed.apiKey, 'query CountMe { company { id } }');
      await graphqlRequest(`${server.url}/graphql`, seed.apiKey, 'query CountMe { company { id } }');
      await graphqlRequest(`${server.url}/graphql`, seed.apiKey, '{ companyTests(first: 1) { totalCount } }');
      const res = await fetch(`${server.url}/_sandbox/companies/${seed.companyId}/requests?operationName=CountMe`);
      const entries = (await res.json()) as Array<{ operationName: string; rootFields: string[]; httpStatus: number; outcome: string; apiKeyPrefix: string }>;
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ operationName: 'CountMe', rootFields: ['company'], httpStatus: 200, outcome: 'ok', apiKeyPrefix: seed.apiKey.slice(0, 6) });
      expect(sandbox.control.requests({ companyId: seed.companyId, rootField: 'companyTests' })).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
