import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy, type WorkflowHandle } from '@temporalio/client';
import { codeSignalSignature } from '../../../sandbox/codesignal/signature';
import { webhookUrls } from '../../../src/integrations/urls';
import { processMetrics } from '../../../src/observability/metrics';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentsQuery, candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { reconciliationScheduleId, reconciliationWorkflowId, type ReconciliationSummary } from '../../../src/workflows/reconciliation/messages';
import { interviewStateQuery } from '../../../src/workflows/interview/messages';
import { assessmentWorkflowId, candidateWorkflowId, interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { IntegrationIdKey } from '../../../src/workflows/shared/search-attributes';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

/**
 * The reconciliation sweep on the real stack (worker, Temporal, PostgreSQL, both sandboxes): what lost
 * Lever and CodeSignal webhooks left undone is done by the next sweep, exactly once, and shown in Activity.
 * The sweep workflow is started directly (as its Schedule would) with no grace period.
 */
describe('reconciliation', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Reconciliation', config: { RECONCILIATION_SCHEDULES: 'on' } });
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    // invitations go out at once; the Schedule is due once a day, at midnight UTC, so it stays out of the tests' way
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: test.id } })).status).toBe(200);
    expect((await h.putSettings({ reconciliation: { enabled: true, intervalMinutes: 1440 } }, 'integration')).status).toBe(200);
    const interviewerId = h.sandboxes.codesignal.seed.users[0]!.id;
    expect((await h.putSettings({ triggerStageIds: [seed().stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewerId, expiryHours: 48 }, 'interviews')).status).toBe(200);
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const account = () => h.sandboxes.leverSandbox.store.account(seed().accountId);
  const cs = () => h.sandboxes.codesignalSandbox.control;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;
  const noteTexts = (id: string) => h.opportunity(id).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const sessionsFor = (email: string) => cs().sessions(companyId()).filter((s) => s.candidate.email === email);
  const candidate = (id: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, id));

  function newCandidate(label: string) {
    const email = `${label}-${randomUUID().slice(0, 8)}@candidates.example`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, {
      name: `Sweep ${label}`,
      emails: [email],
      postings: [seed().postings[0]!.id],
      origin: 'applied',
      userId: seed().userIds.recruiter,
    });
    return { id: opp.id, email };
  }

  /** Until the workflow has nothing left to do for now: no activity pending and its history unchanged for a moment. */
  async function settled(handle: WorkflowHandle): Promise<void> {
    let last = -1;
    await eventually(async () => {
      const d = await handle.describe();
      const length = d.historyLength;
      const idle = (d.raw.pendingActivities ?? []).length === 0 && length === last;
      last = length;
      expect(idle).toBe(true);
    }, 30_000, 500);
  }

  /** One sweep, as the Schedule starts it (IntegrationId set), without leaving anything to the webhooks. */
  const sweep = (): Promise<ReconciliationSummary> =>
    h.stack.client.workflow.execute('reconciliationWorkflow', {
      workflowId: `${reconciliationWorkflowId(h.integration.id)}-test-${randomUUID()}`,
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, graceMs: 0 }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
    });

  /** Lever's candidateStageChange deliveries to the service are lost while `during` runs (the subscription is set aside, then put back). */
  async function withoutLeverStageWebhooks<T>(during: () => Promise<T>): Promise<T> {
    const webhooks = account().webhooks;
    const aside = [...webhooks.values()].filter((w) => w.event === 'candidateStageChange');
    expect(aside.length).toBeGreaterThan(0);
    for (const w of aside) webhooks.delete(w.id);
    try {
      return await during();
    } finally {
      for (const w of aside) webhooks.set(w.id, w);
    }
  }

  async function withCodeSignalWebhookDisabled<T>(during: () => Promise<T>): Promise<T> {
    const endpoints = cs().webhookEndpoints(companyId()).filter((e) => e.url.includes(h.integration.id));
    expect(endpoints).toHaveLength(1);
    cs().disableWebhookEndpoint(companyId(), endpoints[0]!.id);
    try {
      return await during();
    } finally {
      // "test and save" in CodeSignal's UI: re-checked and enabled again
      await cs().updateWebhookEndpoint(companyId(), endpoints[0]!.id, {});
    }
  }

  it('starts the assessment of a candidate whose Lever stage change was lost; a late webhook after the repair changes nothing', async () => {
    const c = newCandidate('lost-stage');
    const summary = await withoutLeverStageWebhooks(async () => {
      h.moveToStage(c.id, seed().stageIds.assessment);
      // nothing reached the service: no candidate workflow
      await new Promise((r) => setTimeout(r, 1_000));
      await expect(candidate(c.id).describe()).rejects.toThrow();
      return sweep();
    });
    expect(summary.outcome).toBe('completed');
    expect(summary.lever).toMatchObject({ failed: 0, truncated: false });
    expect(summary.lever!.repairedOpportunityIds).toContain(c.id);

    // The candidate workflow took the repair as the webhook: Lever confirmed it, the invitation went out.
    const session = await eventually(async () => {
      const [s] = sessionsFor(c.email);
      expect(s).toBeDefined();
      expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation sent'))).toHaveLength(1);
      return s!;
    }, 30_000);
    const state = await candidate(c.id).query(candidateStateQuery);
    expect(state).toMatchObject({ stageId: seed().stageIds.assessment, refusedEvents: 0 });
    const enteredAt = account().opportunity(c.id).stageChanges.at(-1)!.updatedAt;
    expect(state.stageChangedAt).toBe(enteredAt);

    // Lever's webhook after all (its own key, the same stage), and one a little earlier than the entry Lever shows.
    const signingToken = h.integration.leverWebhookSigningTokens[0]!;
    const url = webhookUrls(h.stack.config.publicUrl, h.integration.id).lever;
    for (const triggeredAt of [enteredAt, enteredAt - 1_000]) {
      const data = { opportunityId: c.id, candidateId: c.id, contactId: h.opportunity(c.id).contact, fromStageId: seed().stageIds.newLead, toStageId: seed().stageIds.assessment };
      const res = await postJson(url, signedLeverDelivery(signingToken, 'candidateStageChange', data, triggeredAt));
      expect(res.status).toBeLessThan(300);
    }
    await eventually(async () => expect((await candidate(c.id).query(candidateStateQuery)).eventsReceived).toBe(state.eventsReceived + 2), 30_000);
    // … and the next sweep finds nothing to repair for them.
    const again = await sweep();
    expect(again.lever!.repairedOpportunityIds).not.toContain(c.id);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await candidate(c.id).query(assessmentsQuery)).toHaveLength(1);
    expect(sessionsFor(c.email)).toEqual([session]);
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal invitation sent'))).toHaveLength(1);
    expect((await candidate(c.id).query(candidateStateQuery)).refusedEvents).toBe(0);
  });

  it('brings a result to Lever within one sweep while CodeSignal\'s webhook is disabled, and reports the silent webhook', async () => {
    const c = newCandidate('silent-codesignal');
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await eventually(async () => {
      const [s] = sessionsFor(c.email);
      expect(s).toBeDefined();
      expect(h.opportunity(c.id).tags).toContain('CodeSignal: invited');
      return s!;
    }, 30_000);
    const assessment = h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1));
    // the invitation's own webhooks have all been delivered, and acted on, before the webhook goes silent
    await eventually(async () => expect(cs().deliveries(companyId(), { state: 'queued' })).toEqual([]), 30_000);
    await settled(assessment);
    const summary = await withCodeSignalWebhookDisabled(async () => {
      cs().submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
      await new Promise((r) => setTimeout(r, 1_500));
      // no webhook: the workflow still waits
      expect((await assessment.query(assessmentStateQuery)).status).toBe('invited');
      return sweep();
    });
    expect(summary.codesignal).toMatchObject({ failed: 0, webhookMissed: 1 });
    expect(summary.codesignal!.repaired.finished).toBe(1);
    expect(summary.codesignal!.repairedWorkflowIds).toEqual([assessmentWorkflowId(h.integration.id, c.id, 1)]);
    expect(summary.codesignalWebhookSilent).toBe(true);

    expect(await assessment.result()).toMatchObject({ status: 'completed', score: Math.ceil(session.maxScore * 0.9) });
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal result:'))).toHaveLength(1);

    // CodeSignal's webhook after all: the assessment is over, nothing waits for it.
    const csUrl = webhookUrls(h.stack.config.publicUrl, h.integration.id).codesignal;
    const triggeredOn = Date.now();
    const late = await postJson(
      csUrl,
      { event: 'companyTestSessionFinished', triggeredOn, payload: { testSessionId: session.id, score: Math.ceil(session.maxScore * 0.9), maxScore: session.maxScore } },
      { 'x-codesignal-signature': codeSignalSignature(h.integration.codesignalWebhookSecret!, csUrl, 'companyTestSessionFinished', triggeredOn) },
    );
    expect(late.status).toBe(200);
    expect(await readJson(late)).toMatchObject({ status: 'ignored', reason: 'closed' });
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal result:'))).toHaveLength(1);
    expect(h.opportunity(c.id).files).toHaveLength(1);

    // Activity shows the run, its repair and the silent webhook; the metrics count them.
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/reconciliation`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    const { runs } = await readJson(res);
    const run = runs.find((r: { findings: ReconciliationSummary }) => r.findings.codesignal?.repairedWorkflowIds.includes(assessmentWorkflowId(h.integration.id, c.id, 1)));
    expect(run).toMatchObject({ outcome: 'completed', codesignalWebhookSilent: true });
    expect(run.repairs).toBeGreaterThanOrEqual(1);
    const metrics = await processMetrics().text();
    expect(metrics).toMatch(new RegExp(`lcs_reconciliation_repairs_total\\{integration_id="${h.integration.id}",source="codesignal",kind="finished"\\} [1-9]`));
    expect(metrics).toMatch(new RegExp(`lcs_reconciliation_webhook_silent_total\\{integration_id="${h.integration.id}",source="codesignal"\\} [1-9]`));
    // A second sweep finds nothing more to do for it.
    const again = await sweep();
    expect(again.codesignal!.repairedWorkflowIds).not.toContain(assessmentWorkflowId(h.integration.id, c.id, 1));
  });

  it('brings a finished live interview and its feedback to Lever within one sweep while CodeSignal\'s webhook is disabled', async () => {
    const c = newCandidate('silent-interview');
    h.moveToStage(c.id, seed().stageIds.onSite);
    const interview = h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, c.id, 1));
    const room = await eventually(async () => {
      expect((await interview.query(interviewStateQuery)).status).toBe('scheduled');
      const [r] = cs().interviews(companyId()).filter((i) => i.candidateEmail === c.email);
      expect(r).toBeDefined();
      return r!;
    }, 30_000);
    await eventually(async () => expect(cs().deliveries(companyId(), { state: 'queued' })).toEqual([]), 30_000);
    await settled(interview);
    const summary = await withCodeSignalWebhookDisabled(async () => {
      cs().startInterview(room.id);
      cs().finishInterview(room.id, { questionsSolved: 2, questionsAttempted: 3, feedback: { notes: 'Clear thinking.', overallEvaluation: 'strong_yes', recommendedLevel: 'Senior' } });
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await interview.query(interviewStateQuery)).status).toBe('scheduled');
      return sweep();
    });
    expect(summary.codesignal!.repaired.finished).toBeGreaterThanOrEqual(1);
    expect(summary.codesignal!.repairedWorkflowIds).toContain(interviewWorkflowId(h.integration.id, c.id, 1));
    expect(summary.codesignalWebhookSilent).toBe(true);
    // the workflow re-read the room: over, with the interviewer's feedback, so the outcome is posted at once
    expect((await interview.result()).status).toBe('completed');
    expect(noteTexts(c.id).filter((t) => t.startsWith('CodeSignal live interview finished'))).toHaveLength(1);
  });

  it('keeps one Schedule per integration, overlap SKIP, paused and resumed with the integration\'s reconciliation setting', async () => {
    const handle = h.stack.client.schedule.getHandle(reconciliationScheduleId(h.integration.id));
    const put = (reconciliation: { enabled: boolean; intervalMinutes: number }) => h.putSettings({ reconciliation }, 'integration');
    const integrationUrl = `${h.stack.baseUrl}/api/integrations/${h.integration.id}`;
    const { settings: before } = await readJson(await fetch(integrationUrl, { headers: { authorization: `Bearer ${adminToken}` } }));
    try {
      expect((await put({ enabled: true, intervalMinutes: 30 })).status).toBe(200);
      let d = await handle.describe();
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.state.paused).toBe(false);
      expect(d.spec.intervals?.[0]?.every).toBe(30 * 60_000);
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow', workflowId: reconciliationWorkflowId(h.integration.id) });
      const attributes = d.action.type === 'startWorkflow' ? d.action.typedSearchAttributes : undefined;
      expect(attributes && !Array.isArray(attributes) ? attributes.get(IntegrationIdKey) : attributes?.find((a) => a.key.name === IntegrationIdKey.name)?.value).toBe(h.integration.id);

      expect((await put({ enabled: false, intervalMinutes: 30 })).status).toBe(200);
      d = await handle.describe();
      expect(d.state.paused).toBe(true);
      const activity = await readJson(await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}/activity/reconciliation`, { headers: { authorization: `Bearer ${adminToken}` } }));
      expect(activity.schedule).toMatchObject({ status: 'paused', intervalMinutes: 30, nextRunAt: null });
      // a paused integration's sweep, started anyway, sweeps nothing
      const idle = await sweep();
      expect(idle).toMatchObject({ enabled: false, outcome: 'disabled', lever: null, codesignal: null });

      expect((await put({ enabled: true, intervalMinutes: 15 })).status).toBe(200);
      d = await handle.describe();
      expect(d.state.paused).toBe(false);
      expect(d.spec.intervals?.[0]?.every).toBe(15 * 60_000);

      // no trigger stage: nothing to reconcile, unless a test session is still waited on
      expect((await h.putSettings({ triggerStageIds: [], defaultTestByStage: {} })).status).toBe(200);
      expect((await h.putSettings({ triggerStageIds: [] }, 'interviews')).status).toBe(200);
      const waiting = await h.stack.db.query('SELECT 1 FROM assessment_sessions WHERE integration_id = $1 AND finished_at IS NULL', [h.integration.id]);
      expect((await handle.describe()).state.paused).toBe(waiting.rowCount === 0);
      // the same Schedule, updated in place
      const listed: string[] = [];
      for await (const s of h.stack.client.schedule.list()) if (s.scheduleId === reconciliationScheduleId(h.integration.id)) listed.push(s.scheduleId);
      expect(listed).toHaveLength(1);
    } finally {
      const restored = await h.putSettings(before, 'integration');
      expect(restored.status).toBe(200);
    }
  });
});
