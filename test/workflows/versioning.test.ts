import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createAssessmentActivities } from '../../src/activities/assessment/assessment-activities';
import { createSettingsActivities } from '../../src/activities/shared/settings-activities';
import { createEventContextActivities } from '../../src/activities/candidate/event-context';
import { createDryRunActivities } from '../../src/activities/dry-run/dry-run-activities';
import { createIntegrationContexts } from '../../src/integrations/context';
import { createPool, type Db } from '../../src/db/pool';
import { assessmentSettingsSchema } from '../../src/integrations/settings';
import { workerInterceptors } from '../../src/worker';
import { adoptVersionIfFirst, deploymentOptions, type WorkerVersion } from '../../src/worker-versioning';
import { candidateStateQuery, leverEventSignal } from '../../src/workflows/candidate/messages';
import { assessmentStateQuery, cancelAssessmentSignal } from '../../src/workflows/assessment/messages';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';
import { eventually, testDataConverter, testLogger, testSecretBox, testWorkerSinks } from '../support/stack';
import { bundleIncompatibleWorkflows } from './fixtures/incompatible-bundle';
import { testWorkflowBundle } from '../support/workflow-bundle';

const historiesDir = path.join(__dirname, '..', 'histories');
mkdirSync(path.join(historiesDir, 'version-b'), { recursive: true });

jest.setTimeout(240_000);

/**
 * Worker Versioning on the run's dev server: version A (the run's bundle) and an incompatible version B
 * (test/workflows/fixtures/incompatible-workflows.ts) of one Worker Deployment on one task queue. Assessments
 * started on A finish on A after B is made current, new ones run on B, and a candidate moves to B at its
 * next continue-as-new; nothing fails with a non-determinism error.
 */
describe('worker versioning', () => {
  let client: Client;
  let nativeConnection: NativeConnection;
  let db: Db;
  let bundleB: string;
  const namespace = 'default';

  beforeAll(async () => {
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
    client = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }), dataConverter: testDataConverter() });
    nativeConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    bundleB = await bundleIncompatibleWorkflows();
  });
  afterAll(async () => {
    await client.connection.close();
    await nativeConnection.close();
    await db.end();
  });

  // Every activity waits for the test to open the gate, then fails for good: the assessment stops at once, on its version.
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const activities = () => {
    const contexts = createIntegrationContexts({ db, box: testSecretBox, leverApiUrl: 'http://127.0.0.1:9', codesignalApiUrl: 'http://127.0.0.1:9', leverRequestsPerSecond: 1 });
    const stub = async () => {
      await gate;
      throw ApplicationFailure.nonRetryable('stubbed activity', 'Stubbed');
    };
    // as in candidate-workflow.test.ts, candidates read their (absent) integration's settings for real; the assessments' activities are stubbed
    return { ...createSettingsActivities({ contexts }), ...createEventContextActivities({ contexts }), ...createDryRunActivities({ contexts }), ...Object.fromEntries(Object.keys(createAssessmentActivities({ contexts, publicUrl: 'http://127.0.0.1:9', linkSigningSecret: 'x'.repeat(32) })).map((name) => [name, stub])) };
  };
  const versionedWorker = (taskQueue: string, version: WorkerVersion, workflowBundle: { code: string } | { codePath: string }) =>
    Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundle,
      activities: activities(),
      interceptors: workerInterceptors(),
      sinks: testWorkerSinks(),
      dataConverter: testDataConverter(),
      workerDeploymentOptions: deploymentOptions(version),
    });
  const buildIdOf = async (handle: WorkflowHandle) => (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId;
  const settings = { ...assessmentSettingsSchema.parse({}), notifyFollowers: false };
  const startAssessment = (taskQueue: string, integrationId: string) => {
    const opportunityId = randomUUID();
    return client.workflow.start('assessmentWorkflow', {
      taskQueue,
      workflowId: `vt-assessment-${randomUUID()}`,
      args: [{ integrationId, opportunityId, assessmentId: randomUUID(), candidateWorkflowId: candidateWorkflowId(integrationId, opportunityId), triggerStageId: 'stage-1', settings }],
    });
  };

  it('keeps running assessments on their version, starts new ones on the current one and moves candidates at continue-as-new', async () => {
    const taskQueue = `vt-${randomUUID()}`;
    const deploymentName = `vt-${randomUUID()}`;
    const a: WorkerVersion = { deploymentName, buildId: 'version-a' };
    const b: WorkerVersion = { deploymentName, buildId: 'version-b' };
    const integrationId = randomUUID();
    const workerA = await versionedWorker(taskQueue, a, testWorkflowBundle());
    const runningA = workerA.run();
    try {
      expect(await adoptVersionIfFirst(client.workflowService, namespace, a, testLogger)).toBe('adopted');
      const opportunityId = randomUUID();
      const event = (i: number) => ({ kind: 'stageChange' as const, key: `k${i}`, triggeredAt: i + 1, fromStageId: i === 0 ? null : `stage-${i - 1}`, toStageId: `stage-${i}` });
      const { signaledRunId: firstCandidateRun } = await client.workflow.signalWithStart('candidateWorkflow', {
        workflowId: candidateWorkflowId(integrationId, opportunityId),
        taskQueue,
        args: [{ integrationId, opportunityId, historyLimit: 40 }],
        signal: leverEventSignal,
        signalArgs: [event(0)],
      });
      const candidate = client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId));
      const onA = await startAssessment(taskQueue, integrationId);
      await eventually(async () => expect(await buildIdOf(onA)).toBe('version-a'));
      await eventually(async () => expect(await buildIdOf(candidate)).toBe('version-a'));

      // B starts polling; a second worker start does not take over a deployment that has a current version
      const workerB = await versionedWorker(taskQueue, b, { code: bundleB });
      const runningB = workerB.run();
      try {
        expect(await adoptVersionIfFirst(client.workflowService, namespace, b, testLogger, { timeoutMs: 5_000 }).catch(() => 'not registered yet')).not.toBe('adopted');
        // the rollout's last step (scripts/rollout-version.sh): B becomes current
        expect(await adoptVersionIfFirst(client.workflowService, namespace, b, testLogger, { always: true })).toBe('adopted');
        const onB = await startAssessment(taskQueue, integrationId);
        await eventually(async () => expect(await buildIdOf(onB)).toBe('version-b'), 30_000);
        // the candidate stays on A until it continues as new
        await candidate.signal(leverEventSignal, event(1));
        await eventually(async () => expect((await candidate.query(candidateStateQuery)).eventsReceived).toBe(2));
        expect(await buildIdOf(candidate)).toBe('version-a');
        openGate();
        for (const [handle, buildId] of [[onA, 'version-a'], [onB, 'version-b']] as const) {
          // stopped by the stubbed activities (a named stop, README "When a flow stops"), then cancelled: each step
          // on the version it started on, and no non-determinism error on the way
          await eventually(async () => expect((await handle.query(assessmentStateQuery)).stopped).toMatchObject({ failureType: 'Stubbed' }), 30_000);
          await handle.signal(cancelAssessmentSignal, { reason: 'recruiter' });
          const outcome = await handle.result().then((state) => state, (err: unknown) => err);
          expect(String((outcome as { cause?: unknown })?.cause ?? outcome)).not.toMatch(/nondetermin/i);
          expect(outcome).toMatchObject({ status: 'cancelled' });
          expect(await buildIdOf(handle)).toBe(buildId);
        }
        for (let i = 2; i < 40; i++) await candidate.signal(leverEventSignal, event(i));
        // the run after the continue-as-new (runs ≥ 2) carries the state and runs on B
        // (B's candidate registers its query after its first timer: a query in between is refused, and retried here)
        const carried = async () => (({ eventsReceived, stageId, runs }) => [eventsReceived, stageId, runs > 1])(await candidate.query(candidateStateQuery));
        await eventually(async () => expect(await carried()).toEqual([40, 'stage-39', true]), 30_000);
        await eventually(async () => expect(await buildIdOf(candidate)).toBe('version-b'));
        expect((await candidate.describe()).status.name).toBe('RUNNING');

        // RECORD_VERSIONED_HISTORIES=1: refresh the histories replay.test.ts replays with each version's code
        if (process.env.RECORD_VERSIONED_HISTORIES) {
          const record = async (file: string, handle: WorkflowHandle) => writeFileSync(path.join(historiesDir, file), historyToJSON(await handle.fetchHistory()) + '\n');
          await record('assessment-workflow-version-a.json', onA);
          await record('candidate-workflow-version-a.json', client.workflow.getHandle(candidate.workflowId, firstCandidateRun));
          await record('version-b/assessment-workflow-version-b.json', onB);
          await record('version-b/candidate-workflow-version-b.json', client.workflow.getHandle(candidate.workflowId));
        }
      } finally {
        openGate();
        workerB.shutdown();
        await runningB;
      }
    } finally {
      openGate();
      workerA.shutdown();
      await runningA;
    }
  });
});
