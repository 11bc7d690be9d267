import type { LeverClient } from './client';

/**
 * Lever has no idempotency keys, so each write first looks for its own effect and writes only what
 * is missing: a retry after a lost response never writes twice. Shared by every flow.
 */

/** The marker line that makes a note findable again, so a retried write never posts it twice. */
export const noteMarker = (noteRef: string) => `[CodeSignal integration ref ${noteRef}]`;

/** A note is found again by its marker, made from the opportunity and the flow's own ref for it. */
export async function ensureNote(
  lever: LeverClient,
  opportunityId: string,
  note: { ref: string; text: string; notifyFollowers: boolean; performAs: string },
): Promise<void> {
  const marker = noteMarker(`${opportunityId}/${note.ref}`);
  const existing = await lever.listAllNotes(opportunityId);
  if (existing.some((n) => n.fields.some((f) => typeof f.value === 'string' && f.value.includes(marker)))) return;
  await lever.createNote(opportunityId, { value: `${note.text}\n\n${marker}`, notifyFollowers: note.notifyFollowers, performAs: note.performAs });
}

export async function ensureTags(lever: LeverClient, opportunityId: string, change: { add: string[]; remove: string[] }, performAs: string): Promise<void> {
  const { tags } = await lever.getOpportunity(opportunityId);
  const toRemove = change.remove.filter((t) => tags.includes(t) && !change.add.includes(t));
  const toAdd = change.add.filter((t) => !tags.includes(t));
  if (toRemove.length) await lever.removeTags(opportunityId, toRemove, performAs);
  if (toAdd.length) await lever.addTags(opportunityId, toAdd, performAs);
}

export async function ensureLink(lever: LeverClient, opportunityId: string, url: string, present: boolean, performAs: string): Promise<void> {
  const { links } = await lever.getOpportunity(opportunityId);
  if (present && !links.includes(url)) await lever.addLinks(opportunityId, [url], performAs);
  if (!present && links.includes(url)) await lever.removeLinks(opportunityId, [url], performAs);
}
