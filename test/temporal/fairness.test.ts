import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { enqueueCandidates } from '../support/candidate-events';
import { integrationPriority, limitActivitiesPerOrganization } from '../../src/temporal/fairness';
import { syncIntegrationSchedule } from '../../src/temporal/integration-schedule';
import { workerInterceptors } from '../../src/worker';
import { eventually, testDataConverter, testWorkerSinks } from '../support/stack';
import { testWorkflowBundle } from '../support/workflow-bundle';

jest.setTimeout(180_000);

/**
 * Fairness between integrations on the run's dev server (global-setup.ts starts it with
 * `matching.enableFairness=true`): integration A enqueues a backlog of candidate workflows through the
 * ingress's own signal-with-start, then integration B one; a worker with one slot then drains the task
 * queue. With the integration's fairness key, B's workflow task and its first activity (which inherits
 * the key) are dispatched among the first, not after A's backlog. The same run with the key stripped
 * from the start (a client interceptor) shows the first-in first-out order the key is there to break.
 * Order is asserted, never elapsed time.
 */
describe('fairness between integrations', () => {
  const backlog = 30;
  let connection: Connection;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    nativeConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(async () => {
    await connection.close();
    await nativeConnection.close();
  });

  // strips the priority from every start, as a service without fairness keys would start its workflows
  const withoutPriority: WorkflowClientInterceptor = {
    signalWithStart: (input, next) => next({ ...input, options: { ...input.options, priority: undefined } }),
  };
  const clientOf = (keyed: boolean) =>
    new Client({ connection, dataConverter: testDataConverter(), interceptors: { workflow: keyed ? [] : [withoutPriority] } });

  /** Enqueues A's backlog, then B's one candidate, with no worker polling; answers the workflow ids. */
  async function enqueue(client: Client, taskQueue: string, a: string, b: string) {
    const bulk = await enqueueCandidates(client, taskQueue, a, backlog, 'bulk');
    const [single] = await enqueueCandidates(client, taskQueue, b, 1, 'single');
    return { bulk, single: single!, all: [...bulk, single!] };
  }

  /** When each workflow's first workflow task was handed to a worker, from its history. */
  async function firstTaskStarted(client: Client, workflowId: string): Promise<number> {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events?.find((e) => e.workflowTaskStartedEventAttributes);
    if (!started?.eventTime) throw new Error(`no workflow task started yet for ${workflowId}`);
    // microseconds: fits a double
    return Number(started.eventTime.seconds) * 1e6 + Math.floor((started.eventTime.nanos ?? 0) / 1e3);
  }

  /**
   * Drains the queue with one workflow task slot and one activity slot, and answers B's position (0 =
   * first) among the workflows' first workflow tasks and among their first activities.
   */
  async function drain(keyed: boolean): Promise<{ workflowTask: number; activity: number; keys: (string | undefined)[]; integrations: string[] }> {
    const client = clientOf(keyed);
    const taskQueue = `fairness-${randomUUID()}`;
    const a = randomUUID();
    const b = randomUUID();
    const ids = await enqueue(client, taskQueue, a, b);
    const firstActivity: string[] = [];
    // every activity the candidate workflow runs first records its workflow once, then fails for good
    const stub = async () => {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
      if (!firstActivity.includes(workflowId)) firstActivity.push(workflowId);
      throw ApplicationFailure.nonRetryable('stubbed activity', 'Stubbed');
    };
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: testWorkflowBundle(),
      activities: Object.fromEntries(['loadEventContext', 'loadAssessmentSettings', 'loadInterviewSettings', 'confirmLeverEvent', 'dryRunStageEntry', 'recordDryRunStageEntry'].map((name) => [name, stub])),
      interceptors: workerInterceptors(),
      sinks: testWorkerSinks(),
      dataConverter: testDataConverter(),
      maxConcurrentWorkflowTaskExecutions: 2,
      maxConcurrentWorkflowTaskPolls: 1,
      maxConcurrentActivityTaskExecutions: 1,
      maxConcurrentActivityTaskPolls: 1,
    });
    try {
      await worker.runUntil(eventually(async () => {
        if (ids.all.some((id) => !firstActivity.includes(id))) throw new Error(`${firstActivity.length} of ${ids.all.length} activities run`);
      }, 90_000, 200));
      const started = await Promise.all(ids.all.map(async (id) => ({ id, at: await firstTaskStarted(client, id) })));
      const order = started.sort((x, y) => x.at - y.at).map((s) => s.id);
      const keys = await Promise.all([ids.bulk[0]!, ids.single].map(async (id) => (await client.workflow.getHandle(id).describe()).raw.workflowExecutionInfo?.priority?.fairnessKey ?? undefined));
      if (process.env.FAIRNESS_TEST_VERBOSE) console.log(JSON.stringify({ keyed, workflowTask: order.indexOf(ids.single), activity: firstActivity.indexOf(ids.single), of: ids.all.length }));
      return { workflowTask: order.indexOf(ids.single), activity: firstActivity.indexOf(ids.single), keys, integrations: [a, b] };
    } finally {
      await Promise.all(ids.all.map((id) => client.workflow.getHandle(id).terminate('fairness test done').catch(() => undefined)));
    }
  }

  it("dispatches B's single candidate before A's backlog drains when every start carries the integration's key", async () => {
    const { workflowTask, activity, keys, integrations } = await drain(true);
    // the key is the integration id, on the workflow (its activities inherit it)
    expect(keys).toEqual(integrations);
    // B is served within the first few dispatches, not behind A's backlog of 30
    expect(workflowTask).toBeLessThan(backlog / 4);
    expect(activity).toBeLessThan(backlog / 4);
  });

  it("without the key the queue is first-in first-out: B waits behind A's backlog (what the key prevents)", async () => {
    const { workflowTask, activity, keys } = await drain(false);
    expect(keys).toEqual([undefined, undefined]);
    expect(workflowTask).toBeGreaterThan(backlog / 2);
    expect(activity).toBeGreaterThan(backlog / 2);
  });

  it("an integration's Schedule starts every run with the integration's key", async () => {
    const client = clientOf(true);
    const integrationId = randomUUID();
    const scheduleId = `fairness-test/${integrationId}`;
    const spec = { integrationId, scheduleId, enabled: true, intervalMinutes: 60, workflowType: 'reconciliationWorkflow', workflowId: `fairness-test/${integrationId}`, args: [{ integrationId }], notes: { active: 'on', paused: 'off' } };
    const deps = { client, taskQueue: `fairness-${randomUUID()}`, timeoutMs: 10_000 };
    try {
      expect(await syncIntegrationSchedule(deps, spec)).toBe('created');
      expect(await syncIntegrationSchedule(deps, spec)).toBe('updated');
      const { action } = await client.schedule.getHandle(scheduleId).describe();
      expect(action.type === 'startWorkflow' && action.priority?.fairnessKey).toBe(integrationId);
    } finally {
      await client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    }
  });

  it("TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION becomes the activity task queue's rate limit per fairness key", async () => {
    const taskQueue = `fairness-${randomUUID()}`;
    const logged: string[] = [];
    const logger = { info: (_: unknown, msg: string) => void logged.push(`info: ${msg}`), error: (_: unknown, msg: string) => void logged.push(`error: ${msg}`) };
    const configOf = async (type: 1 | 2) =>
      (await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: type, reportConfig: true })).config;
    // unset: the worker leaves the queue alone
    expect(await limitActivitiesPerOrganization(nativeConnection.workflowService, { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue }, logger as never)).toBeUndefined();
    expect((await configOf(2))?.fairnessKeysRateLimitDefault?.rateLimit ?? null).toBeNull();
    expect(await limitActivitiesPerOrganization(nativeConnection.workflowService, { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: 12.5 }, logger as never)).toBe(true);
    expect((await configOf(2))?.fairnessKeysRateLimitDefault?.rateLimit?.requestsPerSecond).toBe(12.5);
    // activities only: workflow tasks (the workflows' own steps) are not held back
    expect((await configOf(1))?.fairnessKeysRateLimitDefault?.rateLimit ?? null).toBeNull();
    // a second worker start with the same value changes nothing
    expect(await limitActivitiesPerOrganization(nativeConnection.workflowService, { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: 12.5 }, logger as never)).toBe(true);
    expect((await configOf(2))?.fairnessKeysRateLimitDefault?.rateLimit?.requestsPerSecond).toBe(12.5);
    expect(logged).toEqual(['info: activities per organization limited on the task queue', 'info: activities per organization limited on the task queue']);
  });

  it('a server that refuses the setting: logged as an error, answered false, nothing thrown (the worker starts without it)', async () => {
    const logged: Array<{ meta: unknown; msg: string }> = [];
    const logger = { info: () => undefined, error: (meta: unknown, msg: string) => void logged.push({ meta, msg }) };
    const applied = await limitActivitiesPerOrganization(nativeConnection.workflowService, { TEMPORAL_NAMESPACE: `no-such-namespace-${randomUUID()}`, TEMPORAL_TASK_QUEUE: 'any', TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: 5 }, logger as never);
    expect(applied).toBe(false);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toMatch(/TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION not applied/);
    expect(JSON.stringify(logged[0]!.meta)).toMatch(/namespace/i);
  });

  it('keys are integration ids, hashed under the 64-byte limit when longer', () => {
    const id = randomUUID();
    expect(integrationPriority(id)).toEqual({ fairnessKey: id });
    const long = 'x'.repeat(100);
    const key = integrationPriority(long).fairnessKey!;
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(64);
    expect(integrationPriority(long).fairnessKey).toBe(key);
  });
});
