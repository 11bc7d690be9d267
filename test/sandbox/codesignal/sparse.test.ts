import { isNonNullType, isObjectType } from 'graphql';
import { SPARSE_EXCEPTIONS } from '../../../sandbox/codesignal/index';
import { buildCodeSignalSchema } from '../../../sandbox/codesignal/schema';
import { startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';

const SESSION_FIELDS = `
  id status maxScore createDate startDate finishDate expirationDate invitationUrl customDuration postSessionRedirectUrl
  taskCount publicInvitationId labels integrityReviewFinalized integrityReviewSuggested
  verificationStatus
  verificationRejectionReasons { name description }
  reactivatedSession { newSessionId reactivationDate }
  retakeSession { id }
  testTaker { email firstName lastName }
  test { id title }
  tasks { maxScore task { id title } }
  emailReminders { templateName }
  result {
    score solvedTaskCount url totalTimeClosed
    versionedCodingScore { version value }
    aiInsights { summary }
    taskResults { score timeSpent replayUrl solveTime sessionTask { maxScore task { id title } } integrityReport { status suspicionScore typingLinearity } }
  }`;

const CREATE = `mutation Create($input: TestSessionInput!) { createCompanyTestSession(sessionFields: $input) { ${SESSION_FIELDS} } }`;
const READ = `query Read($id: ID!) { companyTestSession(id: $id) { ${SESSION_FIELDS} } }`;
const REACTIVATE = `mutation Reactivate($id: ID!) { reactivateCompanyTestSession(id: $id) { id status } }`;

const INTERVIEW_FIELDS = `id status candidateName candidateEmail proctoringStatus url shortenedUrl startDate finishDate trackCandidateLocation disableDescriptionCopy
  company { id name }
  interviewersFeedback { author { id } notes recommendedLevel evaluation categories { name } }`;

interface Session {
  id: string;
  status: string;
  maxScore: number;
  invitationUrl: string | null;
  result: null | {
    score: number | null;
    url: string | null;
    taskResults: Array<{ score: number | null; sessionTask: { maxScore: number; task: unknown }; integrityReport: { status: string; suspicionScore: string | null } }>;
  } & Record<string, unknown>;
  [field: string]: unknown;
}

describe('CodeSignal sandbox: sparse response mode', () => {
  let h: SandboxHarness;
  let plainTest: string;
  let proctoredTest: string;

  beforeEach(async () => {
    h = await startSandboxHarness({ responseMode: 'sparse', rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 });
    plainTest = h.seed.tests.find((t) => !t.proctored)!.id;
    proctoredTest = h.seed.tests.find((t) => t.proctored)!.id;
  });
  afterEach(() => h.close());

  const invite = async (testId: string, extra: Record<string, unknown> = {}): Promise<Session> => {
    const res = await h.gql<{ createCompanyTestSession: Session }>(CREATE, {
      input: { testId, candidateFirstName: 'Ada', candidateLastName: 'Example', candidateEmail: 'ada@example.org', ...extra },
    });
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.createCompanyTestSession;
  };
  const read = async (id: string): Promise<Session> => {
    const res = await h.gql<{ companyTestSession: Session }>(READ, { id });
    expect([res.status, res.body.errors]).toEqual([200, undefined]);
    return res.body.data!.companyTestSession;
  };

  it('answers null for every nullable field of a pending session, and keeps the non-null ones', async () => {
    const created = await invite(plainTest);
    const session = await read(created.id);
    for (const s of [created, session]) {
      expect(s).toEqual({
        id: created.id,
        status: 'pending',
        maxScore: 1000,
        // nullable → null, though the sandbox knows every one of them
        createDate: null,
        startDate: null,
        finishDate: null,
        expirationDate: null,
        invitationUrl: null, // CodeSignal e-mailed the link
        customDuration: null,
        postSessionRedirectUrl: null,
        taskCount: null,
        publicInvitationId: null,
        integrityReviewSuggested: null,
        verificationStatus: null,
        verificationRejectionReasons: null,
        reactivatedSession: null,
        retakeSession: null,
        test: null,
        emailReminders: null,
        result: null,
        testTaker: { email: null, firstName: null, lastName: null },
        // non-null: untouched
        labels: [],
        integrityReviewFinalized: false,
        tasks: expect.arrayContaining([{ maxScore: expect.any(Number), task: null }]),
      });
    }
    // the control API is not GraphQL: it still shows what the sandbox knows
    expect(h.sandbox.control.session(created.id).candidate).toEqual({ email: 'ada@example.org', firstName: 'Ada', lastName: 'Example' });
  });

  it('keeps the invitation link of a pending session created with noInvitationEmail, and only while it is pending', async () => {
    const created = await invite(plainTest, { noInvitationEmail: true });
    expect(created.invitationUrl).toBe(h.sandbox.control.session(created.id).invitationUrl);
    expect((await read(created.id)).invitationUrl).toBe(created.invitationUrl);
    await h.ctl('POST', `/sessions/${created.id}/start`);
    expect((await read(created.id)).invitationUrl).toBeNull();
  });

  it('keeps result and result.score of an over session; the rest of the result is null, task results are kept with null fields', async () => {
    const { id } = await invite(plainTest);
    await h.ctl('POST', `/sessions/${id}/start`);
    expect((await read(id)).result).toBeNull();
    await h.ctl('POST', `/sessions/${id}/submit`, { score: 640, codingScore: 512, aiSummary: 'Strong.' });
    const session = await read(id);
    expect(session.status).toBe('over');
    expect(session).toMatchObject({ startDate: null, finishDate: null, verificationStatus: null, verificationRejectionReasons: null });
    expect(session.result).toMatchObject({
      score: 640,
      solvedTaskCount: null,
      url: null,
      totalTimeClosed: null,
      versionedCodingScore: null,
      aiInsights: null,
    });
    expect(session.result!.taskResults.length).toBeGreaterThan(0); // list elements are kept
    for (const t of session.result!.taskResults) {
      expect(t).toEqual({
        score: null,
        timeSpent: null,
        replayUrl: null,
        solveTime: null,
        sessionTask: { maxScore: expect.any(Number), task: null },
        integrityReport: { status: 'ready', suspicionScore: null, typingLinearity: null },
      });
    }
  });

  it('proctored: no result while finalizing, verification status kept, rejection reasons null', async () => {
    const { id } = await invite(proctoredTest);
    await h.ctl('POST', `/sessions/${id}/start`);
    await h.ctl('POST', `/sessions/${id}/submit`, { score: 500 });
    expect(await read(id)).toMatchObject({ status: 'finalizing', verificationStatus: 'pending', result: null });

    await h.ctl('POST', `/sessions/${id}/reject`, { reasons: [{ name: 'Identity mismatch', description: 'ID did not match' }] });
    const rejected = await read(id);
    expect(rejected).toMatchObject({ status: 'over', verificationStatus: 'notVerified', verificationRejectionReasons: null });
    expect(rejected.result).toMatchObject({ score: 500, url: null });
  });

  it('keeps reactivatedSession on the old session after a reactivation', async () => {
    const { id } = await invite(plainTest);
    await h.ctl('POST', `/sessions/${id}/expire`);
    const res = await h.gql<{ reactivateCompanyTestSession: { id: string; status: string } }>(REACTIVATE, { id });
    expect(res.body.errors).toBeUndefined();
    const old = await read(id);
    const newSessionId = h.sandbox.control.session(id).reactivatedSession!.newSessionId;
    expect(old.reactivatedSession).toEqual({ newSessionId, reactivationDate: expect.any(Number) });
    expect(newSessionId).not.toBe(id);
  });

  it('live interviews: nullable fields null, feedback entries kept once feedback exists', async () => {
    const interviewerId = h.seed.users[1]!.id;
    const created = await h.gql<{ createLiveInterview: Record<string, unknown> }>(
      `mutation($f: LiveInterviewInput) { createLiveInterview(interviewFields: $f) { ${INTERVIEW_FIELDS} } }`,
      { f: { candidateName: 'Ada Example', candidateEmail: 'ada@example.org', interviewerId, trackCandidateLocation: true } },
    );
    expect(created.body.errors).toBeUndefined();
    const room = created.body.data!.createLiveInterview;
    expect(room).toEqual({
      id: expect.any(String),
      status: 'pending',
      url: `${h.url}/live-interview/${room.id as string}`,
      shortenedUrl: expect.stringContaining('/i/'),
      company: { id: h.seed.companyId, name: expect.any(String) },
      candidateName: null,
      candidateEmail: null,
      proctoringStatus: null,
      startDate: null,
      finishDate: null,
      trackCandidateLocation: null,
      disableDescriptionCopy: null,
      interviewersFeedback: null, // no feedback yet
    });

    await h.ctl('POST', `/interviews/${room.id as string}/start`);
    await h.ctl('POST', `/interviews/${room.id as string}/finish`, {
      feedback: { interviewerId, notes: 'Clear thinking.', overallEvaluation: 'strong_yes', recommendedLevel: 'Senior', categories: [{ name: 'Coding', attributes: [] }] },
    });
    const read = await h.gql<{ liveInterview: Record<string, unknown> }>(`query($id: ID!) { liveInterview(liveInterviewId: $id) { ${INTERVIEW_FIELDS} } }`, { id: room.id });
    // nullability comes from whatever SDL the schema is built from: `author` is kept only while it is non-null there
    const feedbackType = buildCodeSignalSchema().getType('InterviewerFeedback');
    const authorNonNull = isObjectType(feedbackType) && isNonNullType(feedbackType.getFields().author!.type);
    expect(read.body.data!.liveInterview).toMatchObject({
      status: 'over',
      startDate: null,
      finishDate: null,
      interviewersFeedback: [{ author: authorNonNull ? { id: interviewerId } : null, notes: 'Clear thinking.', recommendedLevel: null, evaluation: null, categories: null }],
    });
  });

  it('keeps list elements and lookups by id: contacts are listed, an active one with its user', async () => {
    const { id } = await invite(plainTest);
    const res = await h.gql<{ company: { contacts: Array<Record<string, unknown>> }; companyTestSession: null; companyTest: Record<string, unknown> }>(
      `query($testId: ID!, $sessionId: ID!) {
        company { id contacts { id name email status user { id } } }
        companyTestSession(id: "ses_nope") { id }
        companyTest(id: $testId) { id title labels scoringModel { type } testLabels { title } testSession(id: $sessionId) { id testTaker { email } } }
      }`,
      { testId: plainTest, sessionId: id },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.company.contacts).toHaveLength(h.seed.users.length);
    for (const c of res.body.data!.company.contacts) expect(c).toEqual({ id: expect.any(String), name: expect.any(String), email: expect.any(String), status: 'active', user: { id: expect.any(String) } });
    expect(res.body.data!.companyTestSession).toBeNull(); // genuinely not found
    expect(res.body.data!.companyTest).toEqual({
      id: plainTest,
      title: 'Backend Engineer screen',
      labels: null,
      scoringModel: null,
      testLabels: null,
      testSession: { id, testTaker: { email: null } }, // lookup by id (exception); its own fields still sparse
    });
  });

  it('an unknown field is still a GraphQL validation error (HTTP 400), not a null', async () => {
    const res = await h.gql(`query($id: ID!) { companyTestSession(id: $id) { id candidateFullName } }`, { id: 'ses_x' });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.map((e) => e.message)).toEqual(['Cannot query field "candidateFullName" on type "CompanyTestSession".']);
  });

  it('introspection is untouched', async () => {
    const res = await h.gql<{ __type: { name: string; fields: Array<{ name: string }> } }>(`{ __type(name: "TestTaker") { name fields { name } } }`);
    expect(res.body.data!.__type).toEqual({ name: 'TestTaker', fields: [{ name: 'email' }, { name: 'firstName' }, { name: 'lastName' }] });
  });

  it('is a per-company setting, switchable at run time through the control API', async () => {
    const { id } = await invite(plainTest);
    const settingsPath = `/companies/${h.seed.companyId}/settings`;
    expect(await h.ctl('PUT', settingsPath, { responseMode: 'full' })).toMatchObject({ responseMode: 'full' });
    expect((await read(id)).testTaker).toEqual({ email: 'ada@example.org', firstName: 'Ada', lastName: 'Example' });
    await h.ctl('PUT', settingsPath, { responseMode: 'sparse' });
    expect((await read(id)).testTaker).toEqual({ email: null, firstName: null, lastName: null });
    await expect(h.ctl('PUT', settingsPath, { responseMode: 'minimal' })).rejects.toThrow(/400/);
  });

  it('names each exception with the documented state it protects', () => {
    expect(Object.keys(SPARSE_EXCEPTIONS).sort()).toEqual([
      'CompanyTest.testSession',
      'CompanyTestSession.invitationUrl',
      'CompanyTestSession.reactivatedSession',
      'CompanyTestSession.result',
      'CompanyTestSession.verificationStatus',
      'CompanyTestSessionResult.score',
      'Contact.user',
      'LiveInterview.interviewersFeedback',
    ]);
    for (const e of Object.values(SPARSE_EXCEPTIONS)) expect(e.why.length).toBeGreaterThan(10);
  });
});

describe('CodeSignal sandbox: full response mode (default)', () => {
  it('fills nullable fields as before', async () => {
    const h = await startSandboxHarness();
    try {
      const testId = h.seed.tests[0]!.id;
      const res = await h.gql<{ createCompanyTestSession: { createDate: number; invitationUrl: string; testTaker: Record<string, string>; test: { id: string } } }>(
        `mutation($input: TestSessionInput!) { createCompanyTestSession(sessionFields: $input) { createDate invitationUrl testTaker { email firstName lastName } test { id } } }`,
        { input: { testId, candidateFirstName: 'Ada', candidateLastName: 'Example', candidateEmail: 'ada@example.org' } },
      );
      expect(res.body.data!.createCompanyTestSession).toEqual({
        createDate: expect.any(Number),
        invitationUrl: expect.stringContaining('/test-invitation/'),
        testTaker: { email: 'ada@example.org', firstName: 'Ada', lastName: 'Example' },
        test: { id: testId },
      });
    } finally {
      await h.close();
    }
  });
});
