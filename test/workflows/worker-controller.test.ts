import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawnEntry, stopChild } from '../../bench/support/stack';
import { candidateStateQuery, leverEventSignal } from '../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';
import { eventually, testDataConverter, testEncryptionKey } from '../support/stack';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

jest.setTimeout(240_000);

/**
 * The worker entry (src/worker.ts) as the Temporal Worker Controller runs it (deploy/kubernetes/overlays/
 * worker-controller): the controller sets TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID on each
 * version's pods and alone decides which version is current. The workers turn versioning on from them,
 * register their version, never make it current themselves, and run the workflows pinned to it: a rollout
 * from A (two processes) to B (a third) with the test in the controller's place.
 */
describe('workers run by the Temporal Worker Controller', () => {
  let client: Client;
  const workers: ChildProcess[] = [];
  const logDir = mkdtempSync(path.join(tmpdir(), 'lcs-controller-'));
  const namespace = 'default';

  beforeAll(async () => {
    client = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }), dataConverter: testDataConverter() });
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopChild));
    await client.connection.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('register their version, leave the routing to the controller, and keep pinned candidates on their version across a rollout over three processes', async () => {
    const deploymentName = `lever-codesignal/wc-${randomUUID().slice(0, 8)}`;
    const [a, b] = [`0.1.0-${randomBytes(3).toString('hex')}`, `0.1.1-${randomBytes(3).toString('hex')}`];
    const taskQueue = `wc-${randomUUID()}`;
    const common = {
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      LINK_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: testEncryptionKey,
      TEMPORAL_TASK_QUEUE: taskQueue,
      METRICS_PORT: 'off',
    };
    /** A pod of one version: what the controller adds to it; WORKER_VERSIONING is left at its default (auto). */
    const startPod = async (buildId: string, n: number) => {
      const logFile = path.join(logDir, `worker-${n}.log`);
      const child = await spawnEntry('src/worker.ts', { ...common, TEMPORAL_DEPLOYMENT_NAME: deploymentName, TEMPORAL_WORKER_BUILD_ID: buildId }, 'worker started', logFile, (c) => workers.push(c));
      // the ready line reaches the log file a moment after spawnEntry saw it
      await eventually(async () => expect(readFileSync(logFile, 'utf8')).toContain(`"buildId":"${buildId}"`));
      return String(child.pid);
    };
    const describeDeployment = () => client.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    const versions = async () => (await describeDeployment()).workerDeploymentInfo?.versionSummaries?.map((v) => v.deploymentVersion?.buildId).sort();
    /** The controller's step: the version becomes current. */
    const makeCurrent = async (buildId: string) => {
      const { conflictToken } = await describeDeployment();
      await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, conflictToken, identity: 'temporal-worker-controller', ignoreMissingTaskQueues: true });
      await eventually(async () => expect((await describeDeployment()).workerDeploymentInfo?.routingConfigUpdateState).not.toBe(temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS), 60_000, 250); // the server propagates the routing asynchronously: slower on a loaded host
    };
    const integrationId = randomUUID();
    const startCandidate = async () => {
      const opportunityId = randomUUID();
      await client.workflow.signalWithStart('candidateWorkflow', {
        workflowId: candidateWorkflowId(integrationId, opportunityId),
        taskQueue,
        args: [{ integrationId, opportunityId }],
        signal: leverEventSignal,
        signalArgs: [{ kind: 'stageChange', key: 'k0', triggeredAt: 1, fromStageId: null, toStageId: 'stage-0' }],
      });
      return client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId));
    };
    const buildIdOf = async (handle: WorkflowHandle) => (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId;
    const workerPidsOf = async (handle: WorkflowHandle) =>
      new Set((await handle.fetchHistory()).events?.map((e) => e.workflowTaskStartedEventAttributes?.identity?.split('@')[0]).filter((pid): pid is string => Boolean(pid)));

    // version A: two pods
    const podsA = [await startPod(a, 1), await startPod(a, 2)];
    await eventually(async () => expect(await versions()).toEqual([a]), 30_000);
    // a plain versioned worker makes the first version current at once (adoptVersionIfFirst); these leave it to the controller
    await settle(3_000);
    expect((await describeDeployment()).workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? null).toBeNull();
    await makeCurrent(a);
    const onA = await startCandidate();
    await eventually(async () => expect((await onA.query(candidateStateQuery)).eventsReceived).toBe(1), 30_000);
    expect(await buildIdOf(onA)).toBe(a);

    // version B: one pod beside them; it takes over only when the controller makes it current
    const podB = await startPod(b, 3);
    await eventually(async () => expect(await versions()).toEqual([a, b].sort()), 30_000);
    await makeCurrent(b);
    const onB = await startCandidate();
    await eventually(async () => expect((await onB.query(candidateStateQuery)).eventsReceived).toBe(1), 30_000);
    expect(await buildIdOf(onB)).toBe(b);
    // the candidate pinned to A stays there (until its continue-as-new) and is served by A's pods only
    await onA.signal(leverEventSignal, { kind: 'stageChange', key: 'k1', triggeredAt: 2, fromStageId: 'stage-0', toStageId: 'stage-1' });
    await eventually(async () => expect((await onA.query(candidateStateQuery)).eventsReceived).toBe(2), 30_000);
    expect(await buildIdOf(onA)).toBe(a);
    for (const pid of await workerPidsOf(onA)) expect(podsA).toContain(pid);
    expect([...(await workerPidsOf(onB))]).toEqual([podB]);
    await Promise.all([onA.terminate('test done'), onB.terminate('test done')]);
  });
});
