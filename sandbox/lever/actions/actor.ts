import type { Opportunity, Via } from '../model';
import type { AccountState } from '../state';
import type { WebhookEmitter } from '../webhooks';

/** Who acts: through the API (as `perform_as`) or as a recruiter in the UI. */
export interface Actor { via: Via; userId: string | null }

/** What every state-changing action needs: where events go, the account, and who acts. */
export interface ActionDeps { events: WebhookEmitter; account: AccountState; actor: Actor }

/** Ids every opportunity event carries; `candidateId` is the legacy id, never equal to the others. */
export const opportunityEventIds = (opp: Opportunity) => ({
  opportunityId: opp.id,
  candidateId: opp.candidateId,
  contactId: opp.contactId,
});

export function touch(opp: Opportunity, now: number): void {
  opp.updatedAt = now;
  opp.lastInteractionAt = now;
}

export const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];
