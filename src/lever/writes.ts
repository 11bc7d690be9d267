import type { LeverClient } from './client';
import type { LeverOpportunity } from './schemas';
import { ExternalApiError } from '../external-api-error';

/**
 * Lever has no idempotency keys, so a write that may be a repeat first looks for its own effect and
 * writes only what is missing: a retry after a lost response never writes twice. That read is needed
 * only when an earlier attempt of the same write may have been committed (`mayHaveWritten`: the
 * activity is being retried, or its workflow may repeat an ended run's writes); a first attempt
 * writes directly (tags only when it has none to remove or knows the tags, see `ensureTags`), so the happy path costs
 * the writes and little else. A note carries its marker either way,
 * so a later retry still finds it. `mayHaveWritten` defaults to true (read first): a caller that
 * cannot tell stays safe. Shared by every flow; the activities decide (src/activities/shared/attempt.ts).
 */
export interface WriteAttempt {
  /** An earlier attempt of this write may have been committed: look for its effect before writing. */
  mayHaveWritten: boolean;
}

const mayRepeat: WriteAttempt = { mayHaveWritten: true };

/** The marker line that makes a note findable again, so a retried write never posts it twice. */
export const noteMarker = (noteRef: string) => `[CodeSignal integration ref ${noteRef}]`;

/** A note is found again by its marker, made from the opportunity and the flow's own ref for it. */
export async function ensureNote(
  lever: LeverClient,
  opportunityId: string,
  /** `performAs` undefined: written by the API key itself (§1.8: optional for notes), as a stop about the default user is. */
  note: { ref: string; text: string; notifyFollowers: boolean; performAs: string | undefined; secret?: boolean },
  attempt: WriteAttempt = mayRepeat,
): Promise<void> {
  const marker = noteMarker(`${opportunityId}/${note.ref}`);
  if (attempt.mayHaveWritten) {
    const existing = await lever.listAllNotes(opportunityId);
    if (existing.some((n) => n.fields.some((f) => typeof f.value === 'string' && f.value.includes(marker)))) return lever.alreadyPresent?.('note');
  }
  await lever.createNote(opportunityId, { value: `${note.text}\n\n${marker}`, notifyFollowers: note.notifyFollowers, performAs: note.performAs, ...(note.secret ? { secret: true } : {}) });
}

/**
 * Removing a link that is not there is harmless by the reference (lever §6 item 6, for tags, [U]);
 * were Lever to refuse it (a 4xx other than 429), the write falls back to reading first.
 */
const refusedAsAbsent = (err: unknown): boolean =>
  err instanceof ExternalApiError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429;

/**
 * Tags are removed only when they are there, also on a first attempt: a flow's `remove` names every
 * tag the new one replaces (most of them absent), and removing absent tags would be a write that
 * changes nothing (and harmless only by a [U] reading). So a first attempt reads only when it has
 * something to remove; one that only adds, adds directly. A caller that knows the tags (`known`: it
 * set or read them itself, so `remove` names only tags that are there and `add` only tags that are
 * not) writes them unread on a first attempt; were Lever to refuse the remove (a 4xx other than 429:
 * a recruiter took the tag off meanwhile), it falls back to reading first.
 *
 * Answers the opportunity as last seen, from the read or from the last write's answer (the full
 * opportunity, §3.4 [O]); undefined when neither carried one (no call made, or an answer without it).
 */
export async function ensureTags(
  lever: LeverClient,
  opportunityId: string,
  change: { add: string[]; remove: string[]; known?: boolean },
  /** Undefined: written by the API key itself (§1.8: optional for tags), as a stop about the default user is. */
  performAs: string | undefined,
  attempt: WriteAttempt = mayRepeat,
): Promise<LeverOpportunity | undefined> {
  const removable = change.remove.filter((t) => !change.add.includes(t));
  const readFirst = async () => {
    const opportunity = await lever.getOpportunity(opportunityId);
    const toRemove = removable.filter((t) => opportunity.tags.includes(t));
    const toAdd = change.add.filter((t) => !opportunity.tags.includes(t));
    let seen: LeverOpportunity | undefined = opportunity;
    if (toRemove.length) seen = await lever.removeTags(opportunityId, toRemove, performAs);
    if (toAdd.length) seen = await lever.addTags(opportunityId, toAdd, performAs);
    if (!toRemove.length && !toAdd.length && (change.add.length || removable.length)) lever.alreadyPresent?.('tag');
    return seen;
  };
  if (attempt.mayHaveWritten || (removable.length > 0 && !change.known)) return readFirst();
  let seen: LeverOpportunity | undefined;
  if (removable.length) {
    try {
      seen = await lever.removeTags(opportunityId, removable, performAs);
    } catch (err) {
      if (!refusedAsAbsent(err)) throw err;
      return readFirst();
    }
  }
  if (change.add.length) seen = await lever.addTags(opportunityId, change.add, performAs);
  return seen;
}

export async function ensureLink(
  lever: LeverClient,
  opportunityId: string,
  url: string,
  present: boolean,
  performAs: string,
  attempt: WriteAttempt = mayRepeat,
): Promise<void> {
  const readFirst = async () => {
    const { links } = await lever.getOpportunity(opportunityId);
    if (present && !links.includes(url)) await lever.addLinks(opportunityId, [url], performAs);
    else if (!present && links.includes(url)) await lever.removeLinks(opportunityId, [url], performAs);
    else lever.alreadyPresent?.('link');
  };
  if (attempt.mayHaveWritten) return readFirst();
  if (present) {
    await lever.addLinks(opportunityId, [url], performAs);
    return;
  }
  try {
    await lever.removeLinks(opportunityId, [url], performAs);
  } catch (err) {
    if (!refusedAsAbsent(err)) throw err;
    await readFirst();
  }
}
