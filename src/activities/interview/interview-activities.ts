import { ApplicationFailure } from '@temporalio/activity';
import type { CodeSignalClient } from '../../codesignal/client';
import type { CodeSignalLiveInterview } from '../../codesignal/types';
import { ExternalApiError } from '../../external-api-error';
import { recordInterviewRoom, roomsOfCandidate, findRoomOfWorkflow } from './rooms-repository';
import type { Db } from '../../db/pool';
import type { InterviewNote } from '../../workflows/interview/notes';
import type { RoomSnapshot } from '../../workflows/interview/messages';
import { ensureLink, ensureNote, ensureTags } from '../../lever/writes';
import type { IntegrationContexts } from '../../integrations/context';
import { writeAttempt } from '../shared/attempt';
import { renderInterviewNote } from './notes';
import { deleteSchedulePanel, writeSchedulePanel, type PanelRef } from './panels';
import { interviewScheduleUrl } from './schedule-link';
import { aboutTheLeverUser } from '../../workflows/shared/stops';

interface InterviewRef {
  integrationId: string;
  opportunityId: string;
  interviewId: string;
}

/**
 * The live-interview flow's calls. Like the assessment activities, a write that may be a repeat looks
 * for its own effect first (the room recorded for this workflow; on a retried activity, the link, the
 * note marker, the tag — a first attempt writes those directly, see ../shared/attempt.ts).
 */
export interface InterviewActivityDeps {
  contexts: IntegrationContexts;
  /** The Lever ↔ CodeSignal user mapping (shared with the import flow). */
  findMappedCodeSignalUser: (db: Db, integrationId: string, leverUserId: string) => Promise<string | undefined>;
  /** Where the signed scheduling link points (the API's public URL), and the secret that signs it. */
  publicUrl: string;
  linkSigningSecret: string;
  now?: () => number;
}

export function createInterviewActivities({ contexts, findMappedCodeSignalUser, publicUrl, linkSigningSecret, now = Date.now }: InterviewActivityDeps) {
  /**
   * A feedback's author is a bare user id (the reference gives User no name): the company's contacts
   * name it. Without an author, or when the team cannot be read, the feedback is posted unattributed.
   */
  async function authorNames(codesignal: CodeSignalClient, i: CodeSignalLiveInterview): Promise<Map<string, string>> {
    const ids = new Set((i.interviewersFeedback ?? []).flatMap((f) => (f?.author ? [f.author.id] : [])));
    if (ids.size === 0) return new Map();
    try {
      const team = await codesignal.listCompanyUsers();
      return new Map(team.flatMap((c) => (c.user && ids.has(c.user.id) ? [[c.user.id, c.name] as const] : [])));
    } catch (err) {
      if (err instanceof ExternalApiError && !err.retryable) return new Map();
      throw err;
    }
  }

  /** The room, or null when CodeSignal shows none: a room deleted in CodeSignal reads as not found. */
  async function roomOrGone(codesignal: CodeSignalClient, roomId: string): Promise<CodeSignalLiveInterview | null> {
    try {
      return await codesignal.getLiveInterview(roomId);
    } catch (err) {
      if (err instanceof ExternalApiError && err.code === 'NotFound') return null;
      throw err;
    }
  }

  async function snapshot(codesignal: CodeSignalClient, i: CodeSignalLiveInterview): Promise<RoomSnapshot> {
    const names = await authorNames(codesignal, i);
    return {
      id: i.id,
      status: i.status,
      url: i.url,
      startedAt: i.startDate ?? null,
      finishedAt: i.finishDate ?? null,
      feedback: (i.interviewersFeedback ?? []).flatMap((f) =>
        f
          ? [{
              author: (f.author && names.get(f.author.id)) ?? null,
              evaluation: f.evaluation ?? null,
              recommendedLevel: f.recommendedLevel ?? null,
              notes: f.notes || null,
            }]
          : [],
      ),
      readAt: now(),
    };
  }

  const activities = {
    async getInterviewCandidate({ integrationId, opportunityId }: { integrationId: string; opportunityId: string }) {
      const { lever } = await contexts.get(integrationId);
      const o = await lever.getOpportunity(opportunityId);
      return { name: o.name, email: o.emails[0] ?? null, ownerId: o.owner };
    },

    /** The owner's mapped CodeSignal user, else the configured default; no guessing at run time. */
    async resolveInterviewer(input: { integrationId: string; leverOwnerId: string | null; defaultCodeSignalUserId: string | null }): Promise<string> {
      const { db } = await contexts.get(input.integrationId);
      const mapped = input.leverOwnerId ? await findMappedCodeSignalUser(db, input.integrationId, input.leverOwnerId) : undefined;
      const interviewer = mapped ?? input.defaultCodeSignalUserId;
      if (!interviewer) {
        throw ApplicationFailure.nonRetryable(
          'no CodeSignal interviewer: the opportunity owner has no mapped CodeSignal user and no default interviewer is configured',
          'NoInterviewer',
        );
      }
      return interviewer;
    },

    async createRoom(input: InterviewRef & { workflowId: string; candidateName: string; candidateEmail: string; interviewerId: string; templateId: string | null; expirationMs: number }): Promise<RoomSnapshot> {
      const { codesignal, db } = await contexts.get(input.integrationId);
      const recorded = await findRoomOfWorkflow(db, input.workflowId);
      if (recorded) return snapshot(codesignal, await codesignal.getLiveInterview(recorded));
      // CodeSignal has no idempotency key for interviews: a pending room for this candidate that no
      // workflow has recorded is the one an earlier attempt created before its answer was lost.
      const known = new Set(await roomsOfCandidate(db, input.integrationId, input.candidateEmail));
      const orphan = (await codesignal.listLiveInterviews(input.candidateEmail)).find((i) => i.status === 'pending' && !known.has(i.id));
      const room =
        orphan ??
        (await codesignal.createLiveInterview({
          candidateEmail: input.candidateEmail,
          candidateName: input.candidateName,
          interviewerId: input.interviewerId,
          ...(input.templateId ? { templateId: input.templateId, lockTemplate: true } : {}),
          expirationTime: input.expirationMs,
        }));
      await recordInterviewRoom(db, { ...input, roomId: room.id });
      return snapshot(codesignal, room);
    },

    /** `url`: the room's link as created, for a room CodeSignal no longer shows (absent in older runs). */
    async readRoom({ integrationId, roomId, url }: InterviewRef & { roomId: string; url?: string }): Promise<RoomSnapshot> {
      const { codesignal } = await contexts.get(integrationId);
      const room = await roomOrGone(codesignal, roomId);
      return room ? snapshot(codesignal, room) : { id: roomId, status: 'deleted', url: url ?? '', startedAt: null, finishedAt: null, feedback: [], readAt: now() };
    },

    async updateRoomExpiry({ integrationId, roomId, expirationMs }: InterviewRef & { roomId: string; expirationMs: number }): Promise<RoomSnapshot> {
      const { codesignal } = await contexts.get(integrationId);
      const hours = Math.max(1, Math.min(336, Math.ceil(expirationMs / 3_600_000)));
      return snapshot(codesignal, await codesignal.updateLiveInterview(roomId, { expirationTime: hours * 3_600_000 }));
    },

    /**
     * Deletes the room unless the interview has started (CodeSignal sends no event when it starts, so
     * the workflow may not know yet); answers false when it has started and so was left alone.
     */
    async cancelRoom({ integrationId, roomId }: InterviewRef & { roomId: string }): Promise<boolean> {
      const { codesignal } = await contexts.get(integrationId);
      const room = await roomOrGone(codesignal, roomId);
      if (room?.status === 'pending') await codesignal.deleteLiveInterview(roomId);
      return room?.status !== 'active' && room?.status !== 'over';
    },

    /** A Lever interview (on any panel) with its schedule; undefined when it no longer exists. */
    async readLeverInterview({ integrationId, opportunityId, leverInterviewId }: InterviewRef & { leverInterviewId: string }) {
      const { lever } = await contexts.get(integrationId);
      const panels = await lever.listAllPanels(opportunityId);
      const interview = panels.flatMap((p) => p.interviews).find((i) => i.id === leverInterviewId && !i.canceledAt);
      return interview ? { date: interview.date, durationMinutes: interview.duration, readAt: now() } : undefined;
    },

    /** The signed "Schedule CodeSignal interview" link on the opportunity (src/api/interview). */
    async setScheduleLink(ref: InterviewRef & { present: boolean }): Promise<void> {
      const { lever, performAs } = await contexts.get(ref.integrationId);
      await ensureLink(lever, ref.opportunityId, interviewScheduleUrl(publicUrl, linkSigningSecret, ref), ref.present, performAs(), writeAttempt());
    },

    /** The room's interviewer for a slot: the first Lever interviewer mapped to a CodeSignal user, else the room's own. */
    async resolveScheduleInterviewer(input: { integrationId: string; leverInterviewerIds: string[]; current: string | null }): Promise<string | null> {
      const { db } = await contexts.get(input.integrationId);
      for (const id of input.leverInterviewerIds) {
        const mapped = await findMappedCodeSignalUser(db, input.integrationId, id);
        if (mapped) return mapped;
      }
      return input.current;
    },

    /**
     * Edits a pending room for a slot: interviewer, template, and open until `expiresAt`, counted in
     * whole hours from the room's creation plus one to spare (at most 336; see the workflow's slotProblem).
     */
    async editRoom(input: InterviewRef & { roomId: string; createdAt: number; startsAt: number; expiresAt: number; interviewerId: string | null; templateId: string | null }): Promise<RoomSnapshot> {
      if (input.startsAt <= now()) throw ApplicationFailure.nonRetryable('the start is in the past', 'ScheduleRefused');
      const { codesignal } = await contexts.get(input.integrationId);
      const hours = Math.max(1, Math.min(336, Math.ceil((input.expiresAt - input.createdAt) / 3_600_000) + 1));
      const edited = await codesignal.updateLiveInterview(input.roomId, {
        expirationTime: hours * 3_600_000,
        ...(input.interviewerId ? { interviewerId: input.interviewerId } : {}),
        ...(input.templateId ? { templateId: input.templateId, lockTemplate: true } : {}),
      });
      return snapshot(codesignal, edited);
    },

    /** The slot as an externally managed Lever panel, written as `scheduledBy` or the default Lever user (panels.ts). */
    async writeSchedulePanel(input: InterviewRef & { roomUrl: string; startsAt: number; timezone: string; durationMinutes: number; interviewerIds: string[]; scheduledBy: string | null; current: PanelRef | null }): Promise<PanelRef> {
      const { lever, performAs } = await contexts.get(input.integrationId);
      return writeSchedulePanel(lever, { ...input, performAs: input.scheduledBy ?? performAs() }, input.current, writeAttempt());
    },

    async deleteSchedulePanel(input: InterviewRef & { panelId: string; scheduledBy: string | null }): Promise<void> {
      const { lever, performAs } = await contexts.get(input.integrationId);
      await deleteSchedulePanel(lever, input.opportunityId, input.panelId, input.scheduledBy ?? performAs());
    },

    async setRoomLink({ integrationId, opportunityId, url, present }: InterviewRef & { url: string; present: boolean }): Promise<void> {
      const { lever, performAs } = await contexts.get(integrationId);
      await ensureLink(lever, opportunityId, url, present, performAs(), writeAttempt());
    },

    async postInterviewNote(input: InterviewRef & { note: InterviewNote; notifyFollowers: boolean; noteRef: string }): Promise<void> {
      const { lever, performAs, settings } = await contexts.get(input.integrationId);
      const stopped = input.note.kind === 'stopped';
      await ensureNote(lever, input.opportunityId, {
        ref: input.noteRef,
        text: renderInterviewNote(input.note, settings.tagCommands),
        // a stop's note says what to fix: private, nobody notified
        notifyFollowers: stopped ? false : input.notifyFollowers,
        performAs: input.note.kind === 'stopped' && aboutTheLeverUser(input.note.stop) ? undefined : performAs(),
        secret: stopped,
      }, writeAttempt());
    },

    /** `withoutUser`: the tag of a stop about the default Lever user, written by the API key itself. */
    async setInterviewTags(input: InterviewRef & { add: string[]; remove: string[]; withoutUser?: boolean }): Promise<void> {
      const { lever, performAs } = await contexts.get(input.integrationId);
      await ensureTags(lever, input.opportunityId, input, input.withoutUser ? undefined : performAs(), writeAttempt());
    },
  };
  return activities;
}

export type InterviewActivities = ReturnType<typeof createInterviewActivities>;
