import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { ConfigError, loadConfig } from '../../src/config';
import type { Integration } from '../../src/integrations/repository';
import { insertIntegration } from '../support/stack';
import { signedLeverDelivery } from '../support/lever-webhook';
import { parseRawAnswer, rawExchange, settle, startCapturedApi, type CapturedApi } from './hardening-support';

/**
 * A client that declares more than it sends, or sends its headers slowly, must not hold a connection
 * for Node's default 300 s (+ its 30 s check interval): the configured deadlines answer 408 in time.
 */
describe('HTTP server deadlines', () => {
  let api: CapturedApi;
  let integration: Integration;

  beforeAll(async () => {
    api = await startCapturedApi({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '300' });
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.lines.length = 0;
  });

  it('applies the configured timeouts to the server', () => {
    expect(api.server.headersTimeout).toBe(500);
    expect(api.server.requestTimeout).toBe(1000);
    expect(api.server.keepAliveTimeout).toBe(300);
    expect(api.server.timeout).toBe(0);
  });

  it('answers a body that stops after 10 of its declared 100 bytes with a timely 408, and starts nothing', async () => {
    const opportunityId = randomUUID();
    const body = JSON.stringify(
      signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId, candidateId: 'c', contactId: 'ct', toStageId: 'phone-screen' }),
    );
    const head = `POST /webhooks/lever/${integration.id} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const answer = await rawExchange(api.port, head + body.slice(0, 10), { then: 'wait', timeoutMs: 10_000 });
    expect(answer.closedByServer).toBe(true);
    // 1 s deadline, checked every 250 ms: nowhere near 327 s
    expect(answer.elapsedMs).toBeLessThan(3_000);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(900);
    const { status, headers, body: json } = parseRawAnswer(answer.text);
    expect(status).toBe(408);
    expect(headers).toMatch(/content-type: application\/json/i);
    expect(json).toEqual({ error: 'request_timeout', message: expect.stringContaining('not received in time') });

    await settle(300);
    expect(api.loud()).toEqual([]);
    expect(api.lines.some((l) => l.code === 'request_timeout' && l.level === 30)).toBe(true);
    await api.expectNoWorkflow(integration.id, opportunityId);
    expect(await api.deliveries(integration.id)).toEqual([]);
  });

  it('answers headers that never end with 408 within the headers deadline', async () => {
    const answer = await rawExchange(api.port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', { then: 'wait', timeoutMs: 10_000 });
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(2_500);
    expect(parseRawAnswer(answer.text)).toMatchObject({ status: 408, body: { error: 'request_timeout' } });
    await settle();
    expect(api.loud()).toEqual([]);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const answer = await rawExchange(api.port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n', { then: 'wait', timeoutMs: 10_000 });
    expect(parseRawAnswer(answer.text).status).toBe(200);
    expect(answer.closedByServer).toBe(true);
    // closed 300 ms after the answer, plus the 1 s margin recent Node versions add (their default: 5 s)
    expect(answer.elapsedMs - answer.firstByteMs).toBeLessThan(2_500);
  });

  it('still takes a slow body that arrives within the deadline', async () => {
    const name = `Slow ${randomUUID().slice(0, 8)}`;
    const json = JSON.stringify({ name, lever: { apiKey: 'lever-key' }, codesignal: { apiKey: 'cs-key' } });
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1', () => {
        socket.write(
          `POST /api/integrations HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.config.ADMIN_TOKEN}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json.slice(0, 10)}`,
        );
        setTimeout(() => socket.write(json.slice(10)), 400);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    expect(parseRawAnswer(text)).toMatchObject({ status: 201, body: { name } });
  });
});

describe('HTTP deadline configuration', () => {
  it('defaults to 10 s for headers, 30 s for the whole request and 5 s keep-alive', () => {
    expect(loadConfig({})).toMatchObject({ HTTP_HEADERS_TIMEOUT_MS: 10_000, HTTP_REQUEST_TIMEOUT_MS: 30_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000 });
  });

  it('refuses a zero (which would switch the protection off) and headers longer than the request, naming the variable', () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_KEEP_ALIVE_TIMEOUT_MS/);
    let error: unknown;
    try {
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/);
  });
});
