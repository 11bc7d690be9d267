import type { FeedbackRecord, InterviewRecord, OverallEvaluation, SessionRecord, TestRecord } from './state';

/** Webhook events CodeSignal documents (and only those). */
export const WEBHOOK_EVENTS = [
  'assessmentCreated',
  'companyTestSessionCreated',
  'companyTestSessionStarted',
  'preScreenCandidateDeclined',
  'preScreenExpired',
  'companyTestSessionFinished',
  'preScreenIntegrityReviewUpdated',
  'preScreenResultVerificationPending',
  'preScreenResultVerified',
  'preScreenResultNotVerified',
  'liveInterviewFinished',
  'liveInterviewFeedbackUpdated',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export function candidateName(session: SessionRecord): string {
  return [session.candidate.firstName, session.candidate.lastName].filter(Boolean).join(' ');
}

/** Fields every test-session event carries; `externalId` only when the invite had one. */
export function sessionEventBase(test: TestRecord, session: SessionRecord): Record<string, unknown> {
  return {
    testSessionId: session.id,
    testId: test.id,
    testTitle: test.title,
    candidateEmail: session.candidate.email ?? '',
    candidateName: candidateName(session),
    ...(session.externalId !== null ? { externalId: session.externalId } : {}),
  };
}

export function resultUrl(baseUrl: string, session: SessionRecord): string {
  return `${baseUrl}/test-result/${session.id}?accessToken=${session.resultAccessToken}`;
}

export function versionedCodingScore(test: TestRecord, session: SessionRecord): { version: 'codingScore2023'; value: number } | undefined {
  const value = session.result?.codingScore;
  return test.scoringModel === 'codingScore2023' && value !== null && value !== undefined ? { version: 'codingScore2023', value } : undefined;
}

/** Score block of `companyTestSessionFinished` / `preScreenResultVerified` (with url) and `…VerificationPending` (without). */
export function scorePayload(test: TestRecord, session: SessionRecord, url: string | null): Record<string, unknown> {
  const vcs = versionedCodingScore(test, session);
  return {
    duration: (session.finishDate ?? 0) - (session.startDate ?? session.finishDate ?? 0),
    score: session.result?.score ?? 0,
    maxScore: test.maxScore,
    ...(vcs ? { versionedCodingScore: vcs } : {}),
    ...(url !== null ? { plagiarismLevel: 0, plagiarismLabel: '-', url } : {}),
  };
}

const EVALUATION_LABELS: Record<OverallEvaluation, string> = { strong_yes: 'Strong Yes', yes: 'Yes', no: 'No', strong_no: 'Strong No' };

export function evaluationLabel(value: OverallEvaluation | null): string | null {
  return value === null ? null : EVALUATION_LABELS[value];
}

export function interviewUrl(baseUrl: string, interview: InterviewRecord): string {
  return `${baseUrl}/client-dashboard/interviews?status=over&liveInterviewId=${interview.id}`;
}

export function interviewFinishedPayload(baseUrl: string, interview: InterviewRecord): Record<string, unknown> {
  return {
    interviewId: interview.id,
    candidateName: interview.candidateName ?? '',
    candidateEmail: interview.candidateEmail ?? '',
    startDate: interview.startDate,
    endDate: interview.finishDate,
    questionsSolved: interview.questionsSolved,
    questionsAttempted: interview.questionsAttempted,
    url: interviewUrl(baseUrl, interview),
  };
}

export function feedbackUpdatedPayload(interview: InterviewRecord, feedback: FeedbackRecord): Record<string, unknown> {
  const evaluation = evaluationLabel(feedback.overallEvaluation);
  return {
    interviewId: interview.id,
    interviewerId: feedback.authorUserId,
    feedback: {
      generalNotes: feedback.notes,
      ...(feedback.categories.length ? { categories: feedback.categories } : {}),
      ...(feedback.recommendedLevel !== null ? { recommendedLevel: feedback.recommendedLevel } : {}),
      ...(evaluation !== null ? { overallEvaluation: evaluation } : {}),
    },
  };
}
