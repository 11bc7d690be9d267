import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { spawnEntry, stopChild } from '../../bench/support/stack';
import { candidateStateQuery, leverEventSignal } from '../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';
import { eventually, testDataConverter, testEncryptionKey } from '../support/stack';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

jest.setTimeout(120_000);

/**
 * The worker entry (src/worker.ts) as the Temporal Worker Controller runs it (deploy/kubernetes/overlays/
 * worker-controller): the controller sets TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID on each
 * version's pods and alone decides which version is current. The worker turns versioning on from them,
 * registers its version, never makes it current itself, and runs workflows pinned to it once it is.
 */
describe('a worker run by the Temporal Worker Controller', () => {
  let client: Client;
  let worker: ChildProcess | undefined;
  const logDir = mkdtempSync(path.join(tmpdir(), 'lcs-controller-'));
  const namespace = 'default';

  beforeAll(async () => {
    client = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }), dataConverter: testDataConverter() });
  });
  afterAll(async () => {
    if (worker) await stopChild(worker);
    await client.connection.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('registers its version, leaves the routing to the controller and runs candidates pinned to it once made current', async () => {
    const deploymentName = `lever-codesignal/wc-${randomUUID().slice(0, 8)}`;
    const buildId = `0.1.0-${randomBytes(3).toString('hex')}`;
    const taskQueue = `wc-${randomUUID()}`;
    const logFile = path.join(logDir, 'worker.log');
    worker = await spawnEntry(
      'src/worker.ts',
      {
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
        DATABASE_URL: process.env.TEST_DATABASE_URL!,
        LINK_SIGNING_SECRET: randomBytes(32).toString('hex'),
        ENCRYPTION_KEY: testEncryptionKey,
        TEMPORAL_TASK_QUEUE: taskQueue,
        METRICS_PORT: 'off',
        // what the controller adds to the pod; WORKER_VERSIONING is left at its default (auto)
        TEMPORAL_DEPLOYMENT_NAME: deploymentName,
        TEMPORAL_WORKER_BUILD_ID: buildId,
      },
      'worker started',
      logFile,
      () => {},
    );
    expect(readFileSync(logFile, 'utf8')).toContain(`"buildId":"${buildId}"`);

    const describe = async () => (await client.workflowService.describeWorkerDeployment({ namespace, deploymentName })).workerDeploymentInfo;
    await eventually(async () => expect((await describe())?.versionSummaries?.map((v) => v.deploymentVersion?.buildId)).toEqual([buildId]), 30_000);
    // a plain versioned worker makes the first version current at once (adoptVersionIfFirst); this one leaves it to the controller
    await settle(3_000);
    const routing = (await describe())?.routingConfig;
    expect(routing?.currentDeploymentVersion?.buildId ?? null).toBeNull();

    // the controller's step: the version becomes current (with its identity as the deployment's manager)
    const { conflictToken } = await client.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, conflictToken, identity: 'temporal-worker-controller', ignoreMissingTaskQueues: true });

    const integrationId = randomUUID();
    const opportunityId = randomUUID();
    await client.workflow.signalWithStart('candidateWorkflow', {
      workflowId: candidateWorkflowId(integrationId, opportunityId),
      taskQueue,
      args: [{ integrationId, opportunityId }],
      signal: leverEventSignal,
      signalArgs: [{ kind: 'stageChange', key: 'k0', triggeredAt: 1, fromStageId: null, toStageId: 'stage-0' }],
    });
    const candidate = client.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId));
    await eventually(async () => expect((await candidate.query(candidateStateQuery)).eventsReceived).toBe(1), 30_000);
    const info = (await candidate.describe()).raw.workflowExecutionInfo?.versioningInfo;
    expect([info?.deploymentVersion?.deploymentName, info?.deploymentVersion?.buildId]).toEqual([deploymentName, buildId]);
    await candidate.terminate('test done');
  });
});
