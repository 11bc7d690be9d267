import { grantedBetween, KeyRateLimiter, rateLimitAt, type RateLimitSchedule } from '../../../sandbox/lever/rate-limit';

const base = { perSecond: 10, burst: 20 };
const schedule: RateLimitSchedule = {
  startedAt: 1_000_000,
  phases: [{ perSecond: 10, burst: 20, seconds: 10 }, { perSecond: 5, burst: 20, seconds: 10 }, { perSecond: 10, burst: 20, seconds: 10 }],
};

describe('Lever sandbox: the limit changed at run time', () => {
  it('gives each phase of a schedule its limit, the base limit before it and the last phase after it', () => {
    const settings = { rateLimit: { perSecond: 7, burst: 3 }, rateLimitSchedule: schedule };
    expect(rateLimitAt(settings, schedule.startedAt - 1)).toEqual({ perSecond: 7, burst: 3 });
    expect(rateLimitAt(settings, schedule.startedAt)).toEqual({ perSecond: 10, burst: 20 });
    expect(rateLimitAt(settings, schedule.startedAt + 10_000)).toEqual({ perSecond: 5, burst: 20 });
    expect(rateLimitAt(settings, schedule.startedAt + 19_999)).toEqual({ perSecond: 5, burst: 20 });
    expect(rateLimitAt(settings, schedule.startedAt + 20_000)).toEqual({ perSecond: 10, burst: 20 });
    expect(rateLimitAt(settings, schedule.startedAt + 3_600_000)).toEqual({ perSecond: 10, burst: 20 });
    expect(rateLimitAt({ rateLimit: base, rateLimitSchedule: null }, 0)).toEqual(base);
  });

  it('integrates the granted requests over the phases a window crosses', () => {
    const settings = { rateLimit: { perSecond: 2, burst: 20 }, rateLimitSchedule: schedule };
    expect(grantedBetween(settings, schedule.startedAt, schedule.startedAt + 30_000)).toBeCloseTo(250);
    // 5 s before the schedule at the base 2/s, 10 s at 10/s, 10 s at 5/s, 5 s at 10/s
    expect(grantedBetween(settings, schedule.startedAt - 5_000, schedule.startedAt + 25_000)).toBeCloseTo(10 + 100 + 50 + 50);
    expect(grantedBetween({ rateLimit: base }, 0, 2_500)).toBeCloseTo(25);
  });

  it('keeps a key’s tokens across a change of limit and refills at the new rate', () => {
    const limiter = new KeyRateLimiter();
    const taken = (n: number, config: { perSecond: number; burst: number }, at: number) =>
      Array.from({ length: n }, () => limiter.take('k', config, at).ok).filter(Boolean).length;
    expect(taken(25, base, 0)).toBe(20); // a full bucket of 20
    // one second later at 5/s: 5 tokens, not a fresh bucket of 20
    expect(taken(10, { perSecond: 5, burst: 20 }, 1_000)).toBe(5);
    expect(limiter.take('k', { perSecond: 5, burst: 20 }, 1_000)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // back at 10/s: 10 per second again
    expect(taken(15, base, 2_000)).toBe(10);
    // a smaller burst caps what was saved
    expect(taken(30, { perSecond: 10, burst: 4 }, 60_000)).toBe(4);
  });
});
