import type { LeverClient } from './client';
import { noteMarker } from '../activities/assessment/notes';

/**
 * Lever has no idempotency keys, so each write first looks for its own effect and writes only what
 * is missing: a retry after a lost response never writes twice. Shared by every flow.
 */

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
