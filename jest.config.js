/**
 * One Temporal dev server, one PostgreSQL and one workflow bundle per run (globalSetup); test files run
 * on JEST_WORKERS workers (default 3: most of a test's time is spent waiting on servers, not on the CPU),
 * each file on its own task queue, integration and sandboxes, and any file that acts on a whole table on a
 * database of its own (test/support/isolated-database.ts).
 * Tests inside a file run in a shuffled order every run (the seed is printed; `--seed=<n>` replays it);
 * TEST_ORDER_SEED shuffles the order of the files too (test/support/test-order.js).
 * Two projects: `e2e` (whole flows through the worker, the dev entry and the browser) and `fast` (the rest);
 * `npm run test:fast` runs only the latter.
 */
const e2e = ['<rootDir>/test/workflows/**/*.test.ts', '<rootDir>/test/dev/**/*.test.ts', '<rootDir>/test/api/admin/ui/**/*.test.ts', '<rootDir>/test/observability/metrics.test.ts', '<rootDir>/test/observability/tracing.test.ts', '<rootDir>/test/production-shape/**/*.test.ts'];
const project = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
};
module.exports = {
  projects: [
    { ...project, displayName: 'e2e', testMatch: e2e },
    { ...project, displayName: 'fast', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/workflows/', '<rootDir>/test/dev/', '<rootDir>/test/api/admin/ui/', '<rootDir>/test/observability/metrics.test.ts', '<rootDir>/test/observability/tracing.test.ts', '<rootDir>/test/production-shape/'] },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/test-order.js',
  maxWorkers: Number(process.env.JEST_WORKERS ?? 3),
  randomize: true,
  showSeed: true,
  testTimeout: 60000,
};
