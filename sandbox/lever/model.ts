/** In-memory records. Wire shapes live in views/; these keep what the sandbox needs to answer and inspect. */

import type { WebhookAttempt } from '../shared/delivery';

/** Who made a change: the public API, or a recruiter in Lever's UI (control API and seed). */
export type Via = 'api' | 'ui';

export const ORIGINS = ['agency', 'applied', 'internal', 'referred', 'sourced', 'university'] as const;
export type Origin = (typeof ORIGINS)[number];

export const PHONE_TYPES = ['mobile', 'home', 'work', 'skype', 'other'] as const;
export interface Phone { type?: (typeof PHONE_TYPES)[number]; value: string }

export const FEEDBACK_REMINDERS = ['once', 'daily', 'frequently', 'none'] as const;
export type FeedbackReminder = (typeof FEEDBACK_REMINDERS)[number];

export interface ApiKey {
  key: string;
  name: string;
  accountId: string;
  permissions: ReadonlySet<string>;
  createdAt: number;
}

export interface User {
  id: string;
  name: string;
  username: string;
  email: string;
  accessRole: string;
  photo: string | null;
  createdAt: number;
  deactivatedAt: number | null;
  externalDirectoryId: string | null;
  linkedContactIds: string[];
  jobTitle: string | null;
  managerId: string | null;
}

export interface Stage { id: string; text: string }

export interface ArchiveReason {
  id: string;
  text: string;
  status: 'active' | 'inactive';
  type: 'hired' | 'non-hired';
}

export interface Posting {
  id: string;
  text: string;
  createdAt: number;
  updatedAt: number;
  user: string | null;
  owner: string | null;
  hiringManager: string | null;
  confidentiality: 'non-confidential' | 'confidential';
  categories: { team: string | null; department: string | null; location: string | null; commitment: string | null; level: string | null };
  tags: string[];
  state: 'published' | 'internal' | 'closed' | 'draft' | 'pending' | 'rejected';
  distributionChannels: string[];
  workplaceType: 'onsite' | 'remote' | 'hybrid' | 'unspecified';
}

export interface Contact {
  id: string;
  name: string;
  headline: string;
  location: string;
  emails: string[];
  phones: Phone[];
  links: string[];
  isAnonymized: boolean;
  createdAt: number;
}

export interface Archived { reason: string; archivedAt: number }

export interface StageChange { toStageId: string; toStageIndex: number; userId: string | null; updatedAt: number }

export interface ArchiveChange { archived: Archived | null; userId: string | null; via: Via; at: number }

export interface Opportunity {
  id: string;
  contactId: string;
  /** Legacy `candidateId` of webhook bodies; deliberately distinct from `id` and `contactId`. */
  candidateId: string;
  stage: string;
  stageChanges: StageChange[];
  archived: Archived | null;
  archiveHistory: ArchiveChange[];
  tags: string[];
  sources: string[];
  origin: Origin;
  sourcedBy: string | null;
  owner: string | null;
  followers: string[];
  applicationIds: string[];
  confidentiality: 'non-confidential' | 'confidential';
  createdAt: number;
  updatedAt: number;
  lastInteractionAt: number;
  lastAdvancedAt: number;
  snoozedUntil: number | null;
  opportunityLocation: string | null;
  createdBy: string | null;
  createdVia: Via;
}

/**
 * What is left of an opportunity a recruiter deleted: `GET /opportunities/deleted` lists `id`, `deletedBy`
 * and `deletedAt` (§3.1, §3.2); `contactId` and `candidateId` are kept for the control API only.
 */
export interface DeletedOpportunity {
  id: string;
  contactId: string;
  candidateId: string;
  /** The user who deleted it; null when none is known (a recruiter action without `userId`). */
  deletedBy: string | null;
  deletedAt: number;
}

export interface Application {
  id: string;
  opportunityId: string;
  type: 'posting' | 'user' | 'referral';
  posting: string;
  user: string | null;
  createdAt: number;
  archived: Archived | null;
}

export interface NoteComment {
  value: string;
  createdAt: number;
  user: string | null;
  score: number | null;
  stage: string;
}

export interface Note {
  id: string;
  opportunityId: string;
  comments: NoteComment[];
  user: string | null;
  secret: boolean;
  createdAt: number;
  notifyFollowers: boolean;
  createdVia: Via;
}

export interface StoredFile {
  id: string;
  opportunityId: string;
  name: string;
  ext: string;
  mimeType: string;
  size: number;
  uploadedAt: number;
  status: 'processing' | 'processed' | 'unsupported' | 'error';
  bytes: Buffer;
  uploadedBy: string;
}

export interface Interviewer { id: string; feedbackTemplate: string | null }

export interface Interview {
  id: string;
  opportunityId: string;
  panelId: string;
  subject: string;
  note: string;
  interviewers: Interviewer[];
  date: number;
  duration: number;
  location: string;
  feedbackTemplate: string | null;
  feedbackReminder: FeedbackReminder;
  user: string | null;
  stage: string;
  createdAt: number;
  canceledAt: number | null;
}

export interface Panel {
  id: string;
  opportunityId: string;
  applications: string[];
  timezone: string;
  feedbackReminder: FeedbackReminder;
  note: string;
  externalUrl: string | null;
  externallyManaged: boolean;
  user: string | null;
  stage: string;
  createdAt: number;
  canceledAt: number | null;
  interviewIds: string[];
}

export const WEBHOOK_EVENTS = [
  'applicationCreated', 'candidateHired', 'candidateStageChange', 'candidateArchiveChange', 'candidateDeleted',
  'interviewCreated', 'interviewUpdated', 'interviewDeleted', 'contactCreated', 'contactUpdated',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookSubscription {
  id: string;
  url: string;
  event: WebhookEvent;
  origins: Origin[];
  signatureToken: string;
  createdAt: number;
  updatedAt: number;
  createdVia: Via;
}

export interface WebhookBody {
  id?: string;
  triggeredAt: number;
  event: WebhookEvent;
  data: Record<string, unknown>;
  token: string;
  signature: string;
}

/** One POST of a delivery; `body` is exactly what was sent (a retry may carry a fresh token and signature). */
export type DeliveryAttempt = WebhookAttempt<WebhookBody>;

export interface Delivery {
  id: string;
  webhookId: string;
  url: string;
  event: WebhookEvent;
  test: boolean;
  cause: Via | 'test';
  state: 'pending' | 'succeeded' | 'failed';
  createdAt: number;
  nextAttemptAt: number | null;
  attempts: DeliveryAttempt[];
}

export type FaultKind = 'error' | 'rateLimited' | 'dropped' | 'latency';

export interface RequestLogEntry {
  id: string;
  at: number;
  accountId: string | null;
  keyName: string | null;
  method: string;
  path: string;
  query: string;
  status: number;
  performAs: string | null;
  durationMs: number;
  /** 429 from the token bucket (not an injected fault). */
  rateLimited: boolean;
  faults: FaultKind[];
}

/** Field types of a feedback template and the value each takes in `fieldValues` (§3.8's table). */
export const FEEDBACK_FIELD_TYPES = [
  'text', 'textarea', 'code', 'date', 'dropdown', 'multiple-choice', 'multiple-select', 'score-system', 'score', 'yes-no', 'scorecard',
] as const;
export type FeedbackFieldType = (typeof FEEDBACK_FIELD_TYPES)[number];

/** §3.8: the options of the one `score-system` field of every template. */
export const SCORE_SYSTEM_OPTIONS = ['4 - Strong Hire', '3 - Hire', '2 - No Hire', '1 - Strong No Hire'] as const;

export interface FeedbackTemplateField {
  id: string;
  type: FeedbackFieldType;
  text: string;
  description: string | null;
  required: boolean;
  /** dropdown, multiple-choice, multiple-select, score-system */
  options?: Array<{ text: string }>;
  /** scorecard */
  scores?: Array<{ text: string; description: string | null }>;
}

export interface FeedbackTemplate {
  id: string;
  text: string;
  fields: FeedbackTemplateField[];
  createdAt: number;
  updatedAt: number;
  /** Only templates created through the API can be changed or deleted through it. */
  createdVia: Via;
}

export interface FeedbackValue { id: string; value: unknown }

/** Feedback on an opportunity; `fields` are the template's fields as they were when it was written (a template PUT gives new ids). */
export interface Feedback {
  id: string;
  opportunityId: string;
  baseTemplateId: string;
  templateText: string;
  fields: FeedbackTemplateField[];
  panel: string | null;
  interview: string | null;
  fieldValues: FeedbackValue[];
  user: string | null;
  createdAt: number;
  completedAt: number | null;
  updatedAt: number;
  createdVia: Via;
}
