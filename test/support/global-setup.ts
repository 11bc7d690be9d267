import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../dev/embedded-postgres';
import { onFreePorts } from './free-port';
import { migrate } from '../../src/db/migrate';
import { createLogger } from '../../src/log';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { customSearchAttributes } from '../../src/workflows/shared/search-attributes';
import { bundleWorkflows, workflowBundleFile } from '../../src/worker';

/**
 * One Temporal dev server and one PostgreSQL per test run (starting one per file is slow and flaky
 * on 2 cores). Tests find them through TEST_TEMPORAL_ADDRESS and TEST_DATABASE_URL.
 */
declare global {
  var __testServers: { temporal: TestWorkflowEnvironment; postgres?: EmbeddedDatabase } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const logger = createLogger('warn', 'test');
  // Every worker of the run loads one of these bundles (test/support/workflow-bundle.ts) instead of bundling again:
  // without the OpenTelemetry workflow interceptors, and with them for workers of a process that traces.
  const dir = mkdtempSync(path.join(tmpdir(), 'lcs-bundle-'));
  const bundled = Promise.all(
    [false, true].map(async (tracing) => {
      const file = path.join(dir, workflowBundleFile({ tracing }));
      writeFileSync(file, await bundleWorkflows({ tracing }));
      process.env[tracing ? 'TEST_WORKFLOW_BUNDLE_TRACED' : 'TEST_WORKFLOW_BUNDLE'] = file;
    }),
  );
  const binary = findTemporalBinary('temporal', process.env.TEMPORAL_CLI_PATH, process.env.PATH ?? '');
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}),
      searchAttributes: customSearchAttributes,
      log: { format: 'json', level: 'error' },
      extraArgs: [
        '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
        // task queue fairness, as every server the project starts has it (dev/temporal-dev-server.ts)
        '--dynamic-config-value', 'matching.enableFairness=true',
        // one partition per task queue: a queue's dispatch order is then exactly what the matcher chose, which
        // test/temporal/fairness.test.ts asserts (with the default 4, tasks are spread at random over 4 queues)
        '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
        '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
      ],
    },
  });
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;

  let postgres: EmbeddedDatabase | undefined;
  if (!process.env.TEST_DATABASE_URL) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-test-'));
    // on a port verified free, and on another one if a process took it before PostgreSQL could listen
    postgres = await onFreePorts(1, ([port]) => startEmbeddedPostgres(dataDir, port, logger));
    process.env.TEST_DATABASE_URL = postgres.url;
  }
  await migrate(process.env.TEST_DATABASE_URL!, logger);
  await bundled;
  globalThis.__testServers = { temporal, postgres };
}
