import { randomUUID } from 'node:crypto';
import { createLeverClient } from '../../src/lever/client';
import { createLeverRateLimiter } from '../../src/lever/rate-limiter';
import { createPool, type Db } from '../../src/db/pool';
import { createLeverSandbox, seedLeverDemo } from '../../sandbox/lever/index';
import { createLogger } from '../../src/log';
import { busiestWindow } from '../support/assessment-faults';

const testLogger = createLogger('silent', 'test');

describe('Lever rate limiter shared through Postgres', () => {
  // two pools stand for two worker processes: nothing in memory is shared between them
  let processA: Db;
  let processB: Db;
  beforeAll(() => {
    processA = createPool(process.env.TEST_DATABASE_URL!, testLogger, 5);
    processB = createPool(process.env.TEST_DATABASE_URL!, testLogger, 5);
  });
  afterAll(async () => {
    await processA.end();
    await processB.end();
  });

  it('keeps two processes together under the budget, waiting instead of failing', async () => {
    const integrationId = randomUUID();
    const limiters = [processA, processB].map((db) => createLeverRateLimiter({ db, integrationId, pointsPerSecond: 9 }));
    const started = Date.now();
    const granted = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      await limiters[i % 2]!.acquire();
      return Date.now();
    }));
    const elapsed = Date.now() - started;
    // 60 points at 9 per one-second window need 7 windows, so at least 6 s (a little slack for timers)
    expect(elapsed).toBeGreaterThanOrEqual(5_900);
    // fixed windows: never more than two windows' worth in any second, and ≈ 9 per second overall
    expect(busiestWindow(granted, 1000)).toBeLessThanOrEqual(18);
    expect(busiestWindow(granted, 3000)).toBeLessThanOrEqual(36);
  });

  it('keeps integrations apart: one busy key does not slow another', async () => {
    const busy = createLeverRateLimiter({ db: processA, integrationId: randomUUID(), pointsPerSecond: 3 });
    const quiet = createLeverRateLimiter({ db: processA, integrationId: randomUUID(), pointsPerSecond: 3 });
    // 7 points at 3 per window take the busy key three windows; the quiet key's one point is granted
    // before the busy key's third window, whatever the machine's speed (an order, not a duration)
    const order: string[] = [];
    const spent = Promise.all(Array.from({ length: 7 }, () => busy.acquire().then(() => order.push('busy'))));
    await quiet.acquire().then(() => order.push('quiet'));
    await spent;
    expect(order.indexOf('quiet')).toBeLessThan(6);
  });

  it('rejects a budget that is not a positive integer', () => {
    expect(() => createLeverRateLimiter({ db: processA, integrationId: 'x', pointsPerSecond: 0 })).toThrow(RangeError);
  });

  it('lets 60 concurrent calls from two clients through Lever\'s real limit without a single 429', async () => {
    const sandbox = createLeverSandbox({ logger: false, rateLimit: { perSecond: 10, burst: 20 } });
    const demo = seedLeverDemo(sandbox, { permissions: 'all' });
    const server = await sandbox.listen(0);
    try {
      const integrationId = randomUUID();
      const clients = [processA, processB].map((db) =>
        createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey, limiter: createLeverRateLimiter({ db, integrationId }) }));
      const opportunityId = demo.opportunities[0]!.id;
      await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 2]!.getOpportunity(opportunityId)));
      const log = sandbox.admin.requests(demo.accountId);
      expect(log).toHaveLength(60);
      expect(log.filter((r) => r.status === 429 || r.rateLimited)).toEqual([]);

      // the same burst without the limiter is refused by the sandbox, so the check above means something
      const unlimited = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey });
      const outcomes = await Promise.allSettled(Array.from({ length: 60 }, () => unlimited.getOpportunity(opportunityId)));
      expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});
