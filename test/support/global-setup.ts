import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../dev/embedded-postgres';
import { migrate } from '../../src/db/migrate';
import { createLogger } from '../../src/log';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { customSearchAttributes } from '../../src/workflows/shared/search-attributes';

/**
 * One Temporal dev server and one PostgreSQL per test run (starting one per file is slow and flaky
 * on 2 cores). Tests find them through TEST_TEMPORAL_ADDRESS and TEST_DATABASE_URL.
 */
declare global {
  var __testServers: { temporal: TestWorkflowEnvironment; postgres?: EmbeddedDatabase } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const logger = createLogger('warn', 'test');
  const binary = findTemporalBinary('temporal', process.env.TEMPORAL_CLI_PATH, process.env.PATH ?? '');
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(binary ? { executable: { type: 'existing-path' as const, path: binary } } : {}),
      searchAttributes: customSearchAttributes,
      log: { format: 'json', level: 'error' },
      extraArgs: ['--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true'],
    },
  });
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;

  let postgres: EmbeddedDatabase | undefined;
  if (!process.env.TEST_DATABASE_URL) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-test-'));
    postgres = await startEmbeddedPostgres(dataDir, 20000 + Math.floor(Math.random() * 20000), logger);
    process.env.TEST_DATABASE_URL = postgres.url;
  }
  await migrate(process.env.TEST_DATABASE_URL!, logger);
  globalThis.__testServers = { temporal, postgres };
}
