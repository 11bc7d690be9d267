// @ts-check
const { createHash } = require('node:crypto');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Test files run slowest first (jest's own order, best for two workers) unless TEST_ORDER_SEED is set:
 * then in an order shuffled by that seed, printed so an order-dependent failure can be replayed with
 * `TEST_ORDER_SEED=<seed> npm test`. Tests inside a file are shuffled on every run (`randomize`, seed printed).
 */
class TestOrder extends Sequencer {
  sort(tests) {
    const seedText = process.env.TEST_ORDER_SEED;
    if (!seedText) return super.sort(tests);
    const seed = Number(seedText);
    if (!Number.isInteger(seed)) throw new Error(`TEST_ORDER_SEED must be an integer, not ${seedText}`);
    process.stderr.write(`test files in an order shuffled by TEST_ORDER_SEED=${seed}\n`);
    // each file's place is a hash of the seed and its path: the same seed gives the same order
    const place = (test) => createHash('sha256').update(`${seed}:${path.relative(test.context.config.rootDir, test.path)}`).digest('hex');
    const order = [...tests].map((test) => ({ test, at: place(test) })).sort((x, y) => x.at.localeCompare(y.at)).map(({ test }) => test);
    return order;
  }
}

module.exports = TestOrder;
