import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import { keyRingFrom } from './keys';
import { createSecretBox, type SecretBox } from './secret-box';

/**
 * Per-candidate data keys for crypto-shredding (README "Erasure"). A subject is one candidate of one
 * integration: `<integration id>/<opportunity id>` (candidate, assessment and interview workflows) or
 * `import/<integration id>/<CodeSignal candidate id>` (a sourced candidate's import). Its key is 32
 * random bytes kept in candidate_data_keys sealed under ENCRYPTION_KEY; erasing the subject destroys
 * the sealed key, so every payload encrypted with it is unreadable from then on, wherever it is kept.
 */
export interface DataKey {
  id: string;
  key: Buffer;
}

/** The subject was erased: nothing may be encrypted for it again, and what was encrypted is gone. */
export class SubjectErasedError extends Error {
  override readonly name = 'SubjectErasedError';
  constructor(readonly erasedAt: Date) {
    super('this candidate\'s data was erased; nothing is kept or sent for them any more');
  }
}

export type KeyLookup = { state: 'live'; key: Buffer } | { state: 'erased'; erasedAt: Date } | { state: 'unknown' };

export interface DataKeyStore {
  /** The subject's key, created on first use; throws SubjectErasedError once the subject was erased. */
  keyFor(subject: string): Promise<DataKey>;
  /** The key a payload names (by the id written next to its ciphertext). */
  keyById(id: string): Promise<KeyLookup>;
  /** Destroys the subject's key; answers whether there was one to destroy (false: none, or erased before). */
  erase(subject: string): Promise<{ destroyed: boolean; keyId: string | null }>;
  /** How long any process may still use a key it read before it was destroyed (the cache's lifetime, DATA_KEY_CACHE_SECONDS). */
  readonly cacheSeconds: number;
}

/** A non-reversible reference to a subject (or any candidate id): SHA-256, hex. Knowing the ids, one can check it; from it, no id can be read. */
export const subjectRef = (subject: string): string => createHash('sha256').update(subject, 'utf8').digest('hex');

export const opportunitySubject = (integrationId: string, opportunityId: string): string => `${integrationId}/${opportunityId}`;
export const importSubject = (integrationId: string, codesignalCandidateId: string): string => `import/${integrationId}/${codesignalCandidateId}`;

interface KeyRow {
  id: string;
  wrapped_key: string | null;
  erased_at: Date | null;
}

export interface DataKeyStoreOptions {
  /** How long a process trusts a key it has read (default 30 s): another process's erasure takes effect here within it. */
  cacheSeconds?: number;
  /** Keys held in memory (default 20,000, ≈ 2 MB). */
  cacheSize?: number;
}

/**
 * A copy of a key in memory of its own. A small Buffer decoded from a string is a slice of Node's shared 8 KB
 * pool, and a cached slice keeps its whole slab alive: with thousands of candidates' keys cached between other
 * allocations, each key held about 8 KB (the worker's external memory grew 80 MB with 10,000 candidates queried;
 * docs/benchmarks.md, "Worker memory at 10,000 waiting").
 */
function ownBuffer(pooled: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(pooled.length);
  pooled.copy(own);
  return own;
}

export function createDataKeyStore(db: Db, box: SecretBox, opts: DataKeyStoreOptions = {}): DataKeyStore {
  const cacheSeconds = opts.cacheSeconds ?? 30;
  const max = opts.cacheSize ?? 20_000;
  // keyed by subject_ref and by key id; only live keys are cached (an erasure is never forgotten by a cache)
  // expired keys are dropped when they expire (ttlAutopurge), not when the cache is full: a key stays in memory no longer than it may be used
  const bySubject = new LRUCache<string, DataKey>({ max, ttl: Math.max(1, cacheSeconds * 1000), ttlAutopurge: true });
  const byId = new LRUCache<string, Buffer>({ max, ttl: Math.max(1, cacheSeconds * 1000), ttlAutopurge: true });
  const cached = <V extends object>(cache: LRUCache<string, V>, key: string) => (cacheSeconds > 0 ? cache.get(key) : undefined);
  // Concurrent misses of one subject or key (a signal-with-start encodes its arguments and its signal at
  // once, a workflow task decodes a batch) share one read. Each erasure here bumps the generation: a read
  // that started before it is used by its callers but not cached, so this process stops using the key at once.
  const loading = new Map<string, Promise<unknown>>();
  let generation = 0;
  const once = <V>(key: string, load: (startedIn: number) => Promise<V>): Promise<V> => {
    const pending = loading.get(key) as Promise<V> | undefined;
    if (pending) return pending;
    const loaded = load(generation).finally(() => loading.delete(key));
    loading.set(key, loaded);
    return loaded;
  };
  const context = (id: string) => `candidate_data_keys/${id}`;
  const open = (row: KeyRow): DataKey => ({ id: row.id, key: ownBuffer(Buffer.from(box.open(row.wrapped_key!, context(row.id)), 'base64')) });
  const remember = (key: DataKey, startedIn: number) => {
    if (startedIn === generation) byId.set(key.id, key.key);
    return key;
  };

  const select = async (ref: string) =>
    (await db.query<KeyRow>('SELECT id, wrapped_key, erased_at FROM candidate_data_keys WHERE subject_ref = $1', [ref])).rows[0];
  /**
   * The subject's row in one round trip, made here on first use: the insert answers a new row, the
   * select an existing one (the statement's snapshot does not see its own insert). Two processes creating
   * the first key at once: one row wins, both use it; a row committed by another during this statement
   * is outside its snapshot and read afresh.
   */
  const createOrSelect = async (ref: string) => {
    const id = randomUUID();
    const wrapped = box.seal(randomBytes(32).toString('base64'), context(id));
    const { rows } = await db.query<KeyRow>(
      `WITH created AS (
         INSERT INTO candidate_data_keys (id, subject_ref, wrapped_key) VALUES ($1, $2, $3)
         ON CONFLICT (subject_ref) DO NOTHING RETURNING id, wrapped_key, erased_at)
       SELECT id, wrapped_key, erased_at FROM created
       UNION ALL SELECT id, wrapped_key, erased_at FROM candidate_data_keys WHERE subject_ref = $2`,
      [id, ref, wrapped],
    );
    return rows[0] ?? (await select(ref));
  };

  return {
    cacheSeconds,
    keyFor(subject) {
      const ref = subjectRef(subject);
      const hit = cached(bySubject, ref);
      if (hit) return Promise.resolve(hit);
      return once(`subject:${ref}`, async (startedIn) => {
        const row = await createOrSelect(ref);
        if (!row || row.wrapped_key === null) throw new SubjectErasedError(row?.erased_at ?? new Date());
        const key = remember(open(row), startedIn);
        if (startedIn === generation) bySubject.set(ref, key);
        return key;
      });
    },

    keyById(id) {
      const hit = cached(byId, id);
      if (hit) return Promise.resolve({ state: 'live', key: hit });
      return once(`id:${id}`, async (startedIn): Promise<KeyLookup> => {
        const { rows } = await db.query<KeyRow>('SELECT id, wrapped_key, erased_at FROM candidate_data_keys WHERE id = $1', [id]);
        const row = rows[0];
        if (!row) return { state: 'unknown' };
        if (row.wrapped_key === null) return { state: 'erased', erasedAt: row.erased_at! };
        return { state: 'live', key: remember(open(row), startedIn).key };
      });
    },

    async erase(subject) {
      const ref = subjectRef(subject);
      // an erased subject keeps a row without a key, so a late write for them is refused rather than given a fresh key
      const { rows } = await db.query<{ id: string; destroyed: boolean }>(
        `INSERT INTO candidate_data_keys (id, subject_ref, wrapped_key, erased_at) VALUES ($1, $2, NULL, now())
         ON CONFLICT (subject_ref) DO UPDATE SET wrapped_key = NULL, erased_at = COALESCE(candidate_data_keys.erased_at, now())
         RETURNING id, (xmax <> 0 AND erased_at = now()) AS destroyed`,
        [randomUUID(), ref],
      );
      const row = rows[0]!;
      // after the key is gone: what was cached is dropped, and reads still under way are not cached
      generation += 1;
      bySubject.delete(ref);
      byId.delete(row.id);
      return { destroyed: row.destroyed, keyId: row.id };
    },
  };
}

/** One store per pool and keys (dataKeyStoreFrom): every user in a process shares its cache. */
const storesOfPool = new WeakMap<Db, Map<string, DataKeyStore>>();

/**
 * The store of every process of the service, its keys sealed under ENCRYPTION_KEY (and opened with the
 * previous keys after a rotation), cached DATA_KEY_CACHE_SECONDS. One per pool and settings: the
 * Temporal client's and the worker's codec, the codec endpoint and the erasure activities of a process
 * share it, so a key is read once per process, not once per user, and an erasure there is seen by all of them at once.
 */
export function dataKeyStoreFrom(
  db: Db,
  config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'> & Partial<Pick<Config, 'DATA_KEY_CACHE_SECONDS'>>,
): DataKeyStore {
  const stores = storesOfPool.get(db) ?? new Map<string, DataKeyStore>();
  storesOfPool.set(db, stores);
  const settings = JSON.stringify([config.ENCRYPTION_KEY, config.ENCRYPTION_KEYS_PREVIOUS ?? '', config.DATA_KEY_CACHE_SECONDS ?? null]);
  let store = stores.get(settings);
  if (!store) {
    store = createDataKeyStore(db, createSecretBox(keyRingFrom(config, 'candidate-data-keys')), { cacheSeconds: config.DATA_KEY_CACHE_SECONDS });
    stores.set(settings, store);
  }
  return store;
}
