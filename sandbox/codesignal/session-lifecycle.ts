import { conflict, invalid } from './errors';
import { resultUrl, scorePayload, sessionEventBase } from './events';
import type { Runtime } from './runtime';
import { cloneForRetake, requireSession, testOf } from './sessions';
import type { CompanyData, SessionRecord, SuspicionScore, TaskOutcome, TestRecord, TestSessionStatus } from './state';

/** What the candidate hands in; everything but the score has a plausible default. */
export interface Submission {
  score: number;
  solvedTaskCount?: number;
  totalTimeClosed?: number;
  codingScore?: number;
  aiSummary?: string | null;
  suspicionScore?: SuspicionScore;
  /** Time the candidate took; backdates `startDate` so webhook `duration` looks real. */
  durationMs?: number;
  /**
   * Non-proctored only: the score is still being computed, so the session stays `finalizing` (no webhook)
   * until `finishScoring`. Default false: straight to `over`.
   */
  holdScoring?: boolean;
}

export interface RejectionReason {
  name: string;
  description: string;
}

function expectStatus(session: SessionRecord, allowed: readonly TestSessionStatus[], action: string): void {
  if (!allowed.includes(session.status)) throw conflict(`Cannot ${action} a session in status ${session.status}`);
}

/** Candidate opens the invitation and starts: pending → active. */
export function startSession(rt: Runtime, data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  expectStatus(session, ['pending'], 'start');
  if (session.expirationDate < rt.now()) throw conflict('The invitation has expired');
  session.status = 'active';
  session.startDate = rt.now();
  rt.emit(data, 'companyTestSessionStarted', sessionEventBase(testOf(data, session), session));
  return session;
}

/** Time is up but the candidate may still submit: active → gracePeriod (no webhook is documented for it). */
export function enterGracePeriod(data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  expectStatus(session, ['active'], 'move to the grace period');
  session.status = 'gracePeriod';
  return session;
}

function distribute(test: TestRecord, submission: Submission): TaskOutcome[] {
  let remaining = submission.score;
  return test.tasks.map((task, index) => {
    const last = index === test.tasks.length - 1;
    const share = last ? remaining : Math.min(task.maxScore, Math.round((submission.score * task.maxScore) / test.maxScore));
    const score = Math.max(0, Math.min(task.maxScore, share));
    remaining -= score;
    return {
      taskId: task.id,
      score,
      solveTime: score >= task.maxScore ? 600_000 : null,
      timeSpent: 600_000,
      suspicionScore: submission.suspicionScore ?? 'none',
    };
  });
}

function defaultCodingScore(test: TestRecord, score: number): number | null {
  return test.scoringModel === 'codingScore2023' ? Math.round(200 + (400 * score) / test.maxScore) : null;
}

/**
 * Candidate submits. Non-proctored: over + `companyTestSessionFinished`.
 * Proctored: finalizing with verification pending + `preScreenResultVerificationPending`.
 */
export function submitSession(rt: Runtime, data: CompanyData, id: string, submission: Submission): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  if (session.status === 'pending') startSession(rt, data, id);
  expectStatus(session, ['active', 'gracePeriod'], 'submit');
  if (submission.score < 0 || submission.score > test.maxScore) throw invalid(`score must be between 0 and ${test.maxScore}`);
  const tasks = distribute(test, submission);
  session.finishDate = Math.max(rt.now(), session.startDate ?? 0);
  if (submission.durationMs !== undefined) session.startDate = session.finishDate - submission.durationMs;
  session.result = {
    score: submission.score,
    solvedTaskCount: submission.solvedTaskCount ?? tasks.filter((t) => t.solveTime !== null).length,
    tasks,
    totalTimeClosed: submission.totalTimeClosed ?? 0,
    codingScore: submission.codingScore ?? defaultCodingScore(test, submission.score),
    aiSummary: submission.aiSummary === undefined ? `Scored ${submission.score} of ${test.maxScore}.` : submission.aiSummary,
  };
  const base = sessionEventBase(test, session);
  if (test.proctored) {
    session.status = 'finalizing';
    session.verificationStatus = 'pending';
    rt.emit(data, 'preScreenResultVerificationPending', { ...base, ...scorePayload(test, session, null) });
  } else if (submission.holdScoring) {
    session.status = 'finalizing';
  } else {
    finish(rt, data, test, session);
  }
  return session;
}

function finish(rt: Runtime, data: CompanyData, test: TestRecord, session: SessionRecord): void {
  session.status = 'over';
  rt.emit(data, 'companyTestSessionFinished', { ...sessionEventBase(test, session), ...scorePayload(test, session, resultUrl(rt.baseUrl(), session)) });
}

/** The score of a session submitted with `holdScoring` is computed: finalizing → over + `companyTestSessionFinished`. */
export function finishScoring(rt: Runtime, data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  if (test.proctored) throw conflict('A proctored session leaves finalizing through verification');
  expectStatus(session, ['finalizing'], 'finish scoring');
  finish(rt, data, test, session);
  return session;
}

function expectPendingVerification(session: SessionRecord, test: TestRecord): void {
  if (!test.proctored) throw conflict('Only proctored sessions go through verification');
  if (session.verificationStatus !== 'pending') throw conflict(`Verification is ${session.verificationStatus ?? 'not started'}, not pending`);
}

/** Auditor verifies a proctored result: over + `preScreenResultVerified`. */
export function verifySession(rt: Runtime, data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  expectPendingVerification(session, test);
  session.status = 'over';
  session.verificationStatus = 'verified';
  session.integrityReviewFinalized = true;
  rt.emit(data, 'preScreenResultVerified', { ...sessionEventBase(test, session), ...scorePayload(test, session, resultUrl(rt.baseUrl(), session)) });
  return session;
}

/**
 * Auditor rejects a proctored result: notVerified + `preScreenResultNotVerified`.
 * A technical issue grants a retake automatically (a new pending session, linked through `retakeSession`).
 */
export function rejectSession(rt: Runtime, data: CompanyData, id: string, reasons: RejectionReason[], grantRetake: boolean): { session: SessionRecord; retake: SessionRecord | null } {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  expectPendingVerification(session, test);
  session.status = 'over';
  session.verificationStatus = 'notVerified';
  session.verificationRejectionReasons = reasons.map((r) => ({ ...r }));
  session.integrityReviewFinalized = true;
  rt.emit(data, 'preScreenResultNotVerified', {
    ...sessionEventBase(test, session),
    ...(reasons.length ? { rejectedReasons: reasons.map((r) => r.name) } : {}),
  });
  let retake: SessionRecord | null = null;
  if (grantRetake) {
    retake = cloneForRetake(rt, data, session, true, null);
    session.retakeSessionId = retake.id;
  }
  return { session, retake };
}

/**
 * Invitation could not be fulfilled: `testNotTaken` for a pending invite, `notCertified` for a rejected proctored result.
 */
export function expireSession(rt: Runtime, data: CompanyData, id: string, reason: 'testNotTaken' | 'notCertified'): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  if (reason === 'testNotTaken') expectStatus(session, ['pending'], 'expire (testNotTaken)');
  else if (session.verificationStatus !== 'notVerified' && session.verificationStatus !== 'pending') {
    throw conflict('notCertified applies only to proctored results that are pending or not verified');
  }
  session.status = 'expired';
  const rejected = session.verificationRejectionReasons?.map((r) => r.name) ?? [];
  rt.emit(data, 'preScreenExpired', {
    ...sessionEventBase(test, session),
    expiredReason: reason,
    ...(reason === 'notCertified' && rejected.length ? { rejectedReasons: rejected } : {}),
  });
  return session;
}

/** Expires every pending invitation whose expiration date has passed (what CodeSignal's scheduler does). */
export function expireOverdue(rt: Runtime, data: CompanyData): SessionRecord[] {
  const overdue = [...data.sessions.values()].filter((s) => s.status === 'pending' && s.expirationDate <= rt.now());
  return overdue.map((s) => expireSession(rt, data, s.id, 'testNotTaken'));
}

export function declineSession(rt: Runtime, data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  expectStatus(session, ['pending'], 'decline');
  session.status = 'declined';
  rt.emit(data, 'preScreenCandidateDeclined', sessionEventBase(testOf(data, session), session));
  return session;
}

/**
 * CodeSignal erased the test taker's personal data on a request made to CodeSignal: the session reads
 * `deletedForPii` (codesignal-api.md, the TestSessionStatus enum). No webhook event is documented for it, so none is sent;
 * an integration finds it by reading the session.
 */
export function deleteSessionForPii(data: CompanyData, id: string): SessionRecord {
  const session = requireSession(data, id);
  if (session.status === 'deleted' || session.status === 'deletedForPii') throw conflict(`Session ${id} is already deleted`);
  session.status = 'deletedForPii';
  return session;
}

/** Non-proctored integrity analysis finished: `preScreenIntegrityReviewUpdated`. */
export function updateIntegrityReview(rt: Runtime, data: CompanyData, id: string, suggested: boolean): SessionRecord {
  const session = requireSession(data, id);
  const test = testOf(data, session);
  if (test.proctored) throw conflict('Integrity review applies to non-proctored sessions only');
  expectStatus(session, ['over'], 'update the integrity review of');
  session.integrityReviewSuggested = suggested;
  session.integrityReviewFinalized = true;
  rt.emit(data, 'preScreenIntegrityReviewUpdated', { ...sessionEventBase(test, session), integrityReviewSuggested: suggested });
  return session;
}

/** What CodeSignal's reminder scheduler would send; recorded in the outbox. */
export function sendReminder(rt: Runtime, data: CompanyData, id: string, templateName?: string): SessionRecord {
  const session = requireSession(data, id);
  expectStatus(session, ['pending'], 'remind');
  if (!session.candidate.email) throw invalid('The session has no candidate email');
  const test = testOf(data, session);
  const name = templateName ?? session.emailReminders[0]?.templateName ?? test.emailReminderTemplates[0]?.name;
  const template = test.emailReminderTemplates.find((t) => t.name === name);
  rt.sendEmail(data, { kind: 'reminder', to: session.candidate.email, subject: template?.subjectLine ?? 'Reminder: your assessment is waiting', sessionId: session.id });
  return session;
}
