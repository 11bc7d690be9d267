import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../src/activities/index';
import { workerInterceptors } from '../../../src/worker';
import { createPool, type Db } from '../../../src/db/pool';
import { waitingOnResultFromDb } from '../../../src/observability/metrics';
import { findIntegration, updateIntegrationSettings, type Integration } from '../../../src/integrations/repository';
import { ensureDemoIntegration } from '../../../sandbox/demo-integration';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { findTemporalBinary } from '../../../dev/temporal-binaries';
import { assessmentRunSettings, integrationSettingsSchema, interviewSettingsSchema, parseStoredSettings } from '../../../src/integrations/settings';
import { interviewStateQuery } from '../../../src/workflows/interview/messages';
import { interviewWorkflow } from '../../../src/workflows/interview/interview-workflow';
import { assessmentStateQuery } from '../../../src/workflows/assessment/messages';
import { assessmentWorkflow } from '../../../src/workflows/assessment/assessment-workflow';
import { assessmentWorkflowId, candidateWorkflowId, interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { eventually, testDataConverter, testLogger, testSecretBox, testWorkerSinks } from '../../support/stack';
import { testWorkflowBundle } from '../../support/workflow-bundle';

const day = 24 * 60 * 60 * 1000;

/**
 * Reminders and expiry on durable timers, with the time-skipping test server: days pass in
 * seconds while the activities talk to the real sandboxes over HTTP.
 */
describe('assessment and interview timers (time-skipping)', () => {
  jest.setTimeout(120_000);
  let env: TestWorkflowEnvironment;
  let sandboxes: RunningSandboxes;
  let db: Db;
  let integration: Integration;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `timers-${randomUUID()}`;

  beforeAll(async () => {
    const binary = findTemporalBinary('temporal-test-server', process.env.TEMPORAL_TEST_SERVER_PATH, process.env.PATH ?? '');
    env = await TestWorkflowEnvironment.createTimeSkipping({
      ...(binary ? { server: { executable: { type: 'existing-path' as const, path: binary } } } : {}),
      client: { dataConverter: testDataConverter() },
    });
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true });
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
    // Webhooks are not needed here: the timers alone drive reminders and expiry.
    integration = await ensureDemoIntegration(db, testSecretBox, sandboxes, 'http://127.0.0.1:9', `Timers ${randomUUID()}`);
    const settings = parseStoredSettings(integration.settings);
    const test = sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    await updateIntegrationSettings(
      db,
      testSecretBox,
      integration.id,
      integrationSettingsSchema.parse({
        ...settings,
        assessments: {
          ...settings.assessments,
          expiryDays: 7,
          reminderDaysBeforeExpiry: [3, 1],
          defaultTestByStage: { [sandboxes.lever.seed.stageIds.assessment]: test.id },
        },
      }),
    );
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: testWorkflowBundle(),
      dataConverter: testDataConverter(),
      activities: createActivities({
        db,
        box: testSecretBox,
        logger: testLogger,
        leverApiUrl: sandboxes.lever.apiUrl,
        codesignalApiUrl: sandboxes.codesignal.graphqlUrl,
        publicUrl: 'http://127.0.0.1:9',
        linkSigningSecret: 'timers-link-signing-secret-0123456789abcdef',
        leverRequestsPerSecond: 9,
      }),
      interceptors: workerInterceptors(),
      sinks: testWorkerSinks(),
    });
    running = worker.run();
  });

  /** The session's `finished_at` in assessment_sessions (undefined: not recorded). */
  const finishedAt = async (sessionId: string) =>
    (await db.query<{ finished_at: Date | null }>('SELECT finished_at FROM assessment_sessions WHERE integration_id = $1 AND session_id = $2', [integration.id, sessionId])).rows[0]?.finished_at;
  /** This integration's `lcs_candidates_waiting_on_result`, as the gauge reads it. */
  const waiting = async () => (await waitingOnResultFromDb(db)()).find((r) => r.integrationId === integration.id)?.waiting ?? 0;

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await sandboxes?.close();
    await db?.end();
  });

  it('expires an unused live-interview room when its time is up', async () => {
    const seed = sandboxes.lever.seed;
    const candidate = seed.opportunities.filter((o) => o.email)[1]!; // not the one the assessment test uses
    const interviewer = sandboxes.codesignal.seed.users[0]!.id;
    const settings = interviewSettingsSchema.parse({ triggerStageIds: [seed.stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewer, expiryHours: 48 });
    const handle = await env.client.workflow.start(interviewWorkflow, {
      taskQueue,
      workflowId: interviewWorkflowId(integration.id, candidate.id, 1),
      args: [{ integrationId: integration.id, opportunityId: candidate.id, interviewId: '1', candidateWorkflowId: candidateWorkflowId(integration.id, candidate.id), triggerStageId: seed.stageIds.onSite, settings, notifyFollowers: true }],
    });
    await eventually(async () => expect((await handle.query(interviewStateQuery)).status).toBe('scheduled'), 30_000);
    const startedAt = await env.currentTimeMs();
    await env.sleep(47 * 60 * 60 * 1000);
    expect((await handle.query(interviewStateQuery)).status).toBe('scheduled');

    const state = await handle.result(); // skips past hour 48
    expect(state.status).toBe('expired');
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(48 * 60 * 60 * 1000 - 60_000);
    const opportunity = sandboxes.leverSandbox.recruiter.inspect(seed.accountId, candidate.id) as unknown as { tags: string[]; links: string[]; notes: Array<{ fields: Array<{ value: unknown }> }> };
    expect(opportunity.tags).toContain('CodeSignal interview: expired');
    expect(opportunity.links).not.toContain(state.roomUrl);
    expect(opportunity.notes.map((n) => String(n.fields[0]?.value))).toEqual(expect.arrayContaining([expect.stringContaining('room expired before the interview took place')]));
  });

  it('sends reminders at day 4 and day 6 and expires the invitation at day 7', async () => {
    const seed = sandboxes.lever.seed;
    const candidate = seed.opportunities.find((o) => o.email)!;
    const startedAt = await env.currentTimeMs();
    // Started directly, as the candidate workflow would (the test server has no custom search attributes).
    const settings = assessmentRunSettings(parseStoredSettings((await findIntegration(db, testSecretBox, integration.id))!.settings));
    const handle = await env.client.workflow.start(assessmentWorkflow, {
      taskQueue,
      workflowId: assessmentWorkflowId(integration.id, candidate.id, 1),
      args: [{ integrationId: integration.id, opportunityId: candidate.id, assessmentId: '1', candidateWorkflowId: candidateWorkflowId(integration.id, candidate.id), triggerStageId: seed.stageIds.assessment, settings }],
    });
    const control = sandboxes.codesignalSandbox.control;
    const companyId = sandboxes.codesignal.seed.companyId;
    const resends = () => control.outbox(companyId).filter((m) => m.kind === 'resend' || m.kind === 'reminder').length;
    const invitations = () => control.outbox(companyId).filter((m) => m.kind === 'invitation').length;

    await eventually(async () => expect((await handle.query(assessmentStateQuery)).status).toBe('invited'), 30_000);
    expect(invitations()).toBe(1);
    expect(resends()).toBe(0);

    await env.sleep(3 * day + 23 * 60 * 60 * 1000); // day 3, 23:00 — just before the first reminder
    expect((await handle.query(assessmentStateQuery)).remindersSent).toBe(0);

    await env.sleep(2 * 60 * 60 * 1000); // day 4, 01:00
    await eventually(async () => expect((await handle.query(assessmentStateQuery)).remindersSent).toBe(1));
    expect(resends()).toBe(1);

    await env.sleep(2 * day); // day 6, 01:00
    await eventually(async () => expect((await handle.query(assessmentStateQuery)).remindersSent).toBe(2));
    expect(resends()).toBe(2);
    // still waiting on the candidate: counted by lcs_candidates_waiting_on_result
    const { sessionId } = await handle.query(assessmentStateQuery);
    expect(await finishedAt(sessionId!)).toBeNull();
    expect(await waiting()).toBe(1);

    const state = await handle.result(); // skips to day 7: the expiry timer ends it
    expect(state).toMatchObject({ status: 'expired', remindersSent: 2 });
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(7 * day - 60_000);
    const opportunity = sandboxes.leverSandbox.recruiter.inspect(seed.accountId, candidate.id) as unknown as { tags: string[]; notes: Array<{ fields: Array<{ value: unknown }> }> };
    expect(opportunity.tags).toContain('CodeSignal: expired');
    expect(opportunity.tags).not.toContain('CodeSignal: invited');
    expect(opportunity.notes.map((n) => String(n.fields[0]?.value))).toEqual(
      expect.arrayContaining([expect.stringContaining('expired before the candidate completed it')]),
    );
    expect(invitations()).toBe(1);
    // the expiry note ended the wait: the session is finished and the gauge leaves it
    expect(await finishedAt(sessionId!)).toBeInstanceOf(Date);
    expect(await waiting()).toBe(0);
  });
});
