/**
 * Records a candidate workflow history for the replay test, encrypted with the test key as the service encrypts its own:
 *   npx ts-node --transpile-only test/support/record-history.ts test/histories/candidate-workflow-v1.json
 * Re-record only when a workflow change is deliberately incompatible and old runs have drained.
 */
import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { workerInterceptors } from '../../src/worker';
import { candidateStateQuery, leverEventSignal } from '../../src/workflows/candidate/messages';
import { customSearchAttributes } from '../../src/workflows/shared/search-attributes';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../../src/workflows/shared/search-attributes';
import { sampleLeverEvents } from './candidate-events';
import { testDataConverter, testWorkerSinks } from './stack';

async function main(out: string) {
  const binary = findTemporalBinary('temporal', undefined, process.env.PATH ?? '');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}), searchAttributes: customSearchAttributes },
    client: { dataConverter: testDataConverter({ dataKeys: false }) },
  });
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'record',
      workflowsPath: require.resolve('../../src/workflows'),
      dataConverter: testDataConverter({ dataKeys: false }),
      interceptors: workerInterceptors(),
      sinks: testWorkerSinks(),
    });
    await worker.runUntil(async () => {
      const events = sampleLeverEvents();
      const handle = await env.client.workflow.signalWithStart('candidateWorkflow', {
        workflowId: 'candidate/integration-1/opportunity-1',
        taskQueue: 'record',
        args: [{ integrationId: 'integration-1', opportunityId: 'opportunity-1', historyLimit: 10_000 }],
        signal: leverEventSignal,
        signalArgs: [events[0]!],
        typedSearchAttributes: [
          { key: IntegrationIdKey, value: 'integration-1' },
          { key: LeverOpportunityIdKey, value: 'opportunity-1' },
        ],
      });
      for (const event of events.slice(1)) {
        await handle.signal(leverEventSignal, event);
        await new Promise((r) => setTimeout(r, 200));
      }
      const state = await handle.query(candidateStateQuery);
      if (state.eventsReceived + state.duplicatesIgnored !== events.length) throw new Error('not all events processed');
      writeFileSync(out, historyToJSON(await handle.fetchHistory()) + '\n');
      await handle.terminate('recorded');
    });
  } finally {
    await env.teardown();
  }
}

void main(process.argv[2] ?? 'test/histories/candidate-workflow-v1.json');
