import { TokenBucket } from 'limiter';
import type { Db } from '../db/pool';
import { RateBudgetBusy } from '../external-api-error';
import type { RequestLimiter } from './client';

/**
 * Lever allows 10 req/s sustained per key (burst 20). The adaptive limiter never goes above this ceiling
 * and comes down on its own when Lever answers 429, so it can use the whole documented rate.
 */
export const DEFAULT_LEVER_POINTS_PER_SECOND = 10;

/** Created by migrations/1763858100000_lever-adaptive-rate.sql; never at run time. */
const TABLE = 'lever_adaptive_rate';

/** How the shared rate moves (AIMD) and how grants are paced (GCRA); the defaults are what the service runs with. */
export interface AdaptiveRateTuning {
  /**
   * The rate ×this on a 429 (at most once per Retry-After period). Default 0.7. For a 429 while the rate grows above
   * the rate of the last decrease, ×this of the rate before the refused growth step, not of the refused rate.
   */
  decreaseFactor: number;
  /** Never below this many requests per second. Default 1. */
  minPerSecond: number;
  /** After each quiet period, at or above the rate of the last decrease: +this many requests per second… Default 0.5. */
  increaseStep: number;
  /** …or ×this, whichever is more: Lever's limit has risen again, so the rate returns to it within seconds. Default 1.25. */
  growthFactor: number;
  /**
   * The step instead while below the rate of the last decrease: back towards where Lever said no, the
   * rate creeps, so a limit that did not move costs a 429 rarely. Default 0.1.
   */
  probeStep: number;
  /** No 429 and no change of the rate for this long before each increase. Default 1 s. */
  quietMs: number;
  /**
   * Without a Retry-After (Lever documents none): the pause of every grant on a decrease, and the shortest
   * gap between two decreases (with one: its period). Default 1 s.
   */
  decreaseHoldMs: number;
  /**
   * Grants that may run ahead of the even pace: a process woken late (a loaded host) catches up instead of
   * losing the slots it slept through. At most this + 1 back to back, far under Lever's burst of 20. Default 4.
   */
  aheadIntervals: number;
}

export const DEFAULT_ADAPTIVE_RATE_TUNING: AdaptiveRateTuning = {
  decreaseFactor: 0.7,
  minPerSecond: 1,
  increaseStep: 0.5,
  growthFactor: 1.25,
  probeStep: 0.1,
  quietMs: 1_000,
  decreaseHoldMs: 1_000,
  aheadIntervals: 4,
};

export interface LeverRateLimiterOptions {
  db: Db;
  /** The budget key: one integration = one Lever API key. */
  integrationId: string;
  /** The ceiling of the adaptive rate, LEVER_REQUESTS_PER_SECOND. */
  pointsPerSecond?: number;
  tuning?: Partial<AdaptiveRateTuning>;
  /** Told the shared rate whenever this process learns it changed (the lcs_rate_limiter_granted_per_second gauge). */
  onRate?: (perSecond: number) => void;
}

/** The adaptive limiter: `acquire` before each Lever request, `feedback` with each answer. */
export interface LeverRateLimiter extends RequestLimiter {
  feedback(status: number, retryAfterMs: number | undefined): void;
  /** The shared rate as this process last saw it (requests per second). */
  currentRate(): number;
}

const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::float8';

/**
 * One statement per attempt: grants (moves `tat` on by one interval) when no Retry-After holds and the
 * next slot is within the tolerance; otherwise returns the row as the statement's snapshot saw it, for
 * the wait. No row at all: the integration has none yet.
 */
const GRANT_SQL = `
WITH c AS (SELECT ${NOW_MS} AS now),
g AS (
  UPDATE ${TABLE} s SET tat = greatest(s.tat, c.now) + 1000.0 / least(s.rate, $2::float8)
    FROM c
   WHERE s.integration_id = $1 AND s.blocked_until <= c.now
     AND greatest(s.tat, c.now) - c.now <= $3::float8 * 1000.0 / least(s.rate, $2::float8)
  RETURNING least(s.rate, $2::float8) AS rate, s.tat, s.blocked_until, c.now
)
SELECT true AS granted, rate, tat, blocked_until, now FROM g
UNION ALL
SELECT false, least(s.rate, $2::float8), s.tat, s.blocked_until, c.now FROM ${TABLE} s, c
 WHERE s.integration_id = $1 AND NOT EXISTS (SELECT 1 FROM g)`;

const CREATE_SQL = `INSERT INTO ${TABLE} (integration_id, rate) VALUES ($1, $2::float8) ON CONFLICT (integration_id) DO NOTHING`;

/**
 * A 429: multiplicative decrease unless one happened within the hold period (the other requests in
 * flight were sent at the old rate and say nothing new), the quiet period restarts, and Retry-After
 * ($5 ms; -1 when Lever sent none: then the hold period, on a decrease only) holds every grant.
 * The decrease is taken from the refused rate, except while the rate was growing above the rate of the
 * last decrease ($7 the growth factor): then from the rate before the growth step that was refused (and
 * never below the last decrease's rate). ×0.7 of the probe could leave the rate above a limit that did
 * not move, for a second 429 a moment later (docs/benchmarks.md, "A refused probe falls back below the last refused rate").
 */
const DECREASE_BASE = `CASE WHEN s.limited_rate IS NOT NULL AND least(s.rate, $2::float8) > s.limited_rate
  THEN greatest(s.limited_rate, least(s.rate, $2::float8) / $7::float8) ELSE least(s.rate, $2::float8) END`;
const DECREASE_SQL = `
WITH c AS (SELECT ${NOW_MS} AS now)
UPDATE ${TABLE} s SET
  rate = CASE WHEN s.decrease_hold_until <= c.now THEN greatest($3::float8, (${DECREASE_BASE}) * $4::float8) ELSE s.rate END,
  limited_rate = CASE WHEN s.decrease_hold_until <= c.now THEN ${DECREASE_BASE} ELSE s.limited_rate END,
  decrease_hold_until = CASE WHEN s.decrease_hold_until <= c.now THEN c.now + greatest($5::float8, $6::float8) ELSE s.decrease_hold_until END,
  quiet_since = c.now,
  blocked_until = greatest(s.blocked_until, c.now + CASE
    WHEN $5::float8 >= 0 THEN $5::float8
    WHEN s.decrease_hold_until <= c.now THEN $6::float8
    ELSE 0 END)
  FROM c
 WHERE s.integration_id = $1
RETURNING s.rate`;

/**
 * An answer that was not a 429, after a quiet period: an increase up to the ceiling (one process wins) —
 * small below the rate of the last decrease, +0.5/s or ×1.25 at or above it.
 */
const INCREASE_SQL = `
WITH c AS (SELECT ${NOW_MS} AS now)
UPDATE ${TABLE} s SET
  rate = least($2::float8, s.rate + CASE WHEN s.rate < s.limited_rate THEN $5::float8 ELSE greatest($3::float8, s.rate * ($6::float8 - 1)) END),
  quiet_since = c.now
  FROM c
 WHERE s.integration_id = $1 AND s.rate < $2::float8 AND c.now - s.quiet_since >= $4::float8
RETURNING s.rate`;

interface GrantRow { granted: boolean; rate: number; tat: number; blocked_until: number; now: number }

/**
 * The process's side of one integration's shared rate: a FIFO of waiting callers, of which only the
 * head asks PostgreSQL, so N waiters cost one query per grant, not N.
 */
class Lane {
  private readonly waiters: Array<{ resolve: () => void; reject: (err: unknown) => void; mayGiveUp: boolean }> = [];
  /** Grants, and grants to callers that could have given up (an activity's first request): decayed counts. */
  private granted = 0;
  private grantedFirst = 0;
  private pumping = false;
  /** A decrease being written: no grant is asked for until it has landed. */
  private decreasing: Promise<void> = Promise.resolve();
  private lastIncreaseTry = 0;
  /** The turn (epoch ms) given to the last caller `acquire({ giveUpAfterMs })` refused. */
  private refusedTail = 0;
  rate: number;

  constructor(
    private readonly db: Db,
    private readonly integrationId: string,
    private readonly ceiling: number,
    private readonly tuning: AdaptiveRateTuning,
    private readonly onRate: ((perSecond: number) => void) | undefined,
  ) {
    this.rate = ceiling;
  }

  acquire(opts?: { giveUpAfterMs?: number }): Promise<void> {
    if (opts?.giveUpAfterMs !== undefined) {
      // this process's waiters ahead, at the shared rate: a lower bound when other processes share it
      const interval = 1000 / this.rate;
      const now = Date.now();
      if ((this.waiters.length + 1) * interval > opts.giveUpAfterMs) {
        // Each refused caller is given its own turn after the queue and after every caller refused before
        // it, as far apart as the requests a caller that could give up has made here on average (an
        // activity's first request and the ones after it): they come back spread at the pace they are
        // served, not together to be refused again.
        const requestsPerCaller = this.grantedFirst > 0 ? Math.min(10, Math.max(1, this.granted / this.grantedFirst)) : 1;
        this.refusedTail = Math.max(this.refusedTail, now + this.waiters.length * interval) + requestsPerCaller * interval;
        return Promise.reject(new RateBudgetBusy('lever', this.refusedTail - now));
      }
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, mayGiveUp: opts?.giveUpAfterMs !== undefined });
      if (!this.pumping) void this.pump();
    });
  }

  feedback(status: number, retryAfterMs: number | undefined): void {
    if (status === 429) {
      const { minPerSecond, decreaseFactor, decreaseHoldMs } = this.tuning;
      const written = this.db
        .query<{ rate: number }>(DECREASE_SQL, [this.integrationId, this.ceiling, minPerSecond, decreaseFactor, retryAfterMs === undefined ? -1 : Math.max(0, retryAfterMs), decreaseHoldMs, this.tuning.growthFactor])
        .then((r) => this.learn(r.rows[0]?.rate))
        .catch(() => undefined); // the next grant still works from the old rate; the next 429 tries again
      this.decreasing = Promise.all([this.decreasing, written]).then(() => undefined);
      return;
    }
    // A 5xx or a network failure says nothing about the rate Lever grants.
    if (status >= 500 || this.rate >= this.ceiling) return;
    const now = Date.now();
    if (now - this.lastIncreaseTry < this.tuning.quietMs / 4) return;
    this.lastIncreaseTry = now;
    this.db
      .query<{ rate: number }>(INCREASE_SQL, [this.integrationId, this.ceiling, this.tuning.increaseStep, this.tuning.quietMs, this.tuning.probeStep, this.tuning.growthFactor])
      .then((r) => this.learn(r.rows[0]?.rate))
      .catch(() => undefined);
  }

  private learn(rate: number | undefined): void {
    if (rate === undefined) return;
    const effective = Math.min(rate, this.ceiling);
    if (effective !== this.rate) {
      this.rate = effective;
      this.onRate?.(effective);
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        await this.decreasing;
        let wait: number;
        try {
          wait = await this.tryGrant();
        } catch (err) {
          // PostgreSQL cannot be reached: this caller fails (the activity retries), the rest try again.
          this.waiters.shift()!.reject(err);
          continue;
        }
        if (wait === 0) {
          const waiter = this.waiters.shift()!;
          this.count(waiter.mayGiveUp);
          waiter.resolve();
        }
        else await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      this.pumping = false;
    }
  }

  private count(mayGiveUp: boolean): void {
    if (this.granted >= 1_000) {
      this.granted /= 2;
      this.grantedFirst /= 2;
    }
    this.granted++;
    if (mayGiveUp) this.grantedFirst++;
  }

  /** 0 when granted, else the milliseconds until the next slot (at least 1). */
  private async tryGrant(): Promise<number> {
    const { rows } = await this.db.query<GrantRow>(GRANT_SQL, [this.integrationId, this.ceiling, this.tuning.aheadIntervals]);
    const row = rows[0];
    if (!row) {
      await this.db.query(CREATE_SQL, [this.integrationId, this.ceiling]);
      return 1;
    }
    this.learn(row.rate);
    if (row.granted) return 0;
    const interval = 1000 / row.rate;
    const slot = Math.max(row.tat, row.now) - this.tuning.aheadIntervals * interval;
    return Math.max(1, Math.ceil(Math.max(row.blocked_until, slot) - row.now));
  }
}

/** One lane per pool and integration (a client is built per activity; the lane outlives it). */
const lanes = new WeakMap<Db, Map<string, Lane>>();

/**
 * `acquire()` resolves when this integration may send one more Lever request, waiting (not failing)
 * while the shared rate is spent. It rejects only when Postgres cannot be reached, and, given
 * `giveUpAfterMs`, with `RateBudgetBusy` when this process's queue is longer than that. `feedback` with each
 * answer adapts the shared rate to what Lever grants (README "Architecture notes").
 */
export function createLeverRateLimiter({ db, integrationId, pointsPerSecond = DEFAULT_LEVER_POINTS_PER_SECOND, tuning, onRate }: LeverRateLimiterOptions): LeverRateLimiter {
  if (!Number.isFinite(pointsPerSecond) || pointsPerSecond <= 0) throw new RangeError('pointsPerSecond must be a positive number');
  const t = { ...DEFAULT_ADAPTIVE_RATE_TUNING, ...tuning };
  let byIntegration = lanes.get(db);
  if (!byIntegration) lanes.set(db, (byIntegration = new Map()));
  const key = `${integrationId}\u0000${pointsPerSecond}`;
  let lane = byIntegration.get(key);
  if (!lane) byIntegration.set(key, (lane = new Lane(db, integrationId, pointsPerSecond, t, onRate)));
  const l = lane;
  return {
    acquire: (opts) => l.acquire(opts),
    feedback: (status, retryAfterMs) => l.feedback(status, retryAfterMs),
    currentRate: () => l.rate,
  };
}

/**
 * Spaces requests evenly (a bucket of one), in this process only: for a key no shared limiter counts
 * for, such as one typed in the set-up form that no integration holds yet.
 */
export function createLeverPacer(perSecond: number = DEFAULT_LEVER_POINTS_PER_SECOND): RequestLimiter {
  const bucket = new TokenBucket({ bucketSize: 1, tokensPerInterval: perSecond, interval: 'second' });
  return { acquire: async () => void (await bucket.removeTokens(1)) };
}
