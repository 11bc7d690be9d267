import { startHarness, type Harness } from './harness';

type NoteBody = {
  id: string; noteId?: string; user: string | null; secret: boolean; createdAt: number;
  fields: Array<{ type: string; text: string; value: string; user: string | null; score: number | null; stage: string }>;
};

describe('Lever sandbox: notes', () => {
  let h: Harness;
  let opportunityId: string;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    opportunityId = h.seed.opportunities[1].id;
  });
  afterAll(() => h.close());

  const post = (body: unknown, query = '') => h.api<{ data: NoteBody }>('POST', `/opportunities/${opportunityId}/notes${query}`, { body });
  const inspectNote = (noteId: string) =>
    h.sandbox.recruiter.inspect(h.seed.accountId, opportunityId).notes.find((n) => n.id === noteId);

  it('returns the full note plus noteId, and records the perform_as author and notifyFollowers', async () => {
    const res = await post({ value: 'CodeSignal score: 812/850', score: 4, notifyFollowers: true }, `?perform_as=${h.seed.defaultUserId}`);
    expect(res.status).toBe(201);
    const note = res.body.data;
    expect(note.noteId).toBe(note.id);
    expect(note).toMatchObject({ user: h.seed.defaultUserId, secret: false });
    expect(note.fields).toEqual([{
      type: 'note', text: 'Comment', value: 'CodeSignal score: 812/850', createdAt: note.createdAt,
      user: h.seed.defaultUserId, score: 4, stage: h.seed.stageIds.assessment,
    }]);
    expect(inspectNote(note.id)).toMatchObject({ author: h.seed.defaultUserId, notifyFollowers: true, createdVia: 'api' });
  });

  it('writes an authorless note when perform_as is omitted, with notifyFollowers false by default', async () => {
    const res = await post({ value: 'No author' });
    expect(res.status).toBe(201);
    expect(res.body.data.user).toBeNull();
    expect(inspectNote(res.body.data.id)).toMatchObject({ author: null, notifyFollowers: false });
  });

  it('rejects an unknown perform_as and invalid bodies', async () => {
    expect((await post({ value: 'x' }, '?perform_as=nobody')).status).toBe(400);
    expect((await post({ value: 'x', score: 5 })).status).toBe(400);
    expect((await post({ score: 2 })).status).toBe(400);
    expect((await post({ value: 'x', createdAt: Date.now() + 86_400_000 })).status).toBe(400);
  });

  it('lists, reads and threads notes', async () => {
    const created = (await post({ value: 'Thread start' })).body.data;
    const reply = await post({ value: 'Follow-up' }, `?note_id=${created.id}&perform_as=${h.seed.userIds.recruiter}`);
    expect(reply.body.data.id).toBe(created.id);
    const one = await h.api<{ data: NoteBody }>('GET', `/opportunities/${opportunityId}/notes/${created.id}`);
    expect(one.body.data.fields.map((f) => [f.value, f.user])).toEqual([['Thread start', null], ['Follow-up', h.seed.userIds.recruiter]]);
    const list = await h.api<{ data: NoteBody[]; hasNext: boolean }>('GET', `/opportunities/${opportunityId}/notes`);
    expect(list.body.data.map((n) => n.id)).toContain(created.id);
    expect(list.body.hasNext).toBe(false);
  });

  it('deletes API-created notes with 204 and an empty body, but not notes written in the UI', async () => {
    const apiNote = (await post({ value: 'delete me' })).body.data;
    const deleted = await h.api('DELETE', `/opportunities/${opportunityId}/notes/${apiNote.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await h.api('GET', `/opportunities/${opportunityId}/notes/${apiNote.id}`)).status).toBe(404);

    const ui = h.sandbox.recruiter.addNote(h.seed.accountId, opportunityId, { value: 'Recruiter note', userId: h.seed.userIds.recruiter });
    const uiNoteId = ui.notes.find((n) => n.fields[0].value === 'Recruiter note')?.id;
    const refused = await h.api('DELETE', `/opportunities/${opportunityId}/notes/${uiNoteId}`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('Forbidden');
  });
});
