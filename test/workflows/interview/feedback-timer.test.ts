import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../src/activities/index';
import { activityDepsFrom } from '../../../src/config';
import { workerInterceptors } from '../../../src/worker';
import type { Integration } from '../../../src/integrations/repository';
import { interviewSettingsSchema } from '../../../src/integrations/settings';
import { interviewStateQuery } from '../../../src/workflows/interview/messages';
import { interviewWorkflow } from '../../../src/workflows/interview/interview-workflow';
import { candidateWorkflowId, interviewWorkflowId } from '../../../src/workflows/shared/ids';
import { ensureDemoIntegration } from '../../../sandbox/demo-integration';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start';
import { findTemporalBinary } from '../../../dev/temporal-binaries';
import { eventually, startStack, testDataConverter, testLogger, testSecretBox, testWorkerSinks, type TestStack } from '../../support/stack';
import { testWorkflowBundle } from '../../support/workflow-bundle';

const hour = 60 * 60 * 1000;
const expiryHours = 2;
const feedbackWaitHours = 3;

/**
 * The interview workflow's waits on the time-skipping test server, with the real API taking
 * CodeSignal's webhooks and the activities talking to both sandboxes: hours pass in seconds.
 */
describe('live interview timers (time-skipping)', () => {
  jest.setTimeout(120_000);
  let env: TestWorkflowEnvironment;
  let sandboxes: RunningSandboxes;
  let stack: TestStack;
  let integration: Integration;
  let worker: Worker;
  let running: Promise<void>;
  let candidates = 0;

  beforeAll(async () => {
    const binary = findTemporalBinary('temporal-test-server', process.env.TEMPORAL_TEST_SERVER_PATH, process.env.PATH ?? '');
    env = await TestWorkflowEnvironment.createTimeSkipping({
      ...(binary ? { server: { executable: { type: 'existing-path' as const, path: binary } } } : {}),
      client: { dataConverter: testDataConverter() },
    });
    sandboxes = await startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true, codesignal: { webhookRetryDelaysMs: () => 300 } });
    // The API signals the workflows of the time-skipping server when CodeSignal's webhooks arrive.
    stack = await startStack({ worker: false, temporal: env.client, config: { LEVER_API_URL: sandboxes.lever.apiUrl, CODESIGNAL_API_URL: sandboxes.codesignal.graphqlUrl } });
    integration = await ensureDemoIntegration(stack.db, testSecretBox, sandboxes, stack.config.publicUrl, `Interview timers ${randomUUID()}`);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowBundle: testWorkflowBundle(),
      dataConverter: testDataConverter(),
      activities: createActivities({ db: stack.db, logger: testLogger, ...activityDepsFrom(stack.config, stack.config.LINK_SIGNING_SECRET!) }),
      interceptors: workerInterceptors(),
      sinks: testWorkerSinks(),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await stack?.stop();
    await env?.teardown();
    await sandboxes?.close();
  });

  const control = () => sandboxes.codesignalSandbox.control;
  const opportunity = (id: string) =>
    sandboxes.leverSandbox.recruiter.inspect(sandboxes.lever.seed.accountId, id) as unknown as { tags: string[]; links: string[]; notes: Array<{ fields: Array<{ value: unknown }> }> };
  const notes = (id: string) => opportunity(id).notes.map((n) => String(n.fields[0]?.value));

  /** Starts an interview for the next seeded candidate, as the candidate workflow would, and waits for its room. */
  async function scheduledInterview() {
    const seed = sandboxes.lever.seed;
    const candidate = seed.opportunities.filter((o) => o.email)[candidates++]!;
    const settings = interviewSettingsSchema.parse({
      triggerStageIds: [seed.stageIds.onSite],
      interviewer: 'default',
      defaultCodeSignalUserId: sandboxes.codesignal.seed.users[0]!.id,
      expiryHours,
      feedbackWaitHours,
    });
    const handle = await env.client.workflow.start(interviewWorkflow, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: interviewWorkflowId(integration.id, candidate.id, 1),
      args: [{ integrationId: integration.id, opportunityId: candidate.id, interviewId: '1', candidateWorkflowId: candidateWorkflowId(integration.id, candidate.id), triggerStageId: seed.stageIds.onSite, settings, notifyFollowers: true }],
    });
    const roomId = await eventually(async () => {
      const state = await handle.query(interviewStateQuery);
      expect(state.status).toBe('scheduled');
      return state.roomId!;
    }, 30_000);
    return { id: candidate.id, handle, room: control().interview(roomId), roomUrl: (await handle.query(interviewStateQuery)).roomUrl! };
  }

  it(`posts what it has when no feedback arrives within feedbackWaitHours (${feedbackWaitHours} h) of the interview's end`, async () => {
    const c = await scheduledInterview();
    control().finishInterview(c.room.id, { questionsSolved: 1, questionsAttempted: 2 }); // no feedback
    await eventually(async () => expect((await c.handle.query(interviewStateQuery)).status).toBe('finished'), 30_000);
    const finishedAt = await env.currentTimeMs();

    await env.sleep(feedbackWaitHours * hour - 10 * 60_000);
    expect((await c.handle.query(interviewStateQuery)).status).toBe('finished');
    expect(notes(c.id).some((t) => t.startsWith('CodeSignal live interview finished'))).toBe(false);

    const state = await c.handle.result(); // skips past the wait
    expect(state).toMatchObject({ status: 'completed', feedback: [] });
    expect((await env.currentTimeMs()) - finishedAt).toBeGreaterThanOrEqual(feedbackWaitHours * hour - 60_000);
    const outcome = notes(c.id).filter((t) => t.startsWith('CodeSignal live interview finished'));
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toContain('No interviewer feedback was submitted in CodeSignal.');
    expect(outcome[0]).toContain(`Recording and code playback: ${c.roomUrl}`);
    expect(opportunity(c.id).tags.filter((t) => t.startsWith('CodeSignal interview:'))).toEqual(['CodeSignal interview: completed']);
  });

  it('a room deleted in CodeSignal (no webhook) is found on its expiry timer: cancelled, link removed', async () => {
    const c = await scheduledInterview();
    const startedAt = await env.currentTimeMs();
    // A recruiter deletes the room in CodeSignal; CodeSignal sends no webhook for it.
    const res = await fetch(sandboxes.codesignal.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandboxes.codesignal.seed.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation ($id: ID!) { deleteLiveInterview(id: $id) }', variables: { id: c.room.id } }),
    });
    expect(await res.json()).toEqual({ data: { deleteLiveInterview: c.room.id } });
    expect((await c.handle.query(interviewStateQuery)).status).toBe('scheduled');

    const state = await c.handle.result(); // skips to the room's expiry, when the workflow reads it again
    expect(state.status).toBe('cancelled');
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(expiryHours * hour - 60_000);
    expect(notes(c.id).map((t) => t.split('\n')[0])).toContain('CodeSignal live interview cancelled: it was cancelled in CodeSignal.');
    expect(notes(c.id).some((t) => t.includes('room expired'))).toBe(false);
    expect(opportunity(c.id).links).not.toContain(c.roomUrl);
    expect(opportunity(c.id).tags.filter((t) => t.startsWith('CodeSignal interview:'))).toEqual(['CodeSignal interview: cancelled']);
  });
});
