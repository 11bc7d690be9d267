import type express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxAdmin } from './control/admin';
import { Recruiter } from './control/recruiter';
import { DEFAULT_PORT, resolveOptions, type LeverSandboxOptions, type ResolvedOptions } from './options';
import { KeyRateLimiter } from './rate-limit';
import { demoSeedOptionsSchema, seedLeverDemo } from './seed';
import { createLeverApp } from './server';
import { LeverStore } from './state';
import { parseInput } from './validation';
import { WebhookEmitter } from './webhooks';

export interface RunningLeverSandbox {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** `${url}/v1`, the value for LEVER_API_URL. */
  apiUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface LeverSandbox {
  app: express.Express;
  options: ResolvedOptions;
  /** Raw in-memory state, for assertions. */
  store: LeverStore;
  /** Account set-up, switches and logs (what the control API's admin routes call). */
  admin: SandboxAdmin;
  /** UI actions of a recruiter; these always fire webhooks. */
  recruiter: Recruiter;
  listen(port?: number, host?: string): Promise<RunningLeverSandbox>;
  /** Closes every server this sandbox opened and cancels pending webhook retries. */
  close(): Promise<void>;
}

export function createLeverSandbox(opts: LeverSandboxOptions = {}): LeverSandbox {
  const options = resolveOptions(opts);
  const store = new LeverStore({
    settings: { apiWritesFireWebhooks: options.apiWritesFireWebhooks, rateLimit: options.rateLimit },
    seed: options.seed,
  });
  const events = new WebhookEmitter({
    retryDelaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    reuseToken: options.quirks.webhookRetriesReuseToken,
    eventId: options.quirks.webhookEventId,
    logger: options.logger,
  });
  const limiter = new KeyRateLimiter();
  const admin = new SandboxAdmin(store, events, limiter);
  const recruiter = new Recruiter(store, events, options.quirks);
  const seedDemo = (body: unknown) => seedLeverDemo({ admin, recruiter }, parseInput(demoSeedOptionsSchema, body));
  const app = createLeverApp({ store, events, limiter, admin, recruiter, options, seedDemo });
  const servers = new Set<Server>();

  const closeServer = async (server: Server) => {
    servers.delete(server);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (servers.size === 0) events.stop();
  };

  return {
    app, options, store, admin, recruiter,
    async listen(port = DEFAULT_PORT, host = '127.0.0.1') {
      const server = createServer(app);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      servers.add(server);
      const actualPort = (server.address() as AddressInfo).port;
      const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actualPort}`;
      options.logger.info({ url }, 'lever sandbox listening');
      return { url, apiUrl: `${url}/v1`, port: actualPort, close: () => closeServer(server) };
    },
    async close() {
      await Promise.all([...servers].map(closeServer));
      events.stop();
    },
  };
}
