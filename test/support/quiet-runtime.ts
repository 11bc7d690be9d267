import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Workers in tests log warnings and errors only (TEST_LOG_LEVEL=INFO for more). */
try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG_LEVEL?.toUpperCase() as 'INFO' | undefined) ?? 'WARN') });
} catch {
  // Already installed for this process by an earlier test file.
}
