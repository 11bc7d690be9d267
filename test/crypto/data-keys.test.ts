import { randomUUID } from 'node:crypto';
import { SubjectErasedError, createDataKeyStore, dataKeyStoreFrom, opportunitySubject } from '../../src/crypto/data-keys';
import { newMasterKey } from '../../src/crypto/keys';
import { secretBoxFrom } from '../../src/crypto/secret-box';
import { createPool, type Db } from '../../src/db/pool';
import { testLogger } from '../support/stack';
import type { SerializationContext } from '@temporalio/common';
import { payloadCodecFor } from '../../src/temporal/payload-codec';
import { candidateWorkflowId } from '../../src/workflows/shared/ids';

/**
 * The data-key store on its own, against PostgreSQL: how many round trips a key costs (the codec asks
 * for one per payload batch, on every signal and workflow task), and that an erasure still wins.
 */
describe('candidate data keys', () => {
  let db: Db;
  const keys = { ENCRYPTION_KEY: newMasterKey() };
  const subject = () => opportunitySubject(randomUUID(), randomUUID());
  /** The store on a pool whose queries are counted. */
  const counted = (cacheSeconds = 30) => {
    const queries: string[] = [];
    const query = db.query.bind(db) as (text: string, values?: unknown[]) => Promise<unknown>;
    const countingDb = new Proxy(db, {
      get: (target, prop) => (prop === 'query' ? (text: string, values?: unknown[]) => (queries.push(text), query(text, values)) : Reflect.get(target, prop)),
    });
    return { store: createDataKeyStore(countingDb, secretBoxFrom({ ENCRYPTION_KEY: keys.ENCRYPTION_KEY }), { cacheSeconds }), queries };
  };

  beforeAll(() => {
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
  });
  afterAll(() => db.end());

  it('creates a subject\'s key in one round trip, once for concurrent first uses, and serves it from memory after', async () => {
    const { store, queries } = counted();
    const s = subject();
    const first = await Promise.all([store.keyFor(s), store.keyFor(s), store.keyFor(s)]);
    expect(queries).toHaveLength(1);
    expect(new Set(first.map((k) => k.id)).size).toBe(1);
    expect((await store.keyFor(s)).key.equals(first[0]!.key)).toBe(true);
    expect(await store.keyById(first[0]!.id)).toEqual({ state: 'live', key: first[0]!.key });
    expect(queries).toHaveLength(1);

    // another process (another store) finds the same key in one round trip, and reads it by id once for concurrent readers
    const other = counted();
    expect((await other.store.keyFor(s)).id).toBe(first[0]!.id);
    expect(other.queries).toHaveLength(1);
    const third = counted();
    const byId = await Promise.all([third.store.keyById(first[0]!.id), third.store.keyById(first[0]!.id)]);
    expect(byId.map((k) => k.state)).toEqual(['live', 'live']);
    expect(third.queries).toHaveLength(1);
  });

  it('holds each key in memory of its own (not a slice of Node\'s shared buffer pool) and reads it again once it expired', async () => {
    const { store, queries } = counted(1);
    const s = subject();
    const key = await store.keyFor(s);
    // a pooled slice would keep an 8 KB slab alive for as long as the key is cached
    expect(key.key.buffer.byteLength).toBe(key.key.length);
    const byId = await counted().store.keyById(key.id);
    expect(byId.state === 'live' && byId.key.buffer.byteLength).toBe(32);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await store.keyFor(s)).key.equals(key.key)).toBe(true);
    expect(queries).toHaveLength(2);
  });

  it('two stores creating one subject\'s first key at once agree on it', async () => {
    const s = subject();
    const [a, b] = await Promise.all([counted().store.keyFor(s), counted().store.keyFor(s)]);
    expect(a.id).toBe(b.id);
    expect(a.key.equals(b.key)).toBe(true);
  });

  it('an erasure is seen at once by the store that made it, whatever it had cached', async () => {
    const { store } = counted();
    const s = subject();
    const { id } = await store.keyFor(s);
    expect((await store.erase(s)).destroyed).toBe(true);
    await expect(store.keyFor(s)).rejects.toBeInstanceOf(SubjectErasedError);
    expect(await store.keyById(id)).toMatchObject({ state: 'erased' });
  });

  it('a worker\'s codec drops what an erased candidate\'s flow still sends (a marker instead, no throw: a throwing codec fails the worker)', async () => {
    const { store } = counted();
    const integrationId = randomUUID();
    const opportunityId = randomUUID();
    const codec = payloadCodecFor(keys, { dataKeys: store }).forWorker();
    const context = { workflowId: candidateWorkflowId(integrationId, opportunityId), namespace: 'default' } as unknown as SerializationContext;
    const secret = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"Ada Lovelace"') };
    expect((await codec.encode([secret], context))[0]!.data!.toString()).not.toContain('Ada');
    await store.erase(opportunitySubject(integrationId, opportunityId));
    const [after] = await codec.encode([secret], context);
    expect(JSON.parse(Buffer.from(after!.data!).toString())).toEqual({ erased: expect.stringMatching(/^this candidate's data was erased on /) });
    expect(Buffer.from(after!.data!).toString()).not.toContain('Ada');
    // a client's codec refuses instead (the ingress answers candidate_erased and starts nothing)
    await expect(payloadCodecFor(keys, { dataKeys: store }).encode([secret], context)).rejects.toBeInstanceOf(SubjectErasedError);
  });

  it('is one store per pool and keys in a process, so every user shares its cache', () => {
    expect(dataKeyStoreFrom(db, keys)).toBe(dataKeyStoreFrom(db, { ...keys }));
    expect(dataKeyStoreFrom(db, keys)).not.toBe(dataKeyStoreFrom(db, { ...keys, DATA_KEY_CACHE_SECONDS: 2 }));
    expect(dataKeyStoreFrom(db, keys)).not.toBe(dataKeyStoreFrom(db, { ENCRYPTION_KEY: newMasterKey() }));
  });
});
