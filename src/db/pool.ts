import { Pool } from 'pg';
import type { Logger } from '../log';

export type Db = Pool;

export function createPool(databaseUrl: string, logger: Logger, max = 10): Db {
  const pool = new Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its server (restart, failover) must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection lost'));
  return pool;
}

export async function databaseIsReady(db: Db): Promise<boolean> {
  try {
    await db.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
