import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { processMetrics, waitingOnResultFromDb, type ServiceMetrics } from './metrics';

export interface MetricsServerOptions {
  host: string;
  /** 0: any free port (see `url`). */
  port: number;
  /** Default: the process's registry (`processMetrics()`), with prom-client's default metrics. */
  metrics?: ServiceMetrics;
  /** `host:port` of the Temporal SDK's Prometheus exporter in this process, appended to every answer. */
  temporalMetricsAddress?: string;
  /** Where `lcs_candidates_waiting_on_result` is read from; none: the gauge is empty. */
  db?: Db;
  logger: Logger;
  /** How long a scrape waits for the SDK's exporter. Default 2 s. */
  temporalTimeoutMs?: number;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const prometheusType = 'text/plain; version=0.0.4; charset=utf-8';

/** The SDK exporter's text, or a comment saying why there is none (the service's own metrics are answered either way). */
async function temporalText(address: string, timeoutMs: number): Promise<string> {
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    return await res.text();
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${(err as Error).message.replace(/\s+/g, ' ').slice(0, 200)}\n`;
  }
}

/**
 * The process's metrics listener: GET /metrics answers the service's registry followed by the Temporal
 * SDK's own exporter text (names `temporal_*`, so nothing collides); anything else is a JSON 404.
 */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = opts.metrics ?? processMetrics().withDefaultMetrics();
  const removeWaiting = opts.db ? metrics.addWaitingOnResultSource(waitingOnResultFromDb(opts.db)) : undefined;
  const timeoutMs = opts.temporalTimeoutMs ?? 2_000;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'only GET /metrics is served here' }));
      return;
    }
    void (async () => {
      const own = await metrics.text();
      const sdk = opts.temporalMetricsAddress ? await temporalText(opts.temporalMetricsAddress, timeoutMs) : '';
      res.writeHead(200, { 'content-type': prometheusType }).end(req.method === 'HEAD' ? undefined : own + (own.endsWith('\n') ? '' : '\n') + sdk);
    })().catch((err: Error) => {
      opts.logger.warn({ err: err.message }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'metrics_failed', message: 'the metrics could not be collected' }));
    });
  });
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    removeWaiting?.();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/metrics`,
    port,
    close: async () => {
      removeWaiting?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Temporal SDK exporter's address for `Runtime.install` (TEMPORAL_METRICS_BIND_ADDRESS): as
 * configured, or with port 0 a loopback port free at this moment (the SDK needs a fixed one and nothing
 * outside the process needs to know it: the metrics listener appends its text). Undefined: switched off.
 */
export async function temporalMetricsBindAddress(config: Pick<Config, 'TEMPORAL_METRICS_BIND_ADDRESS'>): Promise<string | undefined> {
  const configured = config.TEMPORAL_METRICS_BIND_ADDRESS;
  if (configured === 'off') return undefined;
  const at = configured.lastIndexOf(':');
  const host = configured.slice(0, at);
  if (configured.slice(at + 1) !== '0') return configured;
  const probe = createNetServer();
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host.replace(/^\[|\]$/g, ''), () => resolve((probe.address() as { port: number }).port));
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `${host}:${port}`;
}

/**
 * Starts the listener as METRICS_HOST/METRICS_PORT say (undefined when METRICS_PORT=off). A port that
 * cannot be bound fails the start with the variable named, unless `bestEffort` (npm start), which only warns.
 */
export async function startConfiguredMetricsServer(
  config: Pick<Config, 'METRICS_HOST' | 'METRICS_PORT'>,
  deps: { db?: Db; logger: Logger; temporalMetricsAddress?: string; bestEffort?: boolean },
): Promise<MetricsServer | undefined> {
  if (config.METRICS_PORT === 'off') return undefined;
  try {
    const server = await startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, db: deps.db, logger: deps.logger, temporalMetricsAddress: deps.temporalMetricsAddress });
    deps.logger.info({ url: server.url }, 'metrics listening');
    return server;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const message = `METRICS_PORT: cannot listen on ${config.METRICS_HOST}:${config.METRICS_PORT} (${code})`;
    if (!deps.bestEffort) throw new Error(message);
    deps.logger.warn(`${message}; running without a metrics listener`);
    return undefined;
  }
}
