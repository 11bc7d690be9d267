/**
 * Records the history of a candidate workflow that syncs stages with a linked CodeSignal candidate
 * (a Lever move sent through the status feed, a CodeSignal change reported through the sourcing API,
 * a hire, with Lever firing webhooks for API writes, so echoes are in it too) for the replay test:
 *   npx ts-node --transpile-only test/support/record-sync-history.ts
 * Uses TEST_DATABASE_URL when set, else an embedded PostgreSQL in a temp dir.
 * Re-record only when a workflow change is deliberately incompatible and old runs have drained.
 */
// before the stack is started: recorded histories use the service key alone (test/support/stack.ts)
process.env.RECORD_HISTORIES = '1';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../dev/embedded-postgres';
import { migrate } from '../../src/db/migrate';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { customSearchAttributes } from '../../src/workflows/shared/search-attributes';
import { candidateHandle, changeInCodeSignal, codesignalStatus, ids, importLinkedCandidate, leverOpportunity, setLeverApiWebhooks, settled, startStageSyncHarness } from '../workflows/sourcing/sync-support';
import { eventually, testLogger } from './stack';

async function main(out: string) {
  const binary = findTemporalBinary('temporal', undefined, process.env.PATH ?? '');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}), searchAttributes: customSearchAttributes },
  });
  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  let postgres: EmbeddedDatabase | undefined;
  if (!process.env.TEST_DATABASE_URL) {
    postgres = await startEmbeddedPostgres(mkdtempSync(path.join(tmpdir(), 'lcs-record-')), 20000 + Math.floor(Math.random() * 20000), testLogger);
    process.env.TEST_DATABASE_URL = postgres.url;
  }
  await migrate(process.env.TEST_DATABASE_URL!, testLogger);
  const h = await startStageSyncHarness();
  try {
    const x = ids(h);
    setLeverApiWebhooks(h, true);
    const l = await importLinkedCandidate(h, 'history');
    h.sandboxes.leverSandbox.recruiter.moveToStage(x.accountId, l.opportunityId, { stage: x.stages.phoneScreen, userId: x.leverUsers.recruiter });
    await eventually(async () => {
      if (codesignalStatus(h, l.candidateId).status !== 'screening') throw new Error('not synced yet');
    }, 30_000);
    await settled(h, l.opportunityId);
    await changeInCodeSignal(h, l.candidateId, 'interviewing', x.csUsers.sam);
    await eventually(async () => {
      if (leverOpportunity(h, l.opportunityId).stage !== x.stages.onSite) throw new Error('not synced yet');
    }, 30_000);
    await settled(h, l.opportunityId);
    h.sandboxes.leverSandbox.recruiter.hire(x.accountId, l.opportunityId, { userId: x.leverUsers.recruiter });
    await eventually(async () => {
      if (codesignalStatus(h, l.candidateId).status !== 'hired') throw new Error('not synced yet');
    }, 30_000);
    await settled(h, l.opportunityId);
    const handle = candidateHandle(h, l.opportunityId);
    writeFileSync(out, historyToJSON(await handle.fetchHistory()) + '\n');
    await handle.terminate('recorded');
  } finally {
    await h.close();
    await env.teardown();
    await postgres?.stop();
  }
}

main(process.argv[2] ?? path.join(__dirname, '..', 'histories', 'candidate-workflow-sync-v2.json')).catch((err) => {
  console.error(err);
  process.exit(1);
});
