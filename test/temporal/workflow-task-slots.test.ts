import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { activityDepsFrom, DEFAULT_WORKFLOW_TASK_SLOTS } from '../../src/config';
import { dataKeyStoreFrom } from '../../src/crypto/data-keys';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { createCandidateWorker } from '../../src/worker';
import { enqueueCandidates } from '../support/candidate-events';
import { eventually, startStack, testLogger, type TestStack } from '../support/stack';
import { testWorkflowBundle } from '../support/workflow-bundle';

jest.setTimeout(180_000);

/**
 * The worker holds few workflow tasks at once (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, README "Fairness between
 * organizations"): a backlog is drained without the worker taking more than that many of its tasks, so the
 * rest stay in Temporal's task queue, where fairness orders them. Measured from the histories: the most
 * workflow tasks that were between started (handed to the worker) and completed at the same moment.
 */
describe('workflow task slots of the shipped worker', () => {
  const backlog = 40;
  let stack: TestStack;
  let connection: NativeConnection;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
  });
  afterAll(async () => {
    await connection.close();
    await stack.stop();
  });

  /** Enqueues `backlog` candidate workflows with no worker polling, drains them with a worker, answers the overlap. */
  async function mostHeldAtOnce(taskQueue: string, maxConcurrentWorkflowTasks?: number): Promise<number> {
    const integrationId = randomUUID();
    const ids = await enqueueCandidates(stack.client, taskQueue, integrationId, backlog, 'slots');
    const worker = await createCandidateWorker({
      connection,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue,
      deps: { db: stack.db, logger: testLogger, ...activityDepsFrom(stack.config, stack.config.LINK_SIGNING_SECRET!) },
      // the stack's client's, as the service's worker and API share one (test/support/stack.ts)
      dataConverter: dataConverterFor(stack.config, dataKeyStoreFrom(stack.db, stack.config)),
      shutdownGraceSeconds: 1,
      workflowBundlePath: testWorkflowBundle().codePath,
      ...(maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTasks } : {}),
    });
    const intervals: Array<[number, number]> = [];
    try {
      await worker.runUntil(eventually(async () => {
        intervals.length = 0;
        for (const id of ids) {
          const events = (await stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
          const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1e6 + Math.floor((e.eventTime?.nanos ?? 0) / 1e3);
          const started = events.find((e) => e.workflowTaskStartedEventAttributes);
          const completed = events.find((e) => e.workflowTaskCompletedEventAttributes);
          if (!started || !completed) throw new Error(`${id}: first workflow task not completed yet`);
          intervals.push([at(started), at(completed)]);
        }
      }, 90_000, 500));
    } finally {
      await Promise.all(ids.map((id) => stack.client.workflow.getHandle(id).terminate('slots test done').catch(() => undefined)));
    }
    // the most intervals covering one instant: +1 at each start, -1 at each end (an end before a start at the same time)
    const edges = intervals.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let held = 0;
    let most = 0;
    for (const [, d] of edges) most = Math.max(most, (held += d));
    return most;
  }

  it(`takes at most ${DEFAULT_WORKFLOW_TASK_SLOTS} of a backlog's workflow tasks at once, leaving the rest to the task queue's order`, async () => {
    const most = await mostHeldAtOnce(`slots-${randomUUID()}`);
    expect(most).toBeLessThanOrEqual(DEFAULT_WORKFLOW_TASK_SLOTS);
    expect(most).toBeGreaterThan(1); // it does run tasks side by side
  });

  it("the SDK's default of 40 takes many more: what the bound prevents", async () => {
    const most = await mostHeldAtOnce(`slots-${randomUUID()}`, 40);
    expect(most).toBeGreaterThan(DEFAULT_WORKFLOW_TASK_SLOTS);
  });
});
