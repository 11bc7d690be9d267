import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Integration } from '../../src/integrations/repository';
import { adminToken, insertIntegration } from '../support/stack';
import { readJson, signedLeverDelivery } from '../support/lever-webhook';
import { startCapturedApi, settle, type CapturedApi } from './hardening-support';

/**
 * Requests whose URL or body encoding is malformed are the client's mistake: a 4xx JSON answer naming
 * the problem, an info line at most, nothing started — never a 500 with a stack trace.
 */
describe('malformed percent-encoding and body encodings', () => {
  let api: CapturedApi;
  let integration: Integration;
  const bearer = { authorization: `Bearer ${adminToken}` };

  beforeAll(async () => {
    api = await startCapturedApi();
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.lines.length = 0;
  });

  const delivery = (opportunityId: string) =>
    signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'candidateStageChange', {
      opportunityId,
      candidateId: 'c',
      contactId: 'ct',
      fromStageId: 'lead-new',
      toStageId: 'phone-screen',
    });

  const expectQuietClientError = async (code: string) => {
    await settle();
    expect(api.loud()).toEqual([]);
    const logged = api.lines.filter((l) => l.code === code);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line.level).toBeLessThanOrEqual(30);
      expect(line).not.toHaveProperty('err');
      expect(JSON.stringify(line)).not.toMatch(/stack|at Layer|at next/);
    }
  };

  it('answers a malformed %-escape in a webhook path parameter with 400 malformed_url', async () => {
    const opportunityId = randomUUID();
    const res = await fetch(`${api.baseUrl}/webhooks/lever/%E0%A4%A`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(delivery(opportunityId)),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readJson(res)).toEqual({ error: 'malformed_url', message: 'the URL path contains malformed percent-encoding' });
    await expectQuietClientError('malformed_url');
    await api.expectNoWorkflow(integration.id, opportunityId);
  });

  it('does the same on admin routes and for every malformed escape', async () => {
    for (const path of ['/api/integrations/%E0%A4%A', '/api/integrations/%ZZ', '/api/integrations/%', '/webhooks/codesignal/%C0%AF%']) {
      const res = await fetch(`${api.baseUrl}${path}`, { headers: bearer });
      expect([path, res.status]).toEqual([path, 400]);
      const body = await readJson(res);
      expect(typeof body.error).toBe('string');
      expect(typeof body.message).toBe('string');
    }
    await settle();
    expect(api.loud()).toEqual([]);
  });

  it('answers Content-Encoding: gzip on a plain body with 400 naming the encoding, and starts nothing', async () => {
    const opportunityId = randomUUID();
    const res = await fetch(`${api.baseUrl}/webhooks/lever/${integration.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: JSON.stringify(delivery(opportunityId)),
    });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body).toEqual({ error: 'malformed_body_encoding', message: 'request body is not encoded as its Content-Encoding header declares (gzip)' });
    await expectQuietClientError('malformed_body_encoding');
    await api.expectNoWorkflow(integration.id, opportunityId);
    // Activity shows it as refused, never as accepted
    await settle(300);
    expect((await api.deliveries(integration.id)).filter((d) => d.outcome !== 'rejected')).toEqual([]);
  });

  it('refuses a truncated gzip body and plain data under deflate the same way, on admin routes too', async () => {
    const truncated = gzipSync(Buffer.from(JSON.stringify({ name: 'x' }))).subarray(0, 12);
    for (const [encoding, payload] of [
      ['gzip', truncated],
      ['deflate', Buffer.from('{"name":"plain"}')],
    ] as const) {
      const res = await fetch(`${api.baseUrl}/api/integrations`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json', 'content-encoding': encoding },
        body: payload,
      });
      expect([encoding, res.status]).toEqual([encoding, 400]);
      expect((await readJson(res)).error).toBe('malformed_body_encoding');
    }
    await expectQuietClientError('malformed_body_encoding');
    const { rows } = await api.db.query("SELECT count(*)::int AS n FROM integrations WHERE name = 'plain'");
    expect(rows[0].n).toBe(0);
  });

  it('answers an unknown Content-Encoding with 415', async () => {
    const res = await fetch(`${api.baseUrl}/api/integrations`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json', 'content-encoding': 'compress' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(await readJson(res)).toEqual({ error: 'unsupported_encoding', message: 'unsupported body encoding' });
    await expectQuietClientError('unsupported_encoding');
  });

  it('still takes a body that really is gzip', async () => {
    const name = `Gzip ${randomUUID().slice(0, 8)}`;
    const res = await fetch(`${api.baseUrl}/api/integrations`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(JSON.stringify({ name, lever: { apiKey: 'lever-key' }, codesignal: { apiKey: 'cs-key' } }))),
    });
    expect(res.status).toBe(201);
    expect((await readJson(res)).name).toBe(name);
  });

  it('answers malformed JSON with 400 without quoting the body', async () => {
    const res = await fetch(`${api.baseUrl}/api/integrations`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{"lever": {"apiKey": "secret-key-1234"',
    });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toEqual({ error: 'malformed_json', message: 'request body is not valid JSON' });
    await expectQuietClientError('malformed_json');
    expect(JSON.stringify(api.lines)).not.toContain('secret-key-1234');
  });
});
