import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { runner } from 'node-pg-migrate';
import { Client } from 'pg';
import { migrate, migrationsDir } from '../../src/db/migrate';
import { parseStoredSettings } from '../../src/integrations/settings';
import { testLogger } from '../support/stack';

describe('database migrations', () => {
  it('are applied once and a second run changes nothing', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    await migrate(url, testLogger);
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const before = await db.query('SELECT name, run_on FROM pgmigrations ORDER BY id');
      await migrate(url, testLogger);
      const after = await db.query('SELECT name, run_on FROM pgmigrations ORDER BY id');
      expect(after.rows).toEqual(before.rows);
      expect(before.rows.map((r) => r.name)).toContain('1763856000000_integrations');
      const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'integrations'`);
      expect(columns.rows.map((r) => r.column_name)).toEqual(expect.arrayContaining(['id', 'name', 'lever_api_key', 'lever_webhook_signing_tokens', 'codesignal_api_key', 'codesignal_webhook_secret', 'settings']));
    } finally {
      await db.end();
    }
  });
});

/** The migration that made defaultLeverUserId and notifyFollowers integration-wide, on rows an older version wrote. */
describe('migration 1763857200000_integration-wide-settings', () => {
  const name = `migrate_settings_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;
  let db: Client;
  let url: string;
  /** This migration and every later one: rolled back together to undo it. */
  let fromThisOn: number;
  const run = (direction: 'up' | 'down', count: number) =>
    runner({ databaseUrl: url, dir: migrationsDir, direction, migrationsTable: 'pgmigrations', count, singleTransaction: true, log: () => {} });
  const settingsOf = async (id: string) => (await db.query('SELECT settings FROM integrations WHERE id = $1', [id])).rows[0].settings;

  beforeAll(async () => {
    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    url = u.toString();
    // the schema as the version before this migration left it
    const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
    const before = files.indexOf('1763857200000_integration-wide-settings.sql');
    expect(before).toBeGreaterThan(0);
    fromThisOn = files.length - before;
    await run('up', before);
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it('moves the two fields from assessments to the top level, where a value already there wins, and back down', async () => {
    const rows = {
      legacy: { assessments: { triggerStageIds: ['s1'], defaultLeverUserId: 'u1', notifyFollowers: false, expiryDays: 7 }, interviews: { interviewer: 'owner' } },
      onlyFollowers: { assessments: { notifyFollowers: false } },
      both: { defaultLeverUserId: 'top', assessments: { defaultLeverUserId: 'u1', notifyFollowers: true } },
      untouched: { assessments: { expiryDays: 9 } },
      empty: {},
    };
    const ids: Record<string, string> = {};
    for (const [key, settings] of Object.entries(rows)) {
      const { rows: inserted } = await db.query(
        `INSERT INTO integrations (name, lever_api_key, codesignal_api_key, settings) VALUES ($1, 'k', 'k', $2) RETURNING id`,
        [key, settings],
      );
      ids[key] = inserted[0].id;
    }

    await migrate(url, testLogger);
    expect(await settingsOf(ids.legacy!)).toEqual({
      defaultLeverUserId: 'u1',
      notifyFollowers: false,
      assessments: { triggerStageIds: ['s1'], expiryDays: 7 },
      interviews: { interviewer: 'owner' },
    });
    expect(await settingsOf(ids.onlyFollowers!)).toEqual({ notifyFollowers: false, assessments: {} });
    expect(await settingsOf(ids.both!)).toEqual({ defaultLeverUserId: 'top', notifyFollowers: true, assessments: {} });
    expect(await settingsOf(ids.untouched!)).toEqual(rows.untouched);
    expect(await settingsOf(ids.empty!)).toEqual({});
    // what the service reads is what it read before the migration
    for (const key of Object.keys(rows) as Array<keyof typeof rows>) {
      expect(parseStoredSettings(await settingsOf(ids[key]!))).toEqual(parseStoredSettings(rows[key]));
    }

    await run('down', fromThisOn);
    expect(await settingsOf(ids.legacy!)).toEqual(rows.legacy);
    expect(await settingsOf(ids.onlyFollowers!)).toEqual(rows.onlyFollowers);
    expect(await settingsOf(ids.untouched!)).toEqual(rows.untouched);
    expect(await settingsOf(ids.empty!)).toEqual({});
    await migrate(url, testLogger);
    expect(await settingsOf(ids.legacy!)).toMatchObject({ defaultLeverUserId: 'u1', notifyFollowers: false });
  });
});
