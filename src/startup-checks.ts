import { readdirSync } from 'node:fs';
import { connect as tcpConnect, isIP } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Connection, isGrpcServiceError, type TLSConfig } from '@temporalio/client';
import { Client as PgClient, DatabaseError } from 'pg';
import type { Config } from './config';
import type { TemporalConnection } from './temporal/connect-options';
import { migrationsDir } from './db/migrate';
import { customSearchAttributes } from './workflows/shared/search-attributes';

/**
 * What the production entries (src/worker.ts, src/api/server.ts) check before they start: each
 * dependency answers, within STARTUP_CHECK_TIMEOUT_MS. A failure is one line naming the variable and
 * what was tried — never a password — and the entry exits non-zero.
 */
export class StartupCheckError extends Error {
  override readonly name = 'StartupCheckError';
}

/** A Node network error's code (ECONNREFUSED, ENOTFOUND, …); Node 20 wraps both address families' in an AggregateError. */
function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[] };
  if (typeof e?.code === 'string') return e.code;
  return e?.errors?.map(networkCode).find(Boolean);
}

export const firstLineOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

const decoded = (component: string) => {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
};

/** Where a DATABASE_URL points — host:port and database, as user — and, apart, its password (to keep it out of messages). */
export function describeDatabaseUrl(databaseUrl: string): { where: string; database: string; user: string; password: string } {
  const url = new URL(databaseUrl);
  const host = url.searchParams.get('host') ?? url.hostname;
  const port = url.searchParams.get('port') ?? (url.port || '5432');
  const user = decoded(url.username) || '(default user)';
  const database = decoded(url.pathname.replace(/^\//, '')) || user;
  return { where: host.startsWith('/') ? host : `${host}:${port}`, database, user, password: decoded(url.password) };
}

/** Removes every spelling of a secret from a message (a server may echo what it was given). */
function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const secret of secrets.filter((s) => s.length > 0)) {
    for (const spelling of new Set([secret, encodeURIComponent(secret)])) out = out.split(spelling).join('***');
  }
  return out;
}

/** Rejects with `onTimeout()` when `work` does not settle within `ms`. */
async function within<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Names of the migrations in migrations/ (node-pg-migrate records a file by its name without extension). */
function migrationNames(): string[] {
  return readdirSync(migrationsDir)
    .filter((file) => /\.(sql|js|ts)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.basename(file, path.extname(file)))
    .sort();
}

export interface DatabaseCheckOptions {
  timeoutMs: number;
  /** The worker runs no migrations: the API does; the schema must be there before the worker starts. */
  requireMigrations?: boolean;
}

/** Connects to DATABASE_URL and runs a query, within the timeout; optionally checks that every migration is applied. */
export async function checkDatabase(databaseUrl: string, opts: DatabaseCheckOptions): Promise<void> {
  const { where, database, user, password } = describeDatabaseUrl(databaseUrl);
  const fail = (message: string) => new StartupCheckError(scrub(`DATABASE_URL: ${message}`, [password]));
  const client = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: opts.timeoutMs, query_timeout: opts.timeoutMs });
  // an error after the check (the server going away while we close) must not crash the process
  client.on('error', () => undefined);
  const noAnswer = () => fail(`cannot reach PostgreSQL at ${where} (no answer within ${opts.timeoutMs} ms)`);
  try {
    await within(opts.timeoutMs, client.connect(), noAnswer);
    await within(opts.timeoutMs, client.query('SELECT 1'), noAnswer);
    if (opts.requireMigrations) {
      const query = <Row extends object>(sql: string) => within(opts.timeoutMs, client.query<Row>(sql), noAnswer).then((r) => r.rows);
      // node-pg-migrate's table, in the search path as migrate() creates it; none yet on a new database
      const [{ present }] = (await query<{ present: boolean }>(`SELECT to_regclass('pgmigrations') IS NOT NULL AS present`)) as [{ present: boolean }];
      const applied = new Set(present ? (await query<{ name: string }>('SELECT name FROM pgmigrations')).map((r) => r.name) : []);
      const expected = migrationNames();
      const pending = expected.filter((name) => !applied.has(name));
      if (pending.length > 0) {
        throw fail(
          `database ${database} at ${where} lacks ${pending.length} of ${expected.length} migrations (first: ${pending[0]}): ` +
            'start the API first, it runs them',
        );
      }
    }
  } catch (err) {
    if (err instanceof StartupCheckError) throw err;
    if (err instanceof DatabaseError) throw fail(`PostgreSQL at ${where} refused database ${database} as user ${user} (${firstLineOf(err)})`);
    const code = networkCode(err);
    if (code) throw fail(`cannot reach PostgreSQL at ${where} (${code})`);
    if (/timeout/i.test(firstLineOf(err))) throw noAnswer();
    throw fail(`cannot use PostgreSQL at ${where} (${firstLineOf(err)})`);
  } finally {
    void client.end().catch(() => undefined);
  }
}

/** host:port of a TEMPORAL_ADDRESS (port 7233 when it names none, as the SDK does). */
export function parseTemporalAddress(address: string, variable = 'TEMPORAL_ADDRESS'): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:[\]/\s]+)(?::(\d+))?$/.exec(address);
  const port = Number(match?.[2] ?? 7233);
  if (!match || port < 1 || port > 65535) throw new StartupCheckError(`${variable}: ${address} is not host:port (e.g. temporal:7233)`);
  return { host: match[1]!, port };
}

/** Node's TLS options for a Temporal profile's TLS (true: the system's CAs and the host's name), offering HTTP/2 as gRPC does. */
const nodeTlsOptions = (tls: TLSConfig | true, host: string) => {
  const config: TLSConfig = tls === true ? {} : tls;
  const servername = config.serverNameOverride ?? (isIP(host) ? undefined : host);
  const buffer = (data: Uint8Array | undefined) => (data ? Buffer.from(data) : undefined);
  return {
    ALPNProtocols: ['h2'],
    ...(servername ? { servername } : {}),
    ca: buffer(config.serverRootCACertificate),
    cert: buffer(config.clientCertPair?.crt),
    key: buffer(config.clientCertPair?.key),
  };
};

/**
 * A TCP connection to host:port within the timeout — with `tls`, a TLS handshake, so a certificate the
 * profile does not trust is named (gRPC would only say it did not connect before the deadline);
 * resolves, or rejects with the network or TLS error.
 */
function probeTcp(host: string, port: number, timeoutMs: number, tls?: TLSConfig | true): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls ? tlsConnect({ host, port, ...nodeTlsOptions(tls, host) }) : tcpConnect({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(Object.assign(new Error('timeout'), { code: `no answer within ${timeoutMs} ms` })));
    socket.once(tls ? 'secureConnect' : 'connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

export interface TemporalCheckOptions {
  address: string;
  /** TLS, API key, metadata of the Temporal profile (config.temporal.options), and the variable messages name. */
  profile?: Pick<TemporalConnection, 'options' | 'variable'>;
  namespace: string;
  timeoutMs: number;
  /** The worker's workflows set these search attributes; the API registers them at its start. */
  requireSearchAttributes?: boolean;
}

/**
 * Connects to TEMPORAL_ADDRESS and checks it is a Temporal frontend (getSystemInfo) that has the
 * namespace, within the timeout. Returns the open connection (the caller closes it).
 */
export async function connectTemporal(opts: TemporalCheckOptions): Promise<Connection> {
  const variable = opts.profile?.variable ?? 'TEMPORAL_ADDRESS';
  const { host, port } = parseTemporalAddress(opts.address, variable);
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}${opts.profile?.options.tls ? ' (TLS)' : ''}`;
  const tls = opts.profile?.options.tls || undefined;
  try {
    await probeTcp(host, port, opts.timeoutMs, tls);
  } catch (err) {
    const code = networkCode(err);
    // anything but a network error or no answer is TLS's: ERR_TLS_*, ERR_SSL_*, OpenSSL's verification codes (SELF_SIGNED_CERT_IN_CHAIN, …)
    const network = code !== undefined && (/^E[A-Z]+$/.test(code) || code.startsWith('no answer'));
    if (tls && !network) throw new StartupCheckError(`${variable}: the TLS handshake with Temporal at ${where} failed (${firstLineOf((err as Error).message ?? err)})`);
    throw new StartupCheckError(`${variable}: cannot reach Temporal at ${where} (${code ?? firstLineOf(err)})`);
  }
  const connection = Connection.lazy({ ...opts.profile?.options, address: opts.address, connectTimeout: opts.timeoutMs });
  try {
    await connection.ensureConnected();
    // ensureConnected lets an UNIMPLEMENTED answer pass (servers before 1.15), which is also what a plain
    // HTTP/2 server says; a Temporal frontend answers getSystemInfo.
    await connection.withDeadline(Date.now() + opts.timeoutMs, () => connection.workflowService.getSystemInfo({}));
  } catch (err) {
    await connection.close();
    const cause = (err as { cause?: unknown }).cause ?? err;
    const detail = isGrpcServiceError(cause) ? cause.details || firstLineOf(cause) : firstLineOf(cause);
    throw new StartupCheckError(`${variable}: no Temporal frontend answers at ${where} (${detail})`);
  }
  const deadline = () => Date.now() + opts.timeoutMs;
  try {
    await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace: opts.namespace }));
    if (opts.requireSearchAttributes) {
      const { customAttributes } = await connection.withDeadline(deadline(), () =>
        connection.operatorService.listSearchAttributes({ namespace: opts.namespace }),
      );
      const missing = customSearchAttributes.map((key) => key.name).filter((name) => !(name in (customAttributes ?? {})));
      if (missing.length > 0) {
        throw new StartupCheckError(
          `TEMPORAL_NAMESPACE: namespace ${opts.namespace} on Temporal at ${where} lacks the search attributes ${missing.join(', ')}: ` +
            'start the API first, it registers them',
        );
      }
    }
    return connection;
  } catch (err) {
    await connection.close();
    if (err instanceof StartupCheckError) throw err;
    // gRPC status 5: NOT_FOUND
    if (isGrpcServiceError(err) && err.code === 5) {
      throw new StartupCheckError(`TEMPORAL_NAMESPACE: namespace ${opts.namespace} does not exist on Temporal at ${where}`);
    }
    const detail = isGrpcServiceError(err) ? err.details || firstLineOf(err) : firstLineOf(err);
    throw new StartupCheckError(`${variable}: Temporal at ${where} did not answer for namespace ${opts.namespace} (${detail})`);
  }
}

/**
 * Every check of a production entry, PostgreSQL and Temporal side by side; all failures in one line.
 * The API runs the migrations and registers the search attributes itself; the worker needs them done.
 * Returns the checked Temporal connection (the caller keeps or closes it).
 */
export async function checkDependencies(
  config: Pick<Config, 'DATABASE_URL' | 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'STARTUP_CHECK_TIMEOUT_MS'> & Partial<Pick<Config, 'temporal'>>,
  entry: 'api' | 'worker',
): Promise<Connection> {
  const timeoutMs = config.STARTUP_CHECK_TIMEOUT_MS;
  const [database, temporal] = await Promise.allSettled([
    checkDatabase(config.DATABASE_URL!, { timeoutMs, requireMigrations: entry === 'worker' }),
    connectTemporal({
      address: config.temporal?.address ?? config.TEMPORAL_ADDRESS!,
      profile: config.temporal,
      namespace: config.TEMPORAL_NAMESPACE,
      timeoutMs,
      requireSearchAttributes: entry === 'worker',
    }),
  ]);
  const failures = [database, temporal].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length === 0) return (temporal as PromiseFulfilledResult<Connection>).value;
  if (temporal.status === 'fulfilled') await temporal.value.close();
  throw new StartupCheckError(failures.map((err) => (err instanceof StartupCheckError ? err.message : firstLineOf(err))).join('; '));
}

/** Scheme and registrable domain, approximated by the last two labels (never calls two different sites the same). */
function siteOf(url: URL): string {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const labels = host.split('.');
  const isAddress = /^[\d.]+$/.test(host) || host.includes(':');
  return `${url.protocol}//${isAddress || labels.length <= 2 ? host : labels.slice(-2).join('.')}`;
}

/**
 * The Temporal Web UI asks the codec endpoint (PUBLIC_URL/codec) with the admin's session cookie,
 * which is SameSite=Lax: a browser sends it only when the UI is on the same site (scheme and
 * registrable domain) as the API. A message when TEMPORAL_UI_URL is clearly on another site.
 */
export function crossSiteUiWarning(config: Pick<Config, 'publicUrl' | 'temporalUiUrl'>): string | undefined {
  if (!config.temporalUiUrl) return undefined;
  const ui = new URL(config.temporalUiUrl);
  const api = new URL(config.publicUrl);
  if (siteOf(ui) === siteOf(api)) return undefined;
  return (
    `TEMPORAL_UI_URL: ${ui.origin} is not on the same site as PUBLIC_URL ${api.origin}: browsers will not send the ` +
    'admin session cookie (SameSite=Lax) to the codec endpoint, so the Temporal UI shows payloads encrypted ' +
    '(serve the UI on a sibling host of the same domain and scheme, e.g. https://temporal.example.com for https://hooks.example.com)'
  );
}
