import type { DeletedOpportunity } from '../model';
import { opportunityEventIds, touch, type ActionDeps } from './actor';

/**
 * Erasure as a recruiter or a data-retention policy does it in Lever's UI; the API has no call for either
 * (§2.1 `candidateDeleted`, §3.1 `isAnonymized`, §3.2 `GET /opportunities/deleted`).
 */

/**
 * Deletes one opportunity and everything written to it (applications, notes, files, panels, interviews, feedback),
 * then fires `candidateDeleted` (no origin conditions, §2.1). Afterwards it answers 404 everywhere, as any
 * unknown id, and only `GET /opportunities/deleted` still names it.
 *
 * The reference says "a candidate/opportunity is deleted" and nothing more, so this deletes the one
 * opportunity: the contact's other opportunities stay. ASSUMPTION: a contact left without any opportunity
 * goes too (nothing in Lever shows a person without a candidacy), so a later create with its email is not
 * de-duplicated onto the deleted person. No `interviewDeleted` fires for the interviews that go with it.
 */
export function deleteOpportunity(
  { events, account, actor }: ActionDeps, opportunityId: string, opts: { webhookDeletedBy: boolean },
): DeletedOpportunity {
  const opp = account.opportunity(opportunityId);
  const deleted: DeletedOpportunity = {
    id: opp.id, contactId: opp.contactId, candidateId: opp.candidateId, deletedBy: actor.userId, deletedAt: Date.now(),
  };
  account.opportunities.delete(opp.id);
  for (const records of [account.applications, account.notes, account.files, account.panels, account.interviews, account.feedback]) {
    for (const [id, record] of records) if (record.opportunityId === opp.id) records.delete(id);
  }
  if (![...account.opportunities.values()].some((o) => o.contactId === opp.contactId)) account.contacts.delete(opp.contactId);
  account.deletedOpportunities.set(deleted.id, deleted);
  events.emit(account, actor.via, 'candidateDeleted', {
    ...opportunityEventIds(opp),
    ...(opts.webhookDeletedBy ? { deletedBy: deleted.deletedBy } : {}),
  });
  return deleted;
}

/**
 * ASSUMPTION (the reference documents only the flag `isAnonymized`, §3.1/§3.9, not what anonymizing does):
 * the records stay but the person is stripped from the contact, and so from every opportunity of it — the
 * name becomes this neutral placeholder; headline and location the empty string Lever answers for unknown
 * values (§3.1, observed); emails, phones and links empty arrays. Tags, sources, stages, notes and files
 * stay as they are.
 */
export const ANONYMIZED_NAME = 'Anonymized Candidate';

/**
 * Anonymizes a contact (a retention policy, or a recruiter honouring an erasure request): `isAnonymized`
 * becomes true and the personal fields are blanked as above; the contact's opportunities count as updated.
 * Fires `contactUpdated` with `{contactId}` when `firesContactUpdated` (quirk `anonymizeFiresContactUpdated`).
 * Anonymizing an anonymized contact changes nothing and fires nothing.
 */
export function anonymizeContact(
  { events, account, actor }: ActionDeps, contactId: string, opts: { firesContactUpdated: boolean },
): void {
  const contact = account.contact(contactId);
  if (contact.isAnonymized) return;
  Object.assign(contact, { name: ANONYMIZED_NAME, headline: '', location: '', emails: [], phones: [], links: [], isAnonymized: true });
  const now = Date.now();
  for (const opp of account.opportunities.values()) if (opp.contactId === contact.id) touch(opp, now);
  if (opts.firesContactUpdated) events.emit(account, actor.via, 'contactUpdated', { contactId: contact.id });
}
