import { z } from 'zod';
import { badRequest, LeverError } from '../errors';
import { newId } from '../ids';
import type { Note } from '../model';
import type { AccountState } from '../state';
import { touch, type Actor } from './actor';

/** Body of `POST /opportunities/:id/notes` (§3.5); `perform_as` is a query parameter, never read from here. */
export const createNoteBody = z.object({
  value: z.string().min(1),
  secret: z.boolean().optional(),
  score: z.number().int().min(1).max(4).nullable().optional(),
  notifyFollowers: z.boolean().optional(),
  createdAt: z.number().int().optional(),
});
export type CreateNoteInput = z.infer<typeof createNoteBody>;

/** Creates a note, or with `threadNoteId` appends a comment to that note's thread. */
export function createNote(account: AccountState, actor: Actor, opportunityId: string, input: CreateNoteInput, threadNoteId?: string): Note {
  const opp = account.opportunity(opportunityId);
  const now = Date.now();
  const createdAt = input.createdAt ?? now;
  if (createdAt > now) throw badRequest('createdAt cannot be in the future');
  const comment = { value: input.value, createdAt, user: actor.userId, score: input.score ?? null, stage: opp.stage };
  touch(opp, now);
  if (threadNoteId !== undefined) {
    const thread = account.note(opportunityId, threadNoteId);
    thread.comments.push(comment);
    return thread;
  }
  const note: Note = {
    id: newId(), opportunityId, comments: [comment], user: actor.userId, secret: input.secret ?? false,
    createdAt, notifyFollowers: input.notifyFollowers ?? false, createdVia: actor.via,
  };
  account.notes.set(note.id, note);
  return note;
}

/** Only notes written through the API may be deleted through it. */
export function deleteNote(account: AccountState, opportunityId: string, noteId: string, uiNoteStatus: 403 | 404): void {
  const note = account.note(opportunityId, noteId);
  if (note.createdVia !== 'api') {
    throw uiNoteStatus === 403
      ? new LeverError(403, 'Forbidden', `note ${noteId} was not created through the API and cannot be deleted`)
      : new LeverError(404, 'ResourceNotFound', `notes ${noteId} was not found`);
  }
  account.notes.delete(noteId);
}
