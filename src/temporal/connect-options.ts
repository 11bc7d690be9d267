import { accessSync, constants, readFileSync } from 'node:fs';
import { platform } from 'node:os';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigFromToml, loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';

/**
 * The Temporal connection as Temporal's own tools configure it (@temporalio/envconfig, the same as the
 * `temporal` CLI): the TOML profile (TEMPORAL_CONFIG_FILE, else the CLI's default file; TEMPORAL_PROFILE,
 * else `default`), overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS,
 * TEMPORAL_TLS_* and TEMPORAL_GRPC_META_*. What comes out is what NativeConnection.connect (worker) and
 * Connection.connect (API, start-up checks) both take.
 */
export interface TemporalConnectOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnection {
  /** host:port; undefined when neither TEMPORAL_ADDRESS nor the profile names one. */
  address: string | undefined;
  /** TEMPORAL_NAMESPACE, else the profile's. */
  namespace: string | undefined;
  /** The variable an operator changes when the address is wrong (messages name it). */
  variable: 'TEMPORAL_ADDRESS' | 'TEMPORAL_PROFILE' | 'TEMPORAL_CONFIG_FILE';
  /** TLS, API key and gRPC metadata (certificates read); spread into the connect call with the address. */
  options: Omit<TemporalConnectOptions, 'address'>;
}

export class TemporalProfileError extends Error {
  override readonly name = 'TemporalProfileError';
}

type Env = Record<string, string | undefined>;

/** The CLI's default file, as envconfig finds it (Linux: $XDG_CONFIG_HOME or $HOME/.config, then temporalio/temporal.toml; none without either). */
function defaultConfigFile(env: Env): string | undefined {
  const os = platform();
  const dir =
    os === 'win32' ? env.APPDATA
    : os === 'darwin' ? env.HOME && path.join(env.HOME, 'Library', 'Application Support')
    : env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME
    : env.HOME && path.join(env.HOME, '.config');
  return dir ? path.join(dir, 'temporalio', 'temporal.toml') : undefined;
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'unreadable';

/**
 * The config file's text: TEMPORAL_CONFIG_FILE must be readable; the CLI's default file is read only when
 * TEMPORAL_PROFILE asks for a profile (and may be absent, as for the CLI). With neither set, no file is read:
 * a developer's own CLI profile (a Cloud namespace, say) never reaches `npm start`, the tests or a container.
 */
function readConfigFile(env: Env): { file: string; text: string } | undefined {
  const file = env.TEMPORAL_CONFIG_FILE ?? (env.TEMPORAL_PROFILE !== undefined ? defaultConfigFile(env) : undefined);
  if (!file) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (err) {
    if (env.TEMPORAL_CONFIG_FILE === undefined && errorCode(err) === 'ENOENT') return undefined;
    throw new TemporalProfileError(`TEMPORAL_CONFIG_FILE: cannot read ${file} (${errorCode(err)})`);
  }
}

const certificates = [
  ['serverCACert', 'server_ca_cert_path', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
  ['clientCert', 'client_cert_path', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
  ['clientKey', 'client_key_path', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
] as const;

/** Every certificate or key path must be readable; envconfig would otherwise throw Node's error from deep in the connect. */
function checkCertificatePaths(profile: ClientConfigProfile, env: Env, inProfile: string): void {
  for (const [field, tomlKey, variable] of certificates) {
    const source: ConfigDataSource | undefined = profile.tls?.[field];
    if (!source || !('path' in source)) continue;
    try {
      accessSync(source.path, constants.R_OK);
    } catch (err) {
      const named = env[variable] !== undefined ? variable : `${inProfile}: tls.${tomlKey}`;
      throw new TemporalProfileError(`${named}: cannot read ${source.path} (${errorCode(err)})`);
    }
  }
  const { clientCert, clientKey } = profile.tls ?? {};
  if (!clientCert !== !clientKey) {
    const fromEnv = env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined || env.TEMPORAL_TLS_CLIENT_KEY_PATH !== undefined;
    const named = fromEnv ? 'TEMPORAL_TLS_CLIENT_CERT_PATH' : `${inProfile}: tls`;
    throw new TemporalProfileError(`${named}: a client certificate needs its key and a key its certificate (mTLS)`);
  }
}

/**
 * Resolves the connection from `env` (config.ts passes its environment: the only reader of process.env).
 * Throws TemporalProfileError, one line naming the variable and never a secret value.
 */
export function temporalConnectionFrom(rawEnv: Env): TemporalConnection {
  // deployments pass optional settings through as `${VAR:-}` (docker-compose): empty means not set
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(rawEnv).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  const config = readConfigFile(env);
  const profileName = env.TEMPORAL_PROFILE ?? 'default';
  const variable = env.TEMPORAL_PROFILE !== undefined ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
  const inProfile = `${variable}: profile ${profileName}${config ? ` in ${config.file}` : ''}`;
  // envconfig would connect with no profile at all: a named one must be found
  if (!config && env.TEMPORAL_PROFILE !== undefined) {
    throw new TemporalProfileError(`TEMPORAL_PROFILE: no Temporal config file to read profile ${profileName} from (set TEMPORAL_CONFIG_FILE)`);
  }
  let profile: ClientConfigProfile;
  try {
    if (config) {
      // parsed here so a syntax error is reported by position: smol-toml quotes the offending line, which may hold a secret
      loadClientConfigFromToml(new TextEncoder().encode(config.text), { strict: false });
    }
    profile = loadClientConfigProfile({
      configSource: config ? { data: config.text } : undefined,
      disableFile: config === undefined,
      overrideEnvVars: env,
    });
  } catch (err) {
    const e = err as { line?: number; column?: number; message?: string };
    if (config && typeof e.line === 'number') {
      throw new TemporalProfileError(`TEMPORAL_CONFIG_FILE: ${config.file} is not valid TOML (line ${e.line}, column ${e.column ?? '?'})`);
    }
    if (/^Profile '.*' not found/.test(e.message ?? '')) {
      throw new TemporalProfileError(`TEMPORAL_PROFILE: no profile ${profileName} in ${config?.file ?? 'the Temporal config file (none found)'}`);
    }
    // envconfig's own messages name keys, never values (e.g. both server_ca_cert_path and _data)
    throw new TemporalProfileError(`${variable}: ${(e.message ?? String(err)).split('\n')[0]}`);
  }
  checkCertificatePaths(profile, env, inProfile);
  const { connectionOptions, namespace } = toClientOptions(profile);
  const { tls, apiKey } = connectionOptions;
  const metadata = profile.grpcMeta;
  const options: TemporalConnection['options'] = {};
  if (tls !== undefined && tls !== null) options.tls = tls;
  if (apiKey !== undefined) options.apiKey = apiKey;
  if (metadata !== undefined) options.metadata = metadata;
  return {
    address: profile.address,
    namespace,
    variable: env.TEMPORAL_ADDRESS !== undefined || (env.TEMPORAL_PROFILE === undefined && env.TEMPORAL_CONFIG_FILE === undefined) ? 'TEMPORAL_ADDRESS' : variable,
    options,
  };
}

/** What a connect call takes: the address and the profile's TLS, API key and metadata. */
export const connectOptionsOf = (temporal: Pick<TemporalConnection, 'address' | 'options'>): TemporalConnectOptions => ({
  address: temporal.address!,
  ...temporal.options,
});
