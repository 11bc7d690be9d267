import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { SandboxControl } from './control';
import { controlPagesRouter } from './control-pages';
import { controlRouter } from './control-routes';
import { FaultRegistry } from './faults';
import { graphqlEndpoint } from './graphql-endpoint';
import { resolveOptions, type CodeSignalSandboxOptions } from './options';
import { pagesRouter } from './pages';
import { FieldRateLimiter } from './rate-limit';
import { RequestLog } from './request-log';
import { attachResolvers } from './resolvers';
import { createRuntime, type Runtime } from './runtime';
import { buildCodeSignalSchema } from './schema';
import { sourcingFeedRouter } from './sourcing-feed';
import { applyResponseMode } from './sparse';
import { SandboxStore } from './state';
import { WebhookDispatcher } from './webhooks';

export interface ListeningSandbox {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface CodeSignalSandbox {
  app: express.Express;
  /** Default port 4020, host 127.0.0.1; port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<ListeningSandbox>;
  /** Programmatic twin of the `/_sandbox` control API. */
  control: SandboxControl;
  /** Stops webhook retry timers (called by `close()`). */
  stop(): void;
  /** Internal wiring, for the seed and tests that need it. */
  runtime: Runtime;
}

const graphqlBodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return void res.status(400).json({ errors: [{ message: 'POST body sent invalid JSON.' }] });
  if (type === 'entity.too.large') return void res.status(413).json({ errors: [{ message: 'Request body is too large.' }] });
  next(err);
};

/** A running CodeSignal look-alike: `POST /graphql`, result/interview pages, the sourcing feed receiver, and the `/_sandbox` control API and pages. */
export function createCodeSignalSandbox(opts: CodeSignalSandboxOptions = {}): CodeSignalSandbox {
  const options = resolveOptions(opts);
  const store = new SandboxStore();
  const webhooks = new WebhookDispatcher(options);
  const runtime = createRuntime(options, store, (companyId, event, payload) => webhooks.emit(companyId, event, payload));
  const faults = new FaultRegistry();
  const requestLog = new RequestLog();
  const limiter = new FieldRateLimiter(options.now);
  const control = new SandboxControl(runtime, webhooks, faults, requestLog, limiter);
  const schema = applyResponseMode(attachResolvers(buildCodeSignalSchema()));

  const app = express();
  app.disable('x-powered-by');
  app.post('/graphql', express.json({ limit: '1mb' }), graphqlEndpoint({ rt: runtime, schema, faults, limiter, requestLog }));
  app.all('/graphql', (_req, res) => void res.status(405).set('allow', 'POST').json({ errors: [{ message: 'Use POST for GraphQL requests.' }] }));
  app.use('/graphql', graphqlBodyErrors);
  // the receiving end of the service's status feed (sourcing contract; sourcing-feed.ts)
  app.use(sourcingFeedRouter(runtime));
  app.use('/_sandbox/ui', controlPagesRouter(control));
  app.use('/_sandbox', controlRouter(control));
  app.use(pagesRouter(runtime));

  const stop = (): void => webhooks.stop();

  async function listen(port = 4020, host = '127.0.0.1'): Promise<ListeningSandbox> {
    const server = await new Promise<import('node:http').Server>((resolve, reject) => {
      const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
      s.once('error', reject);
    });
    const address = server.address() as AddressInfo;
    const wildcard = host === '0.0.0.0' || host === '::';
    const url = `http://${wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${address.port}`;
    // bound to every interface: links follow the host callers use (first request) unless `publicUrl` pins them
    runtime.learnBaseUrl(url, !wildcard);
    return {
      url,
      close: () =>
        new Promise<void>((resolve, reject) => {
          stop();
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
    };
  }

  return { app, listen, control, stop, runtime };
}
