import { createLeverSandbox, seedLeverDemo, type LeverSandbox, type RunningLeverSandbox } from '../../../sandbox/lever/index';
import { basic } from './harness';

describe('Lever sandbox: demo seed', () => {
  let sandbox: LeverSandbox;
  let server: RunningLeverSandbox;
  beforeAll(async () => {
    sandbox = createLeverSandbox({ logger: false });
    server = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());

  it('creates a ready account whose key has the assessment permissions and nothing more', async () => {
    const seed = seedLeverDemo(sandbox, { apiKey: 'demo-lever-api-key' });
    expect(seed.apiKey).toBe('demo-lever-api-key');
    expect(seed.users.map((u) => u.name)).toEqual(['Integration Bot', 'Riley Chen', 'Sam Patel', 'Ivy Nakamura']);
    expect(seed.stages.map((s) => s.text)).toEqual(['New lead', 'Reached out', 'Responded', 'New applicant', 'Phone screen', 'CodeSignal Assessment', 'On-site interview', 'Offer']);
    expect(seed.opportunities.filter((o) => o.email === null)).toHaveLength(1);

    const get = (path: string) => fetch(`${server.apiUrl}${path}`, { headers: { authorization: basic(seed.apiKey) } });
    for (const path of ['/users', '/stages', '/tags', '/sources', '/archive_reasons', '/postings', '/opportunities', '/webhooks', `/opportunities/${seed.opportunities[0].id}/notes`]) {
      expect([path, (await get(path)).status]).toEqual([path, 200]);
    }
    // simulated since results as feedback, but not part of the assessment preset: the key lacks feedback_templates:read:admin
    expect((await get('/feedback_templates')).status).toBe(403);
    const opps = await get(`/opportunities?stage_id=${seed.stageIds.assessment}`).then((r) => r.json() as Promise<{ data: Array<{ name: string }> }>);
    expect(opps.data.map((o) => o.name)).toEqual(['Grace Hopper']);
  });

  it('is also available on the control API', async () => {
    const res = await fetch(`${server.url}/_sandbox/seed/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId: 'demo-2', permissions: 'all' }) });
    expect(res.status).toBe(201);
    const seed = (await res.json()) as { accountId: string; defaultUserId: string };
    expect(seed.accountId).toBe('demo-2');
    expect(sandbox.store.account('demo-2').user(seed.defaultUserId).name).toBe('Integration Bot');
  });
});
