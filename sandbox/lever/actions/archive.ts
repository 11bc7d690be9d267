import { z } from 'zod';
import { badRequest } from '../errors';
import type { Archived, Opportunity } from '../model';
import { opportunityEventIds, touch, type ActionDeps } from './actor';
import { cleanPendingInterviews } from './interviews';

/** Body of `PUT /opportunities/:id/archived`: a reason archives (or changes the reason), `null` unarchives. */
export const archiveBody = z.object({
  reason: z.string().nullable(),
  cleanInterviews: z.boolean().optional(),
  requisitionId: z.string().optional(),
});
export type ArchiveInput = z.infer<typeof archiveBody>;

/** Archiving with a reason of type `hired` is what "hired" means; it fires `candidateHired` too. */
export function setArchived(deps: ActionDeps, opportunityId: string, input: ArchiveInput): Opportunity {
  const { events, account, actor } = deps;
  const opp = account.opportunity(opportunityId);
  const reason = input.reason === null ? null : account.archiveReason(input.reason);
  if (reason?.status === 'inactive') throw badRequest(`archive reason ${reason.id} is inactive`);
  const from = opp.archived;
  if ((from?.reason ?? null) === (reason?.id ?? null)) return opp;

  const now = Date.now();
  const to: Archived | null = reason ? { reason: reason.id, archivedAt: now } : null;
  opp.archived = to;
  for (const id of opp.applicationIds) {
    const application = account.applications.get(id);
    if (application) application.archived = to;
  }
  opp.archiveHistory.push({ archived: to, userId: actor.userId, via: actor.via, at: now });
  touch(opp, now);
  if (to && input.cleanInterviews) cleanPendingInterviews(deps, opp, now);

  events.emit(account, actor.via, 'candidateArchiveChange', { ...opportunityEventIds(opp), fromArchived: from, toArchived: to }, opp);
  if (reason?.type === 'hired') events.emit(account, actor.via, 'candidateHired', opportunityEventIds(opp), opp);
  return opp;
}
