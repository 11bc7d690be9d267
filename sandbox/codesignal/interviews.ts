import { conflict, invalid, notFound } from './errors';
import { feedbackUpdatedPayload, interviewFinishedPayload } from './events';
import { newId, randomToken } from './ids';
import type { Runtime } from './runtime';
import type { CompanyData, FeedbackRecord, InterviewRecord, OverallEvaluation } from './state';

/** `LiveInterviewInput` of the schema, field for field. */
export interface LiveInterviewInput {
  candidateEmail?: string | null;
  candidateName?: string | null;
  teamId?: string | null;
  interviewerId?: string | null;
  templateId?: string | null;
  lockTemplate?: boolean | null;
  expirationTime?: number | null;
  trackCandidateLocation?: boolean | null;
  disableDescriptionCopy?: boolean | null;
}

export interface FeedbackInput {
  interviewerId?: string;
  notes: string;
  categories?: FeedbackRecord['categories'];
  recommendedLevel?: string | null;
  overallEvaluation?: OverallEvaluation | null;
}

const HOUR = 3600_000;
const DEFAULT_EXPIRATION = 72 * HOUR;

export function requireInterview(data: CompanyData, id: string): InterviewRecord {
  const interview = data.interviews.get(id);
  if (!interview || interview.status === 'deleted') throw notFound('Live interview', id);
  return interview;
}

export function roomUrl(rt: Runtime, interview: InterviewRecord): string {
  return `${rt.baseUrl()}/live-interview/${interview.id}`;
}

export function shortUrl(rt: Runtime, interview: InterviewRecord): string {
  return `${rt.baseUrl()}/i/${interview.shortCode}`;
}

/** Validates references and ranges the way the schema documents them (1–336 hours, ids of this company). */
function check(data: CompanyData, input: LiveInterviewInput): void {
  if (input.interviewerId && !data.users.has(input.interviewerId)) throw invalid(`Interviewer ${input.interviewerId} is not a user of this company`);
  if (input.templateId && !data.interviewTemplates.has(input.templateId)) throw notFound('Interview template', input.templateId);
  const t = input.expirationTime;
  if (t !== undefined && t !== null && (t < HOUR || t > 336 * HOUR)) throw invalid('expirationTime must be between 1 and 336 hours (in milliseconds)');
}

export function createInterview(rt: Runtime, data: CompanyData, input: LiveInterviewInput): InterviewRecord {
  check(data, input);
  const template = input.templateId ? data.interviewTemplates.get(input.templateId) : undefined;
  const interview: InterviewRecord = {
    id: newId('liv'),
    candidateEmail: input.candidateEmail ?? null,
    candidateName: input.candidateName ?? null,
    teamId: input.teamId ?? null,
    interviewerId: input.interviewerId ?? null,
    templateId: input.templateId ?? null,
    lockTemplate: input.lockTemplate ?? false,
    expirationTime: input.expirationTime ?? template?.defaultExpirationTime ?? DEFAULT_EXPIRATION,
    trackCandidateLocation: input.trackCandidateLocation ?? false,
    disableDescriptionCopy: input.disableDescriptionCopy ?? false,
    status: 'pending',
    createDate: rt.now(),
    startDate: null,
    finishDate: null,
    shortCode: randomToken(8),
    questionsSolved: 0,
    questionsAttempted: 0,
    feedback: [],
  };
  data.interviews.set(interview.id, interview);
  return interview;
}

/** `editLiveInterview`: only the fields given change; a finished interview cannot be edited. */
export function editInterview(data: CompanyData, id: string, input: LiveInterviewInput): InterviewRecord {
  const interview = requireInterview(data, id);
  if (interview.status !== 'pending') throw conflict(`Cannot edit a live interview in status ${interview.status}`);
  check(data, input);
  const set = <K extends keyof LiveInterviewInput & keyof InterviewRecord>(key: K): void => {
    const value = input[key];
    if (value !== undefined && value !== null) (interview as unknown as Record<string, unknown>)[key] = value;
  };
  (['candidateEmail', 'candidateName', 'teamId', 'interviewerId', 'templateId', 'lockTemplate', 'expirationTime', 'trackCandidateLocation', 'disableDescriptionCopy'] as const).forEach(set);
  return interview;
}

export function deleteInterview(data: CompanyData, id: string): string {
  const interview = requireInterview(data, id);
  interview.status = 'deleted';
  return interview.id;
}

/** Both parties opened the room: pending → active. */
export function startInterview(rt: Runtime, data: CompanyData, id: string): InterviewRecord {
  const interview = requireInterview(data, id);
  if (interview.status !== 'pending') throw conflict(`Cannot start a live interview in status ${interview.status}`);
  if (interview.createDate + interview.expirationTime < rt.now()) throw conflict('The interview link has expired');
  interview.status = 'active';
  interview.startDate = rt.now();
  return interview;
}

/** Interviewer ends the interview: over + `liveInterviewFinished` (and feedback, if given, right after). */
export function finishInterview(
  rt: Runtime,
  data: CompanyData,
  id: string,
  outcome: { questionsSolved?: number; questionsAttempted?: number; feedback?: FeedbackInput },
): InterviewRecord {
  const interview = requireInterview(data, id);
  if (interview.status === 'pending') startInterview(rt, data, id);
  if (interview.status !== 'active') throw conflict(`Cannot finish a live interview in status ${interview.status}`);
  interview.status = 'over';
  interview.finishDate = Math.max(rt.now(), interview.startDate ?? 0);
  interview.questionsAttempted = outcome.questionsAttempted ?? Math.max(outcome.questionsSolved ?? 0, 1);
  interview.questionsSolved = Math.min(outcome.questionsSolved ?? 0, interview.questionsAttempted);
  rt.emit(data, 'liveInterviewFinished', interviewFinishedPayload(rt.baseUrl(), interview));
  if (outcome.feedback) submitFeedback(rt, data, id, outcome.feedback);
  return interview;
}

/** Interviewer adds or changes feedback: `liveInterviewFeedbackUpdated`. One entry per interviewer. */
export function submitFeedback(rt: Runtime, data: CompanyData, id: string, input: FeedbackInput): FeedbackRecord {
  const interview = requireInterview(data, id);
  const authorUserId = input.interviewerId ?? interview.interviewerId;
  if (!authorUserId) throw invalid('interviewerId is required when the interview has no interviewer');
  if (!data.users.has(authorUserId)) throw invalid(`Interviewer ${authorUserId} is not a user of this company`);
  const feedback: FeedbackRecord = {
    authorUserId,
    notes: input.notes,
    categories: input.categories ?? [],
    recommendedLevel: input.recommendedLevel ?? null,
    overallEvaluation: input.overallEvaluation ?? null,
    updatedAt: rt.now(),
  };
  interview.feedback = [...interview.feedback.filter((f) => f.authorUserId !== authorUserId), feedback];
  rt.emit(data, 'liveInterviewFeedbackUpdated', feedbackUpdatedPayload(interview, feedback));
  return feedback;
}
