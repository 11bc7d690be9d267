import { Client } from 'pg';
import { migrate } from '../../src/db/migrate';
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
