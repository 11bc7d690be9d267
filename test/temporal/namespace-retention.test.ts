import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { applyNamespaceRetention } from '../../src/temporal/connection';
import { eventually, testLogger } from '../support/stack';

/** TEMPORAL_RETENTION_DAYS on the run's Temporal server: the API sets the namespace's retention once, then leaves it. */
describe('namespace retention', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(() => connection.close());

  it('sets the closed-workflow retention when it differs, and changes nothing when it is already so', async () => {
    const namespace = `retention-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(86_400_000) });
    const client = new Client({ connection, namespace });
    const retentionDays = async () => Number((await connection.workflowService.describeNamespace({ namespace })).config?.workflowExecutionRetentionTtl?.seconds) / 86_400;
    await eventually(async () => expect(await retentionDays()).toBe(1));

    expect(await applyNamespaceRetention(client, 30, testLogger)).toBe('updated');
    await eventually(async () => expect(await retentionDays()).toBe(30));
    expect(await applyNamespaceRetention(client, 30, testLogger)).toBe('unchanged');
  });

  it('fails on a namespace that does not exist (the start-up check names it before this runs)', async () => {
    const client = new Client({ connection, namespace: `missing-${randomUUID().slice(0, 8)}` });
    await expect(applyNamespaceRetention(client, 30, testLogger)).rejects.toThrow(/not found/i);
  });
});
