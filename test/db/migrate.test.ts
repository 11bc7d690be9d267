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

/**
 * A database of its own, with the schema as the version before `file` left it (registers the suite's
 * beforeAll/afterAll): `db` a client on it, `url`, and `run` to migrate it up or down `count` steps.
 * `fromThisOn`: this migration and every later one, rolled back together to undo it.
 */
function databaseBefore(file: string, label: string) {
  const name = `migrate_${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client | undefined;
  const at = {
    db: undefined as unknown as Client,
    url: '',
    fromThisOn: 0,
    // on a client of the test's own, closed before the next step, so the database's drop never finds it open
    run: async (direction: 'up' | 'down', count: number) => {
      const client = new Client({ connectionString: at.url });
      await client.connect();
      try {
        return await runner({ dbClient: client, dir: migrationsDir, direction, migrationsTable: 'pgmigrations', count, singleTransaction: true, log: () => {} });
      } finally {
        await client.end();
      }
    },
  };
  beforeAll(async () => {
    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    at.url = u.toString();
    const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
    const before = files.indexOf(file);
    expect(before).toBeGreaterThan(0);
    at.fromThisOn = files.length - before;
    await at.run('up', before);
    at.db = new Client({ connectionString: at.url });
    await at.db.connect();
  });
  afterAll(async () => {
    await at.db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });
  return at;
}

/** The migration that made defaultLeverUserId and notifyFollowers integration-wide, on rows an older version wrote. */
describe('migration 1763857200000_integration-wide-settings', () => {
  const at = databaseBefore('1763857200000_integration-wide-settings.sql', 'settings');
  const settingsOf = async (id: string) => (await at.db.query('SELECT settings FROM integrations WHERE id = $1', [id])).rows[0].settings;

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
      const { rows: inserted } = await at.db.query(
        `INSERT INTO integrations (name, lever_api_key, codesignal_api_key, settings) VALUES ($1, 'k', 'k', $2) RETURNING id`,
        [key, settings],
      );
      ids[key] = inserted[0].id;
    }

    await migrate(at.url, testLogger);
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

    await at.run('down', at.fromThisOn);
    expect(await settingsOf(ids.legacy!)).toEqual(rows.legacy);
    expect(await settingsOf(ids.onlyFollowers!)).toEqual(rows.onlyFollowers);
    expect(await settingsOf(ids.untouched!)).toEqual(rows.untouched);
    expect(await settingsOf(ids.empty!)).toEqual({});
    await migrate(at.url, testLogger);
    expect(await settingsOf(ids.legacy!)).toMatchObject({ defaultLeverUserId: 'u1', notifyFollowers: false });
  });
});

/** The migration that added assessment_sessions.finished_at, on sessions an older version recorded. */
describe('migration 1763857600000_assessment-finished', () => {
  const at = databaseBefore('1763857600000_assessment-finished.sql', 'finished');

  it('finishes the sessions with a finishing delivery, replaced by a later one or past their expiry, and leaves the others waiting', async () => {
    const integration = async (settings: unknown) =>
      (await at.db.query(`INSERT INTO integrations (name, lever_api_key, codesignal_api_key, settings) VALUES ('i', 'k', 'k', $1) RETURNING id`, [settings])).rows[0].id as string;
    const long = await integration({ assessments: { expiryDays: 60 } });
    const short = await integration({});
    const session = (integrationId: string, sessionId: string, workflowId: string, daysAgo: number) =>
      at.db.query(
        `INSERT INTO assessment_sessions (integration_id, session_id, opportunity_id, assessment_id, workflow_id, created_at)
         VALUES ($1, $2, 'o', '1', $3, now() - make_interval(days => $4))`,
        [integrationId, sessionId, workflowId, daysAgo],
      );
    const delivery = (integrationId: string, workflowId: string, event: string, outcome: string) =>
      at.db.query(
        `INSERT INTO webhook_deliveries (integration_id, source, event, outcome, http_status, workflow_id, received_at)
         VALUES ($1, 'codesignal', $2, $3, 202, $4, now() - interval '1 day')`,
        [integrationId, event, outcome, workflowId],
      );
    await session(short, 'finished-by-webhook', 'w1', 3);
    await delivery(short, 'w1', 'companyTestSessionFinished', 'accepted');
    await session(short, 'started-only', 'w2', 3);
    await delivery(short, 'w2', 'companyTestSessionStarted', 'accepted');
    await session(short, 'rejected-delivery', 'w3', 3);
    await delivery(short, 'w3', 'companyTestSessionFinished', 'rejected');
    await session(short, 'replaced', 'w4', 5);
    await session(short, 'retake', 'w4', 2);
    await session(short, 'past-default-expiry', 'w5', 22); // 14 + 7 days
    await session(short, 'within-default-expiry', 'w6', 20);
    await session(long, 'within-configured-expiry', 'w7', 50);
    await session(long, 'past-configured-expiry', 'w8', 68);

    await migrate(at.url, testLogger);
    const { rows } = await at.db.query<{ session_id: string; finished: boolean }>('SELECT session_id, finished_at IS NOT NULL AS finished FROM assessment_sessions ORDER BY session_id');
    expect(Object.fromEntries(rows.map((r) => [r.session_id, r.finished]))).toEqual({
      'finished-by-webhook': true,
      'started-only': false,
      'rejected-delivery': false,
      replaced: true,
      retake: false,
      'past-default-expiry': true,
      'within-default-expiry': false,
      'within-configured-expiry': false,
      'past-configured-expiry': true,
    });
    const index = await at.db.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'assessment_sessions_waiting'`);
    expect(index.rows[0]?.indexdef).toContain('WHERE (finished_at IS NULL)');

    await at.run('down', at.fromThisOn);
    const columns = await at.db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'assessment_sessions'`);
    expect(columns.rows.map((r) => r.column_name)).not.toContain('finished_at');
    await migrate(at.url, testLogger);
  });
});
