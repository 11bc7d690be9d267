import { randomUUID } from 'node:crypto';
import { Connection, Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { candidateStateQuery, leverEventSignal, type LeverCandidateEvent } from '../../../src/workflows/candidate/messages';
import { LeverStageKey } from '../../../src/workflows/shared/search-attributes';
import { signalLeverEvent } from '../../../src/temporal/candidate-client';
import { createSettingsActivities } from '../../../src/activities/shared/settings-activities';
import { createEventContextActivities } from '../../../src/activities/candidate/event-context';
import { createDryRunActivities } from '../../../src/activities/dry-run/dry-run-activities';
import { workerInterceptors } from '../../../src/worker';
import { createPool, type Db } from '../../../src/db/pool';
import { createIntegrationContexts } from '../../../src/integrations/context';
import { eventually, testDataConverter, testLogger, testSecretBox, testWorkerSinks } from '../../support/stack';
import { testWorkflowBundle } from '../../support/workflow-bundle';

describe('candidate workflow', () => {
  let client: Client;
  let nativeConnection: NativeConnection;
  let db: Db;
  // Stage changes look up the integration's assessment settings (and a dry-run draft); these candidates belong to none.
  const contexts = () => createIntegrationContexts({ db, box: testSecretBox, leverApiUrl: 'http://127.0.0.1:9', codesignalApiUrl: 'http://127.0.0.1:9', leverRequestsPerSecond: 1 });
  const workerOptions = (taskQueue: string) => ({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: testWorkflowBundle(),
    activities: { ...createSettingsActivities({ contexts: contexts() }), ...createEventContextActivities({ contexts: contexts() }), ...createDryRunActivities({ contexts: contexts() }) },
    interceptors: workerInterceptors(),
    sinks: testWorkerSinks(),
    dataConverter: testDataConverter(),
  });
  beforeAll(async () => {
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
    client = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }), dataConverter: testDataConverter() });
    nativeConnection = await NativeConnection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(async () => {
    await client.connection.close();
    await nativeConnection.close();
    await db.end();
  });

  it('continues as new before its history grows large and keeps its state and search attributes', async () => {
    const taskQueue = `cw-${randomUUID()}`;
    const worker = await Worker.create(workerOptions(taskQueue));
    const integrationId = randomUUID();
    const opportunityId = randomUUID();
    const workflowId = candidateWorkflowId(integrationId, opportunityId);
    await worker.runUntil(async () => {
      const first: LeverCandidateEvent = { kind: 'stageChange', key: 'k0', triggeredAt: 1, fromStageId: null, toStageId: 'stage-0' };
      await client.workflow.signalWithStart('candidateWorkflow', {
        workflowId,
        taskQueue,
        args: [{ integrationId, opportunityId, historyLimit: 30 }],
        signal: leverEventSignal,
        signalArgs: [first],
      });
      const handle = client.workflow.getHandle(workflowId);
      for (let i = 1; i < 40; i++) {
        await handle.signal(leverEventSignal, { kind: 'stageChange', key: `k${i}`, triggeredAt: i + 1, fromStageId: `stage-${i - 1}`, toStageId: `stage-${i}` });
        // every few signals, wait until they are taken, as webhooks spread over time are: a loaded worker would
        // otherwise take many signals in one task, and the history would stay short of the limit this test is about
        if (i % 5 === 0) await eventually(async () => expect((await handle.query(candidateStateQuery)).eventsReceived).toBe(i + 1), 30_000);
      }
      const state = await eventually(async () => {
        const s = await handle.query(candidateStateQuery);
        expect(s.eventsReceived).toBe(40);
        expect(s.runs).toBeGreaterThan(1);
        return s;
      }, 30_000);
      expect(state.stageId).toBe('stage-39');
      expect(state.stageHistory).toHaveLength(40);
      // A duplicate from before the continue-as-new is still recognised.
      await handle.signal(leverEventSignal, first);
      await eventually(async () => expect((await handle.query(candidateStateQuery)).duplicatesIgnored).toBe(1));
      const description = await handle.describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(LeverStageKey)).toBe('stage-39');
    });
  });

  it('signal-with-start is one call for a new and for a running candidate', async () => {
    const taskQueue = `cw-${randomUUID()}`;
    const worker = await Worker.create(workerOptions(taskQueue));
    const target = { integrationId: randomUUID(), opportunityId: randomUUID() };
    await worker.runUntil(async () => {
      const id1 = await signalLeverEvent(client, taskQueue, target, { kind: 'hired', key: 'h', triggeredAt: 5 });
      const id2 = await signalLeverEvent(client, taskQueue, target, { kind: 'stageChange', key: 's', triggeredAt: 4, fromStageId: null, toStageId: 'offer' });
      expect(id2).toBe(id1);
      const state = await eventually(async () => {
        const s = await client.workflow.getHandle(id1).query(candidateStateQuery);
        expect(s.eventsReceived).toBe(2);
        return s;
      });
      expect(state).toMatchObject({ hiredAt: 5, stageId: 'offer', runs: 1 });
    });
  });
});
