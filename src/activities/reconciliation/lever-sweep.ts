import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LeverClient } from '../../lever/client';
import type { LeverOpportunity } from '../../lever/schemas';
import { processMetrics } from '../../observability/metrics';
import { signalLeverEvent } from '../../temporal/candidate-client';
import { stageEntryToleranceMs } from '../../workflows/candidate/candidate-state';
import { candidateStateQuery, type CandidateState, type LeverCandidateEvent } from '../../workflows/candidate/messages';
import type { LeverSweepFindings } from '../../workflows/reconciliation/messages';
import { candidateWorkflowId } from '../../workflows/shared/ids';

/** Pages of 100 opportunities per sweep; the rest waits for the next sweep (which starts where this one did). */
export const maxLeverPages = 50;
/** Repaired ids listed in a run's findings (the counts are complete). */
export const listedIdsCap = 50;

export interface LeverSweepInput {
  integrationId: string;
  triggerStageIds: string[];
  /** Opportunities updated at or after this (ms) are listed; entries before it were the previous sweep's. */
  since: number;
  /** Entries at or after this (ms) are left to the webhook for now, and to the next sweep. */
  until: number;
  /** Nothing that happened before the integration existed is a webhook's to repair. */
  notBefore: number;
}

export interface LeverSweepDeps {
  lever: LeverClient;
  client: Client;
  taskQueue: string;
}

/** When the opportunity last entered its current stage, per Lever (its last `stageChanges` entry into it), and the stage it came from. */
export function currentStageEntry(o: Pick<LeverOpportunity, 'stage' | 'stageChanges' | 'lastAdvancedAt'>): { at: number; fromStageId: string | null } | null {
  const changes = o.stageChanges ?? [];
  for (let i = changes.length - 1; i >= 0; i--) {
    if (changes[i]!.toStageId === o.stage) return { at: changes[i]!.updatedAt, fromStageId: changes[i - 1]?.toStageId ?? null };
  }
  // Lever sent no history: a stage change bumps lastAdvancedAt (lever-api.md §3.4)
  return o.lastAdvancedAt != null ? { at: o.lastAdvancedAt, fromStageId: null } : null;
}

/**
 * Whether the candidate workflow already knows the candidate entered `stageId` (at `enteredAt`): it is
 * in that stage (a stage change to the stage it is in is nothing new to it, candidate-workflow.ts
 * `stageEntered`), or its stage history has the entry. No workflow: never seen.
 */
export function stageEntrySeen(state: Pick<CandidateState, 'stageId' | 'stageHistory'> | null, stageId: string, enteredAt: number): boolean {
  if (!state) return false;
  if (state.stageId === stageId) return true;
  return state.stageHistory.some((h) => h.stageId === stageId && h.at >= enteredAt - stageEntryToleranceMs);
}

/**
 * The event a lost `candidateStageChange` webhook would have brought. Its key names the entry (stage
 * and Lever's time of it), so every sweep that finds the same lost entry sends the same event and the
 * workflow drops the repeats; the webhook, if it comes after all, has its own key and finds the
 * candidate already in that stage (nothing new). A backfill sends the same event keyed `backfill:…`.
 */
export function repairEvent(stageId: string, entry: { at: number; fromStageId: string | null }, source: 'reconciliation' | 'backfill' = 'reconciliation'): LeverCandidateEvent {
  return { kind: 'stageChange', key: `${source}:${stageId}:${entry.at}`, triggeredAt: entry.at, fromStageId: entry.fromStageId, toStageId: stageId };
}

/** The candidate workflow's state (what it has seen), or null when the candidate has none yet. */
export function candidateStateOf(client: Client, target: { integrationId: string; opportunityId: string }): Promise<CandidateState | null> {
  return client.workflow
    .getHandle(candidateWorkflowId(target.integrationId, target.opportunityId))
    .query(candidateStateQuery)
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
}

/**
 * The Lever side of a sweep: every opportunity Lever shows in a trigger stage (`stage_id`), not
 * archived, updated since the last sweep (`updated_at_start`), paged through the integration's Lever
 * client (the rate limit it shares with every process); one that entered its stage in the window and
 * that its candidate workflow has not seen enter it gets the `stageChange` signal the webhook would
 * have brought. The workflow confirms it against Lever before acting, as for any webhook.
 */
export async function sweepLeverStages(deps: LeverSweepDeps, input: LeverSweepInput): Promise<LeverSweepFindings> {
  const findings: LeverSweepFindings = {
    since: input.since,
    until: input.until,
    listed: 0,
    alreadySeen: 0,
    outsideWindow: 0,
    entryUnknown: 0,
    repaired: 0,
    repairedOpportunityIds: [],
    failed: 0,
    truncated: false,
  };
  if (input.triggerStageIds.length === 0) return findings;
  const triggers = new Set(input.triggerStageIds);
  const metrics = processMetrics();
  let offset: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= maxLeverPages) {
      findings.truncated = true;
      break;
    }
    const found = await deps.lever.listOpportunities({ stageId: input.triggerStageIds, updatedAtStart: input.since, archived: false }, { offset, limit: 100 });
    heartbeat({ page });
    for (const o of found.data) {
      if (!triggers.has(o.stage) || o.archived) continue;
      findings.listed += 1;
      const entry = currentStageEntry(o);
      if (!entry) {
        findings.entryUnknown += 1;
        continue;
      }
      if (entry.at < input.since || entry.at < input.notBefore) {
        findings.outsideWindow += 1;
        continue;
      }
      if (entry.at >= input.until) continue; // the webhook's, for now; the next sweep's window
      try {
        const target = { integrationId: input.integrationId, opportunityId: o.id };
        const state = await candidateStateOf(deps.client, target);
        if (stageEntrySeen(state, o.stage, entry.at)) {
          findings.alreadySeen += 1;
          continue;
        }
        await signalLeverEvent(deps.client, deps.taskQueue, target, repairEvent(o.stage, entry));
        findings.repaired += 1;
        if (findings.repairedOpportunityIds.length < listedIdsCap) findings.repairedOpportunityIds.push(o.id);
        metrics.reconciliationRepaired(input.integrationId, 'lever', 'stage_change');
      } catch {
        findings.failed += 1;
      }
    }
    if (found.next === undefined) break;
    offset = found.next;
  }
  return findings;
}
