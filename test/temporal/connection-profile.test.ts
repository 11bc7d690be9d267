import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig, requireExternal, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { connectTemporal, StartupCheckError } from '../../src/startup-checks';
import { connectOptionsOf } from '../../src/temporal/connect-options';
import { testEncryptionKey } from '../support/stack';
import { makeTestCertificates, startTlsProxy, type TestCertificates, type TlsProxy } from '../support/tls-proxy';

/**
 * The Temporal connection read the way Temporal's tools read it (@temporalio/envconfig): the same build reaches
 * the run's dev server by plain address and, by a TOML profile, a TLS endpoint (a TLS proxy with self-signed
 * certificates in front of the dev server, which has no TLS flag of its own).
 */
const root = path.join(__dirname, '..', '..');
const devServer = () => process.env.TEST_TEMPORAL_ADDRESS!;
const secretApiKey = 'tmprl-api-key-must-never-be-logged-7f3a';

let dir: string;
let certs: TestCertificates;
let tlsProxy: TlsProxy;
let mtlsProxy: TlsProxy;

/** A config file with the given profiles (TOML text each) and the config loaded with it. */
function profileFile(profiles: Record<string, string>): string {
  const file = path.join(dir, `temporal-${randomUUID()}.toml`);
  writeFileSync(file, Object.entries(profiles).map(([name, body]) => `[profile.${name}]\n${body}\n`).join('\n'));
  return file;
}
const configWith = (profiles: Record<string, string>, env: Record<string, string> = {}): Config =>
  loadConfig({ TEMPORAL_CONFIG_FILE: profileFile(profiles), ...env });
const configError = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

/** getSystemInfo through the client Connection (API, start-up checks) and the NativeConnection (worker) the config makes. */
async function systemInfoThroughBoth(config: Config): Promise<void> {
  const connection = await Connection.connect({ ...connectOptionsOf(config.temporal), connectTimeout: 10_000 });
  try {
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
    const { executions } = await connection.workflowService.listWorkflowExecutions({ namespace: config.TEMPORAL_NAMESPACE, pageSize: 1 });
    expect(Array.isArray(executions)).toBe(true);
  } finally {
    await connection.close();
  }
  const native = await NativeConnection.connect(connectOptionsOf(config.temporal));
  try {
    expect((await native.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
  } finally {
    await native.close();
  }
}

/** The TOML of a profile `name` with a [tls] table (TOML tables need the profile's name). */
const withTls = (name: string, address: string, tlsLines: string[], extra = '') =>
  ({ [name]: `address = "${address}"\nnamespace = "default"\n${extra}\n[profile.${name}.tls]\n${tlsLines.join('\n')}` });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lcs-temporal-tls-'));
  certs = makeTestCertificates(dir);
  tlsProxy = await startTlsProxy(devServer(), certs);
  mtlsProxy = await startTlsProxy(devServer(), certs, { requireClientCert: true });
});

afterAll(async () => {
  await tlsProxy?.close();
  await mtlsProxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Temporal connection from a profile (plain)', () => {
  it('TEMPORAL_ADDRESS alone works as before: plain, no TLS, no API key, namespace default', async () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: devServer(), HOME: dir });
    expect(config.temporal).toEqual({ address: devServer(), namespace: undefined, variable: 'TEMPORAL_ADDRESS', options: {} });
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    await systemInfoThroughBoth(config);
  });

  it('a TOML profile naming the dev server connects and answers getSystemInfo', async () => {
    const config = configWith({ local: `address = "${devServer()}"\nnamespace = "default"` }, { TEMPORAL_PROFILE: 'local' });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.temporal.address).toBe(devServer());
    expect(config.temporal.variable).toBe('TEMPORAL_PROFILE');
    expect(() => requireExternal(config, 'TEMPORAL_ADDRESS')).not.toThrow();
    await systemInfoThroughBoth(config);
  });

  it('the namespace is the profile’s unless TEMPORAL_NAMESPACE is set; TEMPORAL_ADDRESS overrides the profile’s address', () => {
    const profiles = { default: 'address = "elsewhere:7233"\nnamespace = "from-profile"' };
    expect(configWith(profiles).TEMPORAL_NAMESPACE).toBe('from-profile');
    const overridden = configWith(profiles, { TEMPORAL_NAMESPACE: 'from-env', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect([overridden.TEMPORAL_NAMESPACE, overridden.temporal.address, overridden.temporal.variable]).toEqual(['from-env', 'temporal:7233', 'TEMPORAL_ADDRESS']);
  });

  it('empty variables (docker-compose `${VAR:-}`) count as unset: no API key, no TLS', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: '', TEMPORAL_TLS: '', TEMPORAL_PROFILE: '', HOME: dir });
    expect(config.temporal.options).toEqual({});
  });

  it('the CLI’s own default file is read only when TEMPORAL_PROFILE asks for a profile', () => {
    const home = mkdtempSync(path.join(dir, 'home-'));
    mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "cloud.example:7233"\nnamespace = "prod"\n');
    // a developer's profile never reaches npm start, the tests or a container that did not ask for it
    const unasked = loadConfig({ HOME: home });
    expect([unasked.temporal.address, unasked.TEMPORAL_NAMESPACE]).toEqual([undefined, 'default']);
    const asked = loadConfig({ HOME: home, TEMPORAL_PROFILE: 'default' });
    expect([asked.temporal.address, asked.TEMPORAL_NAMESPACE]).toEqual(['cloud.example:7233', 'prod']);
  });

  it('without TEMPORAL_ADDRESS or a profile address, the production entries still name TEMPORAL_ADDRESS', () => {
    expect(() => requireExternal(loadConfig({ HOME: dir }), 'TEMPORAL_ADDRESS')).toThrow('Missing required environment variable(s): TEMPORAL_ADDRESS');
  });
});

describe('the Temporal connection through TLS (a proxy with self-signed certificates, ALPN h2)', () => {
  jest.setTimeout(60_000);

  it('a profile with the CA and the server name connects: getSystemInfo and a workflow list answer', async () => {
    const config = configWith(withTls('tls', tlsProxy.address, [`server_ca_cert_path = "${certs.caCert}"`, `server_name = "${certs.serverName}"`]), {
      TEMPORAL_PROFILE: 'tls',
    });
    expect(config.temporal.options.tls).toEqual(expect.objectContaining({ serverNameOverride: certs.serverName, serverRootCACertificate: expect.anything() }));
    await systemInfoThroughBoth(config);
    // and the start-up check the production entries run
    const checked = await connectTemporal({ address: config.temporal.address!, profile: config.temporal, namespace: 'default', timeoutMs: 10_000 });
    await checked.close();
  });

  it('the standard TEMPORAL_TLS_* variables do the same without a file', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: tlsProxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
      HOME: dir,
    });
    await systemInfoThroughBoth(config);
  });

  it('without the CA the connection fails with a clear error naming the variable and the certificate problem', async () => {
    const config = configWith(withTls('untrusted', tlsProxy.address, [`server_name = "${certs.serverName}"`]), { TEMPORAL_PROFILE: 'untrusted' });
    const before = tlsProxy.handshakeErrors.length;
    const err = await connectTemporal({ address: config.temporal.address!, profile: config.temporal, namespace: 'default', timeoutMs: 5_000 }).then(
      () => new Error('expected a rejection'),
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(StartupCheckError);
    expect(err.message).toBe(`TEMPORAL_PROFILE: the TLS handshake with Temporal at ${tlsProxy.address} (TLS) failed (unable to verify the first certificate)`);
    expect(err.message).not.toContain('\n');
    // the worker's connection refuses it too
    await expect(NativeConnection.connect(connectOptionsOf(config.temporal))).rejects.toThrow(/certificate|UnknownIssuer|tls|transport/i);
    expect(tlsProxy.handshakeErrors.length).toBeGreaterThan(before);
  });

  it('mTLS: a profile with the client certificate and key passes a proxy that requires one; without them it fails', async () => {
    const tls = [`server_ca_cert_path = "${certs.caCert}"`, `server_name = "${certs.serverName}"`];
    const withCert = configWith(withTls('mtls', mtlsProxy.address, [...tls, `client_cert_path = "${certs.clientCert}"`, `client_key_path = "${certs.clientKey}"`]), {
      TEMPORAL_PROFILE: 'mtls',
    });
    await systemInfoThroughBoth(withCert);
    const withoutCert = configWith(withTls('nocert', mtlsProxy.address, tls), { TEMPORAL_PROFILE: 'nocert' });
    // TLS 1.3: the server refuses the missing certificate after the handshake, so gRPC's deadline is what the check sees
    await expect(connectTemporal({ address: mtlsProxy.address, profile: withoutCert.temporal, namespace: 'default', timeoutMs: 5_000 })).rejects.toThrow(
      /^TEMPORAL_PROFILE: no Temporal frontend answers at 127\.0\.0\.1:\d+ \(TLS\)/,
    );
  });
});

describe('the API key', () => {
  jest.setTimeout(90_000);

  it('a profile’s api_key reaches the connection options (TLS on, as for Temporal Cloud) and TEMPORAL_API_KEY overrides it', async () => {
    const config = configWith(withTls('cloud', tlsProxy.address, [`server_ca_cert_path = "${certs.caCert}"`, `server_name = "${certs.serverName}"`], `api_key = "${secretApiKey}"`), {
      TEMPORAL_PROFILE: 'cloud',
    });
    expect(config.temporal.options.apiKey).toBe(secretApiKey);
    expect(connectOptionsOf(config.temporal)).toEqual(expect.objectContaining({ address: tlsProxy.address, apiKey: secretApiKey, tls: expect.any(Object) }));
    // the dev server ignores the Authorization header: the call goes through with it
    await systemInfoThroughBoth(config);
    const keyOnly = configWith({ cloud: `address = "ns.acct.tmprl.cloud:7233"\napi_key = "${secretApiKey}"` }, { TEMPORAL_PROFILE: 'cloud' });
    expect(keyOnly.temporal.options).toEqual({ apiKey: secretApiKey, tls: true });
    expect(loadConfig({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_API_KEY: 'from-env', HOME: dir }).temporal.options.apiKey).toBe('from-env');
  });

  it('is redacted when the connection options are logged', () => {
    const lines: string[] = [];
    const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(line) });
    const config = configWith({ default: `address = "a:7233"\napi_key = "${secretApiKey}"` });
    logger.info({ temporal: config.temporal.options }, 'connecting');
    logger.info(connectOptionsOf(config.temporal), 'connecting');
    expect(lines.join('')).not.toContain(secretApiKey);
  });

  it('the real worker entry starts through the TLS proxy by TEMPORAL_PROFILE, and never prints the API key', async () => {
    const file = profileFile(withTls('cloud', tlsProxy.address, [`server_ca_cert_path = "${certs.caCert}"`, `server_name = "${certs.serverName}"`], `api_key = "${secretApiKey}"`));
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        TEMPORAL_CONFIG_FILE: file,
        TEMPORAL_PROFILE: 'cloud',
        DATABASE_URL: process.env.TEST_DATABASE_URL!,
        LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789abcdef',
        ENCRYPTION_KEY: testEncryptionKey,
        TEMPORAL_TASK_QUEUE: `profile-${randomUUID()}`,
        METRICS_PORT: 'off',
        TEMPORAL_METRICS_BIND_ADDRESS: 'off',
        STARTUP_CHECK_TIMEOUT_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const startedOrExited = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes('worker started')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => resolve());
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    try {
      await startedOrExited;
      expect(output).toContain('worker started');
    } finally {
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    expect(output).not.toContain(secretApiKey);
  });
});

describe('a Temporal profile that cannot be used stops the start with one line naming the variable', () => {
  it('an unreadable TEMPORAL_CONFIG_FILE', () => {
    const missing = path.join(dir, 'nope.toml');
    expect(configError({ TEMPORAL_CONFIG_FILE: missing })).toBe(`Invalid environment: TEMPORAL_CONFIG_FILE: cannot read ${missing} (ENOENT)`);
  });

  it('a config file that is not TOML, without quoting the line (it may hold the API key)', () => {
    const file = path.join(dir, 'broken.toml');
    writeFileSync(file, `[profile.default]\napi_key = "${secretApiKey}\n`);
    const message = configError({ TEMPORAL_CONFIG_FILE: file });
    expect(message).toMatch(new RegExp(`^Invalid environment: TEMPORAL_CONFIG_FILE: ${file} is not valid TOML \\(line \\d+, column \\d+\\)$`));
    expect(message).not.toContain(secretApiKey);
  });

  it('a TEMPORAL_PROFILE the file does not have', () => {
    const file = profileFile({ default: 'address = "a:7233"' });
    expect(configError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toBe(`Invalid environment: TEMPORAL_PROFILE: no profile prod in ${file}`);
    expect(configError({ TEMPORAL_PROFILE: 'prod', HOME: dir })).toBe(
      'Invalid environment: TEMPORAL_PROFILE: no Temporal config file to read profile prod from (set TEMPORAL_CONFIG_FILE)',
    );
  });

  it('a certificate path that does not exist, from the profile or from TEMPORAL_TLS_*', () => {
    const missing = path.join(dir, 'missing-ca.pem');
    const file = profileFile(withTls('prod', 'a:7233', [`server_ca_cert_path = "${missing}"`]));
    expect(configError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toBe(
      `Invalid environment: TEMPORAL_PROFILE: profile prod in ${file}: tls.server_ca_cert_path: cannot read ${missing} (ENOENT)`,
    );
    expect(configError({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: missing, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey, HOME: dir })).toBe(
      `Invalid environment: TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read ${missing} (ENOENT)`,
    );
  });

  it('a client certificate without its key', () => {
    expect(configError({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert, HOME: dir })).toBe(
      'Invalid environment: TEMPORAL_TLS_CLIENT_CERT_PATH: a client certificate needs its key and a key its certificate (mTLS)',
    );
  });
});
