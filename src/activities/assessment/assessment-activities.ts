import { activityInfo, ApplicationFailure, getClient } from '@temporalio/activity';
import { TemporalFailure } from '@temporalio/common';
import { startErasure } from '../../temporal/candidate-client';
import { parseWorkflowId } from '../../workflows/shared/ids';
import { finishAssessmentSession, finishAssessmentSessions, recordAssessmentSession, recordAssessmentSessionTakingParked, type ParkedSessionEvent } from './sessions-repository';
import type { CodeSignalClient } from '../../codesignal/client';
import type { Db } from '../../db/pool';
import type { CodeSignalTestSession } from '../../codesignal/types';
import { ExternalApiError } from '../../external-api-error';
import { renderAssessmentReport } from './report';
import { assessmentSelectionUrl } from './selection-link';
import type { CandidateContact, SessionSnapshot } from '../../workflows/assessment/messages';
import type { AssessmentNote } from '../../workflows/assessment/notes';
import { assessmentExternalId } from '../../workflows/shared/ids';
import { renderAssessmentNote } from './notes';
import { ensureLink, ensureNote, ensureTags } from '../../lever/writes';
import { aboutTheLeverUser } from '../../workflows/shared/stops';
import type { IntegrationContexts } from '../../integrations/context';
import type { LeverOpportunity } from '../../lever/schemas';
import { earlierAttemptMayHaveWritten, writeAttempt } from '../shared/attempt';
import { toActivityFailure } from '../shared/failures';
import { ensureResultFeedback } from './feedback';

/** What a tag write saw of the opportunity: its stage, when Lever's read or write answer showed it. */
export interface TagsWritten {
  stageId?: string;
}

/** The candidate as the assessment flow needs it; `withTags` adds the opportunity's tags. */
export function candidateContact(opportunity: LeverOpportunity, withTags = false): CandidateContact {
  return {
    name: opportunity.name,
    email: opportunity.emails[0] ?? null,
    postingId: opportunity.postingId ?? null,
    ...(withTags ? { tags: opportunity.tags } : {}),
  };
}

interface AssessmentRef {
  integrationId: string;
  opportunityId: string;
  assessmentId: string;
}

/** A session with the events CodeSignal sent for it before it was recorded (`takeParked`), for the workflow to handle as if signalled. */
export type RecordedSession = SessionSnapshot & { parked?: ParkedSessionEvent[] };

/**
 * One Lever write of the assessment flow, as `writeAssessmentSteps` runs it: each is the write of the activity
 * of the same name (its `step`), with the same look-for-its-effect on a repeat.
 */
export type AssessmentWriteStep =
  | { step: 'postAssessmentNote'; note: AssessmentNote; notifyFollowers: boolean; noteRef: string }
  | { step: 'uploadAssessmentReport'; session: SessionSnapshot; passed: boolean | null; candidate?: Pick<CandidateContact, 'name' | 'email'> }
  | { step: 'setAssessmentTags'; add: string[]; remove: string[]; known?: boolean }
  | { step: 'removeSelectionLink' }
  | { step: 'moveStage'; stageId: string };

/**
 * The failure of one step of `writeAssessmentSteps`, unchanged but for the step's name added to its details
 * (next to the HTTP status), so the workflow stops under the step that failed (src/workflows/shared/stops.ts).
 */
function atStep(err: unknown, step: AssessmentWriteStep['step']): unknown {
  const failure = toActivityFailure(err);
  if (failure instanceof ApplicationFailure) {
    const [first, ...rest] = failure.details ?? [];
    const details = [{ ...(typeof first === 'object' && first !== null ? first : {}), step }, ...rest];
    return ApplicationFailure.create({ type: failure.type ?? undefined, message: failure.message, nonRetryable: failure.nonRetryable === true, details, nextRetryDelay: failure.nextRetryDelay, cause: failure.cause, category: failure.category ?? undefined });
  }
  if (failure instanceof Error && !(failure instanceof TemporalFailure)) return ApplicationFailure.create({ type: failure.name, message: failure.message, details: [{ step }], cause: failure });
  return failure;
}

export interface AssessmentActivityDeps {
  contexts: IntegrationContexts;
  publicUrl: string;
  linkSigningSecret: string;
  now?: () => number;
}

/** "First Middle Last" → CodeSignal's first and last name fields. */
function splitName(name: string): { candidateFirstName: string; candidateLastName: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { candidateFirstName: parts[0] ?? '', candidateLastName: '' };
  return { candidateFirstName: parts.slice(0, -1).join(' '), candidateLastName: parts[parts.length - 1]! };
}

/**
 * The notes the assessment workflow writes once an assessment is over (result, not verified, expired,
 * declined, cancelled, failed): each marks the assessment's sessions finished (assessment_sessions.finished_at).
 */
const endingNoteKinds: ReadonlySet<AssessmentNote['kind']> = new Set(['result', 'notVerified', 'expired', 'declined', 'cancelled', 'failed']);

const reportFileName = (ref: AssessmentRef, sessionId: string) => `codesignal-report-${ref.opportunityId}-${ref.assessmentId}-${sessionId}.pdf`;

/**
 * What the workflows keep of a CodeSignal test session (`readAt`: the activity's clock when it was read).
 * Shared by every flow that posts an assessment result (the assessment workflow, public-link results).
 */
export const sessionSnapshot = (s: CodeSignalTestSession, readAt: number): SessionSnapshot => ({
  id: s.id,
  testId: s.test?.id ?? null,
  testTitle: s.test?.title ?? null,
  status: s.status,
  invitationUrl: s.invitationUrl ?? null,
  expiresAt: s.expirationDate ?? null,
  startedAt: s.startDate ?? null,
  finishedAt: s.finishDate ?? null,
  maxScore: s.maxScore,
  score: s.result?.score ?? null,
  reportUrl: s.result?.url ?? null,
  verificationStatus: s.verificationStatus ?? null,
  integrityReviewSuggested: s.integrityReviewSuggested ?? null,
  integrityReviewFinalized: s.integrityReviewFinalized,
  rejectionReasons: (s.verificationRejectionReasons ?? []).map((r) => (r.description ? `${r.name}: ${r.description}` : r.name)),
  tasks: (s.result?.taskResults ?? []).flatMap((t, i) =>
    t ? [{ title: t.sessionTask.task?.title || `Task ${i + 1}`, score: t.score, maxScore: t.sessionTask.maxScore }] : []),
  continuedAs: s.reactivatedSession?.newSessionId ?? s.retakeSession?.id ?? null,
  readAt,
});

/**
 * The assessment flow's calls to Lever and CodeSignal. A write that may be a repeat (a retried
 * activity; see ../shared/attempt.ts) first looks for its own effect (a note's marker, a file's name,
 * a tag, a link, the stage; see src/lever/writes.ts) and only writes what is missing: a retry after a
 * lost response never writes twice. A first attempt writes directly.
 */
export function createAssessmentActivities(deps: AssessmentActivityDeps) {
  const { contexts } = deps;
  const now = deps.now ?? Date.now;

  const snapshot = (s: CodeSignalTestSession): SessionSnapshot => sessionSnapshot(s, now());

  /** A test's title when a session does not name its test; unknown (null) when the test cannot be read either. */
  async function titleOfTest(codesignal: CodeSignalClient, testId: string): Promise<string | null> {
    try {
      return (await codesignal.getCompanyTest(testId)).title;
    } catch (err) {
      if (err instanceof ExternalApiError && !err.retryable) return null;
      throw err;
    }
  }

  async function readSnapshot(integrationId: string, sessionId: string): Promise<SessionSnapshot> {
    const { codesignal } = await contexts.get(integrationId);
    const session = await codesignal.getTestSession(sessionId);
    if (session.status === 'deletedForPii') await eraseCandidateOf(integrationId, sessionId);
    return snapshot(session);
  }

  /**
   * CodeSignal deleted the session for PII (a request made to CodeSignal): the service erases the
   * candidate on its side too (README "Erasure"; the erasure confirms with CodeSignal and ends this flow).
   */
  async function eraseCandidateOf(integrationId: string, sessionId: string): Promise<void> {
    const { workflowExecution, taskQueue } = activityInfo();
    const opportunityId = parseWorkflowId(workflowExecution?.workflowId ?? '')?.opportunityId;
    if (!opportunityId) return;
    await startErasure(getClient(), taskQueue, { integrationId, opportunityId, trigger: 'codesignalDeletedForPii', sessionId });
  }

  /**
   * Records a session for its workflow (idempotent); with `takeParked`, as `recordSession` does: the events parked
   * for it are answered (they stay parked until pruned, so a retry whose answer was lost gets them again).
   */
  async function record(db: Db, link: AssessmentRef & { workflowId: string; sessionId: string; takeParked?: boolean }): Promise<{ parked?: ParkedSessionEvent[] }> {
    const { integrationId, opportunityId, assessmentId, workflowId, sessionId } = link;
    if (link.takeParked) return { parked: await recordAssessmentSessionTakingParked(db, { integrationId, opportunityId, assessmentId, workflowId, sessionId }) };
    await recordAssessmentSession(db, { integrationId, opportunityId, assessmentId, workflowId, sessionId });
    return {};
  }

  /** The write of `postAssessmentNote`; `mayHaveWritten`: look for the note first. */
  async function postNote(input: AssessmentRef & { note: AssessmentNote; notifyFollowers: boolean; noteRef: string }, mayHaveWritten: boolean): Promise<void> {
    const { lever, performAs, db, settings } = await contexts.get(input.integrationId);
    const { note } = input;
    const resultsAs = note.kind === 'result' ? settings.assessments.resultsAs : 'note';
    // The note that ends an assessment ends its wait on CodeSignal, before the Lever write that may fail.
    if (endingNoteKinds.has(note.kind)) await finishAssessmentSessions(db, input);
    const archiveReason =
      note.kind === 'cancelled' && note.archiveReasonId
        ? (await lever.listAllArchiveReasons()).find((r) => r.id === note.archiveReasonId)
        : undefined;
    if (note.kind === 'result' && resultsAs !== 'note') {
      await ensureResultFeedback({ lever, db, performAs: performAs() }, { ...input, session: note.session, passed: note.passed }, { mayHaveWritten });
    }
    if (resultsAs === 'feedback') return;
    const stopped = note.kind === 'stopped';
    await ensureNote(lever, input.opportunityId, {
      ref: input.noteRef,
      text: renderAssessmentNote(note, archiveReason, settings.tagCommands),
      // a stop's note says what to fix: private, nobody notified
      notifyFollowers: stopped ? false : input.notifyFollowers,
      performAs: note.kind === 'stopped' && aboutTheLeverUser(note.stop) ? undefined : performAs(),
      secret: stopped,
    }, { mayHaveWritten });
  }

  /** The write of `setAssessmentTags`. */
  async function writeTags(input: { integrationId: string; opportunityId: string; add: string[]; remove: string[]; known?: boolean; withoutUser?: boolean }, mayHaveWritten: boolean): Promise<TagsWritten> {
    const { lever, performAs } = await contexts.get(input.integrationId);
    const seen = await ensureTags(lever, input.opportunityId, input, input.withoutUser ? undefined : performAs(), { mayHaveWritten });
    return seen ? { stageId: seen.stage } : {};
  }

  /** The write of `uploadAssessmentReport`. */
  async function uploadReport(input: AssessmentRef & { session: SessionSnapshot; passed: boolean | null; candidate?: Pick<CandidateContact, 'name' | 'email'> }, mayHaveWritten: boolean): Promise<void> {
    const { lever, performAs } = await contexts.get(input.integrationId);
    const filename = reportFileName(input, input.session.id);
    // only a repeat looks for the file an earlier attempt may have uploaded
    if (mayHaveWritten && (await lever.listAllFiles(input.opportunityId)).some((f) => f.name === filename)) return lever.alreadyPresent?.('file');
    const candidate = input.candidate ?? candidateContact(await lever.getOpportunity(input.opportunityId));
    const bytes = await renderAssessmentReport({
      candidateName: candidate.name,
      candidateEmail: candidate.email,
      session: input.session,
      passed: input.passed,
      generatedAt: new Date(input.session.finishedAt ?? input.session.readAt),
    });
    await lever.uploadFile(input.opportunityId, { filename, contentType: 'application/pdf', bytes, performAs: performAs() });
  }

  /** The write of `removeSelectionLink`. */
  async function removeLink(ref: AssessmentRef, mayHaveWritten: boolean): Promise<void> {
    const { lever, performAs } = await contexts.get(ref.integrationId);
    await ensureLink(lever, ref.opportunityId, assessmentSelectionUrl(deps.publicUrl, deps.linkSigningSecret, ref), false, performAs(), { mayHaveWritten });
  }

  /** The write of `moveStage`. */
  async function move(input: { integrationId: string; opportunityId: string; stageId: string; seenStageId?: string }, mayHaveWritten: boolean): Promise<void> {
    const { lever, performAs } = await contexts.get(input.integrationId);
    const current = input.seenStageId !== undefined && !mayHaveWritten ? input.seenStageId : (await lever.getOpportunity(input.opportunityId)).stage;
    if (current !== input.stageId) await lever.changeStage(input.opportunityId, input.stageId, performAs());
    else lever.alreadyPresent?.('stage');
  }

  const activities = {
    /** `withTags`: the opportunity's tags too, so the workflow can keep its status tags without reading them again. */
    async getCandidate({ integrationId, opportunityId, withTags }: { integrationId: string; opportunityId: string; withTags?: boolean }): Promise<CandidateContact> {
      const { lever } = await contexts.get(integrationId);
      return candidateContact(await lever.getOpportunity(opportunityId, { expandApplications: true }), withTags);
    },

    async addSelectionLink(ref: AssessmentRef): Promise<{ url: string }> {
      const { lever, performAs } = await contexts.get(ref.integrationId);
      const url = assessmentSelectionUrl(deps.publicUrl, deps.linkSigningSecret, ref);
      await ensureLink(lever, ref.opportunityId, url, true, performAs(), writeAttempt());
      return { url };
    },

    async removeSelectionLink(ref: AssessmentRef): Promise<void> {
      await removeLink(ref, earlierAttemptMayHaveWritten());
    },

    /** `takeParked`: records the session as `recordSession` does and answers the events parked for it (`parked`). */
    async sendInvitation(input: AssessmentRef & { workflowId: string; testId: string; candidate: CandidateContact; expireDurationMs: number; takeParked?: boolean }): Promise<RecordedSession> {
      const { codesignal, db } = await contexts.get(input.integrationId);
      if (!input.candidate.email) throw ApplicationFailure.nonRetryable('the candidate has no email address', 'CandidateWithoutEmail');
      // preferExisting returns the unfinished session of a lost earlier attempt instead of a second invitation.
      const session = await codesignal.createTestSession({
        testId: input.testId,
        candidateEmail: input.candidate.email,
        ...splitName(input.candidate.name),
        externalId: assessmentExternalId(input.workflowId),
        preferExisting: true,
        expireDuration: input.expireDurationMs,
      });
      const parked = await record(db, { ...input, sessionId: session.id });
      const sent = snapshot(session);
      // The schema lets CodeSignal leave the session's test and expiry out: the test we sent and the expiry we asked for.
      const testTitle = sent.testTitle ?? (await titleOfTest(codesignal, input.testId));
      return { ...sent, testId: sent.testId ?? input.testId, testTitle, expiresAt: sent.expiresAt ?? sent.readAt + input.expireDurationMs, ...parked };
    },

    /**
     * Records the session for this workflow and answers the CodeSignal events parked for it (they
     * arrived before the session was recorded); the workflow handles them as if they had been signalled.
     */
    async recordSession(input: AssessmentRef & { workflowId: string; sessionId: string }): Promise<ParkedSessionEvent[]> {
      const { db } = await contexts.get(input.integrationId);
      return recordAssessmentSessionTakingParked(db, input);
    },

    readSession({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<SessionSnapshot> {
      return readSnapshot(integrationId, sessionId);
    },

    async resendInvitation({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<void> {
      const { codesignal } = await contexts.get(integrationId);
      await codesignal.resendTestSession(sessionId);
    },

    async extendSession({ integrationId, sessionId, expiresAt }: { integrationId: string; sessionId: string; expiresAt: number }): Promise<SessionSnapshot> {
      const { codesignal } = await contexts.get(integrationId);
      const current = snapshot(await codesignal.getTestSession(sessionId));
      // Extending is "set the expiry"; a retry that finds it already set does nothing.
      if (current.expiresAt !== null && current.expiresAt >= expiresAt) return current;
      await codesignal.extendTestSession(sessionId, expiresAt);
      const extended = await readSnapshot(integrationId, sessionId);
      return { ...extended, expiresAt: extended.expiresAt ?? expiresAt };
    },

    /** `takeParked`: records the new session as `recordSession` does and answers the events parked for it (`parked`). */
    async reactivateSession(input: AssessmentRef & { workflowId: string; sessionId: string; takeParked?: boolean }): Promise<RecordedSession> {
      const { codesignal, db } = await contexts.get(input.integrationId);
      const current = snapshot(await codesignal.getTestSession(input.sessionId));
      // A lost response of an earlier attempt left the new session id on the old session.
      const newSessionId = current.continuedAs ?? (await codesignal.reactivateTestSession(input.sessionId, true));
      const parked = await record(db, { ...input, sessionId: newSessionId });
      // the reactivated session waits on nothing more; the new one does
      if (newSessionId !== input.sessionId) await finishAssessmentSession(db, input.integrationId, input.sessionId);
      return { ...(await readSnapshot(input.integrationId, newSessionId)), ...parked };
    },

    async cancelSession({ integrationId, sessionId }: { integrationId: string; sessionId: string }): Promise<void> {
      const { codesignal } = await contexts.get(integrationId);
      const current = await codesignal.getTestSession(sessionId);
      if (current.status === 'deleted' || current.status === 'deletedForPii') return;
      await codesignal.deleteTestSession(sessionId, true);
    },

    /**
     * The final result (`result`) goes to Lever as the setting `assessments.resultsAs` says: a note, a
     * feedback form (./feedback.ts, found again by the same marker), or both; every other note is a note.
     */
    async postAssessmentNote(input: AssessmentRef & { note: AssessmentNote; notifyFollowers: boolean; noteRef: string }): Promise<void> {
      await postNote(input, earlierAttemptMayHaveWritten());
    },

    /**
     * `known`: the workflow knows the tags (`remove` only names tags that are there, `add` only tags that are
     * not), so a first attempt writes them unread. Answers the stage of the opportunity as Lever last showed it
     * (the read, or the last write's answer), for the stage move that may follow; absent when none showed it.
     */
    /** `withoutUser`: the tag of a stop about the default Lever user, written by the API key itself. */
    async setAssessmentTags(input: { integrationId: string; opportunityId: string; add: string[]; remove: string[]; known?: boolean; withoutUser?: boolean }): Promise<TagsWritten> {
      return writeTags(input, earlierAttemptMayHaveWritten());
    },

    /** `candidate`: the name and e-mail the workflow already read; without it (older histories) the opportunity is read for them. */
    async uploadAssessmentReport(input: AssessmentRef & { session: SessionSnapshot; passed: boolean | null; candidate?: Pick<CandidateContact, 'name' | 'email'> }): Promise<void> {
      await uploadReport(input, earlierAttemptMayHaveWritten());
    },

    /**
     * `seenStageId`: the stage Lever's answer to the flow's write just before showed (setAssessmentTags).
     * The stage is known on every attempt, not only for idempotency: a candidate a recruiter already moved
     * there gets no second stage change. A first attempt takes it from that answer; a retry, or a call
     * without it, reads the opportunity.
     */
    async moveStage(input: { integrationId: string; opportunityId: string; stageId: string; seenStageId?: string }): Promise<void> {
      await move(input, earlierAttemptMayHaveWritten());
    },

    /**
     * Lever writes that always follow each other, in order, as one activity (one activity's history events
     * instead of one each): every step is the write of the activity of its name. A retry (attempt ≥ 2) or a run
     * `again` after a stop looks for each step's effect first, as each of those activities does on a retry, so
     * a step an earlier run committed is not written twice. `moveStage` takes the stage from the answer to the
     * tag write before it on a first run. A failure names its step in its details (`step`). Answers the stage
     * Lever last showed, as `setAssessmentTags` does.
     */
    async writeAssessmentSteps(input: AssessmentRef & { steps: AssessmentWriteStep[]; again?: boolean }): Promise<TagsWritten> {
      const mayHaveWritten = input.again === true || earlierAttemptMayHaveWritten();
      const ref = { integrationId: input.integrationId, opportunityId: input.opportunityId, assessmentId: input.assessmentId };
      let stageId: string | undefined;
      for (const s of input.steps) {
        try {
          if (s.step === 'postAssessmentNote') await postNote({ ...ref, ...s }, mayHaveWritten);
          else if (s.step === 'uploadAssessmentReport') await uploadReport({ ...ref, ...s }, mayHaveWritten);
          else if (s.step === 'setAssessmentTags') stageId = (await writeTags({ ...ref, ...s }, mayHaveWritten)).stageId ?? stageId;
          else if (s.step === 'removeSelectionLink') await removeLink(ref, mayHaveWritten);
          else await move({ ...ref, stageId: s.stageId, ...(stageId !== undefined ? { seenStageId: stageId } : {}) }, mayHaveWritten);
        } catch (err) {
          throw atStep(err, s.step);
        }
      }
      return stageId !== undefined ? { stageId } : {};
    },
  };
  return activities;
}

export type AssessmentActivities = ReturnType<typeof createAssessmentActivities>;
