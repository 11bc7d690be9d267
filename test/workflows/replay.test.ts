import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';

/** Histories recorded from earlier workflow code; a non-deterministic change makes replay throw. */
const dir = path.join(__dirname, '..', 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('replays %s with the current workflow code', async (file) => {
    const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, history, file);
  });
});
