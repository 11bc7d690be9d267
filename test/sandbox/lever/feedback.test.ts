import { ALL_PERMISSIONS } from '../../../sandbox/lever/permissions';
import { startHarness, type Harness } from './harness';

type Field = { id: string; type: string; text: string; options?: Array<{ text: string }>; scores?: Array<{ text: string }> };
type Template = { id: string; text: string; fields: Field[] };
type FeedbackItem = { id: string; baseTemplateId: string; fieldValues: Array<{ id: string; value: unknown }>; panel: string | null; interview: string | null };

const SCORE_SYSTEM = { type: 'score-system', text: 'Overall' } as const;

describe('Lever sandbox: feedback templates and feedback (§3.8)', () => {
  let h: Harness;
  let opportunityId: string;
  let asUser: string;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    opportunityId = h.seed.opportunities[0].id;
    asUser = `?perform_as=${h.seed.defaultUserId}`;
  });
  afterAll(() => h.close());

  const everyType = [
    SCORE_SYSTEM,
    { type: 'text', text: 'Test' },
    { type: 'textarea', text: 'Notes' },
    { type: 'code', text: 'Snippet' },
    { type: 'date', text: 'Completed' },
    { type: 'dropdown', text: 'Level', options: [{ text: 'Junior' }, { text: 'Senior' }] },
    { type: 'multiple-choice', text: 'Track', options: [{ text: 'Backend' }, { text: 'Frontend' }] },
    { type: 'multiple-select', text: 'Languages', options: [{ text: 'Go' }, { text: 'TypeScript' }] },
    { type: 'score', text: 'Coding' },
    { type: 'yes-no', text: 'Proctored' },
    { type: 'scorecard', text: 'Skills', scores: [{ text: 'Design' }, { text: 'Testing', description: 'unit tests' }] },
  ];
  const makeTemplate = async (fields: unknown[] = everyType, text = 'Assessment') => {
    const res = await h.api<{ data: Template }>('POST', '/feedback_templates', { body: { text, fields } });
    expect(res.status).toBe(201);
    return res.body.data;
  };
  const idOf = (t: Template, text: string) => t.fields.find((f) => f.text === text)!.id;
  const postFeedback = (body: unknown, query = asUser) => h.api<{ data: FeedbackItem; message?: string }>('POST', `/opportunities/${opportunityId}/feedback${query}`, { body });

  it('creates a template with every field type, gives each field an id and the score-system its four options', async () => {
    const t = await makeTemplate();
    expect(t.text).toBe('Assessment');
    expect(t.fields.map((f) => f.type)).toEqual(everyType.map((f) => f.type));
    expect(new Set(t.fields.map((f) => f.id)).size).toBe(everyType.length);
    expect(t.fields[0]!.options).toEqual([{ text: '4 - Strong Hire' }, { text: '3 - Hire' }, { text: '2 - No Hire' }, { text: '1 - Strong No Hire' }]);
    const list = await h.api<{ data: Template[]; hasNext: boolean }>('GET', '/feedback_templates');
    expect(list.body.hasNext).toBe(false);
    expect(list.body.data.map((x) => x.id)).toContain(t.id);
    expect((await h.api('GET', `/feedback_templates/${t.id}`)).body).toEqual({ data: expect.objectContaining({ id: t.id, fields: t.fields }) });
  });

  it.each([
    ['no score-system field', [{ type: 'text', text: 'A' }], /exactly one score-system field \(it has 0\)/],
    ['two score-system fields', [SCORE_SYSTEM, SCORE_SYSTEM], /exactly one score-system field \(it has 2\)/],
    ['an unknown type', [SCORE_SYSTEM, { type: 'currency', text: 'Salary' }], /type must be one of/],
    ['a dropdown without options', [SCORE_SYSTEM, { type: 'dropdown', text: 'Level' }], /options/],
    ['other score-system options', [{ ...SCORE_SYSTEM, options: [{ text: 'Yes' }] }], /score-system field's options are/],
    ['an unknown key', [SCORE_SYSTEM, { type: 'text', text: 'A', label: 'B' }], /label/],
  ])('refuses a template with %s (400 naming it)', async (_what, fields, message) => {
    const res = await h.api('POST', '/feedback_templates', { body: { text: 'Bad', fields } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'BadRequest', message: expect.stringMatching(message) });
  });

  it('PUT replaces the template and gives every field a new id; feedback already written keeps the old ids', async () => {
    const t = await makeTemplate([SCORE_SYSTEM, { type: 'text', text: 'Test' }]);
    const written = await postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, 'Test'), value: 'old' }] });
    expect(written.status).toBe(201);
    const put = await h.api<{ data: Template }>('PUT', `/feedback_templates/${t.id}`, { body: { text: 'Renamed', fields: [SCORE_SYSTEM, { type: 'text', text: 'Test' }, { type: 'date', text: 'When' }] } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ id: t.id, text: 'Renamed' });
    expect(put.body.data.fields.map((f) => f.id).some((id) => t.fields.some((old) => old.id === id))).toBe(false);
    // the old field id no longer fits the template…
    const stale = await postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, 'Test'), value: 'x' }] });
    expect(stale.status).toBe(400);
    expect(stale.body.message).toMatch(/is not a field of the feedback template/);
    // …but the feedback written with it keeps it, and a PUT of that feedback is checked against those fields
    const replaced = await h.api<{ data: FeedbackItem }>('PUT', `/opportunities/${opportunityId}/feedback/${written.body.data.id}${asUser}`, {
      body: { fieldValues: [{ id: idOf(t, 'Test'), value: 'new' }] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data.fieldValues).toEqual([{ id: idOf(t, 'Test'), value: 'new' }]);
  });

  it('writes feedback by perform_as with every value shape of §3.8, and lists it', async () => {
    const t = await makeTemplate();
    const values = [
      { id: idOf(t, 'Overall'), value: '3 - Hire' },
      { id: idOf(t, 'Test'), value: 'Backend screen' },
      { id: idOf(t, 'Notes'), value: 'long text' },
      { id: idOf(t, 'Snippet'), value: 'fn main() {}' },
      { id: idOf(t, 'Completed'), value: 1_700_000_000_000 },
      { id: idOf(t, 'Level'), value: 'Senior' },
      { id: idOf(t, 'Track'), value: 'Backend' },
      { id: idOf(t, 'Languages'), value: ['Go', 'TypeScript'] },
      { id: idOf(t, 'Coding'), value: 4 },
      { id: idOf(t, 'Proctored'), value: null },
      { id: idOf(t, 'Skills'), value: [{ score: 3, comment: 'clean' }, { score: null }] },
    ];
    const res = await postFeedback({ baseTemplateId: t.id, fieldValues: values });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ baseTemplateId: t.id, fieldValues: values, panel: null, interview: null });
    const list = await h.api<{ data: FeedbackItem[] }>('GET', `/opportunities/${opportunityId}/feedback`);
    expect(list.body.data.find((f) => f.id === res.body.data.id)).toMatchObject({ fieldValues: values });
    const seen = h.sandbox.recruiter.feedback(h.seed.accountId, opportunityId).find((f) => f.id === res.body.data.id)!;
    expect(seen).toMatchObject({ author: h.seed.defaultUserId, createdVia: 'api', template: { id: t.id, text: 'Assessment', stillExists: true } });
    expect(seen.fields.find((f) => f.text === 'Languages')!.value).toEqual(['Go', 'TypeScript']);
    expect(h.sandbox.recruiter.inspect(h.seed.accountId, opportunityId).feedback.map((f) => f.id)).toContain(res.body.data.id);
  });

  it.each([
    ['a string for a date', 'Completed', '2026-01-01', /integer/],
    ['a label that is no option', 'Level', 'senior', /must be exactly one of "Junior", "Senior"/],
    ['a comma-joined multiple-select', 'Languages', 'Go,TypeScript', /array of option texts/],
    ['a score of 5', 'Coding', 5, /1–4 or null/],
    ['"true" for yes-no', 'Proctored', true, /"yes", "no" or null/],
    ['a scorecard missing a skill', 'Skills', [{ score: 2 }], /per skill \(2\)/],
    ['a number for text', 'Test', 12, /must be a string/],
    ['an unknown score-system text', 'Overall', 'Hire', /must be exactly one of/],
  ])('refuses %s (400 naming the field)', async (_what, label, value, message) => {
    const t = await makeTemplate();
    const res = await postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, label), value }] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(res.body.message).toContain(idOf(t, label));
  });

  it('refuses feedback without baseTemplateId, with an unknown one, with panel but no interview, or with a field given twice', async () => {
    const t = await makeTemplate();
    expect((await postFeedback({})).body.message).toMatch(/baseTemplateId/);
    expect((await postFeedback({ baseTemplateId: 'nope' })).body.message).toMatch(/baseTemplateId: nope is not a feedback template/);
    const half = await postFeedback({ baseTemplateId: t.id, panel: 'p' });
    expect(half.status).toBe(400);
    expect(half.body.message).toMatch(/both or neither/);
    const unknownPanel = await postFeedback({ baseTemplateId: t.id, panel: 'p', interview: 'i' });
    expect(unknownPanel.body.message).toMatch(/panel: p is not a panel/);
    const twice = await postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, 'Test'), value: 'a' }, { id: idOf(t, 'Test'), value: 'b' }] });
    expect(twice.body.message).toMatch(/given twice/);
  });

  it('requires perform_as on every feedback write (§1.8), and names no user on template writes', async () => {
    const t = await makeTemplate();
    const missing = await postFeedback({ baseTemplateId: t.id }, '');
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/perform_as is required/);
    const made = await postFeedback({ baseTemplateId: t.id });
    expect((await h.api('PUT', `/opportunities/${opportunityId}/feedback/${made.body.data.id}`, { body: {} })).status).toBe(400);
    expect((await h.api('DELETE', `/opportunities/${opportunityId}/feedback/${made.body.data.id}`)).status).toBe(400);
  });

  it('PUT of feedback replaces every value (omitted ones are cleared); DELETE answers 204', async () => {
    const t = await makeTemplate();
    const made = await postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, 'Test'), value: 'a' }, { id: idOf(t, 'Coding'), value: 2 }] });
    const path = `/opportunities/${opportunityId}/feedback/${made.body.data.id}${asUser}`;
    const put = await h.api<{ data: FeedbackItem }>('PUT', path, { body: { fieldValues: [{ id: idOf(t, 'Coding'), value: 3 }] } });
    expect(put.body.data.fieldValues).toEqual([{ id: idOf(t, 'Coding'), value: 3 }]);
    expect((await h.api('PUT', path, { body: { baseTemplateId: t.id } })).status).toBe(400);
    const deleted = await h.api('DELETE', path);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await h.api('DELETE', path)).status).toBe(404);
  });

  it('deletes only templates made through the API; a template made in Lever cannot be changed or deleted through it', async () => {
    const ui = h.sandbox.recruiter.createFeedbackTemplate(h.seed.accountId, { text: 'Onsite', fields: [SCORE_SYSTEM] });
    expect((await h.api('DELETE', `/feedback_templates/${ui.id}`)).status).toBe(403);
    expect((await h.api('PUT', `/feedback_templates/${ui.id}`, { body: { text: 'x', fields: [SCORE_SYSTEM] } })).status).toBe(403);
    const api = await makeTemplate([SCORE_SYSTEM]);
    expect((await h.api('DELETE', `/feedback_templates/${api.id}`)).status).toBe(204);
    expect((await h.api('DELETE', `/feedback_templates/${api.id}`)).status).toBe(404);
    // an admin deletes any template in Lever's settings (control API)
    expect((await h.control('DELETE', `/accounts/${h.seed.accountId}/feedback-templates/${ui.id}`)).status).toBe(204);
  });

  it('enforces the §4 scopes: feedback:* for feedback, feedback_templates:* for templates', async () => {
    const t = await makeTemplate();
    const without = (scopes: string[]) => h.sandbox.admin.createKey(h.seed.accountId, { permissions: ALL_PERMISSIONS.filter((p) => !scopes.includes(p)) }).key;
    const noFeedbackWrite = without(['feedback:write:admin']);
    const refused = await h.api('POST', `/opportunities/${opportunityId}/feedback${asUser}`, { key: noFeedbackWrite, body: { baseTemplateId: t.id } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('feedback:write:admin');
    expect((await h.api('GET', `/opportunities/${opportunityId}/feedback`, { key: without(['feedback:read:admin', 'feedback:write:admin']) })).status).toBe(403);
    const noTemplates = without(['feedback_templates:read:admin', 'feedback_templates:write:admin']);
    expect((await h.api('GET', '/feedback_templates', { key: noTemplates })).status).toBe(403);
    expect((await h.api('POST', '/feedback_templates', { key: noTemplates, body: { text: 'x', fields: [SCORE_SYSTEM] } })).status).toBe(403);
    expect((await h.api('DELETE', `/feedback_templates/${t.id}`, { key: noTemplates })).status).toBe(403);
  });

  it('a lost response on the feedback POST: the write is committed, the client sees the connection drop', async () => {
    const t = await makeTemplate();
    const before = h.sandbox.recruiter.feedback(h.seed.accountId, opportunityId).length;
    await h.control('PUT', `/accounts/${h.seed.accountId}/faults`, { dropNext: 1 });
    await expect(postFeedback({ baseTemplateId: t.id, fieldValues: [{ id: idOf(t, 'Test'), value: 'dropped' }] })).rejects.toThrow();
    const after = h.sandbox.recruiter.feedback(h.seed.accountId, opportunityId);
    expect(after).toHaveLength(before + 1);
    expect(after.some((f) => f.fields.some((x) => x.value === 'dropped'))).toBe(true);
  });
});

describe('Lever sandbox: sparse feedback answers', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ sparse: true, rateLimit: { perSecond: 1000, burst: 1000 } }); });
  afterAll(() => h.close());

  it('answers a feedback item as its id, template and values only', async () => {
    const t = (await h.api<{ data: Template }>('POST', '/feedback_templates', { body: { text: 'T', fields: [SCORE_SYSTEM] } })).body.data;
    const oppId = h.seed.opportunities[0].id;
    const made = await h.api<{ data: Record<string, unknown> }>('POST', `/opportunities/${oppId}/feedback?perform_as=${h.seed.defaultUserId}`, {
      body: { baseTemplateId: t.id, fieldValues: [{ id: t.fields[0]!.id, value: '4 - Strong Hire' }] },
    });
    expect(Object.keys(made.body.data).sort()).toEqual(['baseTemplateId', 'fieldValues', 'id']);
  });
});
