/**
 * One Temporal dev server, one PostgreSQL and one workflow bundle per run (globalSetup); test files run
 * on two workers (JEST_WORKERS to change), each file on its own task queue, integration and sandboxes,
 * and any file that acts on a whole table on a database of its own (test/support/isolated-database.ts).
 * Tests inside a file run in a shuffled order every run (the seed is printed; `--seed=<n>` replays it);
 * TEST_ORDER_SEED shuffles the order of the files too (test/support/test-order.js).
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/test-order.js',
  maxWorkers: Number(process.env.JEST_WORKERS ?? 2),
  randomize: true,
  showSeed: true,
  testTimeout: 60000,
};
