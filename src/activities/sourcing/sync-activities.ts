import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { findCandidateLinksByOpportunity } from './candidate-links';
import { findMappedLeverUserId, findStatusForLever, loadMapping } from '../../integrations/mappings/repository';
import type { LeverOpportunity } from '../../lever/schemas';
import { deliverFeedEvent } from './feed';
import { earlierAttemptMayHaveWritten } from '../shared/attempt';
import { candidateWorkflowId } from '../../workflows/shared/ids';
import {
  leverSnapshotFrom,
  leverValueAt,
  sameCodeSignalSnapshot,
  sameLeverSnapshot,
  unknownChangeIsNewer,
  type CodeSignalSnapshot,
  type LeverReading,
  type LeverSnapshot,
  type SyncMapping,
  type SyncWrite,
  type WriteResult,
} from '../../workflows/sourcing/sync-state';
import type { IntegrationContexts } from '../../integrations/context';

export interface SyncContext {
  /** CodeSignal candidates linked to the opportunity; empty: the opportunity is not synced. */
  candidateIds: string[];
  /** When each was linked (ms). */
  linkedAt: Record<string, number>;
  mapping: SyncMapping;
  /** Lever as read, when the trigger asked for it (only for a linked opportunity). */
  lever?: LeverReading;
  /** Only in replayed histories from before the sourcing API, which read the status from CodeSignal. */
  codesignal?: CodeSignalSnapshot;
}

export function leverReadingOf(opp: LeverOpportunity): LeverReading {
  const entered = (opp.stageChanges ?? []).filter((c) => c.toStageId === opp.stage).map((c) => c.updatedAt);
  // every time but the stage changes' may be null (§3.1); with none known the stage counts as older than anything seen
  const stageAt = entered.length > 0 ? Math.max(...entered) : (opp.lastAdvancedAt ?? opp.createdAt ?? 0);
  return {
    stageId: opp.stage,
    stageAt,
    // an archive without a reason still counts as archived
    archiveReasonId: opp.archived ? (opp.archived.reason ?? '(no reason)') : null,
    archivedAt: opp.archived?.archivedAt ?? null,
    updatedAt: opp.updatedAt ?? opp.createdAt ?? stageAt,
  };
}

/**
 * A retried write that finds the side already showing the wanted status, in a state the workflow
 * did not know that was entered after this write was first scheduled, has found its own earlier
 * attempt (whose answer was lost): the write happened, and it is nobody's change.
 */
function ownEarlierAttempt(changedAt: number): boolean {
  return earlierAttemptMayHaveWritten() && changedAt >= activityInfo().scheduledTimestampMs;
}

export async function loadSyncMapping(db: Parameters<typeof loadMapping>[0], integrationId: string): Promise<SyncMapping> {
  const stored = await loadMapping(db, integrationId);
  const mapping: SyncMapping = { stages: {}, archiveReasons: {}, statuses: {} };
  for (const s of stored?.stages ?? []) mapping.stages[s.leverStageId] = s.codesignalStatus;
  for (const r of stored?.archiveReasons ?? []) mapping.archiveReasons[r.leverArchiveReasonId] = r.codesignalStatus;
  for (const s of stored?.statuses ?? []) {
    mapping.statuses[s.codesignalStatus] = s.leverStageId !== undefined ? { stageId: s.leverStageId } : { archiveReasonId: s.leverArchiveReasonId! };
  }
  return mapping;
}

/**
 * The stage sync's calls (docs/sync.md). Webhooks are hints: the side is re-read. Writes read the
 * side first and write only when it differs from the wanted status, so a retry after a lost answer
 * writes nothing; and they do not overwrite a change the workflow has not heard of yet when that
 * change is newer than the one being synced (it is answered instead).
 */
export function createSyncActivities({ contexts }: { contexts: IntegrationContexts }) {
  const activities = {
    /** `links`: a CodeSignal report, which carries the status itself; the object form is a pre-sourcing-API hint (nothing is read for it). */
    async loadSyncContext(input: { integrationId: string; opportunityId: string; read: 'lever' | 'links' | { codesignalCandidateId: string } }): Promise<SyncContext> {
      const ctx = await contexts.get(input.integrationId);
      const links = await findCandidateLinksByOpportunity(ctx.db, input.integrationId, input.opportunityId);
      const candidateIds = links.map((l) => l.codesignalCandidateId);
      const linkedAt = Object.fromEntries(links.map((l) => [l.codesignalCandidateId, l.createdAt.getTime()]));
      if (candidateIds.length === 0) return { candidateIds, linkedAt, mapping: { stages: {}, archiveReasons: {}, statuses: {} } };
      const base = { candidateIds, linkedAt, mapping: await loadSyncMapping(ctx.db, input.integrationId) };
      if (input.read === 'lever') return { ...base, lever: leverReadingOf(await ctx.lever.getOpportunity(input.opportunityId)) };
      return base;
    },

    /**
     * Writes a status to CodeSignal's side: one signed status feed delivery (docs/sync.md). The feed
     * is the only way there (CodeSignal's public API has no sourcing objects), so what the receiver
     * accepted is what CodeSignal shows; the delivery id is stable, so a retry is a duplicate to it.
     */
    async writeCodeSignalStatus(input: { integrationId: string; opportunityId: string; write: Extract<SyncWrite, { side: 'codesignal' }> }): Promise<WriteResult<CodeSignalSnapshot>> {
      const { write, integrationId, opportunityId } = input;
      const ctx = await contexts.get(integrationId);
      if (!ctx.sourcingFeed) {
        throw ApplicationFailure.nonRetryable('no status feed URL is configured for this integration, so CodeSignal cannot be told', 'FeedNotConfigured');
      }
      await deliverFeedEvent(ctx.db, ctx.sourcingFeed, {
        integrationId,
        opportunityId,
        candidateId: write.candidateId,
        status: write.status,
        changedAt: write.eventAt,
        workflowId: candidateWorkflowId(integrationId, opportunityId),
      });
      const after: CodeSignalSnapshot = { status: write.status, at: write.eventAt, byUserId: null };
      return { outcome: 'written', before: write.known ?? after, after };
    },

    /** Moves or archives the opportunity as the Lever user mapped to the CodeSignal user who changed the status (else the default user). */
    async writeLeverForStatus(input: {
      integrationId: string;
      opportunityId: string;
      write: Extract<SyncWrite, { side: 'lever' }>;
    }): Promise<WriteResult<LeverSnapshot> & { performAs?: string }> {
      const { write, integrationId, opportunityId } = input;
      const ctx = await contexts.get(integrationId);
      const { db, lever } = ctx;
      const opportunity = await lever.getOpportunity(opportunityId);
      const before = leverSnapshotFrom(leverReadingOf(opportunity), write.known);
      const current = await findStatusForLever(db, integrationId, before.archiveReasonId !== null ? { archiveReasonId: before.archiveReasonId } : { stageId: before.stageId });
      if (current === write.status) {
        const ours = !sameLeverSnapshot(before, write.known) && ownEarlierAttempt(leverValueAt(before));
        return { outcome: ours ? 'written' : 'unchanged', before, after: before };
      }
      if (!sameLeverSnapshot(before, write.known) && unknownChangeIsNewer(write, leverValueAt(before))) return { outcome: 'newer', before, after: before };

      const mapped = write.byUserId ? await findMappedLeverUserId(db, integrationId, write.byUserId) : undefined;
      const performAs = mapped ?? ctx.performAs();
      let updated = opportunity;
      // a write's answer may lack the opportunity (§3.4 [O]): then it is read again
      const orReread = async (answer: LeverOpportunity | undefined) => answer ?? (await lever.getOpportunity(opportunityId));
      if ('archiveReasonId' in write.target) {
        updated = await orReread(await lever.archive(opportunityId, write.target.archiveReasonId, performAs));
      } else {
        // stage first: a retry after a lost answer then still finds the opportunity archived (its known state)
        if (updated.stage !== write.target.stageId) updated = await orReread(await lever.changeStage(opportunityId, write.target.stageId, performAs));
        if (updated.archived) updated = await orReread(await lever.archive(opportunityId, null, performAs));
      }
      return { outcome: 'written', before, after: leverSnapshotFrom(leverReadingOf(updated), before), performAs };
    },
  };
  return activities;
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
