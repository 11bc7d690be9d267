import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { assignRequestId, clientErrorLog, errorHandler } from '../../src/api/errors';
import type { Integration } from '../../src/integrations/repository';
import { createLogger } from '../../src/log';
import { adminToken, eventually, insertIntegration } from '../support/stack';
import { readJson, signedLeverDelivery } from '../support/lever-webhook';
import { parseRawAnswer, rawExchange, settle, startCapturedApi, type CapturedApi, type LogLine } from './hardening-support';

const capture = () => {
  const lines: LogLine[] = [];
  return { lines, logger: createLogger('debug', 'test', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }) };
};

describe('client errors: aborted bodies, and how they are logged', () => {
  let api: CapturedApi;
  let integration: Integration;

  beforeAll(async () => {
    api = await startCapturedApi();
    integration = await insertIntegration(api.db);
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.lines.length = 0;
  });

  const partialDelivery = (opportunityId: string) => {
    const body = JSON.stringify(
      signedLeverDelivery(integration.leverWebhookSigningTokens[0]!, 'candidateStageChange', { opportunityId, candidateId: 'c', contactId: 'ct', toStageId: 'phone-screen' }),
    );
    return `POST /webhooks/lever/${integration.id} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 40)}`;
  };

  it('logs a body the client aborts at info level, answers nobody, records and starts nothing', async () => {
    const opportunityId = randomUUID();
    await rawExchange(api.port, partialDelivery(opportunityId), { then: 'wait', timeoutMs: 150 });
    // the server logs the abort once it notices the closed connection
    await eventually(async () => expect(api.lines.find((l) => l.code === 'request_aborted')).toMatchObject({ level: 30, status: 400, method: 'POST', route: '/webhooks/lever/:integrationId' }));
    expect(api.loud()).toEqual([]);
    await api.expectNoWorkflow(integration.id, opportunityId);
    expect(await api.deliveries(integration.id)).toEqual([]);
  });

  it('answers a client that half-closes mid-body with a 400 JSON answer', async () => {
    const answer = await rawExchange(api.port, partialDelivery(randomUUID()), { then: 'end', timeoutMs: 5_000 });
    const { status, body } = parseRawAnswer(answer.text);
    expect(status).toBe(400);
    expect(body).toEqual({ error: expect.any(String), message: expect.stringMatching(/before the request( body)? was complete/) });
    await settle(300);
    expect(api.loud()).toEqual([]);
  });

  it('writes a handful of lines, not 5,000, for 5,000 aborted requests', async () => {
    // an API of its own: the flood spends this minute's log budget for aborted webhook bodies, which the other tests' APIs keep
    const flood = await startCapturedApi();
    try {
      const total = 5_000;
      const concurrency = 100;
      let next = 0;
      const worker = async () => {
        while (next < total) {
          next += 1;
          await rawExchange(flood.port, partialDelivery(randomUUID()), { then: 'wait', timeoutMs: 15 });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      await settle(1_000);

      expect(flood.errors()).toEqual([]);
      expect(flood.loud()).toEqual([]);
      expect(flood.lines.filter((l) => l.code === 'request_aborted').length).toBeGreaterThan(0);
      // per route and error code at most 10 a minute
      expect(flood.lines.length).toBeLessThanOrEqual(20);
      expect(await flood.deliveries(integration.id)).toEqual([]);
      // and the API still answers
      expect((await fetch(`${flood.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await flood.stop();
    }
  }, 120_000);

  it('numbers every answer with X-Request-Id', async () => {
    const [a, b] = await Promise.all([fetch(`${api.baseUrl}/healthz`), fetch(`${api.baseUrl}/nope`)]);
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});

describe('unexpected errors', () => {
  it('stay a 500 carrying the request id, which the error log line names too', async () => {
    // a database that is not there: the admin list fails inside the route
    const api = await startCapturedApi({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const res = await fetch(`${api.baseUrl}/api/integrations`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.status).toBe(500);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await readJson(res)).toEqual({ error: 'internal', message: `internal error (request id ${requestId})`, requestId });
      await settle();
      const logged = api.errors().filter((l) => l.requestId === requestId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ msg: 'unhandled error', route: '/api/integrations', err: expect.anything() });
    } finally {
      await api.stop();
    }
  });
});

describe('the error handler with errors carrying their own status', () => {
  const appThrowing = (err: unknown) => {
    const { lines, logger } = capture();
    const app = express();
    app.use(assignRequestId);
    app.get('/boom', () => {
      throw err;
    });
    app.use(errorHandler(logger));
    return { app, lines };
  };
  const call = async (app: express.Express) => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
      return { status: res.status, body: await readJson(res) };
    } finally {
      server.close();
    }
  };

  it('keeps an http-errors 4xx status with its exposed message, logged at info', async () => {
    const { app, lines } = appThrowing(Object.assign(new Error('range not satisfiable: bytes=9-'), { status: 416, expose: true }));
    expect(await call(app)).toEqual({ status: 416, body: { error: 'range_not_satisfiable', message: 'range not satisfiable: bytes=9-' } });
    await settle(50);
    expect(lines.map((l) => l.level)).toEqual([30]);
  });

  it('uses statusCode too, and the status text when the message is not meant for the client', async () => {
    const { app, lines } = appThrowing(Object.assign(new Error('internal detail'), { statusCode: 431 }));
    expect(await call(app)).toEqual({ status: 431, body: { error: 'request_header_fields_too_large', message: 'Request Header Fields Too Large' } });
    await settle(50);
    expect(lines.every((l) => l.level <= 30)).toBe(true);
  });

  it('treats an error carrying a 5xx status as unexpected', async () => {
    const { app, lines } = appThrowing(Object.assign(new Error('stream not readable'), { status: 500, type: 'stream.not.readable' }));
    const { status, body } = await call(app);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: 'internal', requestId: expect.any(String) });
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
  });
});

describe('clientErrorLog', () => {
  it('writes at most the budget per key and window, then one "suppressed k similar" line', async () => {
    const { lines, logger } = capture();
    // a window long enough for the 1,000 calls below to fall in one, also on a loaded CI host
    const log = clientErrorLog(logger, { perWindow: 3, windowMs: 2_000 });
    for (let i = 0; i < 1_000; i++) log('POST /webhooks/lever/:integrationId request_aborted', { code: 'request_aborted', requestId: `r${i}` }, 'aborted');
    log('GET /api/integrations unauthorized', { code: 'unauthorized' }, 'no token');
    await settle(50);
    expect(lines.map((l) => l.msg)).toEqual(['aborted', 'aborted', 'aborted', 'no token']);
    await settle(2_200);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatchObject({ level: 30, msg: 'suppressed 997 similar: aborted', suppressed: 997, code: 'request_aborted' });
    expect(lines[4]).not.toHaveProperty('requestId');
    // a new window has a new budget
    log('POST /webhooks/lever/:integrationId request_aborted', { code: 'request_aborted' }, 'aborted');
    await settle(50);
    expect(lines).toHaveLength(6);
  });
});
