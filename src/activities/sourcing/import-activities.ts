import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { ImportCandidateRequest } from '../../api/sourcing/contract';
import { claimImport, findCandidateLink, findCandidateLinksByOpportunity, recordCandidateLink, releaseImportClaim, type CandidateLink } from './candidate-links';
import type { Db } from '../../db/pool';
import { findMappedLeverUserId } from '../../integrations/mappings/repository';
import type { LeverClient, NewOpportunity } from '../../lever/client';
import type { LeverOpportunity } from '../../lever/schemas';
import type { ImportNoteFacts, ImportOutcome, ImportResult } from '../../workflows/sourcing/import-messages';
import { noteMarker } from '../../lever/writes';
import type { IntegrationContexts } from '../../integrations/context';
import type { CandidateDirectory } from '../../db/candidate-directory';
import { directoryKeeper } from '../shared/directory';

/** Where every import lands in Lever, and the source it is credited to. */
export const IMPORT_STAGE_ID = 'lead-new';
export const IMPORT_SOURCE = 'CodeSignal';

/**
 * How long one import holds its person's lease. Far above what a lookup and a create take (each Lever
 * call times out after 15 s), so a lease only lapses for a holder that has crashed.
 */
const CLAIM_TTL_MS = 2 * 60_000;

const importNoteRef = (codesignalCandidateId: string) => noteMarker(`import/${codesignalCandidateId}`);

function resultFrom(link: CandidateLink, outcome: ImportOutcome): ImportResult {
  return {
    leverOpportunityId: link.leverOpportunityId,
    outcome,
    requestedByUserId: link.requestedByCodesignalUserId,
    createdByLeverUserId: link.createdByLeverUserId,
    noteFacts: { creatorFallback: link.creatorFallback, linkedExisting: link.outcome === 'linked', contactDeduped: link.contactDeduped },
  };
}

const linksOf = (request: ImportCandidateRequest): string[] => [...new Set([...(request.profileUrl ? [request.profileUrl] : []), ...request.links])];

function opportunityBody(request: ImportCandidateRequest): NewOpportunity {
  return {
    name: request.name,
    emails: request.emails,
    ...(request.phones.length ? { phones: request.phones.map((value) => ({ value })) } : {}),
    links: linksOf(request),
    tags: request.tags,
    sources: [IMPORT_SOURCE],
    origin: 'sourced',
    stage: IMPORT_STAGE_ID,
    ...(request.postingId ? { postings: [request.postingId] as [string] } : {}),
  };
}

/** Adds the profile links and tags an opportunity lacks (a deduped contact keeps its own links). */
async function ensureProfile(lever: LeverClient, opportunity: LeverOpportunity, request: ImportCandidateRequest, actor: string): Promise<void> {
  const links = linksOf(request).filter((l) => !opportunity.links.includes(l));
  const tags = request.tags.filter((t) => !opportunity.tags.includes(t));
  if (links.length) await lever.addLinks(opportunity.id, links, actor);
  if (tags.length) await lever.addTags(opportunity.id, tags, actor);
}

/**
 * The active opportunity this person already has in Lever, if any: one an earlier import linked,
 * else one credited to CodeSignal, else the newest. `ownLostCreate` says it is most likely this
 * import's own create whose answer was lost: credited to CodeSignal and linked to no candidate yet.
 */
async function findActiveOpportunity(
  lever: LeverClient,
  db: Db,
  integrationId: string,
  email: string,
): Promise<{ opportunity: LeverOpportunity; ownLostCreate: boolean } | undefined> {
  const { data } = await lever.listOpportunities({ email, archived: false });
  const active = data.filter((o) => o.archived === null);
  if (active.length === 0) return undefined;
  const ranked = [];
  for (const opportunity of active) {
    const linked = (await findCandidateLinksByOpportunity(db, integrationId, opportunity.id)).length > 0;
    ranked.push({ opportunity, linked, fromCodeSignal: (opportunity.sources ?? []).includes(IMPORT_SOURCE) });
  }
  ranked.sort((a, b) => Number(b.linked) - Number(a.linked) || Number(b.fromCodeSignal) - Number(a.fromCodeSignal) || (b.opportunity.createdAt ?? 0) - (a.opportunity.createdAt ?? 0));
  const best = ranked[0]!;
  return { opportunity: best.opportunity, ownLostCreate: best.fromCodeSignal && !best.linked };
}

function renderImportNote(facts: ImportNoteFacts, request: ImportCandidateRequest): string {
  const lines = [`Imported from CodeSignal sourcing: ${request.name} (${request.emails[0]}).`];
  if (facts.creatorFallback) {
    const { name, email, codesignalUserId } = request.sourcedBy;
    const who = name ? `${name}${email ? ` (${email})` : ''}` : `CodeSignal user ${codesignalUserId}`;
    lines.push(
      `${who} asked for the import but has no mapped Lever user, so the integration's default Lever user created it. ` +
        'Map this user in the integration’s user mapping to credit future imports to them.',
    );
  }
  if (facts.linkedExisting) {
    lines.push('Lever already had an active opportunity for this e-mail, so the CodeSignal candidate was linked to it instead of creating another one.');
  }
  if (facts.contactDeduped) {
    lines.push('Lever matched the e-mail to an existing contact: this new opportunity joins that contact’s earlier, archived ones.');
  }
  return lines.join('\n');
}

/**
 * The import's calls. Lever has no idempotency keys, so the import runs under a per-person lease
 * and looks for its own effect first (the recorded link, then an active opportunity for the
 * e-mail): a retry after a lost create answer finds the opportunity instead of making a second.
 * The opportunity created or adopted is kept in the candidate `directory` (best effort), so the admin
 * UI names the imported candidate.
 */
export function createImportActivities({ contexts, directory }: { contexts: IntegrationContexts; directory?: CandidateDirectory }) {
  const keepInDirectory = directoryKeeper(directory);
  const activities = {
    async importSourcingCandidate(input: { integrationId: string; codesignalCandidateId: string; request: ImportCandidateRequest }): Promise<ImportResult> {
      const ctx = await contexts.get(input.integrationId);
      const { db, lever } = ctx;
      const { request } = input;
      const recorded = await findCandidateLink(db, input.integrationId, input.codesignalCandidateId);
      if (recorded) return resultFrom(recorded, 'already-imported');

      // The sourcing API requires an e-mail: without one nothing in Lever could be looked up again, so a lost answer could mean a duplicate.
      const email = request.emails[0]!;
      const requestedBy = request.sourcedBy.codesignalUserId;
      const mapped = await findMappedLeverUserId(db, input.integrationId, requestedBy);
      const creator = mapped ?? ctx.performAs();

      const holder = randomUUID();
      const claim = () => claimImport(db, input.integrationId, email, holder, CLAIM_TTL_MS);
      // retried with backoff: the other import of this person finishes within seconds
      if (!(await claim())) throw ApplicationFailure.retryable('another import of this person is in progress', 'ImportInProgress');
      try {
        const again = await findCandidateLink(db, input.integrationId, input.codesignalCandidateId);
        if (again) return resultFrom(again, 'already-imported');

        let opportunity: LeverOpportunity;
        let outcome: 'created' | 'linked';
        let contactDeduped = false;
        const existing = await findActiveOpportunity(lever, db, input.integrationId, email);
        if (existing) {
          opportunity = existing.opportunity;
          outcome = existing.ownLostCreate ? 'created' : 'linked';
          await ensureProfile(lever, opportunity, request, creator);
        } else {
          // the lease is renewed right before the one write that must not happen twice
          if (!(await claim())) throw ApplicationFailure.retryable('the import lease on this person lapsed', 'ImportInProgress');
          const created = await lever.createOpportunity({ performAs: creator, body: opportunityBody(request) });
          opportunity = created.opportunity;
          outcome = 'created';
          contactDeduped = created.deduped;
          // Lever keeps a deduped contact's own data, so the profile link may be missing; `deduped` is [O] (§3.3), so always check
          await ensureProfile(lever, opportunity, request, creator);
        }
        // as Lever shows it: a deduped contact or an adopted opportunity keeps its own name
        await keepInDirectory(input.integrationId, opportunity);
        const link = await recordCandidateLink(db, {
          integrationId: input.integrationId,
          codesignalCandidateId: input.codesignalCandidateId,
          leverOpportunityId: opportunity.id,
          leverContactId: opportunity.contact,
          candidateEmail: email,
          outcome,
          requestedByCodesignalUserId: requestedBy,
          createdByLeverUserId: creator,
          creatorFallback: mapped === undefined,
          contactDeduped,
        });
        return resultFrom(link, link.leverOpportunityId === opportunity.id ? outcome : 'already-imported');
      } finally {
        await releaseImportClaim(db, input.integrationId, email, holder).catch(() => undefined);
      }
    },

    /** One note per imported candidate, found again by its marker so a retry never posts it twice. */
    async postImportNote(input: {
      integrationId: string;
      codesignalCandidateId: string;
      opportunityId: string;
      request: ImportCandidateRequest;
      performAs: string;
      facts: ImportNoteFacts;
    }): Promise<void> {
      const { lever } = await contexts.get(input.integrationId);
      const marker = importNoteRef(input.codesignalCandidateId);
      const existing = await lever.listAllNotes(input.opportunityId);
      if (existing.some((n) => n.fields.some((f) => typeof f.value === 'string' && f.value.includes(marker)))) return;
      const value = renderImportNote(input.facts, input.request);
      await lever.createNote(input.opportunityId, { value: `${value}\n\n${marker}`, notifyFollowers: false, performAs: input.performAs });
    },
  };
  return activities;
}

export type ImportActivities = ReturnType<typeof createImportActivities>;
