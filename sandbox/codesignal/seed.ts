import type { WebhookEventName } from './events';
import { randomToken } from './ids';
import type { CodeSignalSandbox } from './server';
import type { SourcingCandidateStatus } from './state';

export interface CodeSignalDemoSeedOptions {
  companyName?: string;
  companyId?: string;
  /** Use a fixed key (e.g. from an .env file); random otherwise. */
  apiKey?: string;
  /** Team members; pass the emails a Lever demo uses so users map 1:1. */
  users?: Array<{ name: string; email: string; role?: string }>;
  /** Configure a webhook endpoint right away (it receives the verification ping). */
  webhook?: { url: string; secret?: string | null; events?: WebhookEventName[] };
}

export interface CodeSignalDemoSeed {
  companyId: string;
  /** Has every permission. */
  apiKey: string;
  webhookSecret?: string;
  webhookEndpointId?: string;
  users: Array<{ id: string; name: string; email: string; role: string }>;
  tests: Array<{ id: string; title: string; proctored: boolean }>;
  interviewTemplates: Array<{ id: string; name: string | null }>;
  sourcingCandidates: Array<{ id: string; firstName: string; lastName: string; email: string | null; status: SourcingCandidateStatus; replied: boolean }>;
}

export const DEMO_USERS: ReadonlyArray<{ name: string; email: string; role: string }> = [
  { name: 'Riley Recruiter', email: 'riley.recruiter@example.com', role: 'recruiter' },
  { name: 'Ivan Interviewer', email: 'ivan.interviewer@example.com', role: 'interviewer' },
  { name: 'Hana Manager', email: 'hana.manager@example.com', role: 'interviewer' },
];

const DEMO_CANDIDATES: ReadonlyArray<{ firstName: string; lastName: string; email: string; status: SourcingCandidateStatus; replied: boolean; tags: string[] }> = [
  { firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.org', status: 'replied', replied: true, tags: ['backend', 'senior'] },
  { firstName: 'Grace', lastName: 'Hopper', email: 'grace.hopper@example.org', status: 'contacted', replied: false, tags: ['compilers'] },
  { firstName: 'Alan', lastName: 'Turing', email: 'alan.turing@example.org', status: 'screening', replied: true, tags: ['backend'] },
  { firstName: 'Katherine', lastName: 'Johnson', email: 'katherine.johnson@example.org', status: 'replied', replied: true, tags: ['frontend'] },
];

/** A ready-to-use demo company: key with all permissions, team, three tests, two templates, sourced candidates. */
export async function seedCodeSignalDemo(sandbox: CodeSignalSandbox, opts: CodeSignalDemoSeedOptions = {}): Promise<CodeSignalDemoSeed> {
  const { control } = sandbox;
  const company = control.createCompany({ name: opts.companyName ?? 'Acme Demo', id: opts.companyId });
  const apiKey = control.createApiKey(company.id, { permissions: 'all', key: opts.apiKey, label: 'demo' }).key;
  const users = (opts.users ?? DEMO_USERS).map((u) => control.createUser(company.id, { name: u.name, email: u.email, role: u.role ?? 'recruiter' }));
  const author = users[0]?.id;
  const tests = [
    control.createTest(company.id, { title: 'Backend Engineer screen', labels: ['backend'], maxScore: 1000, duration: 70 * 60_000, authorUserId: author, scoreRangeLabels: [{ label: 'Pass', min: 600, max: 1000 }, { label: 'Fail', min: 0, max: 599 }] }),
    control.createTest(company.id, { title: 'Frontend Engineer screen', labels: ['frontend'], maxScore: 1000, duration: 60 * 60_000, authorUserId: author }),
    control.createTest(company.id, { title: 'General Coding Assessment', labels: ['certified'], maxScore: 600, taskCount: 4, duration: 70 * 60_000, proctored: true, scoringModel: 'codingScore2023', authorUserId: author }),
  ];
  const interviewTemplates = [
    control.createInterviewTemplate(company.id, { name: 'Backend pair programming', isCompanyDefault: true, authorUserId: author }),
    control.createInterviewTemplate(company.id, { name: 'Frontend pair programming', authorUserId: author }),
  ];
  const sourcingCandidates = DEMO_CANDIDATES.map((c) => control.createSourcingCandidate(company.id, c));

  let webhookSecret: string | undefined;
  let webhookEndpointId: string | undefined;
  if (opts.webhook) {
    webhookSecret = opts.webhook.secret === null ? undefined : opts.webhook.secret ?? randomToken(32);
    const endpoint = await control.addWebhookEndpoint(company.id, { url: opts.webhook.url, secret: webhookSecret ?? null, events: opts.webhook.events ?? null });
    webhookEndpointId = endpoint.id;
  }

  return {
    companyId: company.id,
    apiKey,
    ...(webhookSecret !== undefined ? { webhookSecret } : {}),
    ...(webhookEndpointId !== undefined ? { webhookEndpointId } : {}),
    users: users.map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role })),
    tests: tests.map((t) => ({ id: t.id, title: t.title, proctored: t.proctored })),
    interviewTemplates: interviewTemplates.map((t) => ({ id: t.id, name: t.name })),
    sourcingCandidates: sourcingCandidates.map((c) => ({ id: c.id, firstName: c.firstName, lastName: c.lastName, email: c.email, status: c.status, replied: c.replied })),
  };
}
