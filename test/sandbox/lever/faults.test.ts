import { createLeverSandbox } from '../../../sandbox/lever/index';
import { basic, startHarness, type Harness } from './harness';

describe('Lever sandbox: fault injection', () => {
  let h: Harness;
  let faultsPath: string;
  beforeEach(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    faultsPath = `/accounts/${h.seed.accountId}/faults`;
  });
  afterEach(() => h.close());

  const statuses = async (n: number, path = '/stages') => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await h.api('GET', path)).status);
    return out;
  };

  it('failNext answers the next n requests 503, and never touches the control API', async () => {
    expect((await h.control('PUT', faultsPath, { failNext: 2 })).body).toMatchObject({ failNext: 2 });
    expect((await h.control('GET', `/accounts/${h.seed.accountId}`)).status).toBe(200);
    const first = await h.api('GET', '/stages');
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ code: 'ServiceUnavailable', message: expect.any(String) });
    expect(await statuses(2)).toEqual([503, 200]);
    expect(h.sandbox.admin.requests(h.seed.accountId).map((r) => r.faults)).toEqual([['error'], ['error'], []]);
  });

  it('errorRate answers 500 or 503 before doing anything', async () => {
    await h.control('PUT', faultsPath, { errorRate: 1 });
    const before = h.sandbox.store.account(h.seed.accountId).notes.size;
    const res = await h.api('POST', `/opportunities/${h.seed.opportunities[0].id}/notes`, { body: { value: 'never written' } });
    expect([500, 503]).toContain(res.status);
    expect(h.sandbox.store.account(h.seed.accountId).notes.size).toBe(before);
    await h.control('DELETE', faultsPath);
    expect(await statuses(1)).toEqual([200]);
  });

  it('rateLimitNext and rateLimitRate answer 429', async () => {
    await h.control('PUT', faultsPath, { rateLimitNext: 1 });
    const limited = await h.api('GET', '/stages');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TooManyRequests');
    await h.control('PUT', faultsPath, { rateLimitRate: 1 });
    expect(await statuses(3)).toEqual([429, 429, 429]);
  });

  it('latencyMs delays answers', async () => {
    await h.control('PUT', faultsPath, { latencyMs: 250 });
    const started = Date.now();
    expect((await h.api('GET', '/stages')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('dropNext commits the write, then resets the connection: the client errors but the note exists', async () => {
    const oppId = h.seed.opportunities[0].id;
    await h.control('PUT', faultsPath, { dropNext: 1 });
    expect((await h.api('GET', '/stages')).status).toBe(200); // reads are never dropped
    await expect(h.api('POST', `/opportunities/${oppId}/notes`, { body: { value: 'assessment result #1' } })).rejects.toThrow();
    const notes = h.sandbox.recruiter.inspect(h.seed.accountId, oppId).notes.filter((n) => n.fields[0].value === 'assessment result #1');
    expect(notes).toHaveLength(1);
    expect(h.sandbox.admin.requests(h.seed.accountId, { method: 'POST' })[0]).toMatchObject({ status: 201, faults: ['dropped'] });

    // a naive retry duplicates the note: exactly what this fault exposes
    expect((await h.api('POST', `/opportunities/${oppId}/notes`, { body: { value: 'assessment result #1' } })).status).toBe(201);
    expect(h.sandbox.recruiter.inspect(h.seed.accountId, oppId).notes.filter((n) => n.fields[0].value === 'assessment result #1')).toHaveLength(2);
  });

  it('dropAfterCommitRate drops successful writes only', async () => {
    const oppId = h.seed.opportunities[2].id;
    await h.control('PUT', faultsPath, { dropAfterCommitRate: 1 });
    await expect(h.api('PUT', `/opportunities/${oppId}/stage`, { body: { stage: 'offer' } })).rejects.toThrow();
    expect(h.sandbox.store.account(h.seed.accountId).opportunity(oppId).stage).toBe('offer');
    expect((await h.api('PUT', `/opportunities/${oppId}/stage`, { body: { stage: 'nope' } })).status).toBe(404);
  });

  it('repeats the same fault sequence for the same seed', async () => {
    const run = async () => {
      const sandbox = createLeverSandbox({ logger: false, seed: 7, rateLimit: { perSecond: 1000, burst: 1000 } });
      const account = sandbox.admin.createAccount({ id: 'fixed-account' });
      const { key } = sandbox.admin.createKey(account.id);
      sandbox.admin.updateFaults(account.id, { errorRate: 0.5 });
      const server = await sandbox.listen(0);
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await fetch(`${server.apiUrl}/stages`, { headers: { authorization: basic(key) } })).status);
      await sandbox.close();
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(a.filter((s) => s !== 200).length).toBeGreaterThan(0);

    await h.control('PUT', faultsPath, { errorRate: 0.5, seed: 99 });
    const first = await statuses(12);
    await h.control('PUT', faultsPath, { seed: 99 });
    expect(await statuses(12)).toEqual(first);
  });

  it('validates fault settings', async () => {
    const res = await h.control('PUT', faultsPath, { errorRate: 2 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
  });
});
