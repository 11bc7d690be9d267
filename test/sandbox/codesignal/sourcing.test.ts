import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { codeSignalSdl } from '../../../src/codesignal/schema';
import { SCHEMA_SDL, WEBHOOK_EVENTS, type FeedDeliveryRecord, type SourcingCandidateRecord } from '../../../sandbox/codesignal/index';
import { startSandboxHarness, type SandboxHarness } from '../../../sandbox/codesignal/testing';
import { FEED_EVENT, importCandidateRequestSchema, statusChangeRequestSchema, type FeedEvent } from '../../../src/api/sourcing/contract';
import { signFeedBody } from '../../../src/activities/sourcing/feed-signature';

/**
 * The sandbox plays CodeSignal's sourcing side of the service's sourcing contract (src/api/sourcing/contract.ts):
 * the recruiter's click POSTs an import, status changes are reported, and the service's signed status
 * feed is received. CodeSignal's public API has no sourcing objects (reference §9), so GraphQL serves none.
 */

interface ServiceRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

interface ServiceStub {
  url: string;
  requests: ServiceRequest[];
  /** Overrides the answer; undefined answers like the service would. */
  answerWith(fn: ((req: ServiceRequest) => { status: number; body: unknown } | undefined) | null): void;
  close(): Promise<void>;
}

/** A small stand-in for the service's sourcing API: records each call, answers like the contract says. */
async function startServiceStub(integrationId: string): Promise<ServiceStub> {
  const requests: ServiceRequest[] = [];
  let override: ((req: ServiceRequest) => { status: number; body: unknown } | undefined) | null = null;
  const base = `/api/sourcing/${integrationId}`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const recorded: ServiceRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null };
      requests.push(recorded);
      const send = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const custom = override?.(recorded);
      if (custom) return send(custom.status, custom.body);
      if (req.headers.authorization !== 'Bearer sourcing-token') return send(401, { error: 'unauthorized', message: 'bad token' });
      if (recorded.path === `${base}/candidates`) {
        const parsed = importCandidateRequestSchema.safeParse(recorded.body);
        if (!parsed.success) return send(400, { error: 'invalid_body', message: parsed.error.message });
        return send(201, {
          codesignalCandidateId: parsed.data.codesignalCandidateId,
          status: 'imported',
          outcome: 'created',
          leverOpportunityId: 'opp-created-1',
          createdBy: { leverUserId: 'lever-user-1', fallback: false },
          contactDeduped: false,
          failure: null,
          self: `${base}/candidates/${parsed.data.codesignalCandidateId}`,
        });
      }
      const status = /^\/api\/sourcing\/[^/]+\/candidates\/([^/]+)\/status$/.exec(recorded.path);
      if (status) {
        if (!statusChangeRequestSchema.safeParse(recorded.body).success) return send(400, { error: 'invalid_body', message: 'bad status change' });
        return send(202, { status: 'accepted', codesignalCandidateId: decodeURIComponent(status[1]!), leverOpportunityId: 'opp-created-1' });
      }
      send(404, { error: 'not_found', message: recorded.path });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    answerWith: (fn) => {
      override = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const START = Date.parse('2026-12-01T09:30:00.000Z');

describe('CodeSignal sandbox: the sourcing side of the sourcing contract', () => {
  let h: SandboxHarness;
  let service: ServiceStub;
  let clock: number;
  const integrationId = randomUUID();
  const feedSecret = 'whsec_feed_secret_for_tests';

  beforeEach(async () => {
    clock = START;
    service = await startServiceStub(integrationId);
    h = await startSandboxHarness({ now: () => clock, rateLimitPerSecond: 1000, mutationRateLimitPerSecond: 1000 });
    await h.ctl('PUT', `/companies/${h.seed.companyId}/sourcing-connection`, { serviceBaseUrl: service.url, token: 'sourcing-token', feedSecret });
  });
  afterEach(async () => {
    await h.close();
    await service.close();
  });

  const companyId = () => h.seed.companyId;
  const recruiter = () => h.seed.users[0]!;
  const ada = () => h.seed.sourcingCandidates[0]!; // replied
  const grace = () => h.seed.sourcingCandidates[1]!; // contacted, not replied
  const candidate = (id: string) => h.ctl<SourcingCandidateRecord>('GET', `/sourcing-candidates/${id}`);
  const feed = () => h.ctl<FeedDeliveryRecord[]>('GET', `/companies/${companyId()}/sourcing-feed`);

  const feedEvent = (over: Partial<FeedEvent> = {}): FeedEvent => ({
    id: `feed_${randomUUID()}`,
    event: FEED_EVENT,
    integrationId,
    codesignalCandidateId: ada().id,
    leverOpportunityId: 'opp-7',
    status: 'interviewing',
    changedAt: new Date(clock - 1000).toISOString(),
    sentAt: new Date(clock).toISOString(),
    ...over,
  });
  /** Delivers like the service: raw JSON, `X-Sourcing-Signature` over it, `X-Sourcing-Delivery`. */
  const deliver = async (
    body: unknown,
    opts: { secret?: string; at?: number; sendBody?: string; signature?: string | null; company?: string } = {},
  ): Promise<{ status: number; body: unknown }> => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signature = opts.signature === undefined ? signFeedBody(opts.secret ?? feedSecret, raw, opts.at ?? clock) : opts.signature;
    const res = await fetch(`${h.url}/sourcing-feed/${opts.company ?? companyId()}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature !== null ? { 'X-Sourcing-Signature': signature } : {}),
        ...(typeof body === 'object' && body !== null && 'id' in body ? { 'X-Sourcing-Delivery': String((body as { id: unknown }).id) } : {}),
      },
      body: opts.sendBody ?? raw,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  describe('GraphQL', () => {
    it('serves exactly the public schema: no sourcing queries, mutations or webhook events', async () => {
      expect(SCHEMA_SDL).toBe(codeSignalSdl());
      const schema = buildSchema(SCHEMA_SDL);
      const names = [
        ...Object.keys(schema.getTypeMap()),
        ...Object.keys(schema.getQueryType()!.getFields()),
        ...Object.keys(schema.getMutationType()!.getFields()),
      ];
      expect(names.filter((n) => /sourcing/i.test(n))).toEqual([]);
      expect(WEBHOOK_EVENTS.filter((e) => /sourcing/i.test(e))).toEqual([]);
      const query = await h.gql('{ sourcingCandidates(first: 1) { totalCount } }');
      expect(query.status).toBe(400);
      expect(query.body.errors?.[0]?.message).toMatch(/Cannot query field "sourcingCandidates" on type "Query"/);
      const mutation = await h.gql('mutation { setSourcingCandidateStatus(id: "x", status: hired) { id } }');
      expect(mutation.body.errors?.[0]?.message).toMatch(/Cannot query field "setSourcingCandidateStatus" on type "Mutation"/);
    });
  });

  describe('the sourcing connection', () => {
    it('is stored per company and shown without its secrets', async () => {
      const shown = await h.ctl<Record<string, unknown>>('GET', `/companies/${companyId()}/sourcing-connection`);
      expect(shown).toEqual({
        serviceBaseUrl: service.url,
        tokenSet: true,
        feedSecretSet: true,
        failNextFeedDeliveries: 0,
        feedUrl: `${h.url}/sourcing-feed/${companyId()}`,
      });
      expect(JSON.stringify(shown)).not.toContain('sourcing-token');
      expect(JSON.stringify(shown)).not.toContain(feedSecret);
      const put = await h.ctl<Record<string, unknown>>('PUT', `/companies/${companyId()}/sourcing-connection`, { failNextFeedDeliveries: 1 });
      expect(put).toMatchObject({ serviceBaseUrl: service.url, tokenSet: true, feedSecretSet: true, failNextFeedDeliveries: 1 });
      expect(JSON.stringify(put)).not.toMatch(/sourcing-token|whsec/);

      const other = h.sandbox.control.createCompany({ name: 'Unconnected' });
      expect(h.sandbox.control.sourcingConnection(other.id)).toMatchObject({ serviceBaseUrl: null, tokenSet: false, feedSecretSet: false });
      await expect(h.ctl('PUT', `/companies/${other.id}/sourcing-connection`, { serviceBaseUrl: service.url })).rejects.toThrow(/400.*token, feedSecret/);
      await expect(h.ctl('PUT', `/companies/${other.id}/sourcing-connection`, { serviceBaseUrl: 'ftp://x', token: 't', feedSecret: 's' })).rejects.toThrow(/400/);
      expect(h.sandbox.control.setSourcingConnection(other.id, { serviceBaseUrl: `${service.url}/`, token: 't', feedSecret: 's' })).toMatchObject({ serviceBaseUrl: service.url, tokenSet: true });
      await h.ctl('DELETE', `/companies/${other.id}/sourcing-connection`);
      expect(h.sandbox.control.sourcingConnection(other.id).serviceBaseUrl).toBeNull();
    });
  });

  describe('"Import to Lever" (the recruiter clicks the Lever icon)', () => {
    it('POSTs a contract-valid import with the Bearer token and answers with what the service answered', async () => {
      const postingId = randomUUID();
      const answer = await h.ctl<{ httpStatus: number; answer: Record<string, unknown> }>('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id, postingId });
      expect(answer).toMatchObject({ httpStatus: 201, answer: { codesignalCandidateId: ada().id, status: 'imported', outcome: 'created', leverOpportunityId: 'opp-created-1' } });

      expect(service.requests).toHaveLength(1);
      const [req] = service.requests;
      expect(req).toMatchObject({ method: 'POST', path: `/api/sourcing/${integrationId}/candidates` });
      expect(req!.headers.authorization).toBe('Bearer sourcing-token');
      expect(req!.headers['content-type']).toMatch(/application\/json/);
      const body = importCandidateRequestSchema.parse(req!.body);
      expect(req!.body).toEqual({
        codesignalCandidateId: ada().id,
        name: 'Ada Lovelace',
        emails: ['ada.lovelace@example.org'],
        phones: [],
        profileUrl: `${h.url}/candidate/${ada().id}`,
        links: [],
        tags: ['backend', 'senior'],
        sourcedBy: { codesignalUserId: recruiter().id, name: recruiter().name, email: recruiter().email },
        postingId,
      });
      const profile = await fetch(body.profileUrl!);
      expect(profile.status).toBe(200);
      expect(await profile.text()).toContain('Ada Lovelace');

      expect(await candidate(ada().id)).toMatchObject({ importRequestedAt: START, importRequestedByUserId: recruiter().id, leverOpportunityId: 'opp-created-1' });
      expect(h.sandbox.control.sourcingCalls(companyId())).toEqual([
        expect.objectContaining({ kind: 'import', candidateId: ada().id, url: `${service.url}/candidates`, httpStatus: 201, error: null }),
      ]);
    });

    it('sends a general lead (postingId null), phones and outside links; the in-process twin does the same', async () => {
      const sam = h.sandbox.control.createSourcingCandidate(companyId(), {
        firstName: 'Sam',
        lastName: 'Sourced',
        email: 'sam@example.org',
        phones: ['+1 555 0100'],
        profileUrl: 'https://github.com/sam',
        status: 'replied',
      });
      const answer = await h.sandbox.control.importCandidate(sam.id, { userId: recruiter().id });
      expect(answer.httpStatus).toBe(201);
      expect(service.requests[0]!.body).toMatchObject({ postingId: null, phones: ['+1 555 0100'], links: ['https://github.com/sam'], profileUrl: `${h.url}/candidate/${sam.id}` });
      expect(importCandidateRequestSchema.safeParse(service.requests[0]!.body).success).toBe(true);
    });

    it('refuses a candidate who has not replied (400, nothing sent) until they reply', async () => {
      await expect(h.ctl('POST', `/sourcing-candidates/${grace().id}/import`, { userId: recruiter().id })).rejects.toThrow(/400.*replied/);
      expect(service.requests).toEqual([]);
      expect((await candidate(grace().id)).importRequestedAt).toBeNull();
      await h.ctl('POST', `/sourcing-candidates/${grace().id}/reply`, {});
      expect(await candidate(grace().id)).toMatchObject({ status: 'replied', replied: true });
      expect(service.requests).toEqual([]); // replying is not reported
      expect((await h.ctl<{ httpStatus: number }>('POST', `/sourcing-candidates/${grace().id}/import`, { userId: recruiter().id })).httpStatus).toBe(201);
    });

    it('refuses unknown users and candidates, and companies without a connection', async () => {
      await expect(h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, { userId: 'usr_nobody' })).rejects.toThrow(/400.*usr_nobody/);
      await expect(h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, {})).rejects.toThrow(/400.*userId/);
      await expect(h.ctl('POST', '/sourcing-candidates/src_nope/import', { userId: recruiter().id })).rejects.toThrow(/404/);
      await h.ctl('DELETE', `/companies/${companyId()}/sourcing-connection`);
      await expect(h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id })).rejects.toThrow(/409.*sourcing connection/);
      expect(service.requests).toEqual([]);
    });

    it("passes the service's refusals and failures through to the control caller", async () => {
      service.answerWith(() => ({ status: 422, body: { error: 'no_email', message: 'the candidate has no e-mail' } }));
      expect(await h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id })).toEqual({
        httpStatus: 422,
        answer: { error: 'no_email', message: 'the candidate has no e-mail' },
        error: null,
      });
      expect((await candidate(ada().id)).leverOpportunityId).toBeNull();

      await h.ctl('PUT', `/companies/${companyId()}/sourcing-connection`, { token: 'stale-token' });
      service.answerWith(null);
      expect(await h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id })).toMatchObject({ httpStatus: 401, answer: { error: 'unauthorized' } });

      await h.ctl('PUT', `/companies/${companyId()}/sourcing-connection`, { serviceBaseUrl: 'http://127.0.0.1:1/api/sourcing/x' });
      const down = await h.ctl<{ httpStatus: number | null; answer: unknown; error: string | null }>('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id });
      expect(down).toMatchObject({ httpStatus: null, answer: null, error: expect.any(String) });
    });
  });

  describe('a status change in CodeSignal', () => {
    it('changes the candidate and reports it to the service with the time and who changed it', async () => {
      clock = START + 60_000;
      const result = await h.ctl<{ candidate: SourcingCandidateRecord; report: { httpStatus: number; answer: unknown } }>('POST', `/sourcing-candidates/${ada().id}/status`, {
        status: 'interviewing',
        userId: recruiter().id,
      });
      expect(result.candidate).toMatchObject({ id: ada().id, status: 'interviewing', statusUpdatedAt: START + 60_000, statusUpdatedByUserId: recruiter().id });
      expect(result.report).toEqual({ httpStatus: 202, answer: { status: 'accepted', codesignalCandidateId: ada().id, leverOpportunityId: 'opp-created-1' }, error: null });
      expect(service.requests).toHaveLength(1);
      expect(service.requests[0]).toMatchObject({ method: 'POST', path: `/api/sourcing/${integrationId}/candidates/${ada().id}/status` });
      expect(service.requests[0]!.headers.authorization).toBe('Bearer sourcing-token');
      expect(service.requests[0]!.body).toEqual({ status: 'interviewing', changedAt: '2026-12-01T09:31:00.000Z', changedBy: { codesignalUserId: recruiter().id } });
      expect(statusChangeRequestSchema.safeParse(service.requests[0]!.body).success).toBe(true);
    });

    it('reports an automation as changedBy null; report:false and the same status again send nothing', async () => {
      const auto = await h.sandbox.control.changeCandidateStatus(ada().id, { status: 'screening', userId: null });
      expect(auto.report?.httpStatus).toBe(202);
      expect(service.requests[0]!.body).toEqual({ status: 'screening', changedAt: new Date(START).toISOString(), changedBy: null });
      expect(auto.candidate).toMatchObject({ status: 'screening', statusUpdatedByUserId: null });

      const silent = await h.ctl<{ candidate: SourcingCandidateRecord; report: unknown }>('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'offer', userId: recruiter().id, report: false });
      expect(silent).toMatchObject({ candidate: { status: 'offer' }, report: null });

      clock += 5_000;
      const same = await h.ctl<{ candidate: SourcingCandidateRecord; report: unknown }>('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'offer', userId: recruiter().id });
      expect(same).toMatchObject({ candidate: { status: 'offer', statusUpdatedAt: START }, report: null });
      expect(service.requests).toHaveLength(1);
    });

    it("passes the service's answer through (unknown candidate) and validates the body", async () => {
      service.answerWith(() => ({ status: 404, body: { error: 'unknown_candidate', message: 'not imported' } }));
      const result = await h.ctl<{ report: unknown }>('POST', `/sourcing-candidates/${grace().id}/status`, { status: 'screening', userId: null });
      expect(result.report).toEqual({ httpStatus: 404, answer: { error: 'unknown_candidate', message: 'not imported' }, error: null });
      await expect(h.ctl('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'promoted', userId: null })).rejects.toThrow(/400/);
      await expect(h.ctl('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'hired', userId: 'usr_nobody' })).rejects.toThrow(/400.*usr_nobody/);
      await expect(h.ctl('POST', '/sourcing-candidates/src_nope/status', { status: 'hired', userId: null })).rejects.toThrow(/404/);
    });

    it('without a connection it changes the candidate and reports nothing', async () => {
      await h.ctl('DELETE', `/companies/${companyId()}/sourcing-connection`);
      const result = await h.ctl<{ candidate: SourcingCandidateRecord; report: unknown }>('POST', `/sourcing-candidates/${ada().id}/status`, { status: 'hired', userId: recruiter().id });
      expect(result).toMatchObject({ candidate: { status: 'hired' }, report: null });
      expect(service.requests).toEqual([]);
    });
  });

  describe('the status feed receiver', () => {
    it('verifies, applies as a change by the integration, and never echoes it back to the service', async () => {
      clock = START + 120_000;
      const event = feedEvent({ status: 'interviewing', leverOpportunityId: 'opp-7' });
      expect(await deliver(event)).toEqual({ status: 200, body: { ok: true } });
      expect(await candidate(ada().id)).toMatchObject({
        status: 'interviewing',
        // as of the change it mirrors, not of its arrival
        statusUpdatedAt: Date.parse(event.changedAt),
        statusUpdatedByUserId: null,
        leverOpportunityId: 'opp-7',
      });
      expect(service.requests).toEqual([]);
      expect(await feed()).toEqual([
        {
          id: event.id,
          receivedAt: START + 120_000,
          verdict: 'applied',
          reason: null,
          httpStatus: 200,
          changed: true,
          status: 'interviewing',
          candidateId: ada().id,
          leverOpportunityId: 'opp-7',
        },
      ]);
      expect(h.sandbox.control.sourcingFeed(companyId())).toHaveLength(1);
    });

    it('acknowledges and does not apply a delivery mirroring a change older than the candidate’s own latest one', async () => {
      clock = START + 300_000;
      await h.sandbox.control.changeCandidateStatus(ada().id, { status: 'offer', userId: recruiter().id, report: false });
      const late = feedEvent({ status: 'screening', changedAt: new Date(clock - 60_000).toISOString() });
      expect(await deliver(late)).toEqual({ status: 200, body: { ok: true, applied: false } });
      expect(await candidate(ada().id)).toMatchObject({ status: 'offer', statusUpdatedAt: clock });
      expect((await feed()).map((d) => [d.id, d.verdict])).toEqual([[late.id, 'stale']]);
      // a change after the candidate's own is applied
      const newer = feedEvent({ status: 'interviewing', changedAt: new Date(clock + 1).toISOString() });
      clock += 10;
      expect(await deliver(newer)).toEqual({ status: 200, body: { ok: true } });
      expect((await candidate(ada().id)).status).toBe('interviewing');
      expect(service.requests).toEqual([]);
    });

    it('dedupes on the event id: a repeat answers 200 without applying again', async () => {
      const event = feedEvent({ status: 'offer' });
      expect((await deliver(event)).status).toBe(200);
      await h.sandbox.control.changeCandidateStatus(ada().id, { status: 'screening', userId: recruiter().id, report: false });
      clock += 1000;
      expect(await deliver(event)).toEqual({ status: 200, body: { ok: true } });
      expect((await candidate(ada().id)).status).toBe('screening');
      expect((await feed()).map((d) => [d.id, d.verdict])).toEqual([
        [event.id, 'applied'],
        [event.id, 'duplicate'],
      ]);
      // a new event with the same status is applied
      expect((await deliver(feedEvent({ status: 'offer' }))).status).toBe(200);
      expect((await candidate(ada().id)).status).toBe('offer');
    });

    it('answers 401 and applies nothing for a tampered body, a wrong secret, an old timestamp or no signature', async () => {
      const event = feedEvent({ status: 'hired' });
      const raw = JSON.stringify(event);
      const tampered = await deliver(event, { sendBody: raw.replace('"hired"', '"offer"') });
      const wrongSecret = await deliver(event, { secret: 'whsec_someone_else' });
      const old = await deliver(event, { at: clock - 10 * 60_000 });
      const unsigned = await deliver(event, { signature: null });
      const garbled = await deliver(event, { signature: 'v1=abc' });
      for (const answer of [tampered, wrongSecret, old, unsigned, garbled]) expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
      expect((await candidate(ada().id)).status).toBe('replied');
      const recorded = await feed();
      expect(recorded.map((d) => [d.verdict, d.httpStatus])).toEqual(Array(5).fill(['rejected', 401]));
      expect(recorded.map((d) => d.reason)).toEqual([
        'signature does not match',
        'signature does not match',
        'signature too old or in the future',
        'signature header missing',
        'signature header malformed',
      ]);
      // a rejected delivery does not count for dedupe: the genuine one is applied later
      expect((await deliver(event)).status).toBe(200);
      expect((await candidate(ada().id)).status).toBe('hired');
    });

    it('answers 400 for a body that is not a feed event and 404 for an unknown candidate or company, recording them', async () => {
      expect(await deliver('{"not json')).toMatchObject({ status: 400, body: { error: 'invalid_body' } });
      expect(await deliver({ ...feedEvent(), status: 'promoted' })).toMatchObject({ status: 400, body: { error: 'invalid_body', message: expect.stringContaining('status') } });
      expect(await deliver({ ...feedEvent(), event: 'somethingElse' })).toMatchObject({ status: 400 });
      const unknown = feedEvent({ codesignalCandidateId: 'src_unknown' });
      expect(await deliver(unknown)).toMatchObject({ status: 404, body: { error: 'unknown_candidate' } });
      expect(await deliver(feedEvent(), { company: 'cmp_nope' })).toMatchObject({ status: 404, body: { error: 'unknown_company' } });
      const recorded = await feed();
      expect(recorded.map((d) => [d.verdict, d.httpStatus])).toEqual([
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 404],
      ]);
      expect(recorded[3]).toMatchObject({ id: unknown.id, candidateId: 'src_unknown', reason: expect.stringContaining('src_unknown') });
      expect((await candidate(ada().id)).status).toBe('replied');
    });

    it('fails the next N deliveries with 503 on demand, then applies the retry', async () => {
      await h.ctl('PUT', `/companies/${companyId()}/sourcing-connection`, { failNextFeedDeliveries: 2 });
      const event = feedEvent({ status: 'screening' });
      expect((await deliver(event)).status).toBe(503);
      expect((await h.ctl<{ failNextFeedDeliveries: number }>('GET', `/companies/${companyId()}/sourcing-connection`)).failNextFeedDeliveries).toBe(1);
      expect((await deliver(event)).status).toBe(503);
      expect((await candidate(ada().id)).status).toBe('replied');
      expect(await deliver(event)).toEqual({ status: 200, body: { ok: true } });
      expect((await candidate(ada().id)).status).toBe('screening');
      expect((await feed()).map((d) => [d.id, d.verdict, d.httpStatus])).toEqual([
        [event.id, 'rejected', 503],
        [event.id, 'rejected', 503],
        [event.id, 'applied', 200],
      ]);
    });

    it('a company without a connection cannot verify anything (401)', async () => {
      await h.ctl('DELETE', `/companies/${companyId()}/sourcing-connection`);
      expect(await deliver(feedEvent())).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
      expect((await candidate(ada().id)).status).toBe('replied');
    });

    it('is cleared (with calls and import marks) by a company reset, which keeps the connection', async () => {
      await h.ctl('POST', `/sourcing-candidates/${ada().id}/import`, { userId: recruiter().id });
      await deliver(feedEvent());
      await h.ctl('POST', `/companies/${companyId()}/reset`);
      expect(await feed()).toEqual([]);
      expect(await h.ctl('GET', `/companies/${companyId()}/sourcing-calls`)).toEqual([]);
      expect(await candidate(ada().id)).toMatchObject({ importRequestedAt: null, leverOpportunityId: null });
      expect(h.sandbox.control.sourcingConnection(companyId()).tokenSet).toBe(true);
    });
  });

  describe('control pages', () => {
    it('show candidates with "Import to Lever" and a status form, and the feed; the forms act and redirect back', async () => {
      await deliver(feedEvent({ codesignalCandidateId: h.seed.sourcingCandidates[2]!.id, status: 'offer' }));
      const pageUrl = `${h.url}/_sandbox/ui/companies/${companyId()}/sourcing`;
      const page = await (await fetch(pageUrl)).text();
      expect(page).toContain('Import to Lever');
      expect(page).toContain('Change status');
      expect(page).toContain('Ada Lovelace');
      expect(page).toContain(recruiter().name);
      expect(page).toContain('applied');
      expect(page).not.toContain('sourcing-token');
      expect(page).not.toContain(feedSecret);

      const form = (path: string, fields: Record<string, string>) =>
        fetch(`${h.url}/_sandbox/ui/companies/${companyId()}/sourcing-candidates/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
          redirect: 'manual',
        });
      const imported = await form(`${ada().id}/import`, { userId: recruiter().id, postingId: '' });
      expect(imported.status).toBe(303);
      expect(decodeURIComponent(imported.headers.get('location')!)).toContain('Import: HTTP 201');
      expect(service.requests.map((r) => r.path)).toEqual([`/api/sourcing/${integrationId}/candidates`]);
      expect(service.requests[0]!.body).toMatchObject({ postingId: null, sourcedBy: { codesignalUserId: recruiter().id } });

      const changed = await form(`${ada().id}/status`, { status: 'hired', userId: '', report: 'true' });
      expect(decodeURIComponent(changed.headers.get('location')!)).toContain('Status report: HTTP 202');
      expect(service.requests[1]!.body).toMatchObject({ status: 'hired', changedBy: null });

      const refused = await form(`${grace().id}/import`, { userId: recruiter().id });
      expect(decodeURIComponent(refused.headers.get('location')!)).toContain('Only candidates who replied can be imported');
      const after = await (await fetch(`${h.url}${refused.headers.get('location')}`)).text();
      expect(after).toContain('Only candidates who replied can be imported');
    });
  });
});
