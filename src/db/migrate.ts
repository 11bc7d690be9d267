import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../log';

/** The versioned SQL migrations live at the repository root, next to package.json. */
export const migrationsDir = path.resolve(__dirname, '..', '..', 'migrations');

export async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    singleTransaction: true,
    log: (msg) => logger.debug({ migration: true }, msg),
  });
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'database migrated');
}
