import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client } from '@temporalio/client';
import { loadConfig, requireExternal, type Config } from '../config';
import { secretBoxFrom } from '../crypto/secret-box';
import { sealStoredSecrets } from '../integrations/repository';
import { ensureAdmin } from './admin/admin-users';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger, type Logger } from '../log';
import { checkDependencies, crossSiteUiWarning, StartupCheckError } from '../startup-checks';
import { applyNamespaceRetention, registerSearchAttributes } from '../temporal/connection';
import { dataKeyStoreFrom } from '../crypto/data-keys';
import { dataConverterFor } from '../temporal/payload-codec';
import { createApp, type ApiDeps } from './app';
import { clientErrorLog } from './errors';
import { pruneIngressRecordsHourly } from './ingress/retention';
import { startTracing, temporalClientInterceptors } from '../observability/tracing';
import { startConfiguredMetricsServer } from '../observability/metrics-server';

type ServerTimeouts = Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>;

/** Node's own answers to requests that never reach Express, in the API's JSON shape. */
function clientErrorAnswer(code: string | undefined, timeouts: ServerTimeouts): [status: number, code: string, message: string] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request_timeout', `the request was not received in time (headers within ${timeouts.HTTP_HEADERS_TIMEOUT_MS} ms, all of it within ${timeouts.HTTP_REQUEST_TIMEOUT_MS} ms)`];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'headers_too_large', 'the request headers are too large'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'chunk_extensions_too_large', 'the chunk extensions of the request body are too large'];
    case 'HPE_INVALID_EOF_STATE':
      return [400, 'request_incomplete', 'the client ended the connection before the request was complete'];
    default:
      return [400, 'malformed_request', 'the request is not valid HTTP/1.1'];
  }
}

/**
 * The HTTP server with deliberate limits on the client's pace (Node's defaults keep a request that
 * declares more body than it sends for over five minutes): headers within HTTP_HEADERS_TIMEOUT_MS, the
 * whole request within HTTP_REQUEST_TIMEOUT_MS (else 408), idle keep-alive connections closed after
 * HTTP_KEEP_ALIVE_TIMEOUT_MS. The time a handler takes to answer is not limited here: handlers bound
 * their own outbound calls. Protocol errors Node answers itself are answered as JSON and logged
 * like every client error (info, rate-limited).
 */
export function createHttpServer(app: RequestListener, config: ServerTimeouts, logger: Logger): Server {
  const smallest = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  const server = createServer({
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    // how often Node looks for requests past those deadlines (its default, 30 s, would make a 10 s limit 40 s)
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(smallest / 4))),
  });
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  // no inactivity limit on a socket while its handler works: the deadlines above cover the client's part
  server.timeout = 0;

  // The answer in flight on each connection: a protocol error must not be written into a started answer.
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    res.once('finish', () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    });
  });
  // after the tracking above, so an answer the app finishes at once is tracked first
  server.on('request', app);
  const log = clientErrorLog(logger);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const [status, code, message] = clientErrorAnswer(err.code, config);
    const inFlightResponse = inFlight.get(socket);
    // a connection lost under a request is logged once, by the API's error handler (request_aborted)
    if (!inFlightResponse || code === 'request_timeout') log(`clientError ${code}`, { status, code, source: 'http-server' }, message);
    if (err.code === 'ECONNRESET' || !socket.writable || inFlightResponse?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: code, message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    (socket as Socket).destroySoon();
  });
  return server;
}

/**
 * Listens and resolves once the port is bound; close() stops taking connections and waits for open ones.
 * `port` may instead be a socket already listening (its port then known before the config is made).
 */
export async function listen(deps: ApiDeps, port: number | NetServer, host: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const app = createApp(deps);
  const server = createHttpServer(app, deps.config, deps.logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof port === 'number') server.listen(port, host, listening);
    else server.listen(port, listening);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : Number(port);
  const stopPruning = pruneIngressRecordsHourly(deps.db, deps.config.WEBHOOK_LOG_RETENTION_DAYS, deps.logger, deps.config.AUDIT_LOG_RETENTION_DAYS);
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        stopPruning();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Production entry: the API alone, against an external Temporal and PostgreSQL. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireExternal(config, 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY');
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const tracing = startTracing(config, 'api');
  // Before anything else: PostgreSQL and Temporal (with the namespace) answer; the checked connection is kept.
  const connection = await checkDependencies(config, 'api');
  const crossSite = crossSiteUiWarning(config);
  if (crossSite) logger.warn(crossSite);
  const db = createPool(config.DATABASE_URL!, logger);
  await migrate(config.DATABASE_URL!, logger);
  await sealStoredSecrets(db, secretBoxFrom(config), logger);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config, dataKeyStoreFrom(db, config)), interceptors: temporalClientInterceptors() });
  await registerSearchAttributes(temporal, logger);
  if (config.TEMPORAL_RETENTION_DAYS) await applyNamespaceRetention(temporal, config.TEMPORAL_RETENTION_DAYS, logger);
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await ensureAdmin(db, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  const api = await listen({ config, db, temporal, logger }, config.PORT, config.HOST).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    // EADDRINUSE, EACCES (a port below 1024), EADDRNOTAVAIL (a HOST this machine does not have)
    if (!code?.startsWith('E')) throw err;
    throw new StartupCheckError(`${code === 'EADDRNOTAVAIL' ? 'HOST' : 'PORT'}: cannot listen on ${config.HOST}:${config.PORT} (${code})`);
  });
  logger.info({ url: config.publicUrl }, 'api listening');
  const metricsServer = await startConfiguredMetricsServer(config, { db, logger });

  const stop = async () => {
    logger.info('shutting down');
    await metricsServer?.close();
    await api.close();
    await connection.close();
    await db.end();
    await tracing.shutdown();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
