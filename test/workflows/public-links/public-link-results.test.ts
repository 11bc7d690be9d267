import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { createApp } from '../../../src/api/app';
import { checkedPathParameters } from '../../../src/api/ids';
import { createCodeSignalClient } from '../../../src/codesignal/client';
import { recordAssessmentSession } from '../../../src/activities/assessment/sessions-repository';
import { publicLinkScheduleId, publicLinkSessionWorkflowId } from '../../../src/workflows/shared/ids';
import type { PublicLinkScanSummary, PublicLinkSessionOutcome } from '../../../src/workflows/public-links/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../../../src/workflows/shared/search-attributes';
import { seedCodeSignalDemo } from '../../../sandbox/codesignal/index';
import { adminToken, eventually, insertIntegration, signingToken, testLogger } from '../../support/stack';

/**
 * Public-link results end to end: the admin API, the Temporal Schedule, the scan and session workflows
 * on a real worker, against both sandboxes over HTTP. Scans are started with `POST …/run` (the schedule's
 * interval is set to a day so it does not fire during the test).
 *
 * Every test saves the settings it needs before it acts. The ones about the settings' defaults and the
 * Schedule's life get an integration of their own (`ownIntegration`), so they hold in any order or alone.
 */
describe('public-link results', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  const day = 86_400_000;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Public links', codesignalResponseMode: 'full' });
  });
  /** The integrations made by `ownIntegration`, cleaned up with the harness's. */
  const ownIntegrationIds: string[] = [];
  afterAll(async () => {
    if (!h) return;
    // leave nothing that a later API start in this run would bring back
    for (const integrationId of [h.integration.id, ...ownIntegrationIds]) {
      await api('PUT', 'settings', { enabled: false }, integrationId).catch(() => undefined);
      await h.stack.client.schedule.getHandle(publicLinkScheduleId(integrationId)).delete().catch(() => undefined);
    }
    await h.close();
  });

  const lever = () => h.sandboxes.lever.seed;
  const cs = () => h.sandboxes.codesignal.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const backendTest = () => cs().tests.find((t) => !t.proctored)!;
  const proctoredTest = () => cs().tests.find((t) => t.proctored)!;

  async function api(method: string, path: string, body?: unknown, integrationId = h.integration.id): Promise<{ status: number; body: any }> {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${integrationId}/public-links/${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await readJson(res) };
  }

  /**
   * A new integration with nothing saved for public links (so no Schedule), on the harness's Lever account
   * and a CodeSignal company of its own: a scan it starts sees no session another test made.
   */
  async function ownIntegration() {
    const company = await seedCodeSignalDemo(h.sandboxes.codesignalSandbox, { companyName: `Public links ${randomUUID().slice(0, 8)}` });
    const integration = await insertIntegration(h.stack.db, {
      lever: { apiKey: lever().apiKey, webhookSigningTokens: [signingToken()] },
      codesignal: { apiKey: company.apiKey },
      settings: { defaultLeverUserId: lever().defaultUserId },
    });
    ownIntegrationIds.push(integration.id);
    const backend = company.tests.find((t) => !t.proctored)!;
    const proctored = company.tests.find((t) => t.proctored)!;
    const ownApi = (method: string, path: string, body?: unknown) => api(method, path, body, integration.id);
    return {
      id: integration.id,
      backend,
      proctored,
      api: ownApi,
      schedule: () => h.stack.client.schedule.getHandle(publicLinkScheduleId(integration.id)),
      putSettings: async (patch: Record<string, unknown>) => {
        const res = await ownApi('PUT', 'settings', { enabled: true, testIds: [backend.id, proctored.id], intervalMinutes: 1440, lookBackDays: 7, ...patch });
        expect(res).toMatchObject({ status: 200 });
        return res.body;
      },
    };
  }

  const baseSettings = () => ({ enabled: true, testIds: [backendTest().id, proctoredTest().id], intervalMinutes: 1440, lookBackDays: 7 });
  async function putSettings(patch: Record<string, unknown>) {
    const res = await api('PUT', 'settings', { ...baseSettings(), ...patch });
    expect(res).toMatchObject({ status: 200 });
    return res.body;
  }
  async function run(): Promise<PublicLinkScanSummary> {
    const res = await api('POST', 'run');
    expect(res).toMatchObject({ status: 200, body: { status: 'completed' } });
    return res.body.summary;
  }
  const sessionHandle = (sessionId: string) => h.stack.client.workflow.getHandle<() => Promise<PublicLinkSessionOutcome>>(publicLinkSessionWorkflowId(h.integration.id, sessionId));
  const outcomeOf = (sessionId: string) => sessionHandle(sessionId).result();
  async function listed(state?: string): Promise<any[]> {
    const res = await api('GET', `sessions${state ? `?state=${state}` : ''}`);
    expect(res.status).toBe(200);
    return res.body.sessions;
  }

  const email = (label: string) => `${label}.${randomUUID().slice(0, 8)}@example.org`;
  const candidate = (name: string, address: string, stage = lever().stageIds.phoneScreen) =>
    h.sandboxes.leverSandbox.recruiter.createCandidate(lever().accountId, { name, emails: [address], stage, origin: 'sourced', userId: lever().userIds.recruiter });
  const publicSession = (input: { email: string; score: number; testId?: string; finishedAt?: number; submit?: boolean; leverOpportunityId?: string }) =>
    control().createPublicLinkSession(cs().companyId, { testId: input.testId ?? backendTest().id, firstName: 'Pat', lastName: 'Public', ...input });
  const noteTexts = (opportunityId: string) => h.opportunity(opportunityId).notes.map((n) => n.fields.map((f) => String(f.value)).join('\n'));
  const resultNotes = (opportunityId: string) => noteTexts(opportunityId).filter((t) => t.startsWith('CodeSignal result:'));
  const opportunitiesWith = (address: string) => h.sandboxes.leverSandbox.recruiter.opportunities(lever().accountId).filter((o) => (o as typeof o & { emails: string[] }).emails.includes(address));
  const setLeverFaults = (patch: { dropNext?: number }) => h.sandboxes.leverSandbox.admin.updateFaults(lever().accountId, patch);
  /** Activities of the session's workflow that ran more than once (a retry after a lost answer). */
  async function retriedActivities(sessionId: string): Promise<string[]> {
    const { events } = await sessionHandle(sessionId).fetchHistory();
    const scheduled = new Map<string, string>();
    const retried: string[] = [];
    for (const e of events ?? []) {
      if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) retried.push(scheduled.get(String(started.scheduledEventId)) ?? '?');
    }
    return retried;
  }

  it('answers the defaults before anything is saved, and refuses invalid settings with a 400 naming the field', async () => {
    const o = await ownIntegration();
    const before = await o.api('GET', 'settings');
    expect(before).toMatchObject({
      status: 200,
      body: {
        integrationId: o.id, enabled: false, testIds: [], intervalMinutes: 15, lookBackDays: 7, onMatch: 'post', onNoMatch: 'confirm', updatedAt: null,
        schedule: { scheduleId: `public-links/${o.id}`, status: 'absent' },
      },
    });

    const unknownTest = await o.api('PUT', 'settings', { enabled: true, testIds: [o.backend.id, 'tst_doesNotExist'] });
    expect(unknownTest.status).toBe(400);
    expect(unknownTest.body).toMatchObject({ error: 'invalid_settings', details: { issues: [{ path: 'testIds.1', message: 'unknown CodeSignal test tst_doesNotExist' }] } });

    const tooOften = await o.api('PUT', 'settings', { enabled: true, testIds: [o.backend.id], intervalMinutes: 4 });
    expect(tooOften.status).toBe(400);
    expect(tooOften.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['intervalMinutes']);

    const wrong = await o.api('PUT', 'settings', { onMatch: 'maybe', onNoMatch: 'import', lookBackDays: 0, testIds: 'x', intervall: 5 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['intervall', 'lookBackDays', 'onMatch', 'testIds']);
    expect(wrong.body.message).toContain('unknown field intervall');

    const noTests = await o.api('PUT', 'settings', { enabled: true });
    expect(noTests.status).toBe(400);
    expect(noTests.body.details.issues).toEqual([{ path: 'testIds', message: expect.stringContaining('at least one') }]);

    const twice = await o.api('PUT', 'settings', { testIds: [o.backend.id, o.backend.id] });
    expect(twice.status).toBe(400);
    expect(twice.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['testIds.1']);

    // nothing was saved, and no schedule was made
    expect((await o.api('GET', 'settings')).body).toMatchObject({ enabled: false, updatedAt: null, schedule: { status: 'absent' } });
    expect((await o.api('POST', 'run')).status).toBe(409);
  });

  it('creates the Temporal Schedule when the settings are saved, and updates it when they change', async () => {
    const o = await ownIntegration();
    const saved = await o.putSettings({ intervalMinutes: 60 });
    expect(saved).toMatchObject({ enabled: true, intervalMinutes: 60, onMatch: 'post', onNoMatch: 'confirm', schedule: { status: 'active', intervalMinutes: 60 } });
    expect(saved.schedule.nextRunAt).toEqual(expect.any(String));

    const handle = o.schedule();
    const described = await handle.describe();
    expect(described.spec.intervals).toMatchObject([{ every: 60 * 60_000 }]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'publicLinkScanWorkflow', taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE, args: [{ integrationId: o.id }] });
    expect((described.action.typedSearchAttributes as TypedSearchAttributes).get(IntegrationIdKey)).toBe(o.id);
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.state.paused).toBe(false);

    // a GET answer sent back as it is (with its read-only fields) is accepted
    const roundTrip = await o.api('PUT', 'settings', { ...saved, intervalMinutes: 1440 });
    expect(roundTrip.status).toBe(200);
    expect((await handle.describe()).spec.intervals).toMatchObject([{ every: 1440 * 60_000 }]);

    // what the schedule starts is a scan of this integration, carrying its IntegrationId
    await handle.trigger();
    const started = await eventually(async () => {
      const [recent] = (await handle.describe()).info.recentActions;
      expect(recent).toBeDefined();
      return recent!.action.workflow;
    });
    expect(started.workflowId.startsWith(`public-links-scan/${o.id}`)).toBe(true);
    const scan = h.stack.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId);
    expect(await scan.result()).toMatchObject({ integrationId: o.id, enabled: true, tests: [{ testId: o.backend.id, error: null }, { testId: o.proctored.id, error: null }] });
    expect((await scan.describe()).typedSearchAttributes.get(IntegrationIdKey)).toBe(o.id);
  });

  it('brings the schedule of an enabled integration back when the API starts', async () => {
    const o = await ownIntegration();
    expect(await o.putSettings({})).toMatchObject({ enabled: true, intervalMinutes: 1440, schedule: { status: 'active' } });
    const handle = o.schedule();
    await handle.delete();
    expect((await o.api('GET', 'settings')).body.schedule.status).toBe('absent');
    createApp({ config: h.stack.config, db: h.stack.db, temporal: h.stack.client, logger: testLogger });
    const back = await eventually(() => handle.describe());
    expect(back.spec.intervals).toMatchObject([{ every: 1440 * 60_000 }]);
    expect(back.state.paused).toBe(false);
  });

  it('checks every id in its paths at the edge, like every other route (src/api/ids.ts)', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[]; params?: Record<string, unknown> } };
    const app = createApp({ config: h.stack.config, db: h.stack.db, temporal: h.stack.client, logger: testLogger });
    const routers = (app as unknown as { router: { stack: Layer[] } }).router.stack.filter((l) => Array.isArray(l.handle.stack));
    const ours = routers.filter((r) => r.handle.stack!.some((l) => l.route?.path.includes('/public-links/')));
    expect(ours).toHaveLength(1);
    const router = ours[0]!.handle;
    expect(Object.keys(router.params ?? {}).sort()).toEqual([...checkedPathParameters].sort());
    const routes = router.stack!.filter((l) => l.route).map((l) => `${Object.keys(l.route!.methods)[0]!.toUpperCase()} ${l.route!.path}`);
    expect(routes.sort()).toEqual([
      'GET /api/integrations/:integrationId/public-links/sessions',
      'GET /api/integrations/:integrationId/public-links/settings',
      'POST /api/integrations/:integrationId/public-links/run',
      'POST /api/integrations/:integrationId/public-links/sessions/:sessionId/decision',
      'PUT /api/integrations/:integrationId/public-links/settings',
    ]);
    const params = routes.flatMap((r) => [...r.matchAll(/:(\w+)/g)].map((m) => m[1]!));
    expect(params.filter((p) => !checkedPathParameters.includes(p))).toEqual([]);
  });

  it('posts a matched result as an assessment result: note, PDF report, tags and the threshold move — once, across lost answers and a second scan', async () => {
    await putSettings({ onMatch: 'post', onNoMatch: 'confirm' });
    const address = email('match');
    const opp = candidate('Mia Match', address);
    const session = publicSession({ email: address.toUpperCase(), score: 900 });
    // the answers of the first two Lever writes (the note, the PDF) are lost after Lever committed them
    setLeverFaults({ dropNext: 2 });

    const summary = await run();
    const backend = summary.tests.find((t) => t.testId === backendTest().id)!;
    expect(backend.error).toBeNull();
    expect(backend.started).toBeGreaterThanOrEqual(1);
    expect(await outcomeOf(session.id)).toEqual({ sessionId: session.id, state: 'posted', opportunityId: opp.id });

    const o = h.opportunity(opp.id);
    expect(resultNotes(opp.id)).toHaveLength(1);
    const note = resultNotes(opp.id)[0]!;
    expect(note).toContain(`CodeSignal result: ${backendTest().title}`);
    expect(note).toContain('Score: 900 / 1000 (90%)');
    expect(note).toContain('Outcome: passed the threshold');
    expect(note).toMatch(/Report: http:\/\/127\.0\.0\.1:\d+\/test-result\//);
    expect(o.notes.find((n) => String(n.fields[0]?.value).startsWith('CodeSignal result:'))).toMatchObject({ author: lever().defaultUserId, notifyFollowers: true });
    expect(o.files).toHaveLength(1);
    expect(o.files[0]).toMatchObject({ mimeType: 'application/pdf', uploadedBy: lever().defaultUserId, name: `codesignal-report-${opp.id}-public-link-${session.id}.pdf` });
    expect(o.tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: passed']));
    expect(o.stage).toBe(lever().stageIds.onSite);
    // the writes whose answers were lost were retried, and found what they had written
    expect(await retriedActivities(session.id)).toEqual(['postAssessmentNote', 'uploadAssessmentReport']);

    expect((await listed('posted')).find((s) => s.sessionId === session.id)).toMatchObject({
      state: 'posted', testId: backendTest().id, testTitle: backendTest().title, candidate: { email: address.toUpperCase(), name: 'Pat Public' }, score: 900, maxScore: 1000,
      match: { reason: 'single', opportunityIds: [opp.id] }, action: 'post', opportunityId: opp.id, decidedBy: 'auto', error: null,
      // named from the candidate directory, which the matching kept the opportunity in
      opportunityNames: { [opp.id]: 'Mia Match' },
      workflowId: `public-link/${h.integration.id}/${session.id}`, finishedAt: new Date(session.finishDate!).toISOString(),
    });

    // a second scan takes nothing up again
    const again = await run();
    expect(again.tests.find((t) => t.testId === backendTest().id)!.skipped.alreadyTakenUp).toBeGreaterThanOrEqual(1);
    const history = await sessionHandle(session.id).describe();
    expect(history.status.name).toBe('COMPLETED');
    expect(resultNotes(opp.id)).toHaveLength(1);
    expect(h.opportunity(opp.id).files).toHaveLength(1);
    // a session workflow started again (retention passed, an operator, …) changes nothing either
    const rerun = await h.stack.client.workflow.execute('publicLinkSessionWorkflow', {
      workflowId: publicLinkSessionWorkflowId(h.integration.id, session.id),
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, sessionId: session.id }],
    });
    expect(rerun).toEqual({ sessionId: session.id, state: 'posted', opportunityId: null });
    expect(resultNotes(opp.id)).toHaveLength(1);
    // the first run names the opportunity it wrote to, as a candidate's runs do (Activity, Web UI)
    const first = h.stack.client.workflow.getHandle(publicLinkSessionWorkflowId(h.integration.id, session.id), history.runId);
    expect((await first.describe()).typedSearchAttributes.get(LeverOpportunityIdKey)).toBe(opp.id);
  });

  it('onNoMatch=import creates one New Lead, source CodeSignal, with the result — also when the create answer is lost', async () => {
    await putSettings({ onMatch: 'post', onNoMatch: 'import' });
    const address = email('lead');
    const session = publicSession({ email: address, score: 300 });
    // Lever creates the opportunity but its answer never arrives: the retry must find it, not create a second
    setLeverFaults({ dropNext: 1 });
    await run();
    const outcome = await outcomeOf(session.id);
    expect(outcome).toMatchObject({ sessionId: session.id, state: 'imported' });
    const leads = opportunitiesWith(address);
    expect(leads).toHaveLength(1);
    const lead = leads[0]!;
    expect(outcome.opportunityId).toBe(lead.id);
    expect(lead).toMatchObject({ stage: 'lead-new', sources: ['CodeSignal'], origin: 'sourced', name: 'Pat Public', createdBy: lever().defaultUserId });
    expect(await retriedActivities(session.id)).toEqual(['importPublicLinkCandidate']);
    expect(resultNotes(lead.id)).toHaveLength(1);
    expect(resultNotes(lead.id)[0]).toContain('Outcome: below the threshold');
    expect(h.opportunity(lead.id).files).toHaveLength(1);
    expect(h.opportunity(lead.id).tags).toEqual(expect.arrayContaining(['CodeSignal: completed', 'CodeSignal: below threshold']));
    // below the threshold: no stage move configured for a fail
    expect(h.opportunity(lead.id).stage).toBe('lead-new');

    await run();
    expect(opportunitiesWith(address)).toHaveLength(1);
    expect(resultNotes(lead.id)).toHaveLength(1);
    expect((await listed('imported')).find((s) => s.sessionId === session.id)).toMatchObject({
      match: { reason: 'none', opportunityIds: [] }, opportunityId: lead.id, decidedBy: 'auto', opportunityNames: { [lead.id]: 'Pat Public' }, // the lost create's opportunity, kept as the retry found it
    });
  });

  it('confirm mode lists a session as pending, and the admin’s decision posts, imports or dismisses it', async () => {
    await putSettings({ onMatch: 'confirm', onNoMatch: 'confirm' });
    const matchAddress = email('confirm');
    const opp = candidate('Cody Confirm', matchAddress);
    const matched = publicSession({ email: matchAddress, score: 800 });
    const unmatched = publicSession({ email: email('nobody'), score: 100 });
    const importable = publicSession({ email: email('importme'), score: 750 });
    await run();

    const pending = await eventually(async () => {
      const rows = await listed('pending');
      expect(rows.map((r) => r.sessionId)).toEqual(expect.arrayContaining([matched.id, unmatched.id, importable.id]));
      return rows;
    });
    expect(pending.find((r) => r.sessionId === matched.id)).toMatchObject({
      state: 'pending', match: { reason: 'single', opportunityIds: [opp.id] }, opportunityNames: { [opp.id]: 'Cody Confirm' }, action: null, opportunityId: null, decidedBy: null,
    });
    expect(pending.find((r) => r.sessionId === unmatched.id)).toMatchObject({ match: { reason: 'none', opportunityIds: [] }, opportunityNames: {} });
    expect(resultNotes(opp.id)).toHaveLength(0);
    // the session workflows wait for the decision
    expect((await sessionHandle(matched.id).describe()).status.name).toBe('RUNNING');

    const decide = (sessionId: string, body: unknown) => api('POST', `sessions/${sessionId}/decision`, body);
    expect((await decide(matched.id, { action: 'post' })).status).toBe(400);
    expect((await decide(matched.id, { action: 'post', opportunityId: 'NOT-A-UUID' })).body).toMatchObject({ error: 'invalid_body', details: { issues: [{ path: 'opportunityId' }] } });
    const unknownOpp = await decide(matched.id, { action: 'post', opportunityId: randomUUID() });
    expect(unknownOpp).toMatchObject({ status: 400, body: { error: 'invalid_decision', details: { issues: [{ path: 'opportunityId' }] } } });
    expect((await decide(matched.id, { action: 'hire' })).status).toBe(400);
    expect((await decide('ses_unknown', { action: 'dismiss' })).status).toBe(404);
    expect((await decide('bad id!', { action: 'dismiss' })).status).toBe(400);

    const posted = await decide(matched.id, { action: 'post', opportunityId: opp.id });
    expect(posted).toMatchObject({ status: 202, body: { session: { sessionId: matched.id, state: 'processing', action: 'post', opportunityId: opp.id, decidedBy: 'admin' } } });
    expect(await outcomeOf(matched.id)).toEqual({ sessionId: matched.id, state: 'posted', opportunityId: opp.id });
    expect(resultNotes(opp.id)).toHaveLength(1);
    expect(h.opportunity(opp.id).files).toHaveLength(1);
    expect(h.opportunity(opp.id).stage).toBe(lever().stageIds.onSite);
    const second = await decide(matched.id, { action: 'dismiss' });
    expect(second).toMatchObject({ status: 409, body: { error: 'not_pending' } });

    const dismissed = await decide(unmatched.id, { action: 'dismiss' });
    expect(dismissed).toMatchObject({ status: 200, body: { session: { state: 'dismissed', decidedBy: 'admin' } } });
    expect(await outcomeOf(unmatched.id)).toMatchObject({ state: 'dismissed' });

    const imported = await decide(importable.id, { action: 'import' });
    expect(imported).toMatchObject({ status: 202, body: { session: { state: 'processing', action: 'import' } } });
    const importedOutcome = await outcomeOf(importable.id);
    expect(importedOutcome).toMatchObject({ state: 'imported' });
    expect(opportunitiesWith(importable.candidate.email!)).toHaveLength(1);
    expect(resultNotes(importedOutcome.opportunityId!)).toHaveLength(1);

    // a scan afterwards takes none of them up again
    await run();
    expect(resultNotes(opp.id)).toHaveLength(1);
    expect((await listed('dismissed')).map((r) => r.sessionId)).toContain(unmatched.id);
  });

  it('shows a session that failed while posting with its error, and takes a new decision for it', async () => {
    await putSettings({ onMatch: 'confirm', onNoMatch: 'confirm' });
    const address = email('failing');
    const opp = candidate('Fay Failing', address);
    const session = publicSession({ email: address, score: 700 });
    await run();
    await eventually(async () => expect((await listed('pending')).map((r) => r.sessionId)).toContain(session.id));
    // the session is withdrawn in CodeSignal before the admin gets to it: its result is no longer final
    await createCodeSignalClient({ url: h.sandboxes.codesignal.graphqlUrl, apiKey: cs().apiKey }).deleteTestSession(session.id, false);

    expect((await api('POST', `sessions/${session.id}/decision`, { action: 'post', opportunityId: opp.id })).status).toBe(202);
    await expect(outcomeOf(session.id)).rejects.toThrow();
    const failed = (await listed('failed')).find((r) => r.sessionId === session.id);
    expect(failed).toMatchObject({ state: 'failed', action: 'post', opportunityId: opp.id, decidedBy: 'admin', error: expect.stringContaining('SessionNotFinal') });
    expect(h.opportunity(opp.id).notes).toHaveLength(0);

    // its workflow has ended; the decision starts it again, and the new run takes it
    const dismissed = await api('POST', `sessions/${session.id}/decision`, { action: 'dismiss' });
    expect(dismissed).toMatchObject({ status: 200, body: { session: { state: 'dismissed', error: null } } });
    expect(await outcomeOf(session.id)).toMatchObject({ state: 'dismissed' });
  });

  it('resumes a session whose workflow stopped while posting, and still posts once', async () => {
    await putSettings({ onMatch: 'confirm', onNoMatch: 'confirm' });
    const address = email('resume');
    const opp = candidate('Rita Resume', address);
    const session = publicSession({ email: address, score: 850 });
    await run();
    await eventually(async () => expect((await listed('pending')).map((r) => r.sessionId)).toContain(session.id));

    // CodeSignal is down while the decided session is being posted; then its workflow is ended from outside
    control().setFaults(cs().companyId, { errorRate: 1 });
    try {
      expect((await api('POST', `sessions/${session.id}/decision`, { action: 'post', opportunityId: opp.id })).status).toBe(202);
      await eventually(async () => expect((await sessionHandle(session.id).describe()).raw.pendingActivities?.[0]?.attempt).toBeGreaterThan(1), 20_000);
      await sessionHandle(session.id).terminate('test: the workflow is lost mid-way');
    } finally {
      control().clearFaults(cs().companyId);
    }
    expect((await listed('processing')).map((r) => r.sessionId)).toContain(session.id);

    // the next scan starts it again, and the new run carries out the recorded decision
    const summary = await run();
    expect(summary.tests.find((t) => t.testId === backendTest().id)!.started).toBeGreaterThanOrEqual(1);
    expect(await outcomeOf(session.id)).toEqual({ sessionId: session.id, state: 'posted', opportunityId: opp.id });
    expect(resultNotes(opp.id)).toHaveLength(1);
    expect(h.opportunity(opp.id).files).toHaveLength(1);
  });

  it('onNoMatch=ignore records the session as ignored and writes nothing', async () => {
    await putSettings({ onMatch: 'post', onNoMatch: 'ignore' });
    const address = email('ignored');
    const session = publicSession({ email: address, score: 999 });
    await run();
    expect(await outcomeOf(session.id)).toMatchObject({ state: 'ignored' });
    expect(opportunitiesWith(address)).toHaveLength(0);
    expect((await listed('ignored')).find((r) => r.sessionId === session.id)).toMatchObject({ decidedBy: 'auto', match: { reason: 'none' } });
  });

  it('skips our own invitations, unfinished and unverified sessions, those CodeSignal’s Lever integration handled and those past the look-back', async () => {
    await putSettings({ onMatch: 'post', onNoMatch: 'import' });
    const people = ['ours', 'invited', 'unfinished', 'proctored', 'handled', 'old'].map((label) => {
      const address = email(label);
      return { label, address, opp: candidate(`${label} person`, address) };
    });
    const by = (label: string) => people.find((p) => p.label === label)!;

    // a public-link session the service recorded as one of its own (as every invitation it sends is)
    const ours = publicSession({ email: by('ours').address, score: 900 });
    await recordAssessmentSession(h.stack.db, { integrationId: h.integration.id, sessionId: ours.id, opportunityId: by('ours').opp.id, assessmentId: '1', workflowId: 'assessment/x/y/1' });
    // an invitation sent through the API (no public link), finished
    const codesignal = createCodeSignalClient({ url: h.sandboxes.codesignal.graphqlUrl, apiKey: cs().apiKey });
    const invited = await codesignal.createTestSession({ testId: backendTest().id, candidateEmail: by('invited').address, externalId: 'lcs:assessment/a/b/1' });
    control().submitSession(invited.id, { score: 900 });
    const unfinished = publicSession({ email: by('unfinished').address, score: 0, submit: false });
    const proctored = publicSession({ email: by('proctored').address, score: 500, testId: proctoredTest().id });
    expect(proctored.status).toBe('finalizing');
    const handled = publicSession({ email: by('handled').address, score: 900, leverOpportunityId: by('handled').opp.id });
    const old = publicSession({ email: by('old').address, score: 900, finishedAt: Date.now() - 8 * day });

    const summary = await run();
    const backend = summary.tests.find((t) => t.testId === backendTest().id)!;
    const gca = summary.tests.find((t) => t.testId === proctoredTest().id)!;
    expect(backend.skipped).toMatchObject({ ours: 1, handledByCodeSignal: 1 });
    expect(backend.skipped.notPublicLink).toBeGreaterThanOrEqual(1);
    expect(backend.skipped.unfinished).toBeGreaterThanOrEqual(1);
    expect(gca.skipped.unfinished).toBe(1);
    expect(summary.notBefore).toBeLessThan(Date.now() - 7 * day + 60_000);

    const rows = (await listed()).map((r) => r.sessionId);
    for (const id of [ours.id, invited.id, unfinished.id, proctored.id, handled.id, old.id]) {
      expect(rows).not.toContain(id);
      await expect(sessionHandle(id).describe()).rejects.toThrow();
    }
    for (const p of people) expect(h.opportunity(p.opp.id).notes).toHaveLength(0);

    // once CodeSignal's auditors verify the proctored result, the next scan posts it
    control().verifySession(proctored.id);
    const afterVerify = await run();
    expect(afterVerify.tests.find((t) => t.testId === proctoredTest().id)!.started).toBe(1);
    expect(await outcomeOf(proctored.id)).toEqual({ sessionId: proctored.id, state: 'posted', opportunityId: by('proctored').opp.id });
    expect(resultNotes(by('proctored').opp.id)[0]).toContain('Proctoring: verified');
  });

  it('pauses the schedule when the results are disabled, and a run is refused while they are', async () => {
    const o = await ownIntegration();
    expect(await o.putSettings({})).toMatchObject({ schedule: { status: 'active' } });
    const saved = await o.putSettings({ enabled: false });
    expect(saved).toMatchObject({ enabled: false, schedule: { status: 'paused', nextRunAt: null } });
    const described = await o.schedule().describe();
    expect(described.state).toMatchObject({ paused: true, note: expect.stringContaining('disabled') });
    expect(await o.api('POST', 'run')).toMatchObject({ status: 409, body: { error: 'public_links_disabled' } });

    // enabling again unpauses the same schedule
    expect(await o.putSettings({ enabled: true })).toMatchObject({ schedule: { status: 'active' } });
    await o.putSettings({ enabled: false });
    await o.schedule().delete();
    await expect(o.schedule().describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await o.api('GET', 'settings')).body.schedule.status).toBe('absent');
  });
});
