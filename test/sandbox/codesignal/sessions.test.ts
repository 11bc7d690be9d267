import type { SessionView } from '../../../sandbox/codesignal/index';
import { startSandboxHarness, startWebhookReceiver, waitFor, type SandboxHarness, type WebhookReceiver } from '../../../sandbox/codesignal/testing';

const CREATE = `mutation InviteCandidate($input: TestSessionInput!) {
  createCompanyTestSession(sessionFields: $input) {
    id status invitationUrl createDate expirationDate customDuration postSessionRedirectUrl maxScore
    testTaker { email firstName lastName }
    test { id title }
    emailReminders { templateName sendDate email { to subject } }
  }
}`;

const READ = `query SessionResult($id: ID!) {
  companyTestSession(id: $id) {
    id status maxScore startDate finishDate expirationDate invitationUrl
    verificationStatus
    verificationRejectionReasons { name description }
    integrityReviewFinalized integrityReviewSuggested
    reactivatedSession { newSessionId reactivationDate }
    retakeSession { id status }
    testTaker { email firstName lastName }
    test { id title }
    result {
      score solvedTaskCount url totalTimeClosed
      versionedCodingScore { version value }
      aiInsights { summary }
      taskResults { score timeSpent replayUrl sessionTask { maxScore task { id } } integrityReport { status suspicionScore } }
    }
  }
}`;

interface Session {
  id: string;
  status: string;
  invitationUrl: string;
  createDate: number;
  expirationDate: number;
  customDuration: number | null;
  postSessionRedirectUrl: string | null;
  maxScore: number;
  startDate: number | null;
  finishDate: number | null;
  verificationStatus: string | null;
  verificationRejectionReasons: Array<{ name: string; description: string }> | null;
  integrityReviewFinalized: boolean;
  integrityReviewSuggested: boolean | null;
  reactivatedSession: { newSessionId: string; reactivationDate: number } | null;
  retakeSession: { id: string; status: string } | null;
  testTaker: { email: string; firstName: string; lastName: string };
  test: { id: string; title: string };
  emailReminders: Array<{ templateName: string; sendDate: number; email: { to: string; subject: string } }>;
  result: {
    score: number;
    solvedTaskCount: number;
    url: string;
    totalTimeClosed: number;
    versionedCodingScore: { version: string; value: number } | null;
    aiInsights: { summary: string } | null;
    taskResults: Array<{ score: number; replayUrl: string; sessionTask: { maxScore: number; task: { id: string } }; integrityReport: { status: string; suspicionScore: string | null } }>;
  } | null;
}

const DAY = 86_400_000;

describe('CodeSignal sandbox: test sessions', () => {
  let h: SandboxHarness;
  let receiver: WebhookReceiver;
  let backend: string;
  let gca: string;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 }, { webhook: { url: receiver.url, secret: 'whsec-test' } });
    backend = h.seed.tests[0]!.id;
    gca = h.seed.tests[2]!.id;
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const invite = async (input: Record<string, unknown>) => {
    const res = await h.gql<{ createCompanyTestSession: Session }>(CREATE, { input });
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.createCompanyTestSession;
  };
  const read = async (id: string) => (await h.gql<{ companyTestSession: Session | null }>(READ, { id })).body.data!.companyTestSession;
  const events = () => receiver.events().map((r) => r.body!);
  const eventNames = () => events().map((e) => e.event);
  const outbox = () => h.sandbox.control.outbox(h.seed.companyId);

  describe('createCompanyTestSession', () => {
    it('creates a pending session with every TestSessionInput field, emails the invite and fires companyTestSessionCreated', async () => {
      const before = Date.now();
      const session = await invite({
        testId: backend,
        candidateFirstName: 'Ada',
        candidateLastName: 'Example',
        candidateEmail: 'ada.example@example.org',
        expireDuration: 7 * DAY,
        customDuration: 45 * 60_000,
        externalId: 'lever:opp_1:invite_1',
        postSessionRedirectUrl: 'https://careers.example.org/thanks',
        emailReminders: [{ templateName: 'default', timeBeforeExpiration: DAY }],
      });
      expect(session).toMatchObject({
        status: 'pending',
        customDuration: 2_700_000,
        postSessionRedirectUrl: 'https://careers.example.org/thanks',
        maxScore: 1000,
        testTaker: { email: 'ada.example@example.org', firstName: 'Ada', lastName: 'Example' },
        test: { id: backend, title: 'Backend Engineer screen' },
      });
      expect(session.invitationUrl.startsWith(`${h.url}/test-invitation/${session.id}?token=`)).toBe(true);
      expect(session.expirationDate - session.createDate).toBe(7 * DAY);
      expect(session.createDate).toBeGreaterThanOrEqual(before);
      expect(session.emailReminders).toEqual([{ templateName: 'default', sendDate: session.expirationDate - DAY, email: { to: 'ada.example@example.org', subject: 'Reminder: Backend Engineer screen' } }]);
      expect(outbox()).toEqual([expect.objectContaining({ kind: 'invitation', to: 'ada.example@example.org', sessionId: session.id })]);
      const created = await waitFor(() => events().find((e) => e.event === 'companyTestSessionCreated'));
      expect(created.payload).toEqual({
        testSessionId: session.id,
        testId: backend,
        testTitle: 'Backend Engineer screen',
        candidateEmail: 'ada.example@example.org',
        candidateName: 'Ada Example',
        externalId: 'lever:opp_1:invite_1',
      });
      const page = await fetch(session.invitationUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Acme Demo invites you to Backend Engineer screen');
    });

    it('sends no email with noInvitationEmail, and omits externalId from payloads when none was given', async () => {
      const session = await invite({ testId: backend, candidateEmail: 'quiet@example.org', noInvitationEmail: true });
      expect(outbox()).toEqual([]);
      const created = await waitFor(() => events().find((e) => e.event === 'companyTestSessionCreated'));
      expect(created.payload).not.toHaveProperty('externalId');
      expect(created.payload.testSessionId).toBe(session.id);
    });

    it('fails with a GraphQL error for an unknown testId or an unknown reminder template', async () => {
      const unknown = await h.gql<{ createCompanyTestSession: Session | null }>(CREATE, { input: { testId: 'tst_nope', candidateEmail: 'x@example.org' } });
      expect(unknown.status).toBe(200);
      expect(unknown.body.data?.createCompanyTestSession).toBeNull();
      expect(unknown.body.errors).toEqual([expect.objectContaining({ message: 'Company test with id tst_nope not found', path: ['createCompanyTestSession'] })]);
      const badReminder = await h.gql(CREATE, { input: { testId: backend, emailReminders: [{ templateName: 'nope' }] } });
      expect(badReminder.body.errors?.[0]?.message).toMatch(/Email reminder template "nope" does not exist/);
      expect(h.sandbox.control.sessions(h.seed.companyId)).toHaveLength(0);
    });

    it('returns the existing unfinished session with preferExisting (same test, same non-empty email)', async () => {
      const first = await invite({ testId: backend, candidateEmail: 'dup@example.org', preferExisting: true });
      const again = await invite({ testId: backend, candidateEmail: 'DUP@example.org', preferExisting: true });
      expect(again.id).toBe(first.id);
      const withoutFlag = await invite({ testId: backend, candidateEmail: 'dup@example.org' });
      expect(withoutFlag.id).not.toBe(first.id);
      const otherTest = await invite({ testId: h.seed.tests[1]!.id, candidateEmail: 'dup@example.org', preferExisting: true });
      expect(otherTest.id).not.toBe(first.id);
      const noEmail1 = await invite({ testId: backend, preferExisting: true });
      const noEmail2 = await invite({ testId: backend, preferExisting: true });
      expect(noEmail2.id).not.toBe(noEmail1.id);
      // once every invitation for that email is finished, a new one is created
      h.sandbox.control.submitSession(first.id, { score: 500 });
      expect((await invite({ testId: backend, candidateEmail: 'dup@example.org', preferExisting: true })).id).toBe(withoutFlag.id);
      h.sandbox.control.declineSession(withoutFlag.id);
      const afterFinish = await invite({ testId: backend, candidateEmail: 'dup@example.org', preferExisting: true });
      expect([first.id, withoutFlag.id]).not.toContain(afterFinish.id);
      expect(outbox().filter((e) => e.kind === 'invitation').map((e) => e.sessionId)).toEqual([first.id, withoutFlag.id, otherTest.id, afterFinish.id]);
    });
  });

  describe('managing a session', () => {
    it('extends the expiration but refuses to shorten it', async () => {
      const session = await invite({ testId: backend, candidateEmail: 'exp@example.org', expireDuration: DAY });
      const later = session.expirationDate + 3 * DAY;
      const extended = await h.gql<{ editCompanyTestSessionExpiration: { expirationDate: number } }>(
        'mutation($id: ID!, $d: Timestamp!) { editCompanyTestSessionExpiration(id: $id, expirationDate: $d) { expirationDate } }',
        { id: session.id, d: later },
      );
      expect(extended.body.data?.editCompanyTestSessionExpiration.expirationDate).toBe(later);
      const shortened = await h.gql('mutation($id: ID!, $d: Timestamp!) { editCompanyTestSessionExpiration(id: $id, expirationDate: $d) { expirationDate } }', { id: session.id, d: later - 1 });
      expect(shortened.body.data).toBeNull();
      expect(shortened.body.errors?.[0]?.message).toBe('Expiration date can only be extended, not shortened');
      expect((await read(session.id))?.expirationDate).toBe(later);
    });

    it('reactivates under a new id, links it through reactivatedSession, and carries externalId only when configured', async () => {
      const session = await invite({ testId: backend, candidateEmail: 're@example.org', externalId: 'ext-1' });
      h.sandbox.control.submitSession(session.id, { score: 300 });
      const reactivate = `mutation($id: ID!) { reactivateCompanyTestSession(id: $id, sendNotificationEmail: true) { id status testTaker { email } } }`;
      const res = await h.gql<{ reactivateCompanyTestSession: { id: string; status: string; testTaker: { email: string } } }>(reactivate, { id: session.id });
      const fresh = res.body.data!.reactivateCompanyTestSession;
      expect(fresh.id).not.toBe(session.id);
      expect(fresh).toMatchObject({ status: 'pending', testTaker: { email: 're@example.org' } });
      const old = await read(session.id);
      expect(old?.reactivatedSession?.newSessionId).toBe(fresh.id);
      expect(typeof old?.reactivatedSession?.reactivationDate).toBe('number');
      expect(h.sandbox.control.session(fresh.id).externalId).toBeNull();
      expect(outbox().map((e) => e.kind)).toEqual(['invitation', 'reactivation']);
      const again = await h.gql(reactivate, { id: session.id });
      expect(again.body.errors?.[0]?.message).toMatch(/already reactivated/);

      await h.ctl('PUT', `/companies/${h.seed.companyId}/settings`, { reactivationCarriesExternalId: true });
      const second = await invite({ testId: backend, candidateEmail: 're2@example.org', externalId: 'ext-2' });
      h.sandbox.control.submitSession(second.id, { score: 300 });
      const carried = (await h.gql<{ reactivateCompanyTestSession: { id: string } }>(reactivate, { id: second.id })).body.data!.reactivateCompanyTestSession;
      expect(h.sandbox.control.session(carried.id).externalId).toBe('ext-2');
      const createdForNew = await waitFor(() => events().find((e) => e.event === 'companyTestSessionCreated' && e.payload.testSessionId === carried.id));
      expect(createdForNew.payload.externalId).toBe('ext-2');
    });

    it('resends, sets reminders, edits duration, archives, unarchives and deletes — recording every email', async () => {
      const session = await invite({ testId: backend, candidateEmail: 'manage@example.org' });
      const id = session.id;
      const m = (q: string, vars: Record<string, unknown> = {}) => h.gql<Record<string, { status?: string; customDuration?: number }>>(q, { id, ...vars });
      expect((await m('mutation($id: ID!) { resendCompanyTestSession(id: $id) { status } }')).body.data?.resendCompanyTestSession?.status).toBe('pending');
      const reminders = await h.gql<{ setCompanyTestSessionReminders: { emailReminders: Array<{ templateName: string }> } }>(
        'mutation($id: ID!, $r: [EmailReminder!]!) { setCompanyTestSessionReminders(id: $id, reminders: $r) { emailReminders { templateName } } }',
        { id, r: [{ templateName: 'default', timeBeforeExpiration: 3_600_000 }] },
      );
      expect(reminders.body.data?.setCompanyTestSessionReminders.emailReminders).toEqual([{ templateName: 'default' }]);
      expect((await m('mutation($id: ID!) { editCompanyTestSessionDuration(id: $id, customDuration: 3600000) { customDuration } }')).body.data?.editCompanyTestSessionDuration?.customDuration).toBe(3_600_000);
      await h.ctl('POST', `/sessions/${id}/send-reminder`, {});
      expect((await m('mutation($id: ID!) { archiveCompanyTestSession(id: $id) { status } }')).body.data?.archiveCompanyTestSession?.status).toBe('archived');
      expect((await m('mutation($id: ID!) { unarchiveCompanyTestSession(id: $id) { status } }')).body.data?.unarchiveCompanyTestSession?.status).toBe('pending');
      const deleted = await h.gql<{ deleteCompanyTestSession: string }>('mutation($id: ID!) { deleteCompanyTestSession(id: $id, sendNotificationEmail: true) }', { id });
      expect(deleted.body.data?.deleteCompanyTestSession).toBe(id);
      expect((await read(id))?.status).toBe('deleted');
      expect(outbox().map((e) => e.kind)).toEqual(['invitation', 'resend', 'reminder', 'deletion']);
      const resendDeleted = await m('mutation($id: ID!) { resendCompanyTestSession(id: $id) { status } }');
      expect(resendDeleted.body.errors?.[0]?.message).toBe('Cannot resend an invitation for a session in status deleted');
    });

    it('lists companyTestSessions newest finish first and clamps the page size to 20', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 22; i++) ids.push((await invite({ testId: backend, candidateEmail: `bulk${i}@example.org`, noInvitationEmail: true })).id);
      h.sandbox.control.submitSession(ids[3]!, { score: 10 });
      await new Promise((r) => setTimeout(r, 5));
      h.sandbox.control.submitSession(ids[7]!, { score: 20 });
      const page = await h.gql<{ companyTestSessions: Array<{ id: string }> }>('query($t: ID!) { companyTestSessions(companyTestId: $t, first: 50) { id } }', { t: backend });
      const list = page.body.data!.companyTestSessions;
      expect(list).toHaveLength(20);
      expect(list.slice(0, 2).map((s) => s.id)).toEqual([ids[7], ids[3]]);
      const filtered = await h.gql<{ companyTestSessions: Array<{ id: string }> }>('query($t: ID!, $ids: [ID!]) { companyTestSessions(companyTestId: $t, ids: $ids) { id } }', { t: backend, ids: [ids[0], ids[1]] });
      expect(filtered.body.data!.companyTestSessions.map((s) => s.id).sort()).toEqual([ids[0], ids[1]].sort());
    });
  });

  describe('candidate actions (control API)', () => {
    it('non-proctored: start → active, submit → over + companyTestSessionFinished with a working result url; integrity review', async () => {
      const session = await invite({ testId: backend, candidateFirstName: 'Nora', candidateLastName: 'Np', candidateEmail: 'np@example.org', externalId: 'ext-np' });
      const started = await h.ctl<SessionView>('POST', `/sessions/${session.id}/start`);
      expect(started.status).toBe('active');
      expect((await read(session.id))?.status).toBe('active');
      const submitted = await h.ctl<SessionView>('POST', `/sessions/${session.id}/submit`, { score: 750, durationMs: 2_700_000, aiSummary: 'Strong on data structures.', totalTimeClosed: 1200 });
      expect(submitted).toMatchObject({ status: 'over', verificationStatus: null });
      const read1 = (await read(session.id))!;
      expect(read1).toMatchObject({ status: 'over', maxScore: 1000, verificationStatus: null, integrityReviewFinalized: false, integrityReviewSuggested: null });
      expect(read1.finishDate! - read1.startDate!).toBe(2_700_000);
      expect(read1.result).toMatchObject({ score: 750, totalTimeClosed: 1200, versionedCodingScore: null, aiInsights: { summary: 'Strong on data structures.' } });
      expect(read1.result!.taskResults).toHaveLength(4);
      expect(read1.result!.taskResults.reduce((s, t) => s + t.score, 0)).toBe(750);
      expect(read1.result!.taskResults.every((t) => t.integrityReport.status === 'ready' && t.integrityReport.suspicionScore === 'none')).toBe(true);
      expect(read1.result!.url).toBe(`${h.url}/test-result/${session.id}?accessToken=${h.sandbox.control.session(session.id).resultAccessToken}`);
      const report = await fetch(read1.result!.url);
      expect(report.status).toBe(200);
      expect(await report.text()).toContain('750 / 1000');
      expect((await fetch(`${h.url}/test-result/${session.id}?accessToken=wrong`)).status).toBe(404);

      const finished = await waitFor(() => events().find((e) => e.event === 'companyTestSessionFinished'));
      expect(finished.payload).toEqual({
        testSessionId: session.id,
        testId: backend,
        testTitle: 'Backend Engineer screen',
        candidateEmail: 'np@example.org',
        candidateName: 'Nora Np',
        externalId: 'ext-np',
        duration: 2_700_000,
        score: 750,
        maxScore: 1000,
        plagiarismLevel: 0,
        plagiarismLabel: '-',
        url: read1.result!.url,
      });
      await h.ctl('POST', `/sessions/${session.id}/integrity-review`, { suggested: true });
      const review = await waitFor(() => events().find((e) => e.event === 'preScreenIntegrityReviewUpdated'));
      expect(review.payload).toMatchObject({ testSessionId: session.id, integrityReviewSuggested: true, externalId: 'ext-np' });
      expect(await read(session.id)).toMatchObject({ integrityReviewFinalized: true, integrityReviewSuggested: true });
      expect(eventNames()).toEqual(['companyTestSessionCreated', 'companyTestSessionStarted', 'companyTestSessionFinished', 'preScreenIntegrityReviewUpdated']);
    });

    it('proctored: submit → finalizing + preScreenResultVerificationPending (no url), then verify → over + preScreenResultVerified', async () => {
      const session = await invite({ testId: gca, candidateFirstName: 'Pia', candidateLastName: 'Proctored', candidateEmail: 'pia@example.org' });
      await h.ctl('POST', `/sessions/${session.id}/submit`, { score: 480, durationMs: 60_000 });
      const pending = (await read(session.id))!;
      expect(pending).toMatchObject({ status: 'finalizing', verificationStatus: 'pending', integrityReviewFinalized: false, maxScore: 600 });
      expect(pending.result?.versionedCodingScore).toEqual({ version: 'codingScore2023', value: 520 });
      expect(pending.result?.taskResults[0]?.integrityReport.status).toBe('pending');
      const verification = await waitFor(() => events().find((e) => e.event === 'preScreenResultVerificationPending'));
      expect(verification.payload).toEqual({
        testSessionId: session.id,
        testId: gca,
        testTitle: 'General Coding Assessment',
        candidateEmail: 'pia@example.org',
        candidateName: 'Pia Proctored',
        duration: 60_000,
        score: 480,
        maxScore: 600,
        versionedCodingScore: { version: 'codingScore2023', value: 520 },
      });
      expect(events().some((e) => e.event === 'companyTestSessionFinished')).toBe(false);

      await h.ctl('POST', `/sessions/${session.id}/verify`);
      expect(await read(session.id)).toMatchObject({ status: 'over', verificationStatus: 'verified', integrityReviewFinalized: true });
      const verified = await waitFor(() => events().find((e) => e.event === 'preScreenResultVerified'));
      expect(verified.payload).toMatchObject({ testSessionId: session.id, score: 480, maxScore: 600, url: expect.stringContaining(`/test-result/${session.id}?accessToken=`) });
      await expect(h.ctl('POST', `/sessions/${session.id}/verify`)).rejects.toThrow(/409/);
    });

    it('proctored: not verified with reasons → preScreenResultNotVerified; a technical issue grants a retake', async () => {
      const session = await invite({ testId: gca, candidateEmail: 'nv@example.org', externalId: 'ext-nv' });
      await h.ctl('POST', `/sessions/${session.id}/submit`, { score: 100 });
      const rejected = await h.ctl<SessionView & { retake: SessionView | null }>('POST', `/sessions/${session.id}/reject`, {
        reasons: [{ name: 'Incomplete recording', description: 'The screen recording stopped halfway.' }],
        grantRetake: true,
      });
      expect(rejected.retake).toMatchObject({ status: 'pending', externalId: 'ext-nv' });
      const s = (await read(session.id))!;
      expect(s).toMatchObject({
        verificationStatus: 'notVerified',
        verificationRejectionReasons: [{ name: 'Incomplete recording', description: 'The screen recording stopped halfway.' }],
        retakeSession: { id: rejected.retake!.id, status: 'pending' },
      });
      const notVerified = await waitFor(() => events().find((e) => e.event === 'preScreenResultNotVerified'));
      expect(notVerified.payload).toMatchObject({ testSessionId: session.id, rejectedReasons: ['Incomplete recording'], externalId: 'ext-nv' });
      await waitFor(() => events().find((e) => e.event === 'companyTestSessionCreated' && e.payload.testSessionId === rejected.retake!.id));
    });

    it('expire → expired + preScreenExpired{testNotTaken}; decline → declined + preScreenCandidateDeclined; overdue sweep', async () => {
      const a = await invite({ testId: backend, candidateEmail: 'a@example.org' });
      const b = await invite({ testId: backend, candidateEmail: 'b@example.org' });
      await h.ctl('POST', `/sessions/${a.id}/expire`, { reason: 'testNotTaken' });
      await h.ctl('POST', `/sessions/${b.id}/decline`);
      expect((await read(a.id))?.status).toBe('expired');
      expect((await read(b.id))?.status).toBe('declined');
      const expired = await waitFor(() => events().find((e) => e.event === 'preScreenExpired'));
      expect(expired.payload).toMatchObject({ testSessionId: a.id, expiredReason: 'testNotTaken' });
      expect(expired.payload).not.toHaveProperty('rejectedReasons');
      const declined = await waitFor(() => events().find((e) => e.event === 'preScreenCandidateDeclined'));
      expect(declined.payload).toMatchObject({ testSessionId: b.id, candidateEmail: 'b@example.org' });
      await expect(h.ctl('POST', `/sessions/${a.id}/start`)).rejects.toThrow(/409/);

      const c = await invite({ testId: backend, candidateEmail: 'c@example.org', expireDuration: 1 });
      await new Promise((r) => setTimeout(r, 5));
      const swept = await h.ctl<string[]>('POST', `/companies/${h.seed.companyId}/sessions/expire-overdue`);
      expect(swept).toEqual([c.id]);
    });

    it('proctored result rejected and never retaken can expire as notCertified with the rejection reasons', async () => {
      const session = await invite({ testId: gca, candidateEmail: 'nc@example.org' });
      await h.ctl('POST', `/sessions/${session.id}/submit`, { score: 200 });
      await h.ctl('POST', `/sessions/${session.id}/reject`, { reasons: [{ name: 'Presence of others', description: 'Another person was visible.' }] });
      await h.ctl('POST', `/sessions/${session.id}/expire`, { reason: 'notCertified' });
      const expired = await waitFor(() => events().find((e) => e.event === 'preScreenExpired'));
      expect(expired.payload).toMatchObject({ expiredReason: 'notCertified', rejectedReasons: ['Presence of others'] });
    });
  });
});
