import { z } from 'zod';
import { WEBHOOK_EVENTS } from './events';
import { REACTIVATION_ANSWERS, RESPONSE_MODES } from './options';
import { ACCESS_TYPES } from './permissions';
import { SOURCING_STATUSES } from './state';

/** Bodies of the control API (`/_sandbox`). Unknown keys are rejected so typos fail loudly. */

const nonEmpty = z.string().trim().min(1);
const ms = z.number().int().positive();
const settings = z.strictObject({
  reactivationCarriesExternalId: z.boolean().optional(),
  reactivationAnswers: z.enum(REACTIVATION_ANSWERS).optional(),
  responseMode: z.enum(RESPONSE_MODES).optional(),
});

export const createCompanyBody = z.strictObject({ name: nonEmpty, id: nonEmpty.optional(), settings: settings.optional() });
export const settingsBody = settings;

export const apiKeyBody = z.strictObject({
  permissions: z.union([z.literal('all'), z.array(z.enum(ACCESS_TYPES))]).default('all'),
  key: z.string().min(8).optional(),
  label: nonEmpty.optional(),
});

export const userBody = z.strictObject({
  name: nonEmpty,
  email: z.email(),
  username: nonEmpty.optional(),
  role: nonEmpty.optional(),
  contactStatus: z.enum(['active', 'pending', 'expired']).optional(),
});

export const testBody = z.strictObject({
  title: nonEmpty,
  externalTitle: nonEmpty.optional(),
  internalDescription: z.string().optional(),
  duration: ms.optional(),
  maxScore: z.number().int().positive().optional(),
  taskCount: z.number().int().min(1).max(20).optional(),
  proctored: z.boolean().optional(),
  labels: z.array(nonEmpty).optional(),
  scoringModel: z.enum(['raw', 'codingScore2023']).optional(),
  scoreRangeLabels: z.array(z.strictObject({ label: nonEmpty, min: z.number().int(), max: z.number().int() })).optional(),
  defaultExpireDuration: ms.optional(),
  emailReminderTemplates: z.array(z.strictObject({ name: nonEmpty, subjectLine: z.string(), message: z.string() })).min(1).optional(),
  emailReminders: z.array(z.strictObject({ templateName: nonEmpty, timeBeforeExpiration: z.number().int().positive().nullable() })).optional(),
  authorUserId: nonEmpty.optional(),
});

export const interviewTemplateBody = z.strictObject({
  name: nonEmpty.nullable(),
  defaultExpirationTime: ms.optional(),
  isCompanyDefault: z.boolean().optional(),
  taskCount: z.number().int().min(1).max(20).optional(),
  authorUserId: nonEmpty.optional(),
});

export const sourcingCandidateBody = z.strictObject({
  firstName: nonEmpty,
  lastName: nonEmpty,
  email: z.email().nullable().optional(),
  phones: z.array(nonEmpty).optional(),
  profileUrl: z.url().nullable().optional(),
  tags: z.array(nonEmpty).optional(),
  status: z.enum(SOURCING_STATUSES).optional(),
  replied: z.boolean().optional(),
});

export const webhookEndpointBody = z.strictObject({
  url: z.url(),
  secret: z.string().min(1).nullable().optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).nullable().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export const webhookEndpointPatch = webhookEndpointBody.partial();

export const deliveriesQuery = z.object({
  event: z.enum(WEBHOOK_EVENTS).optional(),
  endpointId: z.string().optional(),
  state: z.enum(['queued', 'delivered', 'dropped']).optional(),
});

export const requestsQuery = z.object({
  companyId: z.string().optional(),
  operationName: z.string().optional(),
  rootField: z.string().optional(),
  outcome: z.string().optional(),
});

export const submissionBody = z.strictObject({
  score: z.number().int().min(0),
  solvedTaskCount: z.number().int().min(0).optional(),
  totalTimeClosed: z.number().int().min(0).optional(),
  codingScore: z.number().int().optional(),
  aiSummary: z.string().nullable().optional(),
  suspicionScore: z.enum(['none', 'low', 'medium', 'high', 'not_applicable']).optional(),
  durationMs: z.number().int().min(0).optional(),
  holdScoring: z.boolean().optional(),
});

export const rejectBody = z.strictObject({
  reasons: z.array(z.strictObject({ name: nonEmpty, description: z.string() })).default([]),
  grantRetake: z.boolean().default(false),
});

export const expireBody = z.strictObject({ reason: z.enum(['testNotTaken', 'notCertified']).default('testNotTaken') });
export const integrityReviewBody = z.strictObject({ suggested: z.boolean() });
export const reminderBody = z.strictObject({ templateName: nonEmpty.optional() });

const feedback = z.strictObject({
  interviewerId: nonEmpty.optional(),
  notes: z.string(),
  categories: z
    .array(z.strictObject({ name: nonEmpty, attributes: z.array(z.strictObject({ name: nonEmpty, score: z.number().int().optional(), notes: z.string().optional() })) }))
    .optional(),
  recommendedLevel: z.string().nullable().optional(),
  overallEvaluation: z.enum(['yes', 'no', 'strong_yes', 'strong_no']).nullable().optional(),
});
export const feedbackBody = feedback;
export const finishInterviewBody = z.strictObject({
  questionsSolved: z.number().int().min(0).optional(),
  questionsAttempted: z.number().int().min(0).optional(),
  feedback: feedback.optional(),
});

/** The recruiter clicks the Lever icon; `postingId` is passed on as given (the service checks it). */
export const importBody = z.strictObject({ userId: nonEmpty, postingId: nonEmpty.nullable().optional() });
/** A status change in CodeSignal; `userId: null` is an automation; `report: false` keeps it from the service. */
export const statusBody = z.strictObject({ status: z.enum(SOURCING_STATUSES), userId: nonEmpty.nullable().default(null), report: z.boolean().default(true) });
export const repliedBody = z.strictObject({ userId: nonEmpty.optional() });
/** Creates (all three needed) or updates a company's sourcing connection. */
export const sourcingConnectionBody = z.strictObject({
  serviceBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  token: nonEmpty.optional(),
  feedSecret: nonEmpty.optional(),
  failNextFeedDeliveries: z.number().int().min(0).optional(),
});

const rate = z.number().min(0).max(1);
const count = z.number().int().min(0);
export const faultsBody = z.strictObject({
  errorRate: rate.optional(),
  rateLimitRate: rate.optional(),
  latencyMs: count.optional(),
  dropAfterCommitRate: rate.optional(),
  failNext: count.optional(),
  rateLimitNext: count.optional(),
  dropNext: count.optional(),
  failStatus: z.union([z.literal(500), z.literal(503)]).optional(),
  seed: z.number().int().optional(),
});
