import { passedThreshold } from '../../workflows/assessment/thresholds';
import { ApplicationFailure } from '@temporalio/activity';
import { sessionSnapshot } from '../assessment/assessment-activities';
import type { IntegrationContexts } from '../../integrations/context';
import type { CandidateDirectory } from '../../db/candidate-directory';
import { directoryKeeper } from '../shared/directory';
import { TEST_SESSIONS_PAGE_SIZE } from '../../codesignal/client';
import type { GetPublicLinkSessionQuery, ListTestSessionsQuery } from '../../codesignal/generated/operations';
import { ExternalApiError } from '../../external-api-error';
import type { LeverClient } from '../../lever/client';
import type { LeverOpportunity } from '../../lever/schemas';
import type { AssessmentSettings } from '../../integrations/settings';
import type { SessionSnapshot } from '../../workflows/assessment/messages';
import {
  decidePublicLinkSession, failPublicLinkSession, findPublicLinkSession, finishPublicLinkSession, loadPublicLinkSettings, ownAssessmentSessions, planOf,
  recordedPublicLinkStates, recordPublicLinkSession, setImportedOpportunity, withImportLock,
} from './repository';
import type { PublicLinkDecision, PublicLinkPlan } from '../../workflows/public-links/messages';
import type { MatchReason, PublicLinkSettings } from '../../integrations/public-link-settings';

const day = 24 * 60 * 60 * 1000;

/** Where an imported candidate lands in Lever, and the source it is credited to (as the sourcing import). */
export const PUBLIC_LINK_IMPORT_STAGE_ID = 'lead-new';
export const PUBLIC_LINK_IMPORT_SOURCE = 'CodeSignal';

type ListedSession = ListTestSessionsQuery['companyTestSessions'][number] & object;
type PublicLinkSession = NonNullable<GetPublicLinkSessionQuery['companyTestSession']>;

export type Ineligibility = 'unfinished' | 'notVerified' | 'notPublicLink' | 'handledByCodeSignal';

/** Why a session's result is not final (yet), or undefined when it is. */
export function notFinal(s: Pick<ListedSession, 'status' | 'verificationStatus'>): 'unfinished' | 'notVerified' | undefined {
  if (s.status !== 'over' || s.verificationStatus === 'pending') return 'unfinished';
  if (s.verificationStatus === 'notVerified') return 'notVerified';
  return undefined;
}

/**
 * Why a session is not (yet) a public-link result for Lever, or undefined when it is one. "Final" as the
 * assessment workflow decides it (src/workflows/assessment/assessment-workflow.ts `applySession`): status `over`,
 * and for a proctored test only once verified (`pending` waits; a `notVerified` result is never posted).
 * A session without `publicInvitationId` was not started through a public link; one with
 * `integrations.leverOpportunityId` was already handled by CodeSignal's own Lever integration.
 */
export function ineligibility(s: Pick<ListedSession, 'status' | 'verificationStatus' | 'publicInvitationId' | 'integrations'>): Ineligibility | undefined {
  const unfinal = notFinal(s);
  if (unfinal) return unfinal;
  if (!s.publicInvitationId) return 'notPublicLink';
  if (s.integrations?.leverOpportunityId) return 'handledByCodeSignal';
  return undefined;
}

/**
 * The person's active opportunities. Lever's `email` filter is trusted only as far as the answer shows
 * the e-mail too: a filter an API silently ignored must never make every candidate a match.
 */
async function activeOpportunitiesFor(lever: LeverClient, email: string): Promise<LeverOpportunity[]> {
  const wanted = email.trim().toLowerCase();
  const { data } = await lever.listOpportunities({ email: wanted, archived: false });
  return data.filter((o) => o.archived === null && o.emails.some((e) => e.trim().toLowerCase() === wanted));
}

/** What happens to a newly found session under the settings. */
function firstPlan(
  settings: PublicLinkSettings,
  reason: MatchReason,
  matches: string[],
): Pick<Parameters<typeof recordPublicLinkSession>[1], 'state' | 'action' | 'opportunityId' | 'decidedBy'> {
  const pending = { state: 'pending', action: null, opportunityId: null, decidedBy: null } as const;
  const ignored = { state: 'ignored', action: null, opportunityId: null, decidedBy: 'auto' } as const;
  switch (reason) {
    case 'single':
      return settings.onMatch === 'post' ? { state: 'processing', action: 'post', opportunityId: matches[0]!, decidedBy: 'auto' } : pending;
    case 'none':
      if (settings.onNoMatch === 'import') return { state: 'processing', action: 'import', opportunityId: null, decidedBy: 'auto' };
      return settings.onNoMatch === 'ignore' ? ignored : pending;
    case 'no-email':
      // nothing to match or import by: an admin may still post it to an opportunity they choose
      return settings.onNoMatch === 'ignore' ? ignored : pending;
    case 'ambiguous':
      // several active opportunities have the e-mail: which candidacy the result belongs to is the admin's call
      return pending;
  }
}

export interface PublicLinkResult {
  session: SessionSnapshot;
  passed: boolean | null;
  notifyFollowers: boolean;
  completedTag: string;
  thresholds: AssessmentSettings['thresholds'] | null;
}

/**
 * The public-link scan's and session workflows' calls. Reads are free to repeat; each write either
 * records a state transition that is only made once (public_link_sessions, src/activities/public-links/repository.ts) or
 * looks for its own effect first (the import looks the e-mail up again before creating; the result is
 * posted by the assessment flow's own activities, which find their notes, files and tags by marker).
 * The opportunities a session matched or was imported as are kept in the candidate `directory` (best
 * effort), so the admin UI names them.
 */
export function createPublicLinkActivities({ contexts, directory, now = Date.now }: { contexts: IntegrationContexts; directory?: CandidateDirectory; now?: () => number }) {
  const keepInDirectory = directoryKeeper(directory);
  /** The person's active opportunities, each kept in the directory. */
  const activeOpportunitiesKept = async (integrationId: string, lever: LeverClient, email: string): Promise<LeverOpportunity[]> => {
    const found = await activeOpportunitiesFor(lever, email);
    for (const o of found) await keepInDirectory(integrationId, o);
    return found;
  };
  async function readSession(integrationId: string, sessionId: string): Promise<PublicLinkSession | undefined> {
    const { codesignal } = await contexts.get(integrationId);
    try {
      return await codesignal.getPublicLinkSession(sessionId);
    } catch (err) {
      if (err instanceof ExternalApiError && err.code === 'NotFound') return undefined;
      throw err;
    }
  }

  const activities = {
    async startPublicLinkScan({ integrationId }: { integrationId: string }): Promise<{ enabled: boolean; testIds: string[]; notBefore: number }> {
      const { db } = await contexts.get(integrationId);
      const settings = await loadPublicLinkSettings(db, integrationId);
      return { enabled: settings.enabled, testIds: settings.testIds, notBefore: now() - settings.lookBackDays * day };
    },

    /**
     * One page of a test's sessions (newest finish first): the ids of the finished public-link sessions
     * for Lever that were not taken up yet (or whose workflow is to be resumed), and why the others were
     * passed over. `nextOffset` is null once the page reaches past the look-back or is the last one.
     */
    async listPublicLinkSessionsPage(input: { integrationId: string; testId: string; offset: number; notBefore: number }) {
      const { db, codesignal } = await contexts.get(input.integrationId);
      const sessions = await codesignal.listTestSessions({ testId: input.testId, first: TEST_SESSIONS_PAGE_SIZE, offset: input.offset });
      const skipped = { unfinished: 0, notVerified: 0, notPublicLink: 0, handledByCodeSignal: 0, ours: 0, alreadyTakenUp: 0 };
      let pastLookBack = false;
      const candidates: string[] = [];
      for (const s of sessions) {
        // an unknown finish date cannot put a session outside the look-back
        if (s.finishDate !== null && s.finishDate < input.notBefore) {
          pastLookBack = true;
          continue;
        }
        const why = ineligibility(s);
        if (why) skipped[why] += 1;
        else candidates.push(s.id);
      }
      const ours = await ownAssessmentSessions(db, input.integrationId, candidates);
      const recorded = await recordedPublicLinkStates(db, input.integrationId, candidates);
      const sessionIds = candidates.filter((id) => {
        if (ours.has(id)) skipped.ours += 1;
        // a `processing` one is started again: a running workflow answers "already started", a stopped one resumes its plan
        else if (recorded.has(id) && recorded.get(id) !== 'processing') skipped.alreadyTakenUp += 1;
        else return true;
        return false;
      });
      // CodeSignal's page size is unconfirmed (reference §2: a public client assumes 20): a shorter page may
      // still not be the last, so only an empty one ends the list
      const last = sessions.length === 0;
      return { listed: sessions.length, sessionIds, skipped, nextOffset: pastLookBack || last ? null : input.offset + sessions.length };
    },

    /**
     * What the session's workflow does: the recorded plan when the session was taken up before; else
     * the session is read again, matched to Lever by the test taker's e-mail, and its first plan recorded
     * under the settings (the first record wins, so a retry answers the same plan).
     */
    async planPublicLinkSession({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<PublicLinkPlan> {
      const { db, lever } = await contexts.get(integrationId);
      const recorded = await findPublicLinkSession(db, integrationId, sessionId);
      if (recorded) return planOf(recorded);
      const session = await readSession(integrationId, sessionId);
      if (!session) return { state: 'skipped', reason: 'the session no longer exists in CodeSignal' };
      const why = ineligibility(session);
      if (why) return { state: 'skipped', reason: why };
      if ((await ownAssessmentSessions(db, integrationId, [sessionId])).size > 0) return { state: 'skipped', reason: 'ours' };
      if (!session.test) return { state: 'skipped', reason: 'CodeSignal does not name the session’s test' };

      const settings = await loadPublicLinkSettings(db, integrationId);
      const email = session.testTaker.email?.trim() || null;
      const matches = email ? (await activeOpportunitiesKept(integrationId, lever, email)).map((o) => o.id) : [];
      const reason: MatchReason = email === null ? 'no-email' : matches.length === 0 ? 'none' : matches.length === 1 ? 'single' : 'ambiguous';
      const row = await recordPublicLinkSession(db, {
        integrationId,
        sessionId,
        testId: session.test.id,
        testTitle: session.test.title,
        finishedAt: session.finishDate === null ? null : new Date(session.finishDate),
        candidateName: [session.testTaker.firstName, session.testTaker.lastName].filter(Boolean).join(' ') || null,
        candidateEmail: email,
        score: session.result?.score ?? null,
        maxScore: session.maxScore,
        matchOpportunityIds: matches,
        matchReason: reason,
        ...firstPlan(settings, reason, matches),
      });
      return planOf(row);
    },

    /** Records an admin's decision; `changed` is false when the session was not waiting for one. */
    async decidePublicLinkSession(input: { integrationId: string; sessionId: string; decision: PublicLinkDecision }): Promise<{ changed: boolean; plan: PublicLinkPlan }> {
      const { db } = await contexts.get(input.integrationId);
      const after = await decidePublicLinkSession(db, input.integrationId, input.sessionId, input.decision);
      if (!after) throw ApplicationFailure.nonRetryable(`public-link session ${input.sessionId} was never taken up`, 'UnknownPublicLinkSession');
      // Only a decision puts an admin's action on the row, and one decision at a time is recorded (the
      // workflow's update handler): a row showing this decision is this one's (also for a retry whose first attempt recorded it).
      const d = input.decision;
      const changed =
        after.decidedBy === 'admin' &&
        (d.action === 'dismiss'
          ? after.state === 'dismissed'
          : after.state === 'processing' && after.action === d.action && (d.action === 'import' || after.opportunityId === d.opportunityId));
      return { changed, plan: planOf(after) };
    },

    /**
     * The New Lead of an import: the one recorded before, else an active opportunity Lever already has for
     * the e-mail (which a create whose answer was lost left), else a new one in New Lead, source CodeSignal,
     * created by the default Lever user. Imports of one person run one at a time (an advisory lock).
     */
    async importPublicLinkCandidate({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<{ opportunityId: string }> {
      const { db, lever, performAs } = await contexts.get(integrationId);
      const row = await findPublicLinkSession(db, integrationId, sessionId);
      if (!row || row.state !== 'processing' || row.action !== 'import') {
        throw ApplicationFailure.nonRetryable(`public-link session ${sessionId} is not being imported`, 'NotImporting');
      }
      if (row.opportunityId) return { opportunityId: row.opportunityId };
      const email = row.candidateEmail;
      // without an e-mail nothing can be looked up again, so a lost answer could mean a duplicate
      if (!email) throw ApplicationFailure.nonRetryable(`public-link session ${sessionId} has no e-mail address to import`, 'CandidateWithoutEmail');
      const creator = performAs();
      const locked = await withImportLock(db, integrationId, email, async () => {
        const again = await findPublicLinkSession(db, integrationId, sessionId);
        if (again?.opportunityId) return again.opportunityId;
        const existing = (await activeOpportunitiesKept(integrationId, lever, email)).sort(
          (a, b) =>
            Number((b.sources ?? []).includes(PUBLIC_LINK_IMPORT_SOURCE)) - Number((a.sources ?? []).includes(PUBLIC_LINK_IMPORT_SOURCE)) ||
            (b.createdAt ?? 0) - (a.createdAt ?? 0),
        )[0];
        const opportunity =
          existing ??
          (
            await lever.createOpportunity({
              performAs: creator,
              body: {
                name: row.candidateName ?? email,
                emails: [email],
                sources: [PUBLIC_LINK_IMPORT_SOURCE],
                origin: 'sourced',
                stage: PUBLIC_LINK_IMPORT_STAGE_ID,
              },
            })
          ).opportunity;
        if (!existing) await keepInDirectory(integrationId, opportunity);
        await setImportedOpportunity(db, integrationId, sessionId, opportunity.id);
        return opportunity.id;
      });
      // retried with backoff: the other import of this person finishes within seconds
      if (!locked) throw ApplicationFailure.retryable(`another import of the test taker of session ${sessionId} is in progress`, 'ImportInProgress');
      return { opportunityId: locked.value };
    },

    /** The session's result as the assessment flow posts it, read again from CodeSignal, with the integration's assessment settings. */
    async readPublicLinkResult({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<PublicLinkResult> {
      const { db, settings } = await contexts.get(integrationId);
      const session = await readSession(integrationId, sessionId);
      if (!session) throw ApplicationFailure.nonRetryable(`CodeSignal session ${sessionId} no longer exists`, 'SessionNotFound');
      const why = notFinal(session);
      if (why) throw ApplicationFailure.nonRetryable(`CodeSignal session ${sessionId} is no longer a final result (${why})`, 'SessionNotFinal');
      const snapshot = sessionSnapshot(session, now());
      const row = await findPublicLinkSession(db, integrationId, sessionId);
      const withTitle = { ...snapshot, testTitle: snapshot.testTitle ?? row?.testTitle ?? null, testId: snapshot.testId ?? row?.testId ?? null };
      const a = settings.assessments;
      return {
        session: withTitle,
        passed: passedThreshold(withTitle, a.thresholds),
        notifyFollowers: settings.notifyFollowers,
        completedTag: a.tags.completed,
        thresholds: a.thresholds ?? null,
      };
    },

    async finishPublicLinkSession(input: { integrationId: string; sessionId: string; state: 'posted' | 'imported'; opportunityId: string }): Promise<void> {
      const { db } = await contexts.get(input.integrationId);
      await finishPublicLinkSession(db, input.integrationId, input.sessionId, input.state, input.opportunityId);
    },

    async failPublicLinkSession(input: { integrationId: string; sessionId: string; message: string }): Promise<void> {
      const { db } = await contexts.get(input.integrationId);
      await failPublicLinkSession(db, input.integrationId, input.sessionId, input.message);
    },
  };
  return activities;
}

export type PublicLinkActivities = ReturnType<typeof createPublicLinkActivities>;
