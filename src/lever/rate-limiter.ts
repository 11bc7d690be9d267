import { TokenBucket } from 'limiter';
import { RateLimiterPostgres, RateLimiterQueue } from 'rate-limiter-flexible';
import type { Db } from '../db/pool';
import type { RequestLimiter } from './client';

/** Lever allows 10 req/s sustained per key (burst 20); 9 leaves headroom for clock skew and other callers. */
export const DEFAULT_LEVER_POINTS_PER_SECOND = 9;

/** Created by migrations/1763856100000_lever-rate-limit.sql; never at run time. */
const TABLE = 'lever_rate_limit';

export interface LeverRateLimiterOptions {
  db: Db;
  /** The budget key: one integration = one Lever API key. */
  integrationId: string;
  pointsPerSecond?: number;
}

/** One queue per pool and budget; it keeps one FIFO per key, so integrations never wait on each other. */
const queues = new WeakMap<Db, Map<number, RateLimiterQueue>>();

function queueFor(db: Db, points: number): RateLimiterQueue {
  let byPoints = queues.get(db);
  if (!byPoints) queues.set(db, (byPoints = new Map()));
  let queue = byPoints.get(points);
  if (!queue) {
    // Fixed one-second windows counted in Postgres, so every worker process shares them. Worst case is a
    // full window at the end of one second and the start of the next: 2 × points ≤ Lever's burst of 20.
    const limiter = new RateLimiterPostgres({ storeClient: db, storeType: 'pool', tableName: TABLE, tableCreated: true, keyPrefix: 'lever', points, duration: 1 });
    queue = new RateLimiterQueue(limiter);
    byPoints.set(points, queue);
  }
  return queue;
}

/**
 * `acquire()` resolves when this integration may send one more Lever request, waiting (not failing)
 * while the shared budget is spent. It rejects only when Postgres cannot be reached.
 */
export function createLeverRateLimiter({ db, integrationId, pointsPerSecond = DEFAULT_LEVER_POINTS_PER_SECOND }: LeverRateLimiterOptions): RequestLimiter {
  if (!Number.isInteger(pointsPerSecond) || pointsPerSecond < 1) throw new RangeError('pointsPerSecond must be a positive integer');
  const queue = queueFor(db, pointsPerSecond);
  return {
    acquire: async () => {
      await queue.removeTokens(1, integrationId);
    },
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
