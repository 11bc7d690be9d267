import type { Application, DeletedOpportunity, Opportunity } from '../model';
import type { AccountState } from '../state';
import { stageView, userView } from './directory';

export const EXPANDABLE = ['applications', 'stage', 'owner', 'followers', 'sourcedBy', 'contact'] as const;
export type Expandable = (typeof EXPANDABLE)[number];

export interface Shape { expand: ReadonlySet<string>; include: ReadonlySet<string> }
export const PLAIN: Shape = { expand: new Set(), include: new Set() };

const HIRE_APP = 'https://hire.lever.co/candidates';

/** Live wire shape of an opportunity (§3.1): contact fields flattened in, `archived` as an object. */
export function opportunityView(account: AccountState, opp: Opportunity, shape: Shape = PLAIN): Record<string, unknown> {
  const contact = account.contact(opp.contactId);
  const user = (id: string | null) => (id === null ? null : account.users.has(id) ? userView(account.user(id)) : id);
  const full: Record<string, unknown> = {
    id: opp.id,
    name: contact.name,
    headline: contact.headline,
    contact: opp.contactId,
    emails: contact.emails,
    phones: contact.phones,
    confidentiality: opp.confidentiality,
    location: contact.location,
    links: contact.links,
    createdAt: opp.createdAt,
    updatedAt: opp.updatedAt,
    lastInteractionAt: opp.lastInteractionAt,
    lastAdvancedAt: opp.lastAdvancedAt,
    snoozedUntil: opp.snoozedUntil,
    archived: opp.archived,
    stage: opp.stage,
    stageChanges: opp.stageChanges,
    owner: opp.owner,
    tags: opp.tags,
    sources: opp.sources,
    origin: opp.origin,
    sourcedBy: opp.sourcedBy,
    applications: opp.applicationIds,
    resume: null,
    followers: opp.followers,
    urls: { list: HIRE_APP, show: `${HIRE_APP}/${opp.id}` },
    isAnonymized: contact.isAnonymized,
    dataProtection: null,
    ...(opp.opportunityLocation ? { opportunityLocation: opp.opportunityLocation } : {}),
  };
  const expanders: Record<Expandable, () => unknown> = {
    stage: () => stageView(account.stage(opp.stage)),
    owner: () => user(opp.owner),
    sourcedBy: () => user(opp.sourcedBy),
    followers: () => opp.followers.map(user),
    applications: () => applicationsOf(account, opp).map((a) => applicationView(account, a)),
    contact: () => contactView(account, opp.contactId),
  };
  for (const field of EXPANDABLE) if (shape.expand.has(field)) full[field] = expanders[field]();
  if (shape.include.size === 0) return full;
  // include= keeps only the named fields plus id; expanded fields always stay
  return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || shape.include.has(k) || shape.expand.has(k)));
}

/** An item of `GET /opportunities/deleted`: the id and the two fields §3.1 documents for it, nothing else. */
export const deletedOpportunityView = (d: DeletedOpportunity) => ({ id: d.id, deletedBy: d.deletedBy, deletedAt: d.deletedAt });

export function contactView(account: AccountState, contactId: string) {
  const c = account.contact(contactId);
  return { id: c.id, name: c.name, headline: c.headline, isAnonymized: c.isAnonymized, location: { name: c.location }, emails: c.emails, phones: c.phones };
}

export const applicationsOf = (account: AccountState, opp: Opportunity): Application[] =>
  opp.applicationIds.map((id) => account.applications.get(id)).filter((a): a is Application => a !== undefined);

export function applicationView(account: AccountState, app: Application) {
  const opp = account.opportunity(app.opportunityId);
  const contact = account.contact(opp.contactId);
  const posting = account.postings.get(app.posting);
  return {
    id: app.id, opportunityId: app.opportunityId, candidateId: app.opportunityId, type: app.type,
    posting: app.posting, postingOwner: posting?.owner ?? null, postingHiringManager: posting?.hiringManager ?? null,
    user: app.user, name: contact.name, email: contact.emails[0] ?? null,
    phone: contact.phones[0] ?? null, company: null, links: contact.links, comments: null, customQuestions: [],
    createdAt: app.createdAt, archived: app.archived, requisitionForHire: null,
  };
}
