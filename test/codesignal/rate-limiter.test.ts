import { randomUUID } from 'node:crypto';
import { createCodeSignalClient } from '../../src/codesignal/client';
import { RateBudgetBusy } from '../../src/external-api-error';
import { createCodeSignalRateLimiter, documentedQueryLimits, fieldLimit, spacingMs } from '../../src/codesignal/rate-limiter';
import { createPool, type Db } from '../../src/db/pool';
import { createIntegrationClients } from '../../src/integrations/clients';
import { createLogger } from '../../src/log';
import { startSandboxHarness, type SandboxHarness } from '../../sandbox/codesignal/testing';
import { busiestWindow } from '../support/assessment-faults';

const testLogger = createLogger('silent', 'test');

describe('CodeSignal rate limiter shared through Postgres', () => {
  // two pools stand for two worker processes: nothing in memory is shared between them
  let processA: Db;
  let processB: Db;
  let h: SandboxHarness;
  beforeAll(async () => {
    processA = createPool(process.env.TEST_DATABASE_URL!, testLogger, 5);
    processB = createPool(process.env.TEST_DATABASE_URL!, testLogger, 5);
    // the sandbox's own limits: each query field's documented @rateLimit (10/s), 5/s per mutation field
    h = await startSandboxHarness();
  });
  afterAll(async () => {
    await h.close();
    await processA.end();
    await processB.end();
  });
  // a fresh request log, and a second without requests so the sandbox's sliding windows hold none of the last test's
  beforeEach(async () => {
    h.sandbox.control.resetCompany(h.seed.companyId);
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  const clientsOf = (db: Db) => createIntegrationClients({ db, leverApiUrl: 'http://127.0.0.1:9', codesignalApiUrl: h.graphqlUrl, leverRequestsPerSecond: 9 });
  const requests = (rootField: string) => h.sandbox.control.requests({ companyId: h.seed.companyId, rootField });
  const throttled = (rootField: string) => requests(rootField).filter((r) => r.outcome === 'throttled');
  const admitted = (rootField: string) => requests(rootField).filter((r) => r.outcome !== 'throttled');
  /**
   * Pacing holds a sliding second to the limit while jitter between a grant and its arrival stays within
   * the 100 ms margin; a request delayed more than that on a loaded machine may be throttled, and the
   * client sends it again in its next turn. On an idle machine none is; the unpaced burst below loses
   * most of its 40. Allowed here: a tenth.
   */
  const JITTER_ALLOWANCE = 0.1;
  const testId = () => h.seed.tests[0]!.id;

  it('reads each query field\'s limit from the schema and spaces grants so a sliding second never exceeds it', () => {
    const limits = documentedQueryLimits();
    expect(limits.get('companyTest')).toBe(10);
    expect(limits.get('companyTestSessions')).toBe(10);
    expect(fieldLimit({ name: 'companyTest', mutation: false }, 5)).toBe(10);
    expect(fieldLimit({ name: 'createCompanyTestSession', mutation: true }, 3)).toBe(3);
    // limit + 1 consecutive grants span more than a second (plus the 100 ms margin)
    for (const limit of [1, 5, 10]) expect(limit * spacingMs(limit)).toBeGreaterThanOrEqual(1100);
    expect(() => createCodeSignalRateLimiter({ db: processA, integrationId: 'x', mutationsPerSecond: 0 })).toThrow(RangeError);
  });

  it('refuses at once a caller that would wait past giveUpAfterMs, queueing nothing, and gives the refused turns one spacing apart', async () => {
    const limiter = createCodeSignalRateLimiter({ db: processA, integrationId: randomUUID(), mutationsPerSecond: 5 });
    const mutation = [{ name: 'createCompanyTestSession', mutation: true }] as const;
    const gap = spacingMs(5); // 220 ms
    // eight waiters: the field's queue in this process is 1.76 s long
    const queued = Array.from({ length: 8 }, () => limiter.acquire(mutation));
    // a ninth would wait 1.98 s: refused with a giveUpAfterMs of 1.9 s
    const before = Date.now();
    const refusals = await Promise.all([0, 1, 2].map(() => limiter.acquire(mutation, { giveUpAfterMs: 1_900 }).then(() => 'granted', (err: unknown) => err)));
    // each wait is counted from its own call: the calls may be a few ms apart on a loaded machine
    const callSpreadMs = Date.now() - before;
    for (const err of refusals) expect(err).toBeInstanceOf(RateBudgetBusy);
    const busy = refusals as RateBudgetBusy[];
    expect(busy.map((e) => e.service)).toEqual(['codesignal', 'codesignal', 'codesignal']);
    // after the queue, then one spacing apart: a refused caller's turn is not the one given to the last
    expect(busy[0]!.expectedWaitMs).toBeGreaterThanOrEqual(8 * gap);
    expect(busy[1]!.expectedWaitMs - busy[0]!.expectedWaitMs).toBeGreaterThanOrEqual(gap - callSpreadMs);
    expect(busy[2]!.expectedWaitMs - busy[1]!.expectedWaitMs).toBeGreaterThanOrEqual(gap - callSpreadMs);
    // a query field has its own queue: not refused behind the mutations
    await limiter.acquire([{ name: 'companyTest', mutation: false }], { giveUpAfterMs: 1_900 });
    // the refusals queued nothing: a ninth caller who waits 2 s is let in
    await Promise.all([...queued, limiter.acquire(mutation, { giveUpAfterMs: 2_000 })]);
    // once the queue is gone a caller is let in at once
    await limiter.acquire(mutation, { giveUpAfterMs: 1_900 });
  });

  it('lets 40 concurrent reads through one integration\'s client, every one answered, throttled at most by jitter', async () => {
    const integration = { id: randomUUID(), codesignalApiKey: h.seed.apiKey };
    const cs = clientsOf(processA).codesignal(integration);
    const started = Date.now();
    await Promise.all(Array.from({ length: 40 }, () => cs.getCompanyTest(testId())));
    const elapsed = Date.now() - started;
    expect(admitted('companyTest')).toHaveLength(40);
    expect(throttled('companyTest').length).toBeLessThanOrEqual(40 * JITTER_ALLOWANCE);
    // 40 grants one per 110 ms: at least 39 gaps (a little slack for timers)
    expect(elapsed).toBeGreaterThanOrEqual(39 * spacingMs(10) - 200);
  });

  it('keeps two workers of one integration together under the query and the mutation limits', async () => {
    const integration = { id: randomUUID(), codesignalApiKey: h.seed.apiKey };
    const workers = [processA, processB].map((db) => clientsOf(db).codesignal(integration));
    const reads = Promise.all(Array.from({ length: 40 }, (_, i) => workers[i % 2]!.getCompanyTest(testId())));
    const writes = Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        workers[i % 2]!.createTestSession({ testId: testId(), candidateEmail: `paced-${i}-${randomUUID()}@example.org`, candidateFirstName: 'Ada', candidateLastName: 'Lovelace', externalId: `lever:opp-${i}:inv-1`, expireDuration: 7 * 86_400_000 }),
      ),
    );
    await Promise.all([reads, writes]);
    expect(admitted('companyTest')).toHaveLength(40);
    expect(admitted('createCompanyTestSession')).toHaveLength(16);
    expect(throttled('companyTest').length).toBeLessThanOrEqual(40 * JITTER_ALLOWANCE);
    expect(throttled('createCompanyTestSession').length).toBeLessThanOrEqual(16 * JITTER_ALLOWANCE);
    // fields are budgeted apart: 40 reads at 110 ms and 16 writes at 220 ms both fit in ~4.4 s, which
    // they would not if either waited on the other's turns (40 × 110 + 16 × 220 ≈ 7.9 s)
    const spans = ['companyTest', 'createCompanyTestSession'].map((f) => admitted(f).map((r) => r.at));
    const all = spans.flat();
    expect(Math.max(...all) - Math.min(...all)).toBeLessThan(40 * spacingMs(10) + 16 * spacingMs(5) - 1000);
  });

  it('keeps the grants of two processes, counted where they are granted, within the limit in every sliding second', async () => {
    const integrationId = randomUUID();
    const field = [{ name: 'createCompanyTestSession', mutation: true }];
    const limiters = [processA, processB].map((db) => createCodeSignalRateLimiter({ db, integrationId, mutationsPerSecond: 5 }));
    const started = Date.now();
    const granted = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      await limiters[i % 2]!.acquire(field);
      return Date.now();
    }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(19 * spacingMs(5) - 200);
    expect(busiestWindow(granted, 1000)).toBeLessThanOrEqual(5);
  });

  it('sends a paced request CodeSignal throttled again in its next turn, three times in all; an unpaced one never', async () => {
    const cs = clientsOf(processA).codesignal({ id: randomUUID(), codesignalApiKey: h.seed.apiKey });
    h.sandbox.control.setFaults(h.seed.companyId, { rateLimitNext: 2 });
    await expect(cs.getCompanyTest(testId())).resolves.toMatchObject({ id: testId() });
    expect(requests('companyTest')).toHaveLength(3);
    h.sandbox.control.setFaults(h.seed.companyId, { rateLimitNext: 3 });
    await expect(cs.getCompanyTest(testId())).rejects.toMatchObject({ code: 'RateLimited', retryable: true });
    expect(requests('companyTest')).toHaveLength(6);
    h.sandbox.control.setFaults(h.seed.companyId, { rateLimitNext: 1 });
    const unpaced = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey });
    await expect(unpaced.getCompanyTest(testId())).rejects.toMatchObject({ code: 'RateLimited' });
    expect(requests('companyTest')).toHaveLength(7);
    h.sandbox.control.clearFaults(h.seed.companyId);
  });

  it('is what keeps the sandbox from throttling: the same burst unpaced is refused', async () => {
    const unpaced = createCodeSignalClient({ url: h.graphqlUrl, apiKey: h.seed.apiKey });
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => unpaced.getCompanyTest(testId())));
    expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    expect(throttled('companyTest').length).toBeGreaterThan(40 * JITTER_ALLOWANCE);
  });
});
