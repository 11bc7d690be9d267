import { checkLeverKey, FEEDBACK_PERMISSIONS, MADE_UP_ID } from '../../../src/integrations/key-checks/lever-key-check';
import { createLeverClient } from '../../../src/lever/client';
import { ALL_PERMISSIONS } from '../../../sandbox/lever/permissions';
import { startHarness, type Harness } from '../../sandbox/lever/harness';

/** The Lever key TEST with `assessments.resultsAs` = feedback or both: the feedback permissions are named, and the missing ones reported. */
describe('Lever key check: results as feedback', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } }); });
  afterAll(() => h.close());

  const client = (key: string) => createLeverClient({ baseUrl: `${h.server.url}/v1`, apiKey: key });
  const keyWithout = (scopes: string[]) => h.sandbox.admin.createKey(h.seed.accountId, { permissions: ALL_PERMISSIONS.filter((p) => !scopes.includes(p)) }).key;
  const feedbackNames = FEEDBACK_PERMISSIONS.map((p) => p.name);

  it('asks nothing of feedback when results are notes (or the setting is unknown)', async () => {
    const key = keyWithout(['feedback:write:admin', 'feedback:read:admin', 'feedback_templates:read:admin', 'feedback_templates:write:admin']);
    for (const resultsAs of [undefined, 'note'] as const) {
      const check = await checkLeverKey(client(key), { resultsAs });
      expect(check).toMatchObject({ ok: true, keyValid: true, missing: [] });
      expect(check.permissions.map((p) => p.name)).not.toEqual(expect.arrayContaining([feedbackNames[0]]));
    }
  });

  it.each(['feedback', 'both'] as const)('resultsAs %s: names the feedback permissions, granted to a full key', async (resultsAs) => {
    const check = await checkLeverKey(client(h.seed.apiKey), { resultsAs });
    expect(check).toMatchObject({ ok: true, keyValid: true, missing: [] });
    const rows = check.permissions.filter((p) => feedbackNames.includes(p.name));
    expect(rows.map((p) => p.scope).sort()).toEqual(['feedback:read:admin', 'feedback:write:admin', 'feedback_templates:read:admin', 'feedback_templates:write:admin']);
    for (const row of rows) {
      expect(row.granted).toBe(true);
      expect(row.detail).toMatch(/assessments\.resultsAs: feedback or both/);
    }
  });

  it('reports exactly the feedback permissions the key lacks, and fails the TEST', async () => {
    const since = Date.now();
    const key = keyWithout(['feedback:write:admin', 'feedback_templates:read:admin', 'feedback_templates:write:admin']);
    const check = await checkLeverKey(client(key), { resultsAs: 'feedback' });
    expect(check).toMatchObject({ ok: false, keyValid: true });
    expect([...check.missing].sort()).toEqual(['create opportunity feedback', 'delete feedback template', 'list feedback templates']);
    for (const name of check.missing) {
      const row = check.permissions.find((p) => p.name === name)!;
      expect(row.granted).toBe(false);
      expect(row.detail).toContain(row.scope);
    }
    expect(check.permissions.find((p) => p.name === 'list opportunity feedback')!.granted).toBe(true);
    // nothing was written: every write probe was refused or aimed at a made-up id
    const writes = h.sandbox.admin.requests(h.seed.accountId, {}).filter((r) => r.at >= since && r.method !== 'GET' && r.status < 300);
    expect(writes).toEqual([]);
    for (const p of FEEDBACK_PERMISSIONS) {
      if ('write' in p.probe) expect(p.probe.write({ userId: 'u', stageId: 's' }).path).toContain(MADE_UP_ID);
    }
  });
});
