import { seedCodeSignalDemo, type FaultConfig, type RequestLogEntry } from '../../../sandbox/codesignal/index';
import { graphqlRequest, startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';

const CREATE = 'mutation Invite($i: TestSessionInput!) { createCompanyTestSession(sessionFields: $i) { id } }';
const WHO = 'query WhoAmI { company { id } }';

describe('CodeSignal sandbox: fault injection and rate limits', () => {
  let h: SandboxHarness;
  afterEach(() => h.close());

  const faults = (patch: Partial<FaultConfig>) => h.ctl<FaultConfig>('PUT', `/companies/${h.seed.companyId}/faults`, patch);
  const invite = (email: string) => h.gql<{ createCompanyTestSession: { id: string } }>(CREATE, { i: { testId: h.seed.tests[0]!.id, candidateEmail: email } });
  const sessions = () => h.sandbox.control.sessions(h.seed.companyId);
  const log = (query = '') => h.ctl<RequestLogEntry[]>('GET', `/companies/${h.seed.companyId}/requests${query}`);

  describe('with generous rate limits', () => {
    beforeEach(async () => {
      h = await startSandboxHarness({ rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 });
    });

    it('failNext answers the next n requests with HTTP 503 before anything runs', async () => {
      expect(await faults({ failNext: 2 })).toMatchObject({ failNext: 2, failStatus: 503 });
      const first = await invite('f1@example.org');
      expect(first.status).toBe(503);
      expect(first.body.errors?.[0]?.message).toBe('Service Unavailable');
      expect((await h.gql(WHO)).status).toBe(503);
      expect((await h.gql(WHO)).status).toBe(200);
      expect(sessions()).toHaveLength(0);
      expect((await h.ctl<FaultConfig>('GET', `/companies/${h.seed.companyId}/faults`)).failNext).toBe(0);
      expect((await log()).map((e) => [e.outcome, e.httpStatus])).toEqual([
        ['fault', 503],
        ['fault', 503],
        ['ok', 200],
      ]);
    });

    it('errorRate answers 500/503 for that share of requests, reproducibly for a seed', async () => {
      const run = async (): Promise<number[]> => {
        await faults({ errorRate: 0.5, seed: 42 });
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await h.gql(WHO)).status);
        return statuses;
      };
      const a = await run();
      const b = await run();
      expect(a).toEqual(b);
      expect(new Set(a)).toEqual(new Set([200, 500, 503]));
      const failures = a.filter((s) => s !== 200).length;
      expect(failures).toBeGreaterThan(3);
      expect(failures).toBeLessThan(17);
      await faults({ errorRate: 1 });
      expect([500, 503]).toContain((await h.gql(WHO)).status);
    });

    it('rateLimitNext throttles as a GraphQL error by default (HTTP 200, data null, nothing applied)', async () => {
      await faults({ rateLimitNext: 1 });
      const throttled = await invite('t@example.org');
      expect(throttled.status).toBe(200);
      expect(throttled.body).toEqual({ data: null, errors: [{ message: "You are trying to access 'createCompanyTestSession' too often", path: ['createCompanyTestSession'] }] });
      expect(sessions()).toHaveLength(0);
      expect((await invite('t@example.org')).status).toBe(200);
      expect((await log()).map((e) => e.outcome)).toEqual(['throttled', 'ok']);
    });

    it('rateLimitRate adds throttles at that share', async () => {
      await faults({ rateLimitRate: 1 });
      expect((await h.gql(WHO)).body.errors?.[0]?.message).toBe("You are trying to access 'company' too often");
      await faults({ rateLimitRate: 0 });
      expect((await h.gql(WHO)).body.errors).toBeUndefined();
    });

    it('latencyMs delays every request', async () => {
      await faults({ latencyMs: 150 });
      const started = Date.now();
      expect((await h.gql(WHO)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    });

    it('dropNext commits the next mutation and destroys the socket: the client sees an error, the session exists', async () => {
      await faults({ dropNext: 1 });
      // queries are never dropped
      expect((await h.gql(WHO)).status).toBe(200);
      await expect(invite('dropped@example.org')).rejects.toThrow(/fetch failed/);
      expect(sessions().map((s) => s.candidate.email)).toEqual(['dropped@example.org']);
      const entries = await log('?operationName=Invite');
      expect(entries.map((e) => [e.outcome, e.httpStatus])).toEqual([['dropped', null]]);
      // a blind retry duplicates the invite unless the client uses preferExisting
      expect((await invite('dropped@example.org')).status).toBe(200);
      expect(sessions()).toHaveLength(2);
      const safe = await h.gql<{ createCompanyTestSession: { id: string } }>(CREATE, { i: { testId: h.seed.tests[0]!.id, candidateEmail: 'dropped@example.org', preferExisting: true } });
      expect(safe.body.data?.createCompanyTestSession.id).toBe(sessions()[0]!.id);
    });

    it('dropAfterCommitRate drops that share of mutations after they are applied', async () => {
      await faults({ dropAfterCommitRate: 1 });
      await expect(invite('rate@example.org')).rejects.toThrow();
      await expect(invite('rate2@example.org')).rejects.toThrow();
      expect(sessions()).toHaveLength(2);
    });

    it('faults never touch the control API, and stay within one company', async () => {
      const other = await seedCodeSignalDemo(h.sandbox, { companyName: 'Unaffected' });
      await faults({ errorRate: 1, latencyMs: 0 });
      expect((await h.ctl<Array<unknown>>('GET', `/companies/${h.seed.companyId}/sessions`))).toEqual([]);
      expect((await graphqlRequest(h.graphqlUrl, other.apiKey, WHO)).status).toBe(200);
      expect([500, 503]).toContain((await h.gql(WHO)).status);
      await h.ctl('DELETE', `/companies/${h.seed.companyId}/faults`);
      expect((await h.gql(WHO)).status).toBe(200);
    });
  });

  describe('real per-key, per-field rate limits', () => {
    it('throttles the 4th read of one field within a second (limit 3), other fields and keys unaffected', async () => {
      h = await startSandboxHarness({ rateLimitPerSecond: 3 });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await h.gql(WHO)).body.errors?.[0]?.message ?? 'ok');
      expect(statuses).toEqual(['ok', 'ok', 'ok', "You are trying to access 'company' too often"]);
      expect((await h.gql('{ companyTests(first: 1) { totalCount } }')).body.errors).toBeUndefined();
      const second = await h.ctl<{ key: string }>('POST', `/companies/${h.seed.companyId}/api-keys`, { permissions: 'all' });
      expect((await h.gql(WHO, {}, second.key)).body.errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, 1050));
      expect((await h.gql(WHO)).body.errors).toBeUndefined();
    });

    it('limits mutations to 5 per second by default and signals HTTP 429 with Retry-After when configured', async () => {
      // a pinned clock keeps all six calls inside one rate-limit window however slow the machine is
      h = await startSandboxHarness({ throttleAs: 'http429', now: () => 1_767_225_600_000 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await invite(`m${i}@example.org`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(sessions()).toHaveLength(5);
      await h.ctl('PUT', `/companies/${h.seed.companyId}/faults`, { rateLimitNext: 1 });
      const res = await h.gql(WHO);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.errors?.[0]?.message).toBe("You are trying to access 'company' too often");
    });
  });
});
