import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { opportunitySubject, subjectRef } from '../../crypto/data-keys';
import type { Db } from '../../db/pool';
import type { LeverClient, LeverPage, PageRequest } from '../../lever/client';
import { startErasure } from '../../temporal/candidate-client';

/** Pages of each list per sweep (100 each); a sweep that stops at the cap says so (`truncated`), and the next one's window overlaps. */
const maxPages = 20;

export interface LeverDeletionFindings {
  /** Deletions Lever listed in the window. */
  listed: number;
  /** Opportunities updated in the window whose contact Lever anonymized. */
  anonymized: number;
  /** Of those, candidates the service holds data about: an erasure was started for each. */
  erasuresStarted: number;
  failed: number;
  /** A list stopped at the page cap. */
  truncated: boolean;
}

/** Whether the service holds a live data key for the candidate: it has seen them, so there may be something to erase. */
async function holdsDataOf(db: Db, integrationId: string, opportunityId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM candidate_data_keys WHERE subject_ref = $1 AND wrapped_key IS NOT NULL', [subjectRef(opportunitySubject(integrationId, opportunityId))]);
  return rows.length > 0;
}

/** Every item of a Lever list, page by page up to the cap; answers whether it stopped at the cap. */
async function eachOf<T>(list: (page: PageRequest) => Promise<LeverPage<T>>, visit: (item: T) => Promise<void>): Promise<boolean> {
  let offset: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const found = await list({ offset, limit: 100 });
    heartbeat({ page });
    for (const item of found.data) await visit(item);
    if (found.next === undefined) return false;
    offset = found.next;
  }
  return true;
}

/**
 * The sweep's erasure side (README "Erasure"): a `candidateDeleted` webhook that never arrived is found
 * in Lever's `GET /opportunities/deleted` for the sweep's window, and a contact Lever anonymized (by
 * hand or by a retention policy; no webhook names it) among the opportunities updated in the window,
 * in any stage, archived or not. Each candidate the service knows gets its erasure workflow, which asks
 * Lever again before it removes anything.
 */
export async function sweepLeverDeletions(
  deps: { db: Db; lever: LeverClient; client: Client; taskQueue: string },
  input: { integrationId: string; since: number; until: number },
): Promise<LeverDeletionFindings> {
  const findings: LeverDeletionFindings = { listed: 0, anonymized: 0, erasuresStarted: 0, failed: 0, truncated: false };
  const erase = async (opportunityId: string, trigger: 'deletedList' | 'anonymized') => {
    try {
      if (!(await holdsDataOf(deps.db, input.integrationId, opportunityId))) return;
      await startErasure(deps.client, deps.taskQueue, { integrationId: input.integrationId, opportunityId, trigger });
      findings.erasuresStarted += 1;
    } catch {
      findings.failed += 1;
    }
  };
  const deletedTruncated = await eachOf(
    (page) => deps.lever.listDeletedOpportunities({ deletedAtStart: input.since, deletedAtEnd: input.until }, page),
    async (o) => {
      findings.listed += 1;
      await erase(o.id, 'deletedList');
    },
  );
  const updatedTruncated = await eachOf(
    (page) => deps.lever.listOpportunities({ updatedAtStart: input.since }, page),
    async (o) => {
      if (o.isAnonymized !== true) return;
      findings.anonymized += 1;
      await erase(o.id, 'anonymized');
    },
  );
  findings.truncated = deletedTruncated || updatedTruncated;
  return findings;
}
