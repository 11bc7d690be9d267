import { getDirectiveValues, type GraphQLSchema } from 'graphql';
import { TokenBucket } from 'limiter';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/pool';
import { RateBudgetBusy } from '../external-api-error';
import type { RootField } from './documents';
import { buildCodeSignalSchema } from './schema';

/**
 * CodeSignal's mutation limits are undocumented; 5 per second per API key and mutation field is the
 * assumption the sandbox makes too (CODESIGNAL_MUTATIONS_PER_SECOND).
 */
export const DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND = 5;

/** A query field without `@rateLimit` in the schema is paced at CodeSignal's documented read limit (reference §2). */
const DEFAULT_QUERY_LIMIT = 10;

/**
 * How late one request may reach CodeSignal relative to another granted before it (PostgreSQL round trip,
 * event loop, network) before the pacing below stops protecting the sliding window. See `spacingMs`.
 */
const JITTER_MARGIN_MS = 100;

/**
 * The part of that margin a grant's own round trip may use: a grant that comes back later than this
 * after its window began (a slow PostgreSQL under load) is let go unused, so the rest of the margin is
 * left for the request's way to CodeSignal.
 */
const MAX_GRANT_DELAY_MS = 50;

/** Created by migrations/1763857300000_codesignal-rate-limit.sql; never at run time. */
const TABLE = 'codesignal_rate_limit';

/**
 * Waits until the integration may send one more request selecting these root fields. With
 * `giveUpAfterMs`, a caller that would wait longer behind this process's queue is refused at once
 * (`RateBudgetBusy`, nothing queued) with a turn of its own to come back at.
 */
export interface CodeSignalRequestLimiter {
  acquire(fields: readonly RootField[], opts?: { giveUpAfterMs?: number }): Promise<void>;
}

/**
 * The gap between two grants for a field CodeSignal allows `limit` requests per sliding second.
 *
 * CodeSignal (and the sandbox, sandbox/codesignal/rate-limit.ts) counts a field's requests in a window
 * that SLIDES: a request is refused when `limit` others arrived in the second before it. The shared
 * budget is counted in fixed windows (rate-limiter-flexible keeps a points counter and an expiry per
 * key; a window begins at the first consumption after the previous one expired). A sliding second meets
 * up to ⌊1 s / d⌋ + 1 fixed windows of length d, so p points per window let (⌊1/d⌋ + 1)·p requests
 * into one second: one-second windows of `limit` points allow 2 × limit, and the "half the limit per
 * half-second" split allows 3 × limit / 2 (15 for a limit of 10). Only p = 1 avoids that boundary
 * effect: each window then holds one grant and starts at it, so consecutive grants are at least d
 * apart and any `limit` + 1 consecutive grants span at least limit · d. Choosing
 *
 *   d = ⌈(1000 ms + margin) / limit⌉
 *
 * makes that span ≥ 1 s + margin: a sliding second sees at most `limit` requests even when the later
 * grant's request reaches CodeSignal up to `margin` (100 ms) sooner, relative to the earlier one, than
 * the grants were apart. A window begins when its consumption is SENT to PostgreSQL; the grant is used
 * only if its answer came back within MAX_GRANT_DELAY_MS (50 ms), so a slow round trip cannot eat the
 * margin. For 10/s that is one request per 110 ms (≈ 9.1/s, at most 10 in any second
 * even at 100 ms of jitter); for the assumed 5/s of a mutation, one per 220 ms (≈ 4.5/s).
 */
export function spacingMs(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a rate limit must be a positive integer');
  return Math.ceil((1000 + JITTER_MARGIN_MS) / limit);
}

let queryLimits: ReadonlyMap<string, number> | undefined;

/** Each Query field's documented `@rateLimit(max)`, read once from the schema file the client's types are generated from. */
export function documentedQueryLimits(schema: GraphQLSchema = buildCodeSignalSchema()): ReadonlyMap<string, number> {
  const directive = schema.getDirective('rateLimit');
  const limits = new Map<string, number>();
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const values = directive && field.astNode ? getDirectiveValues(directive, field.astNode) : undefined;
    if (typeof values?.max === 'number') limits.set(field.name, values.max);
  }
  return limits;
}

/** Requests per sliding second CodeSignal allows the field. */
export function fieldLimit(field: RootField, mutationsPerSecond: number): number {
  if (field.mutation) return mutationsPerSecond;
  queryLimits ??= documentedQueryLimits();
  return queryLimits.get(field.name) ?? DEFAULT_QUERY_LIMIT;
}

export interface CodeSignalRateLimiterOptions {
  db: Db;
  /** The budget key, with the root field: one integration = one CodeSignal API key. */
  integrationId: string;
  /** CODESIGNAL_MUTATIONS_PER_SECOND. Default 5. */
  mutationsPerSecond?: number;
}

/** Per pool: one store per spacing; per key, the tail of its FIFO in this process, how many wait in it, and the last turn given to a refused caller. */
interface PoolBudgets {
  stores: Map<number, RateLimiterPostgres>;
  tails: Map<string, Promise<void>>;
  queued: Map<string, number>;
  refusedTails: Map<string, number>;
}
const budgets = new WeakMap<Db, PoolBudgets>();

function budgetsOf(db: Db): PoolBudgets {
  let b = budgets.get(db);
  if (!b) budgets.set(db, (b = { stores: new Map(), tails: new Map(), queued: new Map(), refusedTails: new Map() }));
  return b;
}

function storeFor(b: PoolBudgets, db: Db, gapMs: number): RateLimiterPostgres {
  let store = b.stores.get(gapMs);
  if (!store) {
    // one point per window of `gapMs`, counted in PostgreSQL so every worker and API process shares it (spacingMs)
    store = new RateLimiterPostgres({ storeClient: db, storeType: 'pool', tableName: TABLE, tableCreated: true, keyPrefix: 'codesignal', points: 1, duration: gapMs / 1000 });
    b.stores.set(gapMs, store);
  }
  return store;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(ms, 1)));

/** Consumes the key's next window, waiting out the current one; a grant that came back too late is let pass. */
async function take(store: RateLimiterPostgres, key: string, gapMs: number): Promise<void> {
  for (;;) {
    const answer = await store.consume(key).then(
      (res) => ({ granted: true, res }),
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return { granted: false, res: rejection };
        throw rejection; // PostgreSQL could not be reached
      },
    );
    // p = 1: a grant opened the window when it was sent, gapMs - msBeforeNext ago
    if (answer.granted && gapMs - answer.res.msBeforeNext <= MAX_GRANT_DELAY_MS) return;
    await sleep(answer.res.msBeforeNext);
  }
}

/** One FIFO per key in this process (one PostgreSQL poll at a time per key), so integrations and fields never wait on each other. */
function inTurn(tails: Map<string, Promise<void>>, key: string, run: () => Promise<void>): Promise<void> {
  const mine = (tails.get(key) ?? Promise.resolve()).then(run);
  const tail = mine.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return mine;
}

function checkMutationsPerSecond(value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError('mutationsPerSecond must be a positive integer');
}

/**
 * Refuses a caller that would wait more than `giveUpAfterMs` behind the callers queued in this process for
 * these fields (a lower bound when other processes share the budget). Each refused caller gets its own turn,
 * one spacing after the queue and after the turn given to the caller refused before it, so the refused come
 * back spread at the pace the field is served rather than together (as the Lever limiter's turns).
 */
function refuseIfBusy(b: PoolBudgets, keys: ReadonlyArray<{ key: string; gapMs: number }>, giveUpAfterMs: number): void {
  const now = Date.now();
  const ahead = keys.map(({ key, gapMs }) => ({ key, gapMs, waitMs: ((b.queued.get(key) ?? 0) + 1) * gapMs }));
  if (ahead.reduce((sum, k) => sum + k.waitMs, 0) <= giveUpAfterMs) return;
  let turnMs = 0;
  for (const { key, gapMs, waitMs } of ahead) {
    const turn = Math.max(b.refusedTails.get(key) ?? 0, now + waitMs - gapMs) + gapMs;
    b.refusedTails.set(key, turn);
    turnMs = Math.max(turnMs, turn - now);
  }
  throw new RateBudgetBusy('codesignal', turnMs);
}

/**
 * `acquire(fields)` resolves when this integration may send one more request selecting those root
 * fields, waiting (not failing) while a field's shared budget is spent. It rejects only when PostgreSQL
 * cannot be reached, or, given `giveUpAfterMs`, at once with `RateBudgetBusy` when the wait would be longer.
 */
export function createCodeSignalRateLimiter({ db, integrationId, mutationsPerSecond = DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND }: CodeSignalRateLimiterOptions): CodeSignalRequestLimiter {
  checkMutationsPerSecond(mutationsPerSecond);
  const b = budgetsOf(db);
  return {
    acquire: async (fields, opts) => {
      const keys = fields.map((field) => ({ key: `${integrationId}:${field.name}`, gapMs: spacingMs(fieldLimit(field, mutationsPerSecond)) }));
      if (opts?.giveUpAfterMs !== undefined) refuseIfBusy(b, keys, opts.giveUpAfterMs);
      for (const { key, gapMs } of keys) {
        b.queued.set(key, (b.queued.get(key) ?? 0) + 1);
        try {
          await inTurn(b.tails, key, () => take(storeFor(b, db, gapMs), key, gapMs));
        } finally {
          const left = (b.queued.get(key) ?? 1) - 1;
          if (left > 0) b.queued.set(key, left);
          else b.queued.delete(key);
        }
      }
    },
  };
}

/**
 * The same spacing per root field, in this process only: for a key no shared limiter counts for, such
 * as one typed in the set-up form that no integration holds yet.
 */
export function createCodeSignalPacer(mutationsPerSecond: number = DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND): CodeSignalRequestLimiter {
  checkMutationsPerSecond(mutationsPerSecond);
  const buckets = new Map<string, TokenBucket>();
  return {
    acquire: async (fields) => {
      for (const field of fields) {
        let bucket = buckets.get(field.name);
        if (!bucket) buckets.set(field.name, (bucket = new TokenBucket({ bucketSize: 1, tokensPerInterval: 1, interval: spacingMs(fieldLimit(field, mutationsPerSecond)) })));
        await bucket.removeTokens(1);
      }
    },
  };
}
