import { z } from 'zod';
import { DEFAULT_STAGE_ID } from '../defaults';
import { badRequest } from '../errors';
import { newId } from '../ids';
import { ORIGINS, PHONE_TYPES, type Application, type Contact, type Opportunity, type Posting } from '../model';
import type { AccountState } from '../state';
import { opportunityEventIds, touch, unique, type ActionDeps } from './actor';

/** Body of `POST /opportunities` (§3.3); unknown keys are dropped as Lever ignores them. */
export const createOpportunityBody = z.object({
  name: z.string().optional(),
  headline: z.string().optional(),
  location: z.string().optional(),
  emails: z.array(z.string().trim().min(1)).optional(),
  phones: z.array(z.object({ value: z.string(), type: z.enum(PHONE_TYPES).optional() })).optional(),
  links: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  sources: z.array(z.string()).optional(),
  stage: z.string().optional(),
  origin: z.enum(ORIGINS).optional(),
  owner: z.string().optional(),
  followers: z.array(z.string()).optional(),
  postings: z.array(z.string()).max(1, 'At most one posting per create; call again for each posting').optional(),
  createdAt: z.number().int().optional(),
  archived: z.object({ reason: z.string(), archivedAt: z.number().int().optional() }).optional(),
  contact: z.string().optional(),
  opportunityLocation: z.string().optional(),
});
export type CreateOpportunityInput = z.infer<typeof createOpportunityBody>;

export interface CreatedOpportunity { opportunity: Opportunity; deduped: boolean }

/**
 * Always makes a new opportunity; an email matching an existing contact links it to that contact
 * (whose data wins) and reports `deduped`. With `contact`, extra emails/phones/links are appended.
 */
export function createOpportunity(
  { events, account, actor }: ActionDeps, input: CreateOpportunityInput, opts: { ownerFromPosting?: boolean } = {},
): CreatedOpportunity {
  const now = Date.now();
  const createdAt = input.createdAt ?? now;
  if (createdAt > now) throw badRequest('createdAt cannot be in the future');
  const stage = account.stage(input.stage ?? DEFAULT_STAGE_ID);
  const posting = input.postings?.length ? account.posting(input.postings[0]) : undefined;
  if (input.owner) account.user(input.owner);
  input.followers?.forEach((id) => account.user(id));
  const archiveReason = input.archived ? account.archiveReason(input.archived.reason) : undefined;
  const archivedAt = input.archived?.archivedAt ?? now;
  if (archiveReason && archivedAt < createdAt) throw badRequest('archived.archivedAt must be after createdAt');

  const { contact, deduped } = resolveContact(account, input, createdAt);
  const origin = input.origin ?? 'sourced';
  const opportunity: Opportunity = {
    id: newId(),
    contactId: contact.id,
    candidateId: newId(),
    stage: stage.id,
    stageChanges: [{ toStageId: stage.id, toStageIndex: account.stageIndex(stage.id), userId: actor.userId, updatedAt: createdAt }],
    archived: archiveReason ? { reason: archiveReason.id, archivedAt } : null,
    archiveHistory: [],
    tags: unique([...(input.tags ?? []), ...(posting ? postingTags(posting) : [])]),
    sources: unique(input.sources ?? []),
    origin,
    sourcedBy: origin === 'sourced' ? actor.userId : null,
    owner: input.owner ?? (opts.ownerFromPosting && posting ? posting.owner : actor.userId),
    // live creates list the posting owner as follower, not the perform_as user
    followers: unique([...(posting?.owner ? [posting.owner] : []), ...(input.followers ?? [])]),
    applicationIds: [],
    confidentiality: 'non-confidential',
    createdAt,
    updatedAt: now,
    lastInteractionAt: now,
    lastAdvancedAt: createdAt,
    snoozedUntil: null,
    opportunityLocation: input.opportunityLocation ?? null,
    createdBy: actor.userId,
    createdVia: actor.via,
  };
  account.opportunities.set(opportunity.id, opportunity);
  opportunity.tags.forEach((t) => account.knownTags.add(t));
  opportunity.sources.forEach((s) => account.knownSources.add(s));

  if (posting) {
    const application: Application = {
      id: newId(), opportunityId: opportunity.id, type: 'user', posting: posting.id, user: actor.userId,
      createdAt, archived: opportunity.archived,
    };
    account.applications.set(application.id, application);
    opportunity.applicationIds.push(application.id);
    events.emit(account, actor.via, 'applicationCreated',
      { ...opportunityEventIds(opportunity), applicationId: application.id, postingId: posting.id }, opportunity);
  }
  return { opportunity, deduped };
}

function resolveContact(account: AccountState, input: CreateOpportunityInput, createdAt: number): { contact: Contact; deduped: boolean } {
  if (input.contact) {
    const contact = account.contact(input.contact);
    appendContactData(contact, input);
    return { contact, deduped: false };
  }
  const existing = account.contactByEmail(input.emails ?? []);
  if (existing) return { contact: existing, deduped: true };
  const contact: Contact = {
    id: newId(), name: input.name ?? '', headline: input.headline ?? '', location: input.location ?? '',
    emails: unique(input.emails ?? []), phones: input.phones ?? [], links: unique(input.links ?? []),
    isAnonymized: false, createdAt,
  };
  account.contacts.set(contact.id, contact);
  return { contact, deduped: false };
}

function appendContactData(contact: Contact, input: CreateOpportunityInput): void {
  const known = new Set(contact.emails.map((e) => e.toLowerCase()));
  contact.emails.push(...unique(input.emails ?? []).filter((e) => !known.has(e.toLowerCase())));
  contact.phones.push(...(input.phones ?? []).filter((p) => !contact.phones.some((q) => q.value === p.value)));
  contact.links = unique([...contact.links, ...(input.links ?? [])]);
}

/** Postings push their title and categories onto opportunities as tags (observed live). */
function postingTags(posting: Posting): string[] {
  const { team, department, location, commitment } = posting.categories;
  return [posting.text, team, department, location, commitment].filter((t): t is string => !!t);
}

export function changeStage({ events, account, actor }: ActionDeps, opportunityId: string, stageId: string): Opportunity {
  const opp = account.opportunity(opportunityId);
  const stage = account.stage(stageId);
  if (opp.stage === stage.id) return opp;
  const now = Date.now();
  const fromStageId = opp.stage;
  opp.stage = stage.id;
  opp.stageChanges.push({ toStageId: stage.id, toStageIndex: account.stageIndex(stage.id), userId: actor.userId, updatedAt: now });
  opp.lastAdvancedAt = now;
  touch(opp, now);
  events.emit(account, actor.via, 'candidateStageChange', { ...opportunityEventIds(opp), fromStageId, toStageId: stage.id }, opp);
  return opp;
}

export type ListField = 'tags' | 'sources' | 'links';

/** addTags/removeTags, addSources/…, addLinks/… — links live on the contact, the rest on the opportunity. */
export function editList(account: AccountState, opportunityId: string, field: ListField, op: 'add' | 'remove', values: readonly string[]): Opportunity {
  const opp = account.opportunity(opportunityId);
  const apply = (current: string[]) => (op === 'add' ? unique([...current, ...values]) : current.filter((v) => !values.includes(v)));
  if (field === 'links') {
    const contact = account.contact(opp.contactId);
    contact.links = apply(contact.links);
  } else {
    opp[field] = apply(opp[field]);
    if (op === 'add') values.forEach((v) => (field === 'tags' ? account.knownTags : account.knownSources).add(v));
  }
  touch(opp, Date.now());
  return opp;
}
