import type { RateLimitSchedule } from '../../../sandbox/lever/rate-limit';
import { startHarness, type Harness } from './harness';

describe('Lever sandbox: token bucket per API key', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(() => h.close());

  it('lets a burst of 20 through, answers 429 to the rest, and refills at 10 per second', async () => {
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 40 }, () => h.api('GET', '/stages')));
    const elapsedMs = Date.now() - started;
    const ok = burst.filter((r) => r.status === 200).length;
    const limited = burst.filter((r) => r.status === 429);
    expect(ok).toBeGreaterThanOrEqual(20);
    // tokens drip in at 10/s while the burst is being served
    expect(ok).toBeLessThanOrEqual(20 + Math.ceil(elapsedMs / 100));
    // a loaded machine serves the burst more slowly and more tokens drip in; still, not all 40 fit
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBe(40 - ok);
    expect(limited[0].body).toEqual({ code: 'TooManyRequests', message: expect.any(String) });
    expect(limited[0].headers.get('retry-after')).toBeNull();

    const log = h.sandbox.admin.requests(h.seed.accountId, { pathPrefix: '/v1/stages' });
    expect(log).toHaveLength(40);
    expect(log.filter((r) => r.rateLimited && r.status === 429)).toHaveLength(limited.length);

    await new Promise((r) => setTimeout(r, 1_100));
    const refilled = await Promise.all(Array.from({ length: 10 }, () => h.api('GET', '/stages')));
    expect(refilled.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  it('keeps one bucket per key', async () => {
    h.sandbox.admin.updateSettings(h.seed.accountId, { rateLimit: { perSecond: 0.01, burst: 20 } });
    const second = h.sandbox.admin.createKey(h.seed.accountId);
    const burst = await Promise.all(Array.from({ length: 25 }, () => h.api('GET', '/stages')));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(20);
    expect((await h.api('GET', '/stages')).status).toBe(429);
    expect((await h.api('GET', '/stages', { key: second.key })).status).toBe(200);
  });

  it('counts failing requests too (403, 404)', async () => {
    h.sandbox.admin.updateSettings(h.seed.accountId, { rateLimit: { perSecond: 0.001, burst: 3 } });
    const { key } = h.sandbox.admin.createKey(h.seed.accountId, { permissions: ['stages:read:admin'] });
    const statuses = [];
    for (const path of ['/opportunities', '/stages/nope', '/opportunities', '/stages']) statuses.push((await h.api('GET', path, { key })).status);
    expect(statuses).toEqual([403, 404, 403, 429]);
  });

  it('sends Retry-After when configured', async () => {
    await h.close();
    h = await startHarness({ rateLimit: { perSecond: 1, burst: 2 }, sendRetryAfter: true });
    const statuses = [];
    let last;
    for (let i = 0; i < 3; i++) { last = await h.api('GET', '/stages'); statuses.push(last.status); }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last?.headers.get('retry-after')).toBe('1');
  });

  it('sets a schedule from now, answers 429 at its lower limit and removes it with null', async () => {
    const before = Date.now();
    const set = await h.control<{ rateLimitSchedule: RateLimitSchedule }>('PUT', `/accounts/${h.seed.accountId}/settings`, {
      rateLimitSchedule: { phases: [{ perSecond: 0.001, burst: 2, seconds: 3600 }, { perSecond: 10, seconds: 1 }] },
    });
    expect(set.status).toBe(200);
    expect(set.body.rateLimitSchedule.startedAt).toBeGreaterThanOrEqual(before);
    // a phase without a burst keeps the account's
    expect(set.body.rateLimitSchedule.phases).toEqual([{ perSecond: 0.001, burst: 2, seconds: 3600 }, { perSecond: 10, burst: 20, seconds: 1 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await h.api('GET', '/stages')).status);
    expect(statuses).toEqual([200, 200, 429]);

    const cleared = await h.control('PUT', `/accounts/${h.seed.accountId}/settings`, { rateLimitSchedule: null });
    expect(cleared.body).toMatchObject({ rateLimitSchedule: null, rateLimit: { perSecond: 10, burst: 20 } });
    // the base 10/s refills the bucket the schedule left empty
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.api('GET', '/stages')).status).toBe(200);
  });

  it('refuses a schedule without phases', async () => {
    const res = await h.control('PUT', `/accounts/${h.seed.accountId}/settings`, { rateLimitSchedule: { phases: [] } });
    expect(res.status).toBe(400);
  });
});
