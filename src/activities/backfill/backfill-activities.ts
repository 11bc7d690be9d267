import { activityInfo, getClient, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { IntegrationContexts } from '../../integrations/context';
import type { LeverClient } from '../../lever/client';
import { signalCandidateWorkflow, signalLeverEvent } from '../../temporal/candidate-client';
import type { BackfillPage } from '../../workflows/backfill/messages';
import { runStageTriggersSignal } from '../../workflows/candidate/messages';
import { candidateStateOf, currentStageEntry, repairEvent, stageEntrySeen } from '../reconciliation/lever-sweep';

/** Candidates per Lever page (Lever's maximum). */
export const backfillPageSize = 100;

/** The active (not archived) opportunities in these stages, one Lever page. */
export const stagesPage = (lever: LeverClient, stageIds: string[], offset: string | undefined) =>
  lever.listOpportunities({ stageId: stageIds, archived: false }, { offset, limit: backfillPageSize });

export interface BackfillActivityDeps {
  contexts: IntegrationContexts;
  /** Default: the worker's own client (activity context). */
  client?: () => Client;
}

export function createBackfillActivities(deps: BackfillActivityDeps) {
  const client = deps.client ?? getClient;
  return {
    /**
     * One page of the stages' candidates. One whose candidate workflow has not seen them enter their
     * current stage gets the `stageChange` the webhook would have brought; one it has seen there (the
     * stage became a trigger after they entered it) is asked to run the stage's flows unless they ran
     * for this entry (runStageTriggersSignal). Both are idempotent, so a retried page changes nothing.
     */
    async backfillStagesPage({ integrationId, stageIds, offset }: { integrationId: string; stageIds: string[]; offset: string | undefined }): Promise<BackfillPage> {
      const { lever } = await deps.contexts.get(integrationId);
      const stages = new Set(stageIds);
      const found = await stagesPage(lever, stageIds, offset);
      const page: BackfillPage = { listed: 0, started: 0, alreadySeen: 0, failed: 0, next: found.next };
      for (const o of found.data) {
        if (!stages.has(o.stage) || o.archived) continue;
        page.listed += 1;
        heartbeat(page.listed);
        const entry = currentStageEntry(o) ?? { at: o.createdAt ?? 0, fromStageId: null };
        const target = { integrationId, opportunityId: o.id };
        try {
          const state = await candidateStateOf(client(), target);
          if (stageEntrySeen(state, o.stage, entry.at)) {
            await signalCandidateWorkflow(client(), activityInfo().taskQueue, target, runStageTriggersSignal, { stageId: o.stage });
            page.alreadySeen += 1;
          } else {
            await signalLeverEvent(client(), activityInfo().taskQueue, target, repairEvent(o.stage, entry, 'backfill'));
            page.started += 1;
          }
        } catch {
          page.failed += 1;
        }
      }
      return page;
    },
  };
}

export type BackfillActivities = ReturnType<typeof createBackfillActivities>;
