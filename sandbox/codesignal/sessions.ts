import { conflict, invalid, notFound } from './errors';
import { sessionEventBase } from './events';
import { newId, randomToken } from './ids';
import type { Runtime } from './runtime';
import type { CompanyData, EmailReminderSetting, SessionRecord, TestRecord, TestSessionStatus } from './state';

/** `TestSessionInput` of the schema, field for field. */
export interface TestSessionInput {
  testId: string;
  candidateFirstName?: string | null;
  candidateLastName?: string | null;
  candidateEmail?: string | null;
  noInvitationEmail?: boolean | null;
  preferExisting?: boolean | null;
  emailReminders?: Array<{ templateName: string; timeBeforeExpiration?: number | null }> | null;
  customDuration?: number | null;
  expireDuration?: number | null;
  externalId?: string | null;
  postSessionRedirectUrl?: string | null;
}

/** Statuses in which the invitation is still "incomplete" for `preferExisting`. */
const UNFINISHED: readonly TestSessionStatus[] = ['pending', 'active', 'gracePeriod'];
const REACTIVATABLE: readonly TestSessionStatus[] = ['over', 'expired', 'declined', 'finalizing'];

export function requireTest(data: CompanyData, testId: string): TestRecord {
  const test = data.tests.get(testId);
  if (!test) throw notFound('Company test', testId);
  return test;
}

export function requireSession(data: CompanyData, id: string): SessionRecord {
  const session = data.sessions.get(id);
  if (!session) throw notFound('Company test session', id);
  return session;
}

export function testOf(data: CompanyData, session: SessionRecord): TestRecord {
  return requireTest(data, session.testId);
}

export function invitationUrl(rt: Runtime, session: SessionRecord): string {
  return `${rt.baseUrl()}/test-invitation/${session.id}?token=${session.invitationToken}`;
}

function checkReminders(test: TestRecord, reminders: TestSessionInput['emailReminders']): EmailReminderSetting[] | null {
  if (!reminders) return null;
  return reminders.map((r) => {
    if (!test.emailReminderTemplates.some((t) => t.name === r.templateName)) {
      throw invalid(`Email reminder template "${r.templateName}" does not exist for test ${test.id}`);
    }
    return { templateName: r.templateName, timeBeforeExpiration: r.timeBeforeExpiration ?? null };
  });
}

function findUnfinished(data: CompanyData, testId: string, email: string): SessionRecord | undefined {
  const wanted = email.trim().toLowerCase();
  return [...data.sessions.values()].find(
    (s) => s.testId === testId && UNFINISHED.includes(s.status) && s.candidate.email?.trim().toLowerCase() === wanted,
  );
}

function newSession(rt: Runtime, test: TestRecord, fields: Partial<SessionRecord> & Pick<SessionRecord, 'candidate'>): SessionRecord {
  const now = rt.now();
  return {
    id: newId('ses'),
    testId: test.id,
    status: 'pending',
    statusBeforeArchive: null,
    createDate: now,
    startDate: null,
    finishDate: null,
    expirationDate: now + test.defaultExpireDuration,
    customDuration: null,
    emailReminders: test.emailReminders.map((r) => ({ ...r })),
    externalId: null,
    postSessionRedirectUrl: null,
    noInvitationEmail: false,
    invitationToken: randomToken(24),
    resultAccessToken: randomToken(32),
    reactivatedSession: null,
    retakeSessionId: null,
    verificationStatus: null,
    verificationRejectionReasons: null,
    integrityReviewFinalized: false,
    integrityReviewSuggested: null,
    result: null,
    labels: [],
    ...fields,
  };
}

function announceNewSession(rt: Runtime, data: CompanyData, test: TestRecord, session: SessionRecord, emailKind: 'invitation' | 'reactivation' | null): void {
  data.sessions.set(session.id, session);
  if (emailKind && session.candidate.email && !session.noInvitationEmail) {
    rt.sendEmail(data, { kind: emailKind, to: session.candidate.email, subject: test.emailSubject, sessionId: session.id });
  }
  rt.emit(data, 'companyTestSessionCreated', sessionEventBase(test, session));
}

/** `createCompanyTestSession`: validates like CodeSignal, honours `preferExisting`, sends the invite, fires the event. */
export function createTestSession(rt: Runtime, data: CompanyData, input: TestSessionInput): SessionRecord {
  const test = requireTest(data, input.testId);
  const email = input.candidateEmail?.trim() || null;
  if (input.preferExisting && email) {
    const existing = findUnfinished(data, test.id, email);
    if (existing) return existing;
  }
  if (input.customDuration !== undefined && input.customDuration !== null && input.customDuration <= 0) throw invalid('customDuration must be positive');
  if (input.expireDuration !== undefined && input.expireDuration !== null && input.expireDuration <= 0) throw invalid('expireDuration must be positive');
  const reminders = checkReminders(test, input.emailReminders);
  // one clock reading for both dates, so the session lasts exactly its expiry duration
  const now = rt.now();
  const session = newSession(rt, test, {
    candidate: { email, firstName: input.candidateFirstName ?? null, lastName: input.candidateLastName ?? null },
    createDate: now,
    expirationDate: now + (input.expireDuration ?? test.defaultExpireDuration),
    customDuration: input.customDuration ?? null,
    ...(reminders ? { emailReminders: reminders } : {}),
    externalId: input.externalId ?? null,
    postSessionRedirectUrl: input.postSessionRedirectUrl ?? null,
    noInvitationEmail: input.noInvitationEmail ?? false,
  });
  announceNewSession(rt, data, test, session, 'invitation');
  return session;
}

/** A new pending session for the same candidate and test (reactivation, or a retake after a technical issue). */
export function cloneForRetake(rt: Runtime, data: CompanyData, old: SessionRecord, carryExternalId: boolean, emailKind: 'reactivation' | null): SessionRecord {
  const test = testOf(data, old);
  const session = newSession(rt, test, {
    candidate: { ...old.candidate },
    customDuration: old.customDuration,
    emailReminders: old.emailReminders.map((r) => ({ ...r })),
    externalId: carryExternalId ? old.externalId : null,
    postSessionRedirectUrl: old.postSessionRedirectUrl,
    noInvitationEmail: emailKind === null,
  });
  announceNewSession(rt, data, test, session, emailKind);
  return session;
}

export function resendInvitation(rt: Runtime, data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  if (session.status !== 'pending') throw conflict(`Cannot resend an invitation for a session in status ${session.status}`);
  if (!session.candidate.email) throw invalid('The session has no candidate email to send the invitation to');
  rt.sendEmail(data, { kind: 'resend', to: session.candidate.email, subject: testOf(data, session).emailSubject, sessionId: session.id });
  return session;
}

export function setReminders(data: CompanyData, id: string, reminders: NonNullable<TestSessionInput['emailReminders']>): SessionRecord {
  const session = requireSession(data, id);
  session.emailReminders = checkReminders(testOf(data, session), reminders) ?? [];
  return session;
}

/** Extend only: CodeSignal rejects an earlier date. */
export function extendExpiration(data: CompanyData, id: string, expirationDate: number): SessionRecord {
  const session = requireSession(data, id);
  if (session.status !== 'pending') throw conflict(`Cannot change the expiration of a session in status ${session.status}`);
  if (expirationDate < session.expirationDate) throw invalid('Expiration date can only be extended, not shortened');
  session.expirationDate = expirationDate;
  return session;
}

export function editDuration(data: CompanyData, id: string, customDuration: number): SessionRecord {
  const session = requireSession(data, id);
  if (!['pending', 'active'].includes(session.status)) throw conflict(`Cannot change the duration of a session in status ${session.status}`);
  if (customDuration <= 0) throw invalid('customDuration must be positive');
  session.customDuration = customDuration;
  return session;
}

/** Reopens a finished session under a new id; the old one points at it through `reactivatedSession`. Answers the new one, or the old one (setting `reactivationAnswers`). */
export function reactivate(rt: Runtime, data: CompanyData, id: string, sendNotificationEmail: boolean): SessionRecord {
  const old = requireSession(data, id);
  if (!REACTIVATABLE.includes(old.status)) throw conflict(`Cannot reactivate a session in status ${old.status}`);
  if (old.reactivatedSession) throw conflict(`Session ${id} was already reactivated as ${old.reactivatedSession.newSessionId}`);
  const fresh = cloneForRetake(rt, data, old, data.settings.reactivationCarriesExternalId, sendNotificationEmail ? 'reactivation' : null);
  old.reactivatedSession = { newSessionId: fresh.id, reactivationDate: rt.now() };
  return data.settings.reactivationAnswers === 'oldSession' ? old : fresh;
}

export function deleteSession(rt: Runtime, data: CompanyData, id: string, sendNotificationEmail: boolean): string {
  const session = requireSession(data, id);
  if (session.status === 'deleted' || session.status === 'deletedForPii') throw conflict(`Session ${id} is already deleted`);
  session.status = 'deleted';
  if (sendNotificationEmail && session.candidate.email) {
    rt.sendEmail(data, { kind: 'deletion', to: session.candidate.email, subject: 'Your assessment invitation was cancelled', sessionId: session.id });
  }
  return session.id;
}

export function archive(data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  if (session.status === 'archived') throw conflict(`Session ${id} is already archived`);
  if (session.status === 'deleted' || session.status === 'deletedForPii') throw conflict(`Cannot archive a deleted session`);
  session.statusBeforeArchive = session.status;
  session.status = 'archived';
  return session;
}

export function unarchive(data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  if (session.status !== 'archived') throw conflict(`Session ${id} is not archived`);
  session.status = session.statusBeforeArchive ?? 'over';
  session.statusBeforeArchive = null;
  return session;
}

/** Manual grading of one task; the session total follows. */
export function gradeTask(data: CompanyData, id: string, taskId: string, score: number): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  const task = test.tasks.find((t) => t.id === taskId);
  if (!task) throw notFound('Task', taskId);
  if (!session.result) throw conflict('The session has no result to grade yet');
  if (score < 0 || score > task.maxScore) throw invalid(`Score must be between 0 and ${task.maxScore}`);
  const outcome = session.result.tasks.find((t) => t.taskId === taskId);
  if (outcome) outcome.score = score;
  session.result.score = session.result.tasks.reduce((sum, t) => sum + t.score, 0);
  session.result.solvedTaskCount = session.result.tasks.filter((t) => t.score >= (test.tasks.find((x) => x.id === t.taskId)?.maxScore ?? Infinity)).length;
  return session;
}

export function markGraded(data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  if (!session.result) throw conflict('The session has no result to mark as graded');
  return session;
}

/** Scheduled reminders, listed the way `CompanyTestSession.emailReminders` shows them. */
export function reminderSchedule(session: SessionRecord): Array<{ templateName: string; sendDate: number }> {
  return session.emailReminders.map((r) => ({ templateName: r.templateName, sendDate: session.expirationDate - (r.timeBeforeExpiration ?? 24 * 3600_000) }));
}
