import { notFound } from './errors';
import { newId } from './ids';
import type { ReactivationAnswer, ResponseMode } from './options';
import type { PermissionSet } from './permissions';
import type { SourcingStatus } from '../../src/api/sourcing/contract';

export type TestSessionStatus =
  | 'pending' | 'active' | 'gracePeriod' | 'finalizing' | 'over' | 'deleted' | 'deletedForPii' | 'expired' | 'declined' | 'archived';
export type VerificationStatus = 'pending' | 'verified' | 'notVerified';
export type SuspicionScore = 'none' | 'low' | 'medium' | 'high' | 'not_applicable';
export type LiveInterviewStatus = 'pending' | 'active' | 'over' | 'deleted' | 'archived';
export type OverallEvaluation = 'yes' | 'no' | 'strong_yes' | 'strong_no';
export type ScoringModelType = 'raw' | 'codingScore2023';
export { SOURCING_STATUSES } from '../../src/api/sourcing/contract';
export type SourcingCandidateStatus = SourcingStatus;

export interface ApiKeyRecord {
  key: string;
  label: string;
  permissions: PermissionSet;
  createDate: number;
}

/** A company team member: CodeSignal exposes it as a `Contact` (own id) linked to a `User`. */
export interface UserRecord {
  id: string;
  contactId: string;
  username: string;
  name: string;
  email: string;
  contactStatus: 'active' | 'pending' | 'expired';
  role: string;
  createDate: number;
}

export interface TaskRecord {
  id: string;
  title: string;
  maxScore: number;
  generalType: 'algorithmic' | 'frontend' | 'database' | 'quiz' | 'free_coding';
  mode: 'codewriting' | 'quiz' | 'free_form';
}

export interface ReminderTemplate {
  name: string;
  subjectLine: string;
  message: string;
}

export interface EmailReminderSetting {
  templateName: string;
  timeBeforeExpiration: number | null;
}

export interface TestRecord {
  id: string;
  title: string;
  externalTitle: string;
  internalDescription: string;
  introMessage: string;
  outroMessage: string;
  duration: number;
  labels: string[];
  /** Sandbox-only test property: proctored tests go through human verification after submission. */
  proctored: boolean;
  maxScore: number;
  tasks: TaskRecord[];
  scoringModel: ScoringModelType;
  scoreRangeLabels: Array<{ label: string; min: number; max: number }>;
  authorUserId: string | null;
  createDate: number;
  defaultExpireDuration: number;
  emailReminderTemplates: ReminderTemplate[];
  emailReminders: EmailReminderSetting[];
  emailSubject: string;
  emailMessage: string;
}

export interface TaskOutcome {
  taskId: string;
  score: number;
  solveTime: number | null;
  timeSpent: number;
  suspicionScore: SuspicionScore;
}

export interface SessionResult {
  score: number;
  solvedTaskCount: number;
  tasks: TaskOutcome[];
  totalTimeClosed: number;
  codingScore: number | null;
  aiSummary: string | null;
}

export interface SessionRecord {
  id: string;
  testId: string;
  status: TestSessionStatus;
  statusBeforeArchive: TestSessionStatus | null;
  candidate: { email: string | null; firstName: string | null; lastName: string | null };
  createDate: number;
  startDate: number | null;
  finishDate: number | null;
  expirationDate: number;
  customDuration: number | null;
  emailReminders: EmailReminderSetting[];
  externalId: string | null;
  postSessionRedirectUrl: string | null;
  noInvitationEmail: boolean;
  invitationToken: string;
  resultAccessToken: string;
  reactivatedSession: { newSessionId: string; reactivationDate: number } | null;
  retakeSessionId: string | null;
  verificationStatus: VerificationStatus | null;
  verificationRejectionReasons: Array<{ name: string; description: string }> | null;
  integrityReviewFinalized: boolean;
  integrityReviewSuggested: boolean | null;
  result: SessionResult | null;
  labels: string[];
}

export interface InterviewTemplateRecord {
  id: string;
  /** The schema types it `String` (nullable): a template may come without a name. */
  name: string | null;
  authorUserId: string | null;
  defaultExpirationTime: number;
  isCompanyDefault: boolean;
  tasks: TaskRecord[];
}

export interface FeedbackRecord {
  authorUserId: string;
  notes: string;
  categories: Array<{ name: string; attributes: Array<{ name: string; score?: number; notes?: string }> }>;
  recommendedLevel: string | null;
  overallEvaluation: OverallEvaluation | null;
  updatedAt: number;
}

export interface InterviewRecord {
  id: string;
  candidateEmail: string | null;
  candidateName: string | null;
  teamId: string | null;
  interviewerId: string | null;
  templateId: string | null;
  lockTemplate: boolean;
  expirationTime: number;
  trackCandidateLocation: boolean;
  disableDescriptionCopy: boolean;
  status: LiveInterviewStatus;
  createDate: number;
  startDate: number | null;
  finishDate: number | null;
  shortCode: string;
  questionsSolved: number;
  questionsAttempted: number;
  feedback: FeedbackRecord[];
}

/**
 * A sourced candidate: the sandbox's own (private) state, never served over GraphQL (CodeSignal's
 * public API has no sourcing objects, reference §9). It reaches the service only through the
 * sourcing contract (src/api/sourcing/contract.ts): the recruiter's import click and status reports.
 */
export interface SourcingCandidateRecord {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phones: string[];
  /** An outside profile (GitHub, portfolio); sent as one of the import's `links`. */
  profileUrl: string | null;
  tags: string[];
  status: SourcingCandidateStatus;
  replied: boolean;
  createDate: number;
  statusUpdatedAt: number | null;
  /** Null: changed by the integration (status feed) or by the candidate replying. */
  statusUpdatedByUserId: string | null;
  importRequestedAt: number | null;
  importRequestedByUserId: string | null;
  /** Learnt from the service's import answer or a feed event. */
  leverOpportunityId: string | null;
}

/**
 * Where this company's sourcing side reaches the service (`POST {serviceBaseUrl}/candidates`, …) and
 * the secret the service's status feed is signed with.
 */
export interface SourcingConnection {
  serviceBaseUrl: string;
  token: string;
  feedSecret: string;
  /** Fault injection: the next n feed deliveries are answered 503 without being looked at. */
  failNextFeedDeliveries: number;
}

/** One POST the status feed made to `/sourcing-feed/:companyId`, whatever came of it. */
export interface FeedDeliveryRecord {
  /** The event's `id` (else the `X-Sourcing-Delivery` header) when it could be read. */
  id: string | null;
  receivedAt: number;
  /** stale: acknowledged, not applied: it mirrors a change older than the candidate's own latest one. */
  verdict: 'applied' | 'duplicate' | 'stale' | 'rejected';
  /** Why it was rejected; null otherwise. */
  reason: string | null;
  /** What the receiver answered. */
  httpStatus: number;
  /** Applied and the status was different (an applied delivery of the current status changes nothing). */
  changed: boolean;
  status: SourcingCandidateStatus | null;
  candidateId: string | null;
  leverOpportunityId: string | null;
}

/** One call the sandbox made to the service as CodeSignal's sourcing side. */
export interface SourcingCallRecord {
  at: number;
  kind: 'import' | 'status';
  candidateId: string;
  url: string;
  requestBody: Record<string, unknown>;
  httpStatus: number | null;
  answer: unknown;
  error: string | null;
}

export type EmailKind = 'invitation' | 'resend' | 'reminder' | 'reactivation' | 'deletion';

export interface EmailRecord {
  id: string;
  kind: EmailKind;
  to: string;
  subject: string;
  sessionId: string | null;
  at: number;
}

/** Behaviour switches the reference leaves open; per company so one test can flip them at run time. */
export interface CompanySettings {
  reactivationCarriesExternalId: boolean;
  /** Which session `reactivateCompanyTestSession` answers (options.ts); absent in state saved before the switch: 'newSession'. */
  reactivationAnswers?: ReactivationAnswer;
  /** `sparse`: nullable GraphQL fields answer null (sparse.ts). */
  responseMode: ResponseMode;
}

export interface CompanyData {
  id: string;
  name: string;
  alias: string;
  createDate: number;
  settings: CompanySettings;
  apiKeys: Map<string, ApiKeyRecord>;
  users: Map<string, UserRecord>;
  tests: Map<string, TestRecord>;
  sessions: Map<string, SessionRecord>;
  interviewTemplates: Map<string, InterviewTemplateRecord>;
  interviews: Map<string, InterviewRecord>;
  sourcingCandidates: Map<string, SourcingCandidateRecord>;
  sourcingConnection: SourcingConnection | null;
  /** Status feed deliveries received, oldest first. */
  sourcingFeed: FeedDeliveryRecord[];
  /** Calls made to the service (imports, status reports), oldest first. */
  sourcingCalls: SourcingCallRecord[];
  outbox: EmailRecord[];
}

/** The companies kept across restarts of `npm start` (sandbox/persistence.ts), records and logs alike. */
export interface SandboxStoreSnapshot {
  companies: CompanyData[];
}

/** All companies, fully isolated: every lookup goes through the company that owns the key. */
export class SandboxStore {
  private readonly companies = new Map<string, CompanyData>();
  private readonly keyOwners = new Map<string, string>();

  createCompany(input: { id?: string; name: string; createDate: number; settings: CompanySettings }): CompanyData {
    const id = input.id ?? newId('cmp');
    if (this.companies.has(id)) throw new Error(`company ${id} already exists`);
    const data: CompanyData = {
      id,
      name: input.name,
      alias: input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || id,
      createDate: input.createDate,
      settings: { ...input.settings },
      apiKeys: new Map(),
      users: new Map(),
      tests: new Map(),
      sessions: new Map(),
      interviewTemplates: new Map(),
      interviews: new Map(),
      sourcingCandidates: new Map(),
      sourcingConnection: null,
      sourcingFeed: [],
      sourcingCalls: [],
      outbox: [],
    };
    this.companies.set(id, data);
    return data;
  }

  company(id: string): CompanyData | undefined {
    return this.companies.get(id);
  }

  requireCompany(id: string): CompanyData {
    const data = this.companies.get(id);
    if (!data) throw notFound('Company', id);
    return data;
  }

  listCompanies(): CompanyData[] {
    return [...this.companies.values()];
  }

  deleteCompany(id: string): boolean {
    const data = this.companies.get(id);
    if (!data) return false;
    for (const key of data.apiKeys.keys()) this.keyOwners.delete(key);
    return this.companies.delete(id);
  }

  clear(): void {
    this.companies.clear();
    this.keyOwners.clear();
  }

  /** Every company, by reference: serialise it before the next request changes it. */
  snapshot(): SandboxStoreSnapshot {
    return { companies: this.listCompanies() };
  }

  /** Replaces everything with a snapshot's companies; the key index is rebuilt from their keys. */
  restore(snapshot: SandboxStoreSnapshot): void {
    this.clear();
    for (const data of snapshot.companies) {
      this.companies.set(data.id, data);
      for (const key of data.apiKeys.keys()) this.keyOwners.set(key, data.id);
    }
  }

  addApiKey(data: CompanyData, record: ApiKeyRecord): void {
    if (this.keyOwners.has(record.key)) throw new Error('API key already in use');
    data.apiKeys.set(record.key, record);
    this.keyOwners.set(record.key, data.id);
  }

  revokeApiKey(data: CompanyData, key: string): boolean {
    this.keyOwners.delete(key);
    return data.apiKeys.delete(key);
  }

  resolveKey(key: string): { data: CompanyData; apiKey: ApiKeyRecord } | undefined {
    const owner = this.keyOwners.get(key);
    const data = owner === undefined ? undefined : this.companies.get(owner);
    const apiKey = data?.apiKeys.get(key);
    return data && apiKey ? { data, apiKey } : undefined;
  }

  /** Control-API lookups by globally unique id; GraphQL never uses these (it stays inside one company). */
  findSession(id: string): { data: CompanyData; session: SessionRecord } | undefined {
    return this.findIn((d) => d.sessions.get(id), (data, session) => ({ data, session }));
  }

  findInterview(id: string): { data: CompanyData; interview: InterviewRecord } | undefined {
    return this.findIn((d) => d.interviews.get(id), (data, interview) => ({ data, interview }));
  }

  findSourcingCandidate(id: string): { data: CompanyData; candidate: SourcingCandidateRecord } | undefined {
    return this.findIn((d) => d.sourcingCandidates.get(id), (data, candidate) => ({ data, candidate }));
  }

  private findIn<T, R>(pick: (d: CompanyData) => T | undefined, wrap: (d: CompanyData, t: T) => R): R | undefined {
    for (const data of this.companies.values()) {
      const found = pick(data);
      if (found !== undefined) return wrap(data, found);
    }
    return undefined;
  }
}
