import { z } from 'zod';
import { sessionView, type SessionView } from './control-views';
import type { ResolverMap } from './graphql-context';
import { randomToken } from './ids';
import type { Runtime } from './runtime';
import { startSession, submitSession } from './session-lifecycle';
import { createTestSession, requireTest } from './sessions';
import type { CompanyData, SessionRecord, TestRecord } from './state';

/**
 * Public-link sessions (reference §6 `publicInvitationId`, §9 (a)): a candidate opens a test's shareable
 * link, enters a name and an e-mail and takes the test. CodeSignal creates the session itself, with no
 * externalId and no invitation e-mail, and names the link in `publicInvitationId`. `integrations {
 * leverOpportunityId }` is filled only by CodeSignal's own Lever integration; a seed may set it to stand
 * for a session that integration already handled.
 *
 * Kept beside the session records (a WeakMap per record, one link id per test) so the sandbox's state
 * shapes stay as they are; a reset company forgets them with its sessions.
 */

interface PublicLinkFacts {
  publicInvitationId: string;
  leverOpportunityId: string | null;
}

const sessionFacts = new WeakMap<SessionRecord, PublicLinkFacts>();
const testLinks = new WeakMap<TestRecord, string>();

/** The test's one shareable link (CodeSignal ids are opaque: letters and digits). */
function publicInvitationIdOf(test: TestRecord): string {
  let id = testLinks.get(test);
  if (id === undefined) testLinks.set(test, (id = `pub_${randomToken(14)}`));
  return id;
}

/** Body of `POST /_sandbox/companies/:companyId/public-link-sessions`. */
export const publicLinkSessionBody = z.strictObject({
  testId: z.string().min(1),
  email: z.string().min(1),
  firstName: z.string(),
  lastName: z.string(),
  /** Out of the test's maxScore. */
  score: z.number().int().min(0),
  /** When the candidate submitted (ms epoch); now by default. */
  finishedAt: z.number().int().min(0).optional(),
  /** false: the candidate has started but not submitted yet (status `active`). Default true. */
  submit: z.boolean().optional(),
  /** Set when CodeSignal's own Lever integration already handled the session. */
  leverOpportunityId: z.string().min(1).optional(),
});
export type PublicLinkSessionInput = z.input<typeof publicLinkSessionBody>;

export type PublicLinkSessionView = SessionView & { publicInvitationId: string; integrations: { leverOpportunityId: string | null } };

/**
 * A candidate takes `testId` through its public link: the session is created as CodeSignal would
 * (created → started → submitted, with the same webhooks as any session, none carrying an externalId),
 * then finished at `finishedAt`. A proctored test's session stays `finalizing` with verification
 * pending until the auditors verify it (`POST /_sandbox/sessions/:id/verify`).
 */
export function createPublicLinkSession(rt: Runtime, data: CompanyData, raw: PublicLinkSessionInput): PublicLinkSessionView {
  const input = publicLinkSessionBody.parse(raw);
  const test = requireTest(data, input.testId);
  const session = createTestSession(rt, data, {
    testId: test.id,
    candidateEmail: input.email,
    candidateFirstName: input.firstName,
    candidateLastName: input.lastName,
    noInvitationEmail: true,
  });
  sessionFacts.set(session, { publicInvitationId: publicInvitationIdOf(test), leverOpportunityId: input.leverOpportunityId ?? null });
  if (input.submit === false) {
    startSession(rt, data, session.id);
  } else {
    const durationMs = Math.min(test.duration, 45 * 60_000);
    submitSession(rt, data, session.id, { score: input.score, durationMs });
    if (input.finishedAt !== undefined) {
      session.finishDate = input.finishedAt;
      session.startDate = input.finishedAt - durationMs;
      session.createDate = Math.min(session.createDate, session.startDate);
    }
  }
  return publicLinkSessionView(rt, data, session);
}

export function publicLinkSessionView(rt: Runtime, data: CompanyData, session: SessionRecord): PublicLinkSessionView {
  const facts = sessionFacts.get(session);
  return {
    ...sessionView(rt, data, session),
    publicInvitationId: facts?.publicInvitationId ?? '',
    integrations: { leverOpportunityId: facts?.leverOpportunityId ?? null },
  };
}

/**
 * `CompanyTestSession.publicInvitationId` and `.integrations`, installed after the session resolvers
 * (which answer null for both): a session started through a public link names it, others stay null.
 * `companyTestSessions` itself (ordered by finish date, newest first, pages of 20) is the session area's.
 */
export const publicLinkResolvers: ResolverMap = {
  CompanyTestSession: {
    publicInvitationId: (s: SessionRecord) => sessionFacts.get(s)?.publicInvitationId ?? null,
    integrations: (s: SessionRecord) => {
      const facts = sessionFacts.get(s);
      return facts?.leverOpportunityId ? { leverOpportunityId: facts.leverOpportunityId } : null;
    },
  },
};
