import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../src/db/migrate';
import { createPool, type Db } from '../../src/db/pool';
import { testLogger } from './stack';

export interface IsolatedDatabase {
  url: string;
  /** A pool on it. */
  db: Db;
  /** Ends the pool and drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Runs `sql` as the run's PostgreSQL user on its own database (CREATE/DROP DATABASE cannot run in it). */
async function onServer(sql: string): Promise<void> {
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL! });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A new database of a test's own on the run's PostgreSQL (TEST_DATABASE_URL's server), migrated as the
 * service migrates it. For a test that acts on a whole table (the start-up pass that seals every stored
 * secret, locking each row as it goes) or leaves rows a whole-table pass cannot read: on the shared
 * database it would rewrite, block on or trip over the rows of the tests running beside it.
 */
export async function isolatedDatabase(prefix: string): Promise<IsolatedDatabase> {
  if (!/^[a-z][a-z0-9_]{0,29}$/.test(prefix)) throw new Error(`database prefix ${prefix} is not a short lower-case identifier`);
  const name = `${prefix}_${randomUUID().replace(/-/g, '')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const drop = () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    await migrate(url.toString(), testLogger);
  } catch (err) {
    await drop();
    throw err;
  }
  const db = createPool(url.toString(), testLogger);
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.end();
      await drop();
    },
  };
}
