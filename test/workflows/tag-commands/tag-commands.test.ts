import { randomUUID } from 'node:crypto';
import { describeTagCommandsSchedule, syncTagCommandsSchedule } from '../../../src/temporal/tag-commands-schedule';
import { parseStoredSettings } from '../../../src/integrations/settings';
import { processMetrics } from '../../../src/observability/metrics';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { IntegrationIdKey } from '../../../src/workflows/shared/search-attributes';
import { tagCommandsScheduleId, tagCommandsWorkflowId, type TagCommandsSummary } from '../../../src/workflows/tag-commands/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { eventually } from '../../support/stack';

const day = 24 * 60 * 60 * 1000;

/**
 * Tag commands end to end (worker, Temporal, PostgreSQL, both sandboxes): a recruiter adds
 * `CodeSignal: resend` (extend 7d, retake, cancel, retry) in Lever; the tag-commands workflow (started
 * directly, as its Schedule would) acts once, posts one note with the outcome and removes the tag,
 * also when Lever's answers are lost, the activity is retried or the worker crashed after acting.
 */
describe('tag commands', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  let created = 0;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Tag commands' });
    const plain = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    // invitations go out at once, without the selection page
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: plain.id } })).status).toBe(200);
    expect((await h.putSettings({ notifyFollowers: false }, 'integration')).status).toBe(200);
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const cs = () => h.sandboxes.codesignalSandbox.control;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;
  const leverAdmin = () => h.sandboxes.leverSandbox.admin;
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const commandNotes = (id: string) => noteTexts(id).filter((t) => t.startsWith('CodeSignal tag command'));
  const sessionsFor = (email: string) => cs().sessions(companyId()).filter((s) => s.candidate.email === email);
  const emails = (sessionId: string, kind: string) => cs().outbox(companyId()).filter((m) => m.sessionId === sessionId && m.kind === kind);
  const assessment = (id: string, n = 1) => h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, id, n));
  const audits = async (id: string) =>
    (await h.stack.db.query<{ action: string; actor_kind: string; outcome: number; details: Record<string, unknown> }>(
      `SELECT action, actor_kind, outcome, details FROM audit_log WHERE integration_id = $1 AND target LIKE $2 ORDER BY id`,
      [h.integration.id, `opportunityId=${id} %`],
    )).rows;

  function newCandidate(stageId?: string) {
    created += 1;
    const email = `tag-commands-${created}-${randomUUID().slice(0, 8)}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, {
      name: `Toni Tagcommand${created}`,
      emails: [email],
      ...(stageId ? { stage: stageId } : {}),
      userId: seed().userIds.recruiter,
    });
    return { id: opp.id, email };
  }
  /** A candidate moved to the assessment stage by a recruiter, once invited. */
  async function invitedCandidate() {
    const c = newCandidate();
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await eventually(async () => {
      expect((await assessment(c.id).query(assessmentStateQuery)).status).toBe('invited');
      return sessionsFor(c.email)[0]!;
    }, 30_000);
    return { ...c, session };
  }
  /** The recruiter adds a tag in Lever's UI (no webhook for tags). */
  const addTag = (id: string, tag: string) => h.sandboxes.leverSandbox.recruiter.addTags(seed().accountId, id, { tags: [tag], userId: seed().userIds.recruiter });
  /** One run, as the Schedule starts it. */
  const run = (): Promise<TagCommandsSummary> =>
    h.stack.client.workflow.execute('tagCommandsWorkflow', {
      workflowId: `${tagCommandsWorkflowId(h.integration.id)}-test-${randomUUID()}`,
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
    });
  /** lcs_tag_commands_total of this integration's resends that were done (the worker runs in this process). */
  const resendsCounted = async () =>
    Number(new RegExp(`lcs_tag_commands_total\\{integration_id="${h.integration.id}",command="resend",outcome="done"\\} (\\d+)`).exec(await processMetrics().text())?.[1] ?? 0);
  /** Until no Lever request has come for a moment (what earlier tests started has finished writing). */
  const leverQuiet = () =>
    eventually(async () => expect(Date.now() - (leverAdmin().requests(seed().accountId).at(-1)?.at ?? 0)).toBeGreaterThan(1_500), 30_000, 250);
  const resultsFor = (summary: TagCommandsSummary, id: string) => summary.results.filter((r) => r.opportunityId === id);

  it('resend: the invitation goes out again once, one note says so, the tag is removed, the audit log has it; the same tag added later is a new command', async () => {
    const countedBefore = await resendsCounted();
    const c = await invitedCandidate();
    addTag(c.id, 'CodeSignal: resend');
    const summary = await run();
    expect(summary).toMatchObject({ enabled: true, failed: 0 });
    expect(resultsFor(summary, c.id)).toEqual([{ opportunityId: c.id, tag: 'CodeSignal: resend', outcome: 'done', message: 'the invitation of assessment 1 is sent again' }]);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: resend');
    expect(commandNotes(c.id)).toEqual([expect.stringMatching(/^CodeSignal tag command “CodeSignal: resend”: done — the invitation of assessment 1 is sent again\. The tag was removed\./)]);
    await eventually(async () => expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation for') && t.includes('sent again'))).toHaveLength(1));
    expect(emails(c.session.id, 'resend')).toHaveLength(1);
    expect(await audits(c.id)).toEqual([
      { action: 'tag command resend', actor_kind: 'service', outcome: 200, details: expect.objectContaining({ leverTag: 'CodeSignal: resend', outcome: 'done', assessmentId: '1' }) },
    ]);

    // nothing left: a second run does nothing
    expect(resultsFor(await run(), c.id)).toEqual([]);
    expect(emails(c.session.id, 'resend')).toHaveLength(1);

    // added again later: a new command
    addTag(c.id, 'CodeSignal: resend');
    expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done' }]);
    await eventually(async () => expect(emails(c.session.id, 'resend')).toHaveLength(2));
    expect(commandNotes(c.id)).toHaveLength(2);
    expect(await audits(c.id)).toHaveLength(2);
    expect(await resendsCounted()).toBe(countedBefore + 2);
  });

  it('extend 7d: the invitation expires 7 days later', async () => {
    const c = await invitedCandidate();
    const before = cs().session(c.session.id).expirationDate;
    addTag(c.id, 'CodeSignal: extend 7d');
    expect(resultsFor(await run(), c.id)).toEqual([{ opportunityId: c.id, tag: 'CodeSignal: extend 7d', outcome: 'done', message: 'assessment 1 is extended by 7 days' }]);
    await eventually(async () => expect(Math.abs(cs().session(c.session.id).expirationDate - (before + 7 * day))).toBeLessThanOrEqual(60_000));
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: extend 7d');
    expect(commandNotes(c.id)).toHaveLength(1);
    expect((await audits(c.id)).map((a) => a.action)).toEqual(['tag command extend']);
  });

  it('cancel: the assessment is cancelled', async () => {
    const c = await invitedCandidate();
    addTag(c.id, 'codesignal: Cancel'); // prefix and name are read case-insensitively
    expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done', message: 'assessment 1 is cancelled' }]);
    expect(await assessment(c.id).result()).toMatchObject({ status: 'cancelled' });
    expect(h.opportunity(c.id).tags).not.toContain('codesignal: Cancel');
    expect(commandNotes(c.id)).toHaveLength(1);
  });

  it('retake: a finished assessment gets a retake', async () => {
    const c = await invitedCandidate();
    cs().submitSession(c.session.id, { score: 0 });
    expect(await assessment(c.id).result()).toMatchObject({ status: 'completed' });
    addTag(c.id, 'CodeSignal: retake');
    expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done', message: 'assessment 2 is a retake of assessment 1: the candidate gets a new invitation' }]);
    const all = await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(assessmentsQuery);
    expect(all.map((a) => [a.assessmentId, a.retakeOf])).toEqual([['1', undefined], ['2', '1']]);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: retake');
  });

  it('refused: nothing to resend — a note says why, the tag is removed', async () => {
    const c = newCandidate(seed().stageIds.phoneScreen);
    addTag(c.id, 'CodeSignal: resend');
    expect(resultsFor(await run(), c.id)).toEqual([{ opportunityId: c.id, tag: 'CodeSignal: resend', outcome: 'refused', message: 'no assessment to resend' }]);
    expect(commandNotes(c.id)).toEqual([expect.stringMatching(/^CodeSignal tag command “CodeSignal: resend”: not done — no assessment to resend\. The tag was removed\./)]);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: resend');
    expect(await audits(c.id)).toMatchObject([{ action: 'tag command resend', outcome: 409 }]);
  });

  it('a look-alike that does not parse (extend 99d) gets a note saying what is understood; lost answers on the note and the tag removal write nothing twice', async () => {
    const c = newCandidate(seed().stageIds.phoneScreen);
    addTag(c.id, 'CodeSignal: extend 99d');
    addTag(c.id, 'CodeSignal: cancelled'); // a status tag: not a command
    await leverQuiet(); // the flows of earlier tests are done writing: the two lost answers are this command's
    const since = Date.now();
    // the note and the tag removal commit, and both answers are lost: the activity is retried
    leverAdmin().updateFaults(seed().accountId, { dropNext: 2 });
    try {
      const summary = await run();
      expect(resultsFor(summary, c.id)).toMatchObject([{ tag: 'CodeSignal: extend 99d', outcome: 'not_understood', message: 'an extension is 1 to 30 days, not 99' }]);
    } finally {
      leverAdmin().updateFaults(seed().accountId, { dropNext: 0 });
    }
    const dropped = leverAdmin().requests(seed().accountId, { since }).filter((r) => r.faults.includes('dropped') && r.path.includes(c.id));
    expect(dropped.map((r) => `${r.method} ${r.path.split('/').at(-1)}`)).toEqual(['POST notes', 'POST removeTags']);
    expect(commandNotes(c.id)).toHaveLength(1);
    expect(commandNotes(c.id)[0]).toContain('was not understood: an extension is 1 to 30 days, not 99. Understood: “CodeSignal: resend”');
    expect(commandNotes(c.id)[0]).toContain('“CodeSignal: extend 7d” (1 to 30 days more)');
    expect(h.opportunity(c.id).tags).toEqual(expect.arrayContaining(['CodeSignal: cancelled']));
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: extend 99d');
    expect(await audits(c.id)).toMatchObject([{ action: 'tag command unknown', outcome: 400, details: { leverTag: 'CodeSignal: extend 99d' } }]);
  });

  it('resend acts once when the worker crashed after acting (nothing recorded but the action) and when Lever answers are lost', async () => {
    const c = await invitedCandidate();
    addTag(c.id, 'CodeSignal: resend');
    // lost answers: whichever Lever writes they hit (ours or the assessment's note), nothing is written twice
    leverAdmin().updateFaults(seed().accountId, { dropNext: 3 });
    try {
      expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done' }]);
    } finally {
      leverAdmin().updateFaults(seed().accountId, { dropNext: 0 });
    }
    await eventually(async () => expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation for') && t.includes('sent again'))).toHaveLength(1));
    expect(emails(c.session.id, 'resend')).toHaveLength(1);

    // The worker crashed right after the Update was accepted: only the assessment and the start of the
    // action were recorded, the note is still to post, the tag still on the opportunity.
    await h.stack.db.query(
      `UPDATE tag_commands SET outcome = NULL, message = NULL, acted_at = NULL, note_posted_at = NULL, closed_at = NULL WHERE integration_id = $1 AND opportunity_id = $2`,
      [h.integration.id, c.id],
    );
    addTag(c.id, 'CodeSignal: resend');
    expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done' }]);
    // the same Temporal Update (same id): Temporal answers the first outcome and the workflow does not resend
    await new Promise((r) => setTimeout(r, 1_000));
    expect(emails(c.session.id, 'resend')).toHaveLength(1);
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation for') && t.includes('sent again'))).toHaveLength(1);
    expect(commandNotes(c.id)).toHaveLength(1); // found by its marker
    expect(await audits(c.id)).toHaveLength(1);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: resend');
  });

  it('retry restarts a flow that stopped: a candidate whose stage-change webhook never came gets the assessment', async () => {
    // created straight into the trigger stage: Lever sends no stage change, nothing starts
    const c = newCandidate(seed().stageIds.assessment);
    await new Promise((r) => setTimeout(r, 500));
    expect(sessionsFor(c.email)).toEqual([]);
    addTag(c.id, 'CodeSignal: retry');
    expect(resultsFor(await run(), c.id)).toMatchObject([{ outcome: 'done', message: expect.stringMatching(/^Lever was read again/) }]);
    await eventually(async () => {
      expect(sessionsFor(c.email)).toHaveLength(1);
      expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation sent'))).toHaveLength(1);
    }, 30_000);
    expect(h.opportunity(c.id).tags).not.toContain('CodeSignal: retry');
    expect(await audits(c.id)).toMatchObject([{ action: 'tag command retry', outcome: 200 }]);
  });

  it('the Schedule follows the settings: every 2 minutes by default, paused when disabled', async () => {
    const deps = { db: h.stack.db, client: h.stack.client, taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE, timeoutMs: 5_000 };
    const settings = parseStoredSettings({ ...h.integration.settings, assessments: { triggerStageIds: [seed().stageIds.assessment] } });
    try {
      // every API process ensures the Schedules of all integrations at its start (one shared test database), so
      // another test's API may have created this one first; what it is then is checked below
      expect(['created', 'updated']).toContain(await syncTagCommandsSchedule(deps, h.integration.id, settings));
      expect(await describeTagCommandsSchedule(deps, h.integration.id)).toMatchObject({ scheduleId: tagCommandsScheduleId(h.integration.id), status: 'active', intervalMinutes: 2 });
      expect(await syncTagCommandsSchedule(deps, h.integration.id, { ...settings, tagCommands: { ...settings.tagCommands, enabled: false } })).toBe('paused');
      expect(await describeTagCommandsSchedule(deps, h.integration.id)).toMatchObject({ status: 'paused' });
    } finally {
      await h.stack.client.schedule.getHandle(tagCommandsScheduleId(h.integration.id)).delete().catch(() => undefined);
    }
  });
});
