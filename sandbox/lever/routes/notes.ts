import { Router } from 'express';
import { createNote, createNoteBody, deleteNote } from '../actions/notes';
import { paginate } from '../pagination';
import { queryString } from '../query';
import { parseInput } from '../validation';
import { noteView } from '../views/activity';
import { sparseCreatedNote } from '../views/sparse';
import { accountOf, apiActor, sendData, sendNoContent, sendPage, type V1Deps } from './deps';

export function noteRoutes(deps: V1Deps): Router {
  const { need, options } = deps;
  const router = Router();

  router.get('/opportunities/:opportunityId/notes', need('notes:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    sendPage(res, paginate(req, account.notesOf(req.params.opportunityId).map(noteView), (n) => n.id));
  });

  router.get('/opportunities/:opportunityId/notes/:noteId', need('notes:read:admin'), (req, res) => {
    sendData(res, noteView(accountOf(req).note(req.params.opportunityId, req.params.noteId)));
  });

  router.post('/opportunities/:opportunityId/notes', need('notes:write:admin'), (req, res) => {
    const actor = apiActor(req, deps, false);
    const input = parseInput(createNoteBody, req.body);
    const note = createNote(accountOf(req), actor, req.params.opportunityId, input, queryString(req, 'note_id'));
    // live answers the full note plus `noteId` (the docs show only `noteId`)
    sendData(res, options.sparse ? sparseCreatedNote(note.id) : { ...noteView(note), noteId: note.id }, 201);
  });

  router.delete('/opportunities/:opportunityId/notes/:noteId', need('notes:write:admin'), (req, res) => {
    apiActor(req, deps, false);
    deleteNote(accountOf(req), req.params.opportunityId, req.params.noteId, options.quirks.uiNoteDeleteStatus);
    sendNoContent(res);
  });

  return router;
}
