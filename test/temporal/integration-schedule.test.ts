import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Db } from '../../src/db/pool';
import { integrationSchedules, withScheduleLock, type ScheduledSettings } from '../../src/temporal/integration-schedule';
import { testLogger } from '../support/stack';

jest.setTimeout(60_000);

/**
 * The one mechanism of every per-integration Schedule, on the run's dev server and PostgreSQL: a save
 * and another API process's start-up pass never bring one Schedule in line at once, and the pass applies
 * each integration's settings as they are when its turn comes, not as it listed them.
 */
describe('per-integration Schedules', () => {
  let connection: Connection;
  let client: Client;
  let db: Db;
  const scheduleIds: string[] = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    client = new Client({ connection });
    db = createPool(process.env.TEST_DATABASE_URL!, testLogger);
  });
  afterAll(async () => {
    for (const id of scheduleIds) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await connection?.close();
    await db?.end();
  });

  const kindFor = () => {
    const prefix = `schedule-test-${randomUUID()}`;
    return integrationSchedules<ScheduledSettings>({
      what: 'test',
      scheduleId: (integrationId) => {
        const id = `${prefix}/${integrationId}`;
        if (!scheduleIds.includes(id)) scheduleIds.push(id);
        return id;
      },
      workflowType: 'reconciliationWorkflow',
      workflowId: (integrationId) => `${prefix}-run/${integrationId}`,
      notes: { active: 'on', paused: 'off' },
    });
  };
  const deps = () => ({ db, logger: testLogger, client, taskQueue: `schedule-test-${randomUUID()}`, timeoutMs: 10_000 });

  it("a start-up pass applies the settings as they are at the integration's turn: a save since its list is not undone", async () => {
    const schedules = kindFor();
    const integrationId = randomUUID();
    let stored: ScheduledSettings = { enabled: true, intervalMinutes: 15 };
    expect(await schedules.sync(deps(), integrationId, stored)).toBe('created');

    await schedules.ensure(deps(), async (_db, ids) => {
      if (ids) return [{ integrationId, settings: stored }];
      // the pass lists the integration enabled; then, before its turn, an admin disables it and the save pauses the Schedule
      const listed = [{ integrationId, settings: stored }];
      stored = { enabled: false, intervalMinutes: 15 };
      expect(await schedules.sync(deps(), integrationId, stored)).toBe('paused');
      return listed;
    });

    expect(await schedules.describe(deps(), integrationId)).toMatchObject({ status: 'paused' });
  });

  it('leaves an integration the reader no longer lists as its save left it', async () => {
    const schedules = kindFor();
    const integrationId = randomUUID();
    await schedules.sync(deps(), integrationId, { enabled: true, intervalMinutes: 15 });
    let listedOnce = false;
    await schedules.ensure(deps(), async (_db, ids) => {
      if (ids) return [];
      listedOnce = true;
      return [{ integrationId, settings: { enabled: false, intervalMinutes: 60 } }];
    });
    expect(listedOnce).toBe(true);
    expect(await schedules.describe(deps(), integrationId)).toMatchObject({ status: 'active', intervalMinutes: 15 });
  });

  it("one Schedule's lock is held by one caller at a time, across connections; another Schedule's is not held up", async () => {
    const id = `schedule-lock-${randomUUID()}`;
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstIn!: () => void;
    const firstEntered = new Promise<void>((resolve) => (firstIn = resolve));
    const first = withScheduleLock(db, id, async () => {
      order.push('first in');
      firstIn();
      await firstHolds;
      order.push('first out');
    });
    await firstEntered;
    const second = withScheduleLock(db, id, async () => {
      order.push('second in');
    });
    // another Schedule's lock is taken while the first is held
    await withScheduleLock(db, `${id}-other`, async () => {
      order.push('other');
    });
    expect(order).toEqual(['first in', 'other']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'other', 'first out', 'second in']);
  });
});
