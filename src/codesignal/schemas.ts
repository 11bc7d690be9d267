import { z } from 'zod';

/**
 * The `data` the documents in documents.ts select (CodeSignal schema 5ca23f17 plus the sandbox's
 * sourcing extension). Objects are loose so added fields pass; enums are strict so a state the
 * workflows do not know fails loudly instead of being misread.
 */

const timestamp = z.number();

export const TEST_SESSION_STATUSES = ['pending', 'active', 'gracePeriod', 'finalizing', 'over', 'deleted', 'deletedForPii', 'expired', 'declined', 'archived'] as const;
export type TestSessionStatus = (typeof TEST_SESSION_STATUSES)[number];

export const companyTestSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  externalTitle: z.string().nullable().optional(),
  internalDescription: z.string().nullable().optional(),
  /** ms */
  duration: z.number().nullable(),
  labels: z.array(z.string()).nullable().optional(),
  createDate: timestamp.nullable().optional(),
  scoringModel: z.looseObject({ type: z.enum(['raw', 'codingScore2023', 'behavioral']) }).nullable().optional(),
  scoreRangeLabels: z.array(z.looseObject({ label: z.string(), scoreRange: z.looseObject({ min: z.number().nullable(), max: z.number().nullable() }) })).nullable().optional(),
});
export type CodeSignalCompanyTest = z.infer<typeof companyTestSchema>;

export const pageInfoSchema = z.looseObject({ hasNextPage: z.boolean() });

export const companyTestsSchema = z.looseObject({
  totalCount: z.number(),
  pageInfo: pageInfoSchema,
  tests: z.array(companyTestSchema),
});

const taskResultSchema = z.looseObject({
  score: z.number().nullable(),
  timeSpent: z.number().nullable().optional(),
  sessionTask: z.looseObject({ maxScore: z.number(), task: z.looseObject({ id: z.string(), title: z.string().optional() }).nullable() }),
  integrityReport: z.looseObject({ status: z.enum(['pending', 'ready']), suspicionScore: z.string().nullable().optional() }).nullable().optional(),
});

export const testSessionSchema = z.looseObject({
  id: z.string(),
  status: z.enum(TEST_SESSION_STATUSES),
  maxScore: z.number(),
  createDate: timestamp.nullable().optional(),
  startDate: timestamp.nullable().optional(),
  finishDate: timestamp.nullable().optional(),
  expirationDate: timestamp.nullable().optional(),
  invitationUrl: z.string().nullable().optional(),
  verificationStatus: z.enum(['pending', 'verified', 'notVerified']).nullable().optional(),
  verificationRejectionReasons: z.array(z.looseObject({ name: z.string(), description: z.string() })).nullable().optional(),
  integrityReviewFinalized: z.boolean(),
  integrityReviewSuggested: z.boolean().nullable().optional(),
  /** Set on the old session after a reactivation: follow `newSessionId`. */
  reactivatedSession: z.looseObject({ newSessionId: z.string(), reactivationDate: timestamp.optional() }).nullable().optional(),
  /** Set after a technical-issue rejection granted a retake. */
  retakeSession: z.looseObject({ id: z.string(), status: z.enum(TEST_SESSION_STATUSES) }).nullable().optional(),
  testTaker: z.looseObject({ email: z.string().nullable().optional(), firstName: z.string().nullable().optional(), lastName: z.string().nullable().optional() }),
  test: z.looseObject({ id: z.string(), title: z.string() }),
  result: z.looseObject({
    score: z.number().nullable(),
    solvedTaskCount: z.number().nullable().optional(),
    /** Web report; there is no PDF in the API. */
    url: z.string().nullable().optional(),
    totalTimeClosed: z.number().nullable().optional(),
    versionedCodingScore: z.looseObject({ version: z.string().nullable().optional(), value: z.number().nullable().optional() }).nullable().optional(),
    taskResults: z.array(taskResultSchema.nullable()).transform((list) => list.filter((t) => t !== null)),
  }).nullable(),
});
export type CodeSignalTestSession = z.infer<typeof testSessionSchema>;

export const reactivatedSchema = z.looseObject({
  id: z.string(),
  reactivatedSession: z.looseObject({ newSessionId: z.string() }).nullable().optional(),
});

const interviewerFeedbackSchema = z.looseObject({
  author: z.looseObject({ id: z.string(), username: z.string().optional(), profile: z.looseObject({ name: z.string().nullable().optional(), email: z.string().nullable().optional() }).optional() }),
  notes: z.string(),
  recommendedLevel: z.string().nullable().optional(),
  evaluation: z.string().nullable().optional(),
  categories: z.array(z.looseObject({
    name: z.string().nullable().optional(),
    attributes: z.array(z.looseObject({ name: z.string().nullable().optional(), score: z.number().nullable().optional(), notes: z.string().nullable().optional() }).nullable()).nullable().optional(),
  }).nullable()).nullable().optional(),
});

export const liveInterviewSchema = z.looseObject({
  id: z.string(),
  candidateEmail: z.string().nullable().optional(),
  candidateName: z.string().nullable().optional(),
  status: z.enum(['pending', 'active', 'over', 'deleted', 'archived']),
  proctoringStatus: z.enum(['pending', 'verified', 'rejected', 'unavailable']).nullable().optional(),
  url: z.string(),
  shortenedUrl: z.string(),
  startDate: timestamp.nullable().optional(),
  finishDate: timestamp.nullable().optional(),
  trackCandidateLocation: z.boolean().nullable().optional(),
  disableDescriptionCopy: z.boolean().nullable().optional(),
  interviewersFeedback: z.array(interviewerFeedbackSchema.nullable()).nullable().optional()
    .transform((list) => (list ?? []).filter((f) => f !== null)),
});
export type CodeSignalLiveInterview = z.infer<typeof liveInterviewSchema>;

export const interviewTemplateSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable(),
  defaultExpirationTime: z.number().nullable().optional(),
  isCompanyDefault: z.boolean(),
});
export type CodeSignalInterviewTemplate = z.infer<typeof interviewTemplateSchema>;

export const interviewTemplatesSchema = z.looseObject({
  totalCount: z.number(),
  pageInfo: pageInfoSchema,
  interviewTemplates: z.array(interviewTemplateSchema.nullable()).transform((list) => list.filter((t) => t !== null)),
});

/** A team member: `user` is null until the invited contact has an account (the id interviews need). */
export const companyUserSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.enum(['active', 'pending', 'expired']),
  user: z.looseObject({ id: z.string(), username: z.string().optional() }).nullable(),
});
export type CodeSignalCompanyUser = z.infer<typeof companyUserSchema>;

export const companySchema = z.looseObject({ id: z.string(), name: z.string() });

export const companyUsersSchema = z.looseObject({
  id: z.string(),
  contacts: z.array(companyUserSchema.nullable()).transform((list) => list.filter((c) => c !== null)),
});

/** Sandbox extension: CodeSignal's public API has no sourcing objects (reference §9). */
export const SOURCING_CANDIDATE_STATUSES = ['contacted', 'replied', 'screening', 'interviewing', 'offer', 'hired', 'rejected', 'archived'] as const;
export type SourcingCandidateStatus = (typeof SOURCING_CANDIDATE_STATUSES)[number];

export const sourcingCandidateSchema = z.looseObject({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable().optional(),
  profileUrl: z.string().nullable().optional(),
  tags: z.array(z.string()),
  status: z.enum(SOURCING_CANDIDATE_STATUSES),
  replied: z.boolean(),
  createDate: timestamp,
  statusUpdatedAt: timestamp.nullable().optional(),
  importRequestedAt: timestamp.nullable().optional(),
  externalRef: z.string().nullable().optional(),
  statusUpdatedBy: z.looseObject({ id: z.string() }).nullable().optional(),
  importedBy: z.looseObject({ id: z.string() }).nullable().optional(),
});
export type CodeSignalSourcingCandidate = z.infer<typeof sourcingCandidateSchema>;

export const sourcingCandidatesSchema = z.looseObject({
  totalCount: z.number(),
  pageInfo: pageInfoSchema,
  candidates: z.array(sourcingCandidateSchema),
});

/** The GraphQL response envelope; `errors` wins over any partial `data`. */
export const graphqlResponseSchema = z.looseObject({
  data: z.unknown().optional(),
  errors: z.array(z.looseObject({ message: z.string(), path: z.array(z.union([z.string(), z.number()])).optional() })).optional(),
});
