import { invalid } from './errors';
import { newId, randomToken } from './ids';
import type { AccessType, PermissionSet } from './permissions';
import type { Runtime } from './runtime';
import type {
  ApiKeyRecord,
  CompanyData,
  EmailReminderSetting,
  InterviewTemplateRecord,
  ReminderTemplate,
  ScoringModelType,
  SourcingCandidateRecord,
  SourcingCandidateStatus,
  TaskRecord,
  TestRecord,
  UserRecord,
} from './state';

/** Setup data the control API and the seed create; CodeSignal's public API cannot create these. */

export function createApiKey(rt: Runtime, data: CompanyData, input: { permissions: 'all' | AccessType[]; key?: string; label?: string }): ApiKeyRecord {
  const permissions: PermissionSet = input.permissions === 'all' ? 'all' : new Set(input.permissions);
  const record: ApiKeyRecord = { key: input.key ?? `cs_${randomToken(32)}`, label: input.label ?? 'sandbox', permissions, createDate: rt.now() };
  rt.store.addApiKey(data, record);
  return record;
}

export function createUser(rt: Runtime, data: CompanyData, input: { name: string; email: string; username?: string; role?: string; contactStatus?: UserRecord['contactStatus'] }): UserRecord {
  const email = input.email.trim();
  if ([...data.users.values()].some((u) => u.email.toLowerCase() === email.toLowerCase())) throw invalid(`A user with email ${email} already exists`);
  const user: UserRecord = {
    id: newId('usr'),
    contactId: newId('cnt'),
    username: input.username ?? email.split('@')[0]!.replace(/[^a-zA-Z0-9_.-]/g, ''),
    name: input.name,
    email,
    contactStatus: input.contactStatus ?? 'active',
    role: input.role ?? 'recruiter',
    createDate: rt.now(),
  };
  data.users.set(user.id, user);
  return user;
}

function makeTasks(count: number, maxScore: number, titlePrefix: string): TaskRecord[] {
  const base = Math.floor(maxScore / count);
  return Array.from({ length: count }, (_, i) => ({
    id: newId('tsk'),
    title: `${titlePrefix} ${i + 1}`,
    maxScore: i === count - 1 ? maxScore - base * (count - 1) : base,
    generalType: 'algorithmic' as const,
    mode: 'codewriting' as const,
  }));
}

export interface TestInput {
  title: string;
  externalTitle?: string;
  internalDescription?: string;
  duration?: number;
  maxScore?: number;
  taskCount?: number;
  proctored?: boolean;
  labels?: string[];
  scoringModel?: ScoringModelType;
  scoreRangeLabels?: Array<{ label: string; min: number; max: number }>;
  defaultExpireDuration?: number;
  emailReminderTemplates?: ReminderTemplate[];
  emailReminders?: EmailReminderSetting[];
  authorUserId?: string;
}

const DAY = 24 * 3600_000;

export function createTest(rt: Runtime, data: CompanyData, input: TestInput): TestRecord {
  if ([...data.tests.values()].some((t) => t.title === input.title)) throw invalid('duplicate-test-title');
  if (input.authorUserId && !data.users.has(input.authorUserId)) throw invalid(`User ${input.authorUserId} is not a user of this company`);
  const maxScore = input.maxScore ?? 1000;
  const templates = input.emailReminderTemplates ?? [{ name: 'default', subjectLine: `Reminder: ${input.externalTitle ?? input.title}`, message: 'Your assessment is waiting for you.' }];
  const test: TestRecord = {
    id: newId('tst'),
    title: input.title,
    externalTitle: input.externalTitle ?? input.title,
    internalDescription: input.internalDescription ?? '',
    introMessage: '',
    outroMessage: '',
    duration: input.duration ?? 70 * 60_000,
    labels: input.labels ?? [],
    proctored: input.proctored ?? false,
    maxScore,
    tasks: makeTasks(Math.max(1, input.taskCount ?? 4), maxScore, 'Task'),
    scoringModel: input.scoringModel ?? 'raw',
    scoreRangeLabels: input.scoreRangeLabels ?? [],
    authorUserId: input.authorUserId ?? null,
    createDate: rt.now(),
    defaultExpireDuration: input.defaultExpireDuration ?? 14 * DAY,
    emailReminderTemplates: templates,
    emailReminders: input.emailReminders ?? [],
    emailSubject: `Your ${input.externalTitle ?? input.title} assessment`,
    emailMessage: 'You have been invited to take an assessment.',
  };
  data.tests.set(test.id, test);
  rt.emit(data, 'assessmentCreated', { assessmentId: test.id, assessmentTitle: test.title, assessmentStatus: 'active' });
  return test;
}

export function createInterviewTemplate(rt: Runtime, data: CompanyData, input: { name: string | null; defaultExpirationTime?: number; isCompanyDefault?: boolean; taskCount?: number; authorUserId?: string }): InterviewTemplateRecord {
  const template: InterviewTemplateRecord = {
    id: newId('tpl'),
    name: input.name,
    authorUserId: input.authorUserId ?? null,
    defaultExpirationTime: input.defaultExpirationTime ?? 72 * 3600_000,
    isCompanyDefault: input.isCompanyDefault ?? false,
    tasks: makeTasks(Math.max(1, input.taskCount ?? 2), 100 * Math.max(1, input.taskCount ?? 2), 'Question'),
  };
  data.interviewTemplates.set(template.id, template);
  return template;
}

export function createSourcingCandidate(
  rt: Runtime,
  data: CompanyData,
  input: {
    firstName: string;
    lastName: string;
    email?: string | null;
    phones?: string[];
    profileUrl?: string | null;
    tags?: string[];
    status?: SourcingCandidateStatus;
    replied?: boolean;
  },
): SourcingCandidateRecord {
  const status = input.status ?? 'contacted';
  const candidate: SourcingCandidateRecord = {
    id: newId('src'),
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email ?? null,
    phones: input.phones ?? [],
    profileUrl: input.profileUrl ?? null,
    tags: input.tags ?? [],
    status,
    replied: input.replied ?? status !== 'contacted',
    createDate: rt.now(),
    statusUpdatedAt: null,
    statusUpdatedByUserId: null,
    importRequestedAt: null,
    importRequestedByUserId: null,
    leverOpportunityId: null,
  };
  data.sourcingCandidates.set(candidate.id, candidate);
  return candidate;
}
