import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testDataConverter, testWorkerSinks } from '../support/stack';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { bundleIncompatibleWorkflows } from './fixtures/incompatible-bundle';

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

/**
 * Worker Versioning (test/workflows/versioning.test.ts records these): the `*-version-a` histories above are
 * version A's (the current code); version B's, in version-b/, replay with B's incompatible code, which A's could not.
 */
const versionB = readdirSync(path.join(dir, 'version-b')).filter((f) => f.endsWith('.json'));

describe('workflow replay of another worker deployment version', () => {
  let code: string;
  beforeAll(async () => {
    code = await bundleIncompatibleWorkflows();
  }, 120_000);

  it.each(versionB)('replays version-b/%s with version B\'s code', async (file) => {
    const history = JSON.parse(readFileSync(path.join(dir, 'version-b', file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { code }, dataConverter: testDataConverter(), sinks: testWorkerSinks() }, history, file);
  });

  it.each(versionB)('does not replay version-b/%s with the current code (B needed a new version)', async (file) => {
    const history = JSON.parse(readFileSync(path.join(dir, 'version-b', file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: testWorkflowBundle(), dataConverter: testDataConverter(), sinks: testWorkerSinks() }, history, file)).rejects.toThrow(/nondetermin/i);
  });
});
