import { createCodeSignalClient, type CodeSignalClient } from '../../src/codesignal/client';
import { ExternalApiError } from '../../src/external-api-error';
import { startSandboxHarness, type SandboxHarness } from '../../sandbox/codesignal/testing';

async function apiError(promise: Promise<unknown>): Promise<ExternalApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ExternalApiError);
  return err as ExternalApiError;
}

describe('CodeSignal client against the CodeSignal sandbox', () => {
  let h: SandboxHarness;
  let cs: CodeSignalClient;
  const company = () => h.seed.companyId;
  const backendTest = () => h.seed.tests.find((t) => t.title === 'Backend Engineer screen')!;
  let n = 0;
  const email = () => `candidate-${Date.now()}-${n++}@example.org`;

  beforeAll(async () => {
    // per-field limits are exercised through injected throttling; here they would only slow the suite
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 });
    cs = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey });
  });
  afterEach(() => h.sandbox.control.clearFaults(company()));
  afterAll(() => h.close());

  describe('tests', () => {
    it('lists one page and all pages of company tests', async () => {
      const page = await cs.listCompanyTests({ first: 2 });
      expect(page.totalCount).toBe(3);
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.tests.map((t) => t.title)).toEqual(['Backend Engineer screen', 'Frontend Engineer screen']);
      const all = await cs.listAllCompanyTests();
      expect(all.map((t) => t.title)).toEqual(['Backend Engineer screen', 'Frontend Engineer screen', 'General Coding Assessment']);
      expect(all[0]).toMatchObject({ id: backendTest().id, duration: 70 * 60_000, labels: ['backend'], scoringModel: { type: 'raw' } });
    });

    it('follows pages past 100 tests', async () => {
      const other = h.sandbox.control.createCompany({ name: 'Many Tests Inc' });
      for (let i = 0; i < 130; i++) h.sandbox.control.createTest(other.id, { title: `Test ${String(i).padStart(3, '0')}` });
      const key = h.sandbox.control.createApiKey(other.id, { permissions: 'all' }).key;
      const tests = await createCodeSignalClient({ url: h.graphqlUrl, apiKey: key }).listAllCompanyTests();
      expect(tests).toHaveLength(130);
      expect(new Set(tests.map((t) => t.id)).size).toBe(130);
    });

    it('reads one test; an unknown one is a non-retryable NotFound', async () => {
      expect(await cs.getCompanyTest(backendTest().id)).toMatchObject({ id: backendTest().id, title: 'Backend Engineer screen' });
      expect(await apiError(cs.getCompanyTest('tst_unknown'))).toMatchObject({ service: 'codesignal', code: 'NotFound', retryable: false });
    });
  });

  describe('test sessions', () => {
    it('creates a session; preferExisting (the default) returns the same session twice', async () => {
      const candidateEmail = email();
      const input = { testId: backendTest().id, candidateEmail, candidateFirstName: 'Ada', candidateLastName: 'Lovelace', externalId: 'lever:opp-1:inv-1', expireDuration: 7 * 86_400_000 };
      const first = await cs.createTestSession(input);
      expect(first).toMatchObject({ status: 'pending', testTaker: { email: candidateEmail, firstName: 'Ada' }, test: { id: backendTest().id }, result: null });
      expect(first.invitationUrl).toContain(first.id);
      const again = await cs.createTestSession(input);
      expect(again.id).toBe(first.id);
      const separate = await cs.createTestSession({ ...input, preferExisting: false });
      expect(separate.id).not.toBe(first.id);
      expect(h.sandbox.control.session(first.id).externalId).toBe('lever:opp-1:inv-1');
    });

    it('reads a finished session with its result and task summary', async () => {
      const { id } = await cs.createTestSession({ testId: backendTest().id, candidateEmail: email(), externalId: 'x' });
      h.sandbox.control.startSession(id);
      h.sandbox.control.submitSession(id, { score: 720, durationMs: 40 * 60_000 });
      const s = await cs.getTestSession(id);
      expect(s).toMatchObject({ id, status: 'over', maxScore: 1000, integrityReviewFinalized: expect.any(Boolean), startDate: expect.any(Number), finishDate: expect.any(Number) });
      expect(s.result).toMatchObject({ score: 720, url: expect.stringContaining(`/test-result/${id}`) });
      expect(s.result!.taskResults.length).toBeGreaterThan(0);
      expect(s.result!.taskResults.reduce((sum, t) => sum + (t?.score ?? 0), 0)).toBe(720);
      expect(s.result!.taskResults[0]).toMatchObject({ sessionTask: { maxScore: expect.any(Number), task: { id: expect.any(String) } }, integrityReport: { status: 'ready' } });
    });

    it('reactivation gives a new session id, which the old session points at', async () => {
      const { id } = await cs.createTestSession({ testId: backendTest().id, candidateEmail: email(), externalId: 'x' });
      h.sandbox.control.startSession(id);
      h.sandbox.control.submitSession(id, { score: 100 });
      const newId = await cs.reactivateTestSession(id, false);
      expect(newId).not.toBe(id);
      expect((await cs.getTestSession(id)).reactivatedSession?.newSessionId).toBe(newId);
      expect((await cs.getTestSession(newId)).status).toBe('pending');
    });

    it('resends, extends and deletes a pending session', async () => {
      const { id, expirationDate } = await cs.createTestSession({ testId: backendTest().id, candidateEmail: email(), externalId: 'x' });
      expect((await cs.resendTestSession(id)).id).toBe(id);
      expect(h.sandbox.control.outbox(company()).some((m) => m.sessionId === id && m.kind === 'resend')).toBe(true);
      const later = expirationDate! + 3 * 86_400_000;
      expect((await cs.extendTestSession(id, later)).expirationDate).toBe(later);
      expect(await cs.deleteTestSession(id, false)).toBe(id);
      expect((await cs.getTestSession(id)).status).toBe('deleted');
    });

    it('an unknown test or session is a non-retryable NotFound', async () => {
      expect(await apiError(cs.createTestSession({ testId: 'tst_missing', candidateEmail: email(), externalId: 'x' })))
        .toMatchObject({ code: 'NotFound', retryable: false, status: 200 });
      expect(await apiError(cs.getTestSession('ses_missing'))).toMatchObject({ code: 'NotFound', retryable: false });
    });

    it('a domain refusal (shortening the expiry) is a non-retryable GraphQL error with CodeSignal\'s message', async () => {
      const { id, expirationDate } = await cs.createTestSession({ testId: backendTest().id, candidateEmail: email(), externalId: 'x' });
      const err = await apiError(cs.extendTestSession(id, expirationDate! - 1000));
      expect(err).toMatchObject({ code: 'GraphQLError', retryable: false });
      expect(err.message).toContain('ExtendTestSession');
      expect(err.message).toContain('only be extended');
    });
  });

  describe('live interviews and team', () => {
    it('creates, reads, edits and deletes a live interview for a team member', async () => {
      const users = await cs.listCompanyUsers();
      expect(users.map((u) => u.email)).toEqual(expect.arrayContaining(['ivan.interviewer@example.com']));
      const interviewer = users.find((u) => u.email === 'ivan.interviewer@example.com')!.user!.id;
      // the service never lists templates (the reference names none of their fields): an admin gives the id
      const templates = h.seed.interviewTemplates;
      const created = await cs.createLiveInterview({
        candidateEmail: 'ada@example.org', candidateName: 'Ada Lovelace', interviewerId: interviewer,
        templateId: templates[0]!.id, lockTemplate: true, expirationTime: 48 * 3_600_000,
      });
      expect(created).toMatchObject({ status: 'pending', candidateName: 'Ada Lovelace', url: expect.stringContaining(created.id), interviewersFeedback: [] });
      expect((await cs.getLiveInterview(created.id)).id).toBe(created.id);
      expect((await cs.updateLiveInterview(created.id, { candidateName: 'Ada King' })).candidateName).toBe('Ada King');
      h.sandbox.control.finishInterview(created.id, { questionsSolved: 2, feedback: { notes: 'Strong', overallEvaluation: 'yes' } });
      const finished = await cs.getLiveInterview(created.id);
      expect(finished).toMatchObject({ status: 'over', interviewersFeedback: [{ notes: 'Strong', evaluation: 'Yes', author: { id: interviewer } }] });

      const other = await cs.createLiveInterview({ candidateEmail: 'bob@example.org', interviewerId: interviewer });
      expect(await cs.deleteLiveInterview(other.id)).toBe(other.id);
      expect(await apiError(cs.getLiveInterview(other.id))).toMatchObject({ code: 'NotFound', retryable: false });
    });
  });

  describe('errors', () => {
    it('Access Denied for a key without the permission is not retryable', async () => {
      const key = h.sandbox.control.createApiKey(company(), { permissions: ['company_test_read'] }).key;
      const limited = createCodeSignalClient({ url: h.graphqlUrl, apiKey: key });
      expect((await limited.listCompanyTests({ first: 1 })).tests).toHaveLength(1);
      const err = await apiError(limited.createTestSession({ testId: backendTest().id, candidateEmail: email(), externalId: 'x' }));
      expect(err).toMatchObject({ service: 'codesignal', code: 'AccessDenied', retryable: false, status: 200 });
      expect(err.message).toContain('CreateTestSession');
      expect(err.message).toContain('Access Denied');
      expect(err.message).not.toContain(key);
    });

    it('an unknown key is a non-retryable 401 and the key appears nowhere', async () => {
      const secretKey = 'cs_not-a-real-key-0123456789abcdef';
      const err = await apiError(createCodeSignalClient({ url: h.graphqlUrl, apiKey: secretKey }).listAllCompanyTests());
      expect(err).toMatchObject({ status: 401, code: 'Unauthorized', retryable: false });
      for (const text of [err.message, err.stack ?? '', JSON.stringify(err)]) expect(text).not.toContain(secretKey);
    });

    it('an unknown key answered as a GraphQL "Access Denied" is not retryable either', async () => {
      const other = await startSandboxHarness({ invalidKeyAs: 'graphqlError' });
      try {
        const err = await apiError(createCodeSignalClient({ url: other.graphqlUrl, apiKey: 'cs_wrong-key-0123456789' }).getTestSession('ses_1'));
        expect(err).toMatchObject({ status: 200, code: 'AccessDenied', retryable: false });
      } finally {
        await other.close();
      }
    });

    it('an injected 503 is retryable', async () => {
      h.sandbox.control.setFaults(company(), { failNext: 1, failStatus: 503 });
      expect(await apiError(cs.getCompanyTest(backendTest().id))).toMatchObject({ status: 503, code: 'ServerError', retryable: true });
      expect((await cs.getCompanyTest(backendTest().id)).id).toBe(backendTest().id);
    });

    it('throttling as a GraphQL error is retryable', async () => {
      h.sandbox.control.setFaults(company(), { rateLimitNext: 1 });
      const err = await apiError(cs.getCompanyTest(backendTest().id));
      expect(err).toMatchObject({ status: 200, code: 'RateLimited', retryable: true });
      expect(err.message).toContain('too often');
    });

    it('throttling as HTTP 429 is retryable with Retry-After', async () => {
      const strict = await startSandboxHarness({ throttleAs: 'http429', rateLimitPerSecond: 2 });
      try {
        const client = createCodeSignalClient({ url: strict.graphqlUrl, apiKey: strict.seed.apiKey });
        const outcomes = await Promise.allSettled([1, 2, 3].map(() => client.listCompanyTests({ first: 1 })));
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as ExternalApiError);
        expect(refused).toHaveLength(1);
        expect(refused[0]).toMatchObject({ status: 429, code: 'RateLimited', retryable: true, retryAfterMs: 1000 });
      } finally {
        await strict.close();
      }
    });

    it('a connection dropped after the mutation committed is a retryable network error', async () => {
      const candidateEmail = email();
      h.sandbox.control.setFaults(company(), { dropNext: 1 });
      const err = await apiError(cs.createTestSession({ testId: backendTest().id, candidateEmail, externalId: 'dropped' }));
      expect(err).toMatchObject({ status: undefined, code: 'NetworkError', retryable: true });
      // the retry an activity would make finds the committed session instead of inviting twice
      const retried = await cs.createTestSession({ testId: backendTest().id, candidateEmail, externalId: 'dropped' });
      expect(h.sandbox.control.sessions(company()).filter((s) => s.candidate.email === candidateEmail).map((s) => s.id)).toEqual([retried.id]);
    });

    it('a slow answer times out as a retryable error', async () => {
      h.sandbox.control.setFaults(company(), { latencyMs: 1000 });
      const impatient = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey, timeoutMs: 100 });
      expect(await apiError(impatient.listCompanyTests({ first: 1 }))).toMatchObject({ status: undefined, code: 'Timeout', retryable: true });
    });
  });
});
