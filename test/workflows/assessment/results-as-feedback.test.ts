import {
  assessmentResult,
  createCandidate,
  leverRequests,
  noteKinds,
  plainTest,
  startFaultHarness,
  waitForInvitation,
  type Candidate,
  type FaultHarness,
} from '../../support/assessment-faults';
import { ensureFeedbackTemplate, FEEDBACK_TEMPLATE_NAME } from '../../../src/activities/assessment/feedback';
import { createLeverClient } from '../../../src/lever/client';
import { noteMarker } from '../../../src/lever/writes';

/**
 * `assessments.resultsAs`: the final result as a Lever feedback form on the integration's own template,
 * end to end through both sandboxes; written once whatever answers are lost, and on a template made again
 * when someone deleted it in Lever.
 */
describe('assessment results as Lever feedback', () => {
  jest.setTimeout(180_000);
  let h: FaultHarness;
  const lever = () => h.sandboxes.leverSandbox;
  const accountId = () => h.sandboxes.lever.seed.accountId;
  const storedTemplate = async () =>
    (await h.stack.db.query<{ template_id: string; fields: Array<{ key: string; id: string }> }>(
      'SELECT template_id, fields FROM lever_feedback_templates WHERE integration_id = $1', [h.integration.id])).rows[0];
  const templatesInLever = () => lever().admin.account(accountId()).feedbackTemplates;
  const feedbackOn = (c: Candidate) => lever().recruiter.feedback(accountId(), c.id);
  const valuesOf = (f: ReturnType<typeof feedbackOn>[number]) => Object.fromEntries(f.fields.map((x) => [x.text, x.value]));

  beforeAll(async () => {
    h = await startFaultHarness();
    await h.startWorker();
    await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } });
  });
  afterEach(() => lever().admin.clearFaults(accountId()));
  afterAll(() => h?.close());

  async function passAssessment(c: Candidate, fraction = 0.9) {
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.ceil(session.maxScore * fraction) });
    await assessmentResult(h, c.id, 60_000);
    return session;
  }

  it('feedback: posts the result as a feedback form by the default user on the integration template, and no result note', async () => {
    await h.putSettings({ resultsAs: 'feedback' });
    const c = createCandidate(h, 'feedback');
    const session = await passAssessment(c);
    const score = Math.ceil(session.maxScore * 0.9);

    const [feedback, ...more] = feedbackOn(c);
    expect(more).toEqual([]);
    expect(feedback).toMatchObject({ author: h.sandboxes.lever.seed.defaultUserId, createdVia: 'api', template: { text: FEEDBACK_TEMPLATE_NAME, stillExists: true } });
    const values = valuesOf(feedback!);
    expect(values).toMatchObject({
      'Recommendation (pass mark)': '3 - Hire',
      Test: plainTest(h).title,
      Score: `${score} / ${session.maxScore} (${Math.round((score / session.maxScore) * 100)}%)`,
      'Integrity / proctoring': 'not proctored',
    });
    // the result note's marker: a retry finds the feedback by it
    const reference = String(values['Integration reference']);
    expect(reference.startsWith(noteMarker(`${c.id}/`).slice(0, -1))).toBe(true);
    expect(reference.endsWith('/result]')).toBe(true);
    expect(values.Completed).toEqual(expect.any(Number));
    expect(values.Report).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/test-result\//);
    expect(values['Task 1']).toMatch(/^.+: (\d+|—) \/ \d+$/);
    // the note is not posted; the rest of the result (tags, report, stage) is
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1 });
    const o = h.opportunity(c.id);
    expect(o.files).toHaveLength(1);
    expect(o.tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: passed']));
    // the template is the service's own, stored by its id
    const stored = await storedTemplate();
    expect(stored?.template_id).toBe(feedback!.template.id);
    expect(templatesInLever().get(stored!.template_id)).toMatchObject({ text: FEEDBACK_TEMPLATE_NAME, createdVia: 'api' });
  });

  it('both: posts the note and the feedback, a failed result as "2 - No Hire", on the same template', async () => {
    await h.putSettings({ resultsAs: 'both' });
    const before = await storedTemplate(); // undefined when this test runs first
    const c = createCandidate(h, 'both');
    await passAssessment(c, 0.2);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1, result: 1 });
    const [feedback, ...more] = feedbackOn(c);
    expect(more).toEqual([]);
    expect(valuesOf(feedback!)['Recommendation (pass mark)']).toBe('2 - No Hire');
    const after = (await storedTemplate())!;
    expect(feedback!.template.id).toBe(after.template_id);
    if (before) expect(after.template_id).toBe(before.template_id);
  });

  it('a lost answer to every Lever write (the feedback POST included) still leaves exactly one feedback', async () => {
    await h.putSettings({ resultsAs: 'feedback' });
    const c = createCandidate(h, 'feedback-dropped');
    const since = Date.now();
    lever().admin.updateFaults(accountId(), { dropNext: 1_000 });
    await passAssessment(c);

    expect(feedbackOn(c)).toHaveLength(1);
    const posts = leverRequests(h).filter((r) => r.at >= since && r.method === 'POST' && r.path === `/v1/opportunities/${c.id}/feedback`);
    // the POST lost its answer after the commit, and its retry found the feedback instead of posting again
    expect(posts.map((r) => ({ status: r.status, faults: r.faults }))).toEqual([{ status: 201, faults: ['dropped'] }]);
    expect(leverRequests(h).some((r) => r.at >= since && r.method === 'GET' && r.path === `/v1/opportunities/${c.id}/feedback`)).toBe(true);
    expect(noteKinds(h, c.id)).toEqual({ invitation: 1 });
  });

  it('makes the template again when it was deleted in Lever (and once, though the create lost its answer)', async () => {
    await h.putSettings({ resultsAs: 'feedback' });
    if (!(await storedTemplate())) await passAssessment(createCandidate(h, 'template-first'));
    const old = (await storedTemplate())!;
    lever().recruiter.deleteFeedbackTemplate(accountId(), old.template_id);
    const c = createCandidate(h, 'template-deleted');
    const since = Date.now();
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    const session = await waitForInvitation(h, c);
    lever().admin.updateFaults(accountId(), { dropNext: 1_000 });
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: session.maxScore });
    await assessmentResult(h, c.id, 60_000);

    const fresh = (await storedTemplate())!;
    expect(fresh.template_id).not.toBe(old.template_id);
    const ours = [...templatesInLever().values()].filter((t) => t.text === FEEDBACK_TEMPLATE_NAME);
    expect(ours.map((t) => t.id)).toEqual([fresh.template_id]);
    const creates = leverRequests(h).filter((r) => r.at >= since && r.method === 'POST' && r.path === '/v1/feedback_templates');
    expect(creates.map((r) => r.faults)).toEqual([['dropped']]);
    const [feedback, ...more] = feedbackOn(c);
    expect(more).toEqual([]);
    expect(feedback!.template).toMatchObject({ id: fresh.template_id, stillExists: true });
    expect(valuesOf(feedback!)['Recommendation (pass mark)']).toBe('3 - Hire');
  });

  it('replaces the template (PUT, new field ids) when a test has more tasks than it has fields, and never shrinks it', async () => {
    const client = createLeverClient({ baseUrl: h.sandboxes.lever.apiUrl, apiKey: h.sandboxes.lever.seed.apiKey });
    const first = await ensureFeedbackTemplate(client, h.stack.db, h.integration.id, 2, { mayHaveWritten: false });
    const tasks = (t: typeof first) => t.fields.filter((f) => f.key.startsWith('task')).length;
    const grown = await ensureFeedbackTemplate(client, h.stack.db, h.integration.id, tasks(first) + 3, { mayHaveWritten: false });
    expect(grown.templateId).toBe(first.templateId);
    expect(tasks(grown)).toBe(tasks(first) + 3);
    expect(grown.fields.some((f) => first.fields.some((old) => old.id === f.id))).toBe(false);
    expect(templatesInLever().get(grown.templateId)!.fields.map((f) => f.id)).toEqual(grown.fields.map((f) => f.id));
    // a test with fewer tasks fits the grown template as it is
    expect(await ensureFeedbackTemplate(client, h.stack.db, h.integration.id, 1, { mayHaveWritten: false })).toEqual(grown);
  });
});
