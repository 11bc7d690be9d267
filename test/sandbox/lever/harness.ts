import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type LeverSandboxOptions, type RunningLeverSandbox } from '../../../sandbox/lever/index';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface CallOptions { key?: string | null; body?: unknown; auth?: string; headers?: Record<string, string> }

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** A sandbox on a random port, with a demo account seeded. */
export interface Harness {
  sandbox: LeverSandbox;
  server: RunningLeverSandbox;
  seed: LeverDemoSeed;
  /** Calls /v1 with the demo key unless `key` says otherwise. */
  api<T = Record<string, unknown>>(method: string, path: string, opts?: CallOptions): Promise<Answer<T>>;
  /** Calls /_sandbox. */
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  close(): Promise<void>;
}

export async function startHarness(options: LeverSandboxOptions = {}): Promise<Harness> {
  const sandbox = createLeverSandbox({ logger: false, ...options });
  const seed = seedLeverDemo(sandbox, { permissions: 'all' });
  const server = await sandbox.listen(0);
  return {
    sandbox, server, seed,
    api: (method, path, opts = {}) => {
      const key = opts.key === undefined ? seed.apiKey : opts.key;
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.auth !== undefined) headers.authorization = opts.auth;
      else if (key !== null) headers.authorization = basic(key);
      return call(`${server.url}/v1${path}`, method, opts.body, headers);
    },
    control: (method, path, body) => call(`${server.url}/_sandbox${path}`, method, body, {}),
    close: () => sandbox.close(),
  };
}

async function call<T>(url: string, method: string, body: unknown, headers: Record<string, string>): Promise<Answer<T>> {
  const isForm = body instanceof FormData;
  const res = await fetch(url, {
    method,
    headers: body === undefined || isForm ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as T };
}

/** Polls until `get` returns something `done` accepts; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(get: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Received { headers: IncomingHttpHeaders; body: Record<string, unknown> & { data: Record<string, unknown> } }

/** A local webhook receiver; `answer(n)` decides the status of the n-th request (1-based). */
export async function startReceiver(answer: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const status = answer(received.length);
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lever`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
