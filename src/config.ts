import { isIP } from 'node:net';
import { z } from 'zod';
import { secretBoxFrom } from './crypto/secret-box';
import { candidateEmailKeysFrom } from './db/candidate-directory';
import { temporalConnectionFrom, TemporalProfileError, type TemporalConnection } from './temporal/connect-options';

/** Every environment variable the service reads, with its default. The only reader of process.env. */
const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const optionalUrl = z.url().optional();
/** For settings a deployment passes through as `${VAR:-}` (docker-compose): empty means not set. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/** Express's `trust proxy`: false, true, a hop count, or the addresses/CIDRs/named ranges of the proxies. */
export type TrustProxy = boolean | number | string[];
const namedProxyRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** 10.0.0.1, 10.0.0.0/8, 10.0.0.0/255.0.0.0, fd00::/8 — what Express's proxy-addr accepts. */
function isProxyAddress(entry: string): boolean {
  if (namedProxyRanges.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxy => {
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    if (entries.length === 0 || !entries.every(isProxyAddress)) {
      ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count, or comma-separated proxy addresses, CIDRs, loopback, linklocal or uniquelocal' });
      return z.NEVER;
    }
    return entries;
  });

/** Milliseconds, at least 1: a zero would switch Node's protection off. */
const timeoutMs = z.coerce.number().int().min(1).max(3_600_000);

/** WORKER_MAX_CONCURRENT_WORKFLOW_TASKS's default, also for workers created without the configuration (dev stack, tests). */
export const DEFAULT_WORKFLOW_TASK_SLOTS = 8;

/**
 * Variables a deployment may set that the runtime reads, not the service: the worker's glibc malloc settings
 * (`npm run start:worker`; docs/benchmarks.md, "Worker memory at 10,000 waiting"): two arenas, and freed memory
 * above 128 KB handed back to the system rather than kept for reuse.
 */
export const runtimeVariables: readonly string[] = ['MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_'];

export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: optionalUrl,
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: optionalUrl,
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /**
   * The rest of the Temporal connection — TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_API_KEY, TEMPORAL_TLS,
   * TEMPORAL_TLS_*, TEMPORAL_GRPC_META_* — is read from this same environment by @temporalio/envconfig, as the
   * `temporal` CLI reads it (src/temporal/connect-options.ts); it overrides the profile's address.
   */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  /** Unset: the Temporal profile's namespace (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), else `default`. */
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('lever-codesignal'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  LEVER_API_URL: z.url().optional(),
  CODESIGNAL_API_URL: z.url().optional(),
  LEVER_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(86_400),
  // Longer than CodeSignal's retry period (25 attempts, ≈16.6 days by the 24th; reference §8) so a genuinely retried delivery is never refused.
  CODESIGNAL_WEBHOOK_MAX_AGE_DAYS: z.coerce.number().positive().max(365).default(18),
  WEBHOOK_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 64kb').default('64kb'),
  /** Live webhook deliveries of one integration an API process handles at once; the rest wait in that integration's lane (src/api/ingress/inbound.ts). */
  INGRESS_DELIVERIES_PER_INTEGRATION: z.coerce.number().int().min(1).max(1000).default(32),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).default(10),
  /**
   * Workflows kept in worker memory between events; the rest are replayed from history when they wake. With 150 and
   * `npm run start:worker`'s flags the worker settled at 262 MB RSS with 800 waiting (docs/benchmarks.md, 2026-12-06).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(150),
  /**
   * Workflow tasks a worker holds at once (README "Fairness between organizations"). Tasks beyond it stay in
   * Temporal's task queue, where fairness orders them by integration; the SDK's 40 queued them in the worker,
   * first come first served, behind one organization's bulk move (docs/benchmarks.md, 2026-12-06).
   */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(DEFAULT_WORKFLOW_TASK_SLOTS),
  /**
   * Temporal's rate limit per fairness key on the activity task queue: one integration's activities are handed to
   * workers no faster than this, the rest wait in the queue without holding a worker slot (README "Fairness between
   * organizations"). Unset: the service leaves the task queue's setting as it is (none on a new server). It trades
   * the bulk organization's throughput for the others' latency (docs/benchmarks.md, 2026-12-06, "Activities per organization").
   */
  TEMPORAL_ACTIVITIES_PER_SECOND_PER_ORGANIZATION: z.coerce.number().positive().optional(),
  /**
   * Worker Versioning (README "Upgrading workflows"): `on` makes the worker a version (WORKER_DEPLOYMENT_NAME,
   * WORKER_BUILD_ID) of a Worker Deployment, its workflows pinned to it. It needs each old version's workers
   * kept until drained: `auto` (the default) turns it on only where the Temporal Worker Controller runs the
   * worker (it sets TEMPORAL_WORKER_BUILD_ID and keeps old versions); `npm start`, docker-compose and the
   * Kubernetes base replace their workers on upgrade, so it stays off there.
   */
  WORKER_VERSIONING: z.enum(['auto', 'on', 'off']).default('auto'),
  WORKER_DEPLOYMENT_NAME: z.string().min(1).optional(),
  /** This build's version; default dist/build-id (`npm run build`), else the package version and the git commit. */
  WORKER_BUILD_ID: z.string().min(1).optional(),
  /** Set by the Temporal Worker Controller on the pods of each version it runs (deploy/kubernetes/overlays/worker-controller). */
  TEMPORAL_DEPLOYMENT_NAME: z.string().min(1).optional(),
  TEMPORAL_WORKER_BUILD_ID: z.string().min(1).optional(),
  SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  SANDBOX_LEVER_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SANDBOX_CODESIGNAL_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  LINK_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The ceiling of the adaptive Lever rate per integration (src/lever/rate-limiter.ts): it backs off on 429s by itself. */
  LEVER_REQUESTS_PER_SECOND: z.coerce.number().positive().max(10).default(10),
  /** CodeSignal's limit per API key, mutation field and second: undocumented, 5 is an assumption (queries: the schema's `@rateLimit`). */
  CODESIGNAL_MUTATIONS_PER_SECOND: z.coerce.number().int().positive().max(100).default(5),
  /** How long a worker or the API reuses an integration read from PostgreSQL: a saved change reaches webhooks and running flows within it. */
  INTEGRATION_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** How long a process reuses a candidate's data key it has read (README "Erasure"); an erasure waits this long after destroying keys before it ends the candidate's workflows. */
  DATA_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  TEMPORAL_RPC_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  /** How long a production entry waits for each dependency (PostgreSQL, Temporal) at start before it exits naming the variable. */
  STARTUP_CHECK_TIMEOUT_MS: timeoutMs.default(10_000),
  DEV_VERBOSE_SERVERS: booleanString.default(false),
  /** 32 random bytes, base64: encrypts stored secrets and Temporal payloads, signs admin sessions. */
  ENCRYPTION_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes, base64 (openssl rand -base64 32)').optional(),
  /** Earlier ENCRYPTION_KEYs, comma-separated: still decrypt, never encrypt (key rotation). */
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .regex(/^([A-Za-z0-9+/]{43}=)(,[A-Za-z0-9+/]{43}=)*$/, 'must be base64 32-byte keys separated by commas')
    .optional(),
  /** The first admin of the web UI, created at start when no admin with that e-mail exists. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  ADMIN_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(8),
  /**
   * Single sign-on through an OpenID Connect provider (README "Team and single sign-on"): the issuer (discovered at
   * `<issuer>/.well-known/openid-configuration`; https, or http on a loopback host), the client registered there
   * with the redirect URI `$PUBLIC_URL/api/session/oidc/callback`, and the name the log-in button shows. All of
   * ISSUER, CLIENT_ID and CLIENT_SECRET or none.
   */
  OIDC_ISSUER: unsetWhenEmpty(
    z
      .url()
      .refine((u) => u.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(u), 'must be https (http only on localhost)')
      .optional(),
  ),
  OIDC_CLIENT_ID: unsetWhenEmpty(z.string().min(1).max(500).optional()),
  OIDC_CLIENT_SECRET: unsetWhenEmpty(z.string().min(1).max(2000).optional()),
  OIDC_DISPLAY_NAME: unsetWhenEmpty(z.string().trim().min(1).max(60).default('SSO')),
  /** Where operators open the Temporal Web UI: deep links from Activity, and the only origin the codec endpoint answers. */
  TEMPORAL_UI_URL: optionalUrl,
  /**
   * The address (origin) of a Temporal Web UI started with the public path /temporal, e.g. http://127.0.0.1:8233:
   * the API serves it at /temporal to logged-in admins, so the UI calls the codec endpoint on the API's own
   * origin and the browser sends the session cookie. `npm start` sets it to its dev server's UI; unset, no proxy.
   */
  TEMPORAL_UI_UPSTREAM: optionalUrl,
  WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().int().positive().default(14),
  /** The Temporal namespace's closed-workflow retention, set by the API at its start (README "Data retention"); unset: left as the namespace has it. */
  TEMPORAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  /** How long audit entries are kept (README "Audit log"); pruned hourly by the API. */
  AUDIT_LOG_RETENTION_DAYS: z.coerce.number().int().min(30).default(400),
  /** Which hops in front of the API are trusted for X-Forwarded-For/-Proto (req.ip, log-in throttling); none by default. */
  TRUST_PROXY: trustProxy.default(false),
  /**
   * The HTTP server's limits on a client's pace (Node's defaults would hold a slow request for minutes):
   * all headers must arrive within HTTP_HEADERS_TIMEOUT_MS, the whole request (headers and body) within
   * HTTP_REQUEST_TIMEOUT_MS, else 408; an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS.
   */
  HTTP_HEADERS_TIMEOUT_MS: timeoutMs.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: timeoutMs.default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: timeoutMs.default(5_000),
  /**
   * Whether the API keeps each integration's reconciliation Schedule in line with its settings (README
   * "Reconciliation"). `off` leaves Schedules as they are (the test suite, whose many integrations
   * share one Temporal namespace and must not be swept while tests count what happened).
   */
  RECONCILIATION_SCHEDULES: z.enum(['on', 'off']).default('on'),
  /** The metrics listener (GET /metrics, docs/observability.md): a port of its own, 0 = any free port, `off` = none. */
  METRICS_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(9464),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** host:port of the Temporal SDK's own Prometheus exporter in a worker (port 0: a free loopback port at start), or `off`. */
  TEMPORAL_METRICS_BIND_ADDRESS: z
    .string()
    .regex(/^(off|(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5})$/, 'must be host:port (e.g. 127.0.0.1:9465; port 0 = a free port) or off')
    .default('127.0.0.1:0'),
  /**
   * Traces over OTLP/HTTP (docs/observability.md "Traces"), off unless one is set: the collector's base
   * URL (spans go to <it>/v1/traces), or the traces URL itself, which wins. The exporter reads the
   * other standard OTEL_EXPORTER_OTLP_* variables (headers, timeout, compression) itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetWhenEmpty(optionalUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: unsetWhenEmpty(optionalUrl),
  /** The traces' service.name; default lever-codesignal-api, lever-codesignal-worker, or lever-codesignal for `npm start`. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  PATH: z.string().default(''),
}).superRefine((env, ctx) => {
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' });
  }
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config extends Omit<Environment, 'TEMPORAL_NAMESPACE'> {
  TEMPORAL_NAMESPACE: string;
  /** The connection as Temporal's tools configure it: TEMPORAL_ADDRESS or the profile's address, TLS, API key (src/temporal/connect-options.ts). */
  temporal: TemporalConnection;
  /** Base URL that Lever and CodeSignal call back on; PUBLIC_URL or the local API address. */
  publicUrl: string;
  /** The APIs the service talks to: the configured URLs, the real hosts, or (development) the sandboxes. */
  leverApiUrl: string;
  codesignalApiUrl: string;
  /** Whether `npm start` runs the sandboxes: SANDBOX=on, or auto with no real API URL configured. */
  useSandboxes: boolean;
  /** TEMPORAL_UI_URL, or the dev server's UI when the service runs its own Temporal; undefined otherwise. */
  temporalUiUrl: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; the error names each variable that is wrong, never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  }
  const cfg = parsed.data;
  const oidcSet = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((n) => cfg[n] !== undefined);
  if (oidcSet.length > 0 && oidcSet.length < 3) {
    const missing = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'].filter((n) => !oidcSet.includes(n as (typeof oidcSet)[number]));
    throw new ConfigError(`Invalid environment: ${missing.join(', ')}: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together`);
  }
  let temporal: TemporalConnection;
  try {
    temporal = temporalConnectionFrom(env);
  } catch (err) {
    if (err instanceof TemporalProfileError) throw new ConfigError(`Invalid environment: ${err.message}`);
    throw err;
  }
  const publicUrl = (cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/+$/, '');
  return {
    ...cfg,
    TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
    temporal,
    publicUrl,
    leverApiUrl: (cfg.LEVER_API_URL ?? 'https://api.lever.co/v1').replace(/\/+$/, ''),
    codesignalApiUrl: cfg.CODESIGNAL_API_URL ?? 'https://app.codesignal.com/graphql',
    useSandboxes: cfg.SANDBOX === 'on' || (cfg.SANDBOX === 'auto' && !cfg.LEVER_API_URL && !cfg.CODESIGNAL_API_URL),
    temporalUiUrl: (cfg.TEMPORAL_UI_URL ?? (temporal.address ? undefined : `http://localhost:${cfg.TEMPORAL_UI_PORT}`))?.replace(/\/+$/, ''),
  };
}

/** What the worker's activities need from the configuration (the link secret comes from the caller in development). */
export const activityDepsFrom = (cfg: Config, linkSigningSecret: string) => ({
  box: secretBoxFrom(cfg),
  leverApiUrl: cfg.leverApiUrl,
  codesignalApiUrl: cfg.codesignalApiUrl,
  publicUrl: cfg.publicUrl,
  linkSigningSecret,
  leverRequestsPerSecond: cfg.LEVER_REQUESTS_PER_SECOND,
  codesignalMutationsPerSecond: cfg.CODESIGNAL_MUTATIONS_PER_SECOND,
  integrationCacheMs: cfg.INTEGRATION_CACHE_MS,
  candidateEmailKeys: candidateEmailKeysFrom(cfg),
  encryptionKeys: { ENCRYPTION_KEY: cfg.ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS: cfg.ENCRYPTION_KEYS_PREVIOUS, DATA_KEY_CACHE_SECONDS: cfg.DATA_KEY_CACHE_SECONDS },
});

/** Production entry points need external servers; fail fast when they are missing. */
export function requireExternal(
  cfg: Config,
  ...names: Array<'DATABASE_URL' | 'TEMPORAL_ADDRESS' | 'ADMIN_TOKEN' | 'LINK_SIGNING_SECRET' | 'ENCRYPTION_KEY'>
): void {
  // a Temporal profile (TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE) may name the address instead
  const missing = names.filter((n) => !(n === 'TEMPORAL_ADDRESS' ? cfg.temporal.address : cfg[n]));
  if (missing.length > 0) throw new ConfigError(`Missing required environment variable(s): ${missing.join(', ')}`);
}
