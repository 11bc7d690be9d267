import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testDataConverter, testWorkerSinks } from '../support/stack';
import { testWorkflowBundle } from '../support/workflow-bundle';

/**
 * Histories recorded from earlier workflow code; a non-deterministic change makes replay throw. Replayed
 * with the service's data converter: the encrypted ones are decrypted, the ones from before encryption pass through.
 */
const dir = path.join(__dirname, '..', 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('replays %s with the current workflow code', async (file) => {
    const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: testWorkflowBundle(), dataConverter: testDataConverter(), sinks: testWorkerSinks() }, history, file);
  });
});
