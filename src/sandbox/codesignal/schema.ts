import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';
import { ACCESS_TYPES } from './permissions';

const READ = '@rateLimit(max: 10, window: "1s")';

/**
 * A faithful subset of CodeSignal's public schema (developer-docs @ 5ca23f17): every name, argument,
 * nullability and enum value below is copied; types and fields the integration never touches are left out,
 * so a query using them fails validation. `@cost` / `@rateLimit` carry the documented values and drive the limits.
 * The block marked SANDBOX EXTENSION is invented (reference §9: no public sourcing API exists).
 */
export const SCHEMA_SDL = /* GraphQL */ `
directive @cost(multipliers: [String], useMultipliers: Boolean, complexity: Int!) on FIELD_DEFINITION | OBJECT
directive @rateLimit(max: Int!, internalMax: Int, window: String!, message: String, identityArgs: [String]) on FIELD_DEFINITION

"Milliseconds since the Unix epoch."
scalar Timestamp

type Query {
  company(id: ID): Company @cost(complexity: 1) ${READ}
  user(userId: ID, username: String): User ${READ}
  companyTests(companyId: ID, first: Int!, offset: Int, ids: [ID!], titleSearchText: String, labels: [String!], sortBy: CompanyTestSortBy, sortDirection: SortDirection, targetUserId: ID): CompanyTests! @cost(complexity: 1, multipliers: ["first"]) ${READ}
  companyTest(id: ID!): CompanyTest @cost(complexity: 1) ${READ}
  companyTestSession(id: ID!): CompanyTestSession @cost(complexity: 2) ${READ}
  companyTestSessions(companyTestId: ID!, first: Int, offset: Int, ids: [ID!]): [CompanyTestSession]! @cost(complexity: 2, multipliers: ["first"]) ${READ}
  liveInterview(liveInterviewId: ID!): LiveInterview @cost(complexity: 1) ${READ}
  liveInterviews(candidateEmail: String, first: Int, offset: Int): [LiveInterview]! @cost(complexity: 1, multipliers: ["first"]) ${READ}
  interviewTemplate(interviewTemplateId: ID!, liveInterviewId: ID): InterviewTemplate @cost(complexity: 1) ${READ}
  interviewTemplates(companyId: ID, globalFilter: String, first: Int!, offset: Int!): InterviewTemplates @cost(complexity: 1, multipliers: ["first"]) ${READ}
  "[Sandbox extension] One sourced candidate."
  sourcingCandidate(id: ID!): SourcingCandidate @cost(complexity: 1) ${READ}
  "[Sandbox extension] Sourced candidates of the company, newest first."
  sourcingCandidates(first: Int!, offset: Int, status: SourcingCandidateStatus, importRequested: Boolean): SourcingCandidates! @cost(complexity: 1, multipliers: ["first"]) ${READ}
}

type Mutation {
  createCompanyTestSession(sessionFields: TestSessionInput!): CompanyTestSession
  deleteCompanyTestSession(id: ID!, sendNotificationEmail: Boolean): ID!
  editCompanyTestSessionDuration(id: ID!, customDuration: Float!): CompanyTestSession!
  editCompanyTestSessionExpiration(id: ID!, expirationDate: Timestamp!): CompanyTestSession!
  setCompanyTestSessionReminders(id: ID!, reminders: [EmailReminder!]!): CompanyTestSession!
  resendCompanyTestSession(id: ID!): CompanyTestSession!
  reactivateCompanyTestSession(id: ID!, sendNotificationEmail: Boolean): CompanyTestSession!
  gradeCompanyTestResult(id: ID!, taskId: ID!, score: Int!): CompanyTestSession!
  markCompanyTestResultAsGraded(id: ID!): CompanyTestSession!
  archiveCompanyTestSession(id: ID!): CompanyTestSession!
  unarchiveCompanyTestSession(id: ID!): CompanyTestSession!
  createLiveInterview(interviewFields: LiveInterviewInput): LiveInterview
  editLiveInterview(id: ID!, interviewFields: LiveInterviewInput!): LiveInterview
  deleteLiveInterview(id: ID!): ID!
  "[Sandbox extension] Sets a sourced candidate's status (e.g. mirrored from a Lever stage change)."
  setSourcingCandidateStatus(id: ID!, status: SourcingCandidateStatus!, externalRef: String): SourcingCandidate!
}

enum AccessType {
  ${ACCESS_TYPES.join('\n  ')}
}

type Company {
  id: ID!
  alias: String!
  name: String!
  logo: String!
  status: String!
  contacts: [Contact]! @cost(complexity: 1)
  ownedEmailDomains: [String]!
}

enum ContactStatus { active pending expired }

type Contact {
  id: ID!
  name: String!
  email: String!
  status: ContactStatus!
  user: User @cost(complexity: 1)
  lastVisitDate: Timestamp
}

type User {
  id: ID!
  username: String!
  profile: UserProfile!
  companyFields: CompanyUserFields
}

type UserProfile {
  avatarUrl: String
  name: String
  email: String
}

type CompanyUserFields {
  company: Company
}

type PageInfo {
  hasNextPage: Boolean!
}

enum CompanyTestSortBy { title createDate }
enum SortDirection { asc desc }

type CompanyTests {
  totalCount: Int!
  tests: [CompanyTest!]!
  pageInfo: PageInfo!
}

type CompanyTest {
  id: ID!
  title: String!
  externalTitle: String!
  internalDescription: String!
  introMessage: String!
  outroMessage: String!
  duration: Float!
  company: Company! @cost(complexity: 1)
  labels: [String!]
  testLabels: [TestLabel!]
  author: User @cost(complexity: 1)
  createDate: Timestamp!
  testSession(id: ID!): CompanyTestSession @cost(complexity: 1)
  testSessions(first: Int, offset: Int): [CompanyTestSession!] @cost(complexity: 1, multipliers: ["first"])
  scoreRangeLabels: [ScoreRangeLabel!]
  scoringModel: ScoringModel
  emailSubject: String
  emailMessage: String
  expirationEmailSubject: String
  expirationEmailMessage: String
  completionEmailSubject: String
  completionEmailMessage: String
  emailReminderTemplates: [TestReminderTemplate!]!
  emailReminders: [TestReminder!]!
  resultDateLimit: Float
}

type TestLabel {
  title: String!
  variant: String!
}

type ScoreRangeLabel {
  label: String!
  scoreRange: ScoreRange!
}

type ScoreRange {
  min: Int
  max: Int
}

enum ScoringModelType { raw codingScore2023 behavioral }

interface ScoringModel {
  type: ScoringModelType!
}

type RawScoringModel implements ScoringModel {
  type: ScoringModelType!
  scoreRange: ScoreRange!
}

type CodingScore2023ScoringModel implements ScoringModel {
  type: ScoringModelType!
  scoreRange: ScoreRange!
}

type BehavioralScoringModel implements ScoringModel {
  type: ScoringModelType!
}

type TestReminderTemplate {
  name: String!
  subjectLine: String!
  message: String!
}

type TestReminder {
  templateName: String!
  timeBeforeExpiration: Int
  timeAfterInvitation: Int @deprecated(reason: "This field is no longer available.")
}

input TestSessionInput {
  testId: ID!
  candidateFirstName: String
  candidateLastName: String
  candidateEmail: String
  noInvitationEmail: Boolean
  preferExisting: Boolean
  emailReminders: [EmailReminder!]
  customDuration: Float
  expireDuration: Float
  externalId: String
  postSessionRedirectUrl: String
}

input EmailReminder {
  templateName: String!
  timeBeforeExpiration: Float
}

enum TestSessionStatus { pending active gracePeriod finalizing over deleted deletedForPii expired declined archived }

enum VerificationStatus { pending verified notVerified }

type CompanyTestSession {
  id: ID!
  test: CompanyTest
  status: TestSessionStatus!
  testTaker: TestTaker!
  maxScore: Int!
  createDate: Timestamp
  startDate: Timestamp
  expirationDate: Timestamp
  finishDate: Timestamp
  result: CompanyTestSessionResult
  tasks: [TestSessionTask]!
  sender: User
  taskCount: Int
  task(taskId: ID): TestSessionTask
  publicInvitationId: ID
  invitationUrl: String
  labels: [String]!
  integrations: Integrations
  customDuration: Float
  emailReminders: [TestSessionReminder!]
  reactivatedSession: ReactivatedSession
  verificationStatus: VerificationStatus
  verificationRejectionReasons: [VerificationRejectionReason!]
  integrityReviewFinalized: Boolean!
  integrityReviewSuggested: Boolean
  retakeSession: CompanyTestSession
  postSessionRedirectUrl: String
}

type Integrations {
  leverOpportunityId: String
  greenhouseCandidateId: String
  greenhouseApplicationId: String
  smartRecruitersOrderId: String
}

type TestTaker {
  email: String
  firstName: String
  lastName: String
}

type TestSessionReminder {
  email: ReminderEmail!
  sendDate: Float!
  templateName: String
}

type ReminderEmail {
  to: String!
  properties: ReminderEmailProperties!
  subject: String!
}

type ReminderEmailProperties {
  sender: String
  candidateFirstName: String
  candidateLastName: String
  candidate: String
  company: String
  messageContent: String
  expirationDate: String
  screenId: String
  companyLogo: String
}

type ReactivatedSession {
  newSessionId: ID!
  reactivationDate: Timestamp!
}

type VerificationRejectionReason {
  name: String!
  description: String!
}

type CompanyTestSessionResult {
  score: Int
  solvedTaskCount: Int
  taskResults: [TestSessionTaskResult]!
  taskResult(taskId: ID, id: ID): TestSessionTaskResult @cost(complexity: 1)
  url: String
  versionedCodingScore: VersionedCodingScore
  aiInsights: AiInsights
  totalTimeClosed: Int
}

enum CodingScoreVersion {
  original @deprecated(reason: "This version is no longer supported.")
  codingScore2023
}

type VersionedCodingScore {
  version: CodingScoreVersion
  value: Int
  skillAreas: [SkillArea]
}

type SkillArea {
  name: String!
  label: String!
}

type AiInsights {
  summary: String!
}

enum GeneralType { frontend database devops algorithmic quiz free_form free_coding free_frontend code_review }
enum TaskMode { codewriting quiz recovery bugfix output_only free_form code_review }

interface CommonTask {
  id: ID!
  title: String!
  generalType: GeneralType!
  overviewType: String!
  mode: TaskMode!
  labels: [String]!
  maxScore: Int!
  sets: [String]!
  isRecentlyUsed: Boolean!
}

type SingleEnvironmentTask implements CommonTask {
  id: ID!
  title: String!
  generalType: GeneralType!
  overviewType: String!
  mode: TaskMode!
  labels: [String]!
  maxScore: Int!
  sets: [String]!
  isRecentlyUsed: Boolean!
}

type TestSessionTask {
  maxScore: Int!
  task: CommonTask
}

type TestSessionTaskResult {
  sessionTask: TestSessionTask!
  score: Int
  replayUrl: String @cost(complexity: 1)
  solveTime: Int
  timeSpent: Int
  timeOpen: Int
  levelResults: [TestSessionTaskResult]
  integrityReport: IntegrityReport!
}

enum IntegrityReportStatus { pending ready }
enum SuspicionScore { none low medium high not_applicable }
enum SolutionSimilarityScore { none low medium high not_applicable }
enum TypingLinearity { low medium high not_applicable }

type IntegrityReport {
  status: IntegrityReportStatus!
  suspicionScore: SuspicionScore
  solutionSimilarity: SolutionSimilarity
  suspiciousActivity: SuspiciousActivity
  typingLinearity: TypingLinearity
}

type SolutionSimilarity {
  score: SolutionSimilarityScore!
  similarSolutionSources: [SolutionSource]
}

type SolutionSource {
  source: String!
  language: String!
  path: String
}

type SuspiciousActivity {
  pasteEventsCount: Int
  pasteSizes: [Int]
  descriptionCopied: Boolean
}

input LiveInterviewInput {
  candidateEmail: String
  candidateName: String
  teamId: ID
  interviewerId: ID
  templateId: ID
  lockTemplate: Boolean
  expirationTime: Int
  trackCandidateLocation: Boolean
  disableDescriptionCopy: Boolean
}

enum LiveInterviewStatus { pending active over deleted archived }
enum LiveInterviewProctoringStatus { pending verified rejected unavailable }
enum InterviewerFeedbackOverallEvaluation { yes no strong_yes strong_no }

type LiveInterview {
  id: ID!
  candidateEmail: String
  candidateName: String
  status: LiveInterviewStatus!
  proctoringStatus: LiveInterviewProctoringStatus
  interviewersFeedback: [InterviewerFeedback]
  startDate: Timestamp
  finishDate: Timestamp
  url: String!
  shortenedUrl: String!
  trackCandidateLocation: Boolean
  disableDescriptionCopy: Boolean
  company: Company! @cost(complexity: 1)
}

type InterviewerFeedback {
  author: User!
  notes: String!
  categories: [InterviewerFeedbackCategory]
  recommendedLevel: String
  overallEvaluation: InterviewerFeedbackOverallEvaluation @deprecated(reason: "Use 'evaluation'.")
  evaluation: String
}

type InterviewerFeedbackCategory {
  name: String
  attributes: [InterviewerFeedbackAttribute]
}

type InterviewerFeedbackAttribute {
  name: String
  score: Int
  notes: String
}

type InterviewTemplates {
  totalCount: Int!
  interviewTemplates: [InterviewTemplate]!
  pageInfo: PageInfo!
}

type InterviewTemplate {
  id: ID!
  name: String
  tasks: [CommonTask] @cost(complexity: 1)
  author: User @cost(complexity: 1)
  canEdit: Boolean
  hasAssociatedInterviews: Boolean
  defaultExpirationTime: Int
  isCompanyDefault: Boolean!
}

# ---- SANDBOX EXTENSION: not part of CodeSignal's public schema (see docs/sandbox-codesignal.md) ----

"[Sandbox extension] Pipeline status of a sourced candidate, mapped to Lever stages by the integration."
enum SourcingCandidateStatus { contacted replied screening interviewing offer hired rejected archived }

"[Sandbox extension] A candidate a recruiter found and messaged through CodeSignal sourcing."
type SourcingCandidate {
  id: ID!
  firstName: String!
  lastName: String!
  email: String
  profileUrl: String
  tags: [String!]!
  status: SourcingCandidateStatus!
  replied: Boolean!
  createDate: Timestamp!
  statusUpdatedAt: Timestamp
  statusUpdatedBy: User
  importRequestedAt: Timestamp
  importedBy: User
  externalRef: String
}

type SourcingCandidates {
  totalCount: Int!
  candidates: [SourcingCandidate!]!
  pageInfo: PageInfo!
}
`;

function parseTimestamp(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError('Timestamp must be milliseconds since the Unix epoch');
  return Math.trunc(n);
}

/** `Timestamp` serialises as a number of ms; inputs accept numbers (or digit strings). */
const timestampBehaviour: Pick<GraphQLScalarType, 'serialize' | 'parseValue' | 'parseLiteral'> = {
  serialize: (value: unknown) => (value === null || value === undefined ? null : parseTimestamp(value)),
  parseValue: parseTimestamp,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return parseTimestamp(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
    throw new TypeError('Timestamp must be milliseconds since the Unix epoch');
  },
};

export function buildCodeSignalSchema(): GraphQLSchema {
  const schema = buildSchema(SCHEMA_SDL);
  const timestamp = schema.getType('Timestamp');
  if (!(timestamp instanceof GraphQLScalarType)) throw new Error('Timestamp scalar missing');
  Object.assign(timestamp, timestampBehaviour);
  return schema;
}
