import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CodeSignalSandboxOptions } from './options';
import { seedCodeSignalDemo, type CodeSignalDemoSeed, type CodeSignalDemoSeedOptions } from './seed';
import { createCodeSignalSandbox, type CodeSignalSandbox } from './server';

/** Small helpers for tests that drive the sandbox over real HTTP. */

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; locations?: unknown; extensions?: Record<string, unknown> }> };
}

/** POSTs a GraphQL request the way the service does (Bearer key, JSON). */
export async function graphqlRequest<T = Record<string, unknown>>(
  graphqlUrl: string,
  apiKey: string | null,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey !== null ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse<T>['body'] };
}

/** JSON call against the control API; throws with the answer when the status is not 2xx. */
export async function controlRequest<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Polls until `probe` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface ReceivedWebhook {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed body; null for the empty verification ping. */
  body: { event: string; triggeredOn: number; payload: Record<string, unknown> } | null;
  /** Status the receiver answered with. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Deliveries with a body (the verification pings filtered out). */
  events(): ReceivedWebhook[];
  /** Decides the status of each request; default 200. */
  respondWith(fn: (req: { body: ReceivedWebhook['body']; index: number }) => number): void;
  close(): Promise<void>;
}

/** A local HTTP endpoint that records every POST, for webhook tests. */
export async function startWebhookReceiver(path = '/codesignal/webhooks'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let decide: (req: { body: ReceivedWebhook['body']; index: number }) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const body = rawBody ? (JSON.parse(rawBody) as ReceivedWebhook['body']) : null;
      const status = decide({ body, index: received.length });
      received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, rawBody, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    events: () => received.filter((r) => r.body !== null),
    respondWith: (fn) => {
      decide = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface SandboxHarness {
  sandbox: CodeSignalSandbox;
  url: string;
  graphqlUrl: string;
  seed: CodeSignalDemoSeed;
  /** GraphQL as the seeded company (or with another key). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, apiKey?: string | null): Promise<GraphQLResponse<T>>;
  /** Control API over HTTP. */
  ctl<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** A seeded sandbox listening on a free port. */
export async function startSandboxHarness(options: CodeSignalSandboxOptions = {}, seedOptions: CodeSignalDemoSeedOptions = {}): Promise<SandboxHarness> {
  const sandbox = createCodeSignalSandbox(options);
  const server = await sandbox.listen(0);
  const seed = await seedCodeSignalDemo(sandbox, seedOptions);
  const graphqlUrl = `${server.url}/graphql`;
  return {
    sandbox,
    url: server.url,
    graphqlUrl,
    seed,
    gql: (query, variables, apiKey) => graphqlRequest(graphqlUrl, apiKey === undefined ? seed.apiKey : apiKey, query, variables),
    ctl: (method, path, body) => controlRequest(server.url, method, path, body),
    close: () => server.close(),
  };
}
