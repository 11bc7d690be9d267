import { z } from 'zod';
import type { SandboxAdmin } from './control/admin';
import type { Recruiter } from './control/recruiter';
import type { ArchiveReason, Stage } from './model';
import { parseInput } from './validation';

export const demoSeedOptionsSchema = z.object({
  /** Fixed API key (e.g. to put in a .env file); default random. */
  apiKey: z.string().min(8).optional(),
  accountId: z.string().min(1).optional(),
  accountName: z.string().min(1).default('Acme Robotics (demo)'),
  /** Permission preset of the key. Default: what an assessment integration needs. */
  permissions: z.enum(['assessment', 'all']).default('assessment'),
});
export type LeverDemoSeedOptions = z.input<typeof demoSeedOptionsSchema>;

export interface DemoPerson { id: string; name: string; email: string }

export interface LeverDemoSeed {
  accountId: string;
  apiKey: string;
  /** The user to pass as `perform_as` ("Integration Bot", a super admin from recruiting ops). */
  defaultUserId: string;
  users: DemoPerson[];
  userIds: { integrationBot: string; recruiter: string; secondRecruiter: string; interviewer: string };
  stages: Stage[];
  stageIds: { newLead: string; newApplicant: string; phoneScreen: string; assessment: string; onSite: string; offer: string };
  postings: Array<{ id: string; text: string; ownerId: string }>;
  archiveReasons: ArchiveReason[];
  hiredReasonId: string;
  opportunities: Array<{ id: string; name: string; email: string | null; stage: string; postingId: string | null }>;
}

export interface SeedTarget { admin: SandboxAdmin; recruiter: Recruiter }

/** One ready account for an assessment integration: users, pipeline, postings, reasons and a few candidates. */
export function seedLeverDemo(sandbox: SeedTarget, opts: LeverDemoSeedOptions = {}): LeverDemoSeed {
  const o = parseInput(demoSeedOptionsSchema, opts);
  const { admin, recruiter } = sandbox;
  const accountId = admin.createAccount({ id: o.accountId, name: o.accountName }).id;
  const apiKey = admin.createKey(accountId, { permissions: o.permissions, key: o.apiKey, name: 'CodeSignal Integration' }).key;

  const user = (name: string, email: string, accessRole: string, jobTitle: string) =>
    admin.createUser(accountId, { name, email, accessRole, jobTitle });
  const bot = user('Integration Bot', 'integration-bot@acme.example', 'super admin', 'Recruiting Operations');
  const riley = user('Riley Chen', 'riley.chen@acme.example', 'admin', 'Senior Technical Recruiter');
  const sam = user('Sam Patel', 'sam.patel@acme.example', 'team member', 'Technical Recruiter');
  const ivy = user('Ivy Nakamura', 'ivy.nakamura@acme.example', 'interviewer', 'Staff Engineer');

  const phoneScreen = admin.createStage(accountId, { text: 'Phone screen' });
  const assessment = admin.createStage(accountId, { text: 'CodeSignal Assessment' });
  const onSite = admin.createStage(accountId, { text: 'On-site interview' });

  const posting = (text: string, owner: string, team: string, location: string) =>
    admin.createPosting(accountId, { text, owner, hiringManager: ivy.id, team, department: 'R&D', location, commitment: 'Full-time' });
  const backend = posting('Backend Engineer', riley.id, 'Engineering', 'Remote');
  const frontend = posting('Frontend Engineer', sam.id, 'Engineering', 'Berlin');
  const data = posting('Data Scientist', riley.id, 'Data', 'New York');

  const candidate = (name: string, email: string | null, stage: string, postingId: string | null, by: string) => {
    const opp = recruiter.createCandidate(accountId, {
      name, emails: email ? [email] : [], stage, postings: postingId ? [postingId] : [], origin: postingId ? 'applied' : 'sourced', userId: by,
    });
    return { id: opp.id, name, email, stage, postingId };
  };
  const opportunities = [
    candidate('Ada Lovelace', 'ada.lovelace@example.com', phoneScreen.id, backend.id, riley.id),
    candidate('Grace Hopper', 'grace.hopper@example.com', assessment.id, backend.id, riley.id),
    candidate('Alan Turing', 'alan.turing@example.com', 'applicant-new', frontend.id, sam.id),
    candidate('Katherine Johnson', 'katherine.johnson@example.com', onSite.id, data.id, riley.id),
    candidate('Margaret Hamilton', null, 'lead-new', null, sam.id),
  ];

  const account = admin.account(accountId);
  const archiveReasons = [...account.archiveReasons.values()];
  const hired = archiveReasons.find((r) => r.type === 'hired');
  if (!hired) throw new Error('demo account has no hired archive reason');
  const person = (u: { id: string; name: string; email: string }) => ({ id: u.id, name: u.name, email: u.email });
  return {
    accountId,
    apiKey,
    defaultUserId: bot.id,
    users: [bot, riley, sam, ivy].map(person),
    userIds: { integrationBot: bot.id, recruiter: riley.id, secondRecruiter: sam.id, interviewer: ivy.id },
    stages: account.stages.map((s) => ({ ...s })),
    stageIds: { newLead: 'lead-new', newApplicant: 'applicant-new', phoneScreen: phoneScreen.id, assessment: assessment.id, onSite: onSite.id, offer: 'offer' },
    postings: [backend, frontend, data].map((p) => ({ id: p.id, text: p.text, ownerId: p.owner ?? '' })),
    archiveReasons: archiveReasons.map((r) => ({ ...r })),
    hiredReasonId: hired.id,
    opportunities,
  };
}
