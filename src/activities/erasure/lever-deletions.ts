import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { opportunitySubject, subjectRef } from '../../crypto/data-keys';
import type { Db } from '../../db/pool';
import type { LeverClient } from '../../lever/client';
import { startErasure } from '../../temporal/candidate-client';

/** Pages of Lever's deleted list per sweep; what is left is the next sweep's (its window overlaps). */
const maxDeletedPages = 20;

export interface LeverDeletionFindings {
  /** Deletions Lever listed in the window. */
  listed: number;
  /** Of those, candidates the service holds data about: an erasure was started for each. */
  erasuresStarted: number;
  failed: number;
}

/** Whether the service holds a live data key for the candidate: it has seen them, so there may be something to erase. */
async function holdsDataOf(db: Db, integrationId: string, opportunityId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM candidate_data_keys WHERE subject_ref = $1 AND wrapped_key IS NOT NULL', [subjectRef(opportunitySubject(integrationId, opportunityId))]);
  return rows.length > 0;
}

/**
 * The sweep's erasure side (README "Erasure"): a `candidateDeleted` webhook that never arrived is found
 * in Lever's `GET /opportunities/deleted` for the sweep's window, and an opportunity the sweep lists
 * with its contact anonymized is the same. Each candidate the service knows gets its erasure workflow,
 * which asks Lever again before it removes anything.
 */
export async function sweepLeverDeletions(
  deps: { db: Db; lever: LeverClient; client: Client; taskQueue: string },
  input: { integrationId: string; since: number; until: number; anonymizedOpportunityIds: readonly string[] },
): Promise<LeverDeletionFindings> {
  const findings: LeverDeletionFindings = { listed: 0, erasuresStarted: 0, failed: 0 };
  const erase = async (opportunityId: string, trigger: 'deletedList' | 'anonymized') => {
    try {
      if (!(await holdsDataOf(deps.db, input.integrationId, opportunityId))) return;
      await startErasure(deps.client, deps.taskQueue, { integrationId: input.integrationId, opportunityId, trigger });
      findings.erasuresStarted += 1;
    } catch {
      findings.failed += 1;
    }
  };
  for (const id of input.anonymizedOpportunityIds) await erase(id, 'anonymized');
  let offset: string | undefined;
  for (let page = 0; page < maxDeletedPages; page++) {
    const found = await deps.lever.listDeletedOpportunities({ deletedAtStart: input.since, deletedAtEnd: input.until }, { offset, limit: 100 });
    heartbeat({ deletedPage: page });
    for (const o of found.data) {
      findings.listed += 1;
      await erase(o.id, 'deletedList');
    }
    if (found.next === undefined) break;
    offset = found.next;
  }
  return findings;
}
