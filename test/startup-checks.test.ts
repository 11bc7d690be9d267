import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createPool } from '../src/db/pool';
import {
  checkDatabase,
  checkDependencies,
  connectTemporal,
  crossSiteUiWarning,
  describeDatabaseUrl,
  parseTemporalAddress,
  StartupCheckError,
} from '../src/startup-checks';
import { closedPort } from './support/free-port';
import { isolatedDatabase } from './support/isolated-database';
import { testEncryptionKey, testLogger } from './support/stack';

const root = path.join(__dirname, '..');
const testDatabaseUrl = () => process.env.TEST_DATABASE_URL!;
const testTemporalAddress = () => process.env.TEST_TEMPORAL_ADDRESS!;
const secretPassword = 'do-not-print-this-password-42';

/** A DATABASE_URL on a port nothing listens on, with a password that must never be printed. */
const unreachableDatabaseUrl = (port: number) => `postgres://app:${secretPassword}@127.0.0.1:${port}/lever_codesignal`;

/** The run's PostgreSQL with the right user but a wrong password. */
function wrongPasswordUrl(): string {
  const url = new URL(testDatabaseUrl());
  url.password = secretPassword;
  return url.toString();
}

/** Runs a production entry as `node` would, from the TypeScript source; resolves with its exit code and output. */
function runEntry(entry: 'src/worker.ts' | 'src/api/server.ts', env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // info, as in production: the failure must still be the only line
      LOG_LEVEL: 'info',
      LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789abcdef',
      ENCRYPTION_KEY: testEncryptionKey,
      ADMIN_TOKEN: 'test-admin-token-0123456789',
      PUBLIC_URL: 'http://localhost:3000',
      HOST: '127.0.0.1',
      STARTUP_CHECK_TIMEOUT_MS: '5000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** A TCP server that accepts connections and never answers (a blackholed dependency). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('start-up checks of the production entries (processes)', () => {
  jest.setTimeout(120_000);

  // The unreachable ports are held closed for the test's length: a port merely free a moment ago could be
  // listened on by another process before the entry tries it.
  let closed: Array<{ release(): Promise<void> }> = [];
  const unreachablePort = async () => {
    const held = await closedPort();
    closed.push(held);
    return held.port;
  };
  afterEach(async () => {
    await Promise.all(closed.map((c) => c.release()));
    closed = [];
  });

  it('the worker with an unreachable DATABASE_URL exits 1 with one line naming it, without the password', async () => {
    const port = await unreachablePort();
    const { code, output } = await runEntry('src/worker.ts', { DATABASE_URL: unreachableDatabaseUrl(port), TEMPORAL_ADDRESS: testTemporalAddress() });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`]);
    expect(output).not.toContain(secretPassword);
    expect(output).not.toContain('worker started');
  });

  it('the worker with an unreachable TEMPORAL_ADDRESS exits 1 with one line naming it', async () => {
    const port = await unreachablePort();
    const { code, output } = await runEntry('src/worker.ts', { DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`TEMPORAL_ADDRESS: cannot reach Temporal at 127.0.0.1:${port} (ECONNREFUSED)`]);
    expect(output).not.toMatch(/tonic|TransportError/);
  });

  it('the API names both variables in one line when neither answers', async () => {
    const [dbPort, temporalPort] = [await unreachablePort(), await unreachablePort()];
    const { code, output } = await runEntry('src/api/server.ts', { DATABASE_URL: unreachableDatabaseUrl(dbPort), TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      `DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${dbPort} (ECONNREFUSED); TEMPORAL_ADDRESS: cannot reach Temporal at 127.0.0.1:${temporalPort} (ECONNREFUSED)`,
    ]);
    expect(output).not.toContain(secretPassword);
  });

  it('the API with a wrong database password says PostgreSQL refused it, and never prints it', async () => {
    const { host, username } = new URL(testDatabaseUrl());
    const { code, output } = await runEntry('src/api/server.ts', { DATABASE_URL: wrongPasswordUrl(), TEMPORAL_ADDRESS: testTemporalAddress() });
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`DATABASE_URL: PostgreSQL at ${host} refused database `);
    expect(lines[0]).toContain(` as user ${decodeURIComponent(username)} (password authentication failed`);
    expect(output).not.toContain(secretPassword);
  });

  it('the worker with a namespace Temporal does not have names TEMPORAL_NAMESPACE', async () => {
    const namespace = `missing-${randomUUID()}`;
    const { code, output } = await runEntry('src/worker.ts', { DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: testTemporalAddress(), TEMPORAL_NAMESPACE: namespace });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`TEMPORAL_NAMESPACE: namespace ${namespace} does not exist on Temporal at ${testTemporalAddress()}`]);
  });

  it('the API on a port already taken names PORT', async () => {
    const taken = await silentServer();
    // it migrates and seals every stored secret (locking the table) before it listens: on a database of its own
    const database = await isolatedDatabase('startup_port_taken');
    try {
      const { code, output } = await runEntry('src/api/server.ts', {
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: testTemporalAddress(),
        PORT: String(taken.port),
        LOG_LEVEL: 'silent',
      });
      expect(code).toBe(1);
      expect(output.trim().split('\n')).toEqual([`PORT: cannot listen on 127.0.0.1:${taken.port} (EADDRINUSE)`]);
    } finally {
      await taken.close();
      await database.drop();
    }
  });
});

describe('start-up checks (in process)', () => {
  it('pass against the run’s PostgreSQL and Temporal, and hand back an open Temporal connection', async () => {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: testTemporalAddress(), STARTUP_CHECK_TIMEOUT_MS: '5000' });
    const connection = await checkDependencies(config, 'worker');
    try {
      await connection.workflowService.getSystemInfo({});
    } finally {
      await connection.close();
    }
  });

  it('a PostgreSQL that accepts and never answers fails after the timeout', async () => {
    const server = await silentServer();
    try {
      const started = Date.now();
      const err = await rejection(checkDatabase(`postgres://app:${secretPassword}@127.0.0.1:${server.port}/db`, { timeoutMs: 500 }));
      expect(err).toBeInstanceOf(StartupCheckError);
      expect(err.message).toBe(`DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${server.port} (no answer within 500 ms)`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });

  it('an unknown host is named with the resolver’s code', async () => {
    const err = await rejection(checkDatabase(`postgres://app:${secretPassword}@no-such-host.invalid:5432/db`, { timeoutMs: 5_000 }));
    expect(err.message).toMatch(/^DATABASE_URL: cannot reach PostgreSQL at no-such-host\.invalid:5432 \((ENOTFOUND|EAI_AGAIN)\)$/);
  });

  it('the worker refuses a database the API has not migrated yet', async () => {
    const name = `startup_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = createPool(testDatabaseUrl(), testLogger, 1);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(testDatabaseUrl());
      url.pathname = `/${name}`;
      await expect(checkDatabase(url.toString(), { timeoutMs: 5_000 })).resolves.toBeUndefined();
      const err = await rejection(checkDatabase(url.toString(), { timeoutMs: 5_000, requireMigrations: true }));
      expect(err.message).toMatch(new RegExp(`^DATABASE_URL: database ${name} at \\S+ lacks (\\d+) of \\1 migrations \\(first: \\d+_[\\w-]+\\): start the API first, it runs them$`));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
    await expect(checkDatabase(testDatabaseUrl(), { timeoutMs: 5_000, requireMigrations: true })).resolves.toBeUndefined();
  });

  it('a port that is not a Temporal frontend is named as such', async () => {
    const server = await silentServer();
    try {
      const err = await rejection(connectTemporal({ address: `127.0.0.1:${server.port}`, namespace: 'default', timeoutMs: 1_000 }));
      expect(err).toBeInstanceOf(StartupCheckError);
      expect(err.message).toMatch(new RegExp(`^TEMPORAL_ADDRESS: no Temporal frontend answers at 127\\.0\\.0\\.1:${server.port} \\(.+\\)$`));
      expect(err.message).not.toContain('\n');
    } finally {
      await server.close();
    }
  });

  it('describes a DATABASE_URL and a TEMPORAL_ADDRESS without secrets', () => {
    const described = describeDatabaseUrl(`postgres://app:${encodeURIComponent('p@ss/word')}@db.internal:6543/lever_codesignal?sslmode=require`);
    expect(described).toMatchObject({ where: 'db.internal:6543', database: 'lever_codesignal', user: 'app' });
    expect(described.where + described.database + described.user).not.toContain('p@ss');
    expect(describeDatabaseUrl('postgres://app@db/x').where).toBe('db:5432');
    expect(parseTemporalAddress('temporal:7233')).toEqual({ host: 'temporal', port: 7233 });
    expect(parseTemporalAddress('temporal')).toEqual({ host: 'temporal', port: 7233 });
    expect(parseTemporalAddress('[::1]:7234')).toEqual({ host: '::1', port: 7234 });
    expect(() => parseTemporalAddress('http://temporal:7233')).toThrow(/^TEMPORAL_ADDRESS: http:\/\/temporal:7233 is not host:port/);
  });

  it('warns when the Temporal UI is on another site than the API (the session cookie would not reach the codec)', () => {
    const config = (env: Record<string, string>) => loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', ...env });
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'https://hooks.example.com', TEMPORAL_UI_URL: 'https://temporal.example.com' }))).toBeUndefined();
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'http://localhost:3000', TEMPORAL_UI_URL: 'http://localhost:8080' }))).toBeUndefined();
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'https://hooks.example.com' }))).toBeUndefined();
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'https://hooks.example.com', TEMPORAL_UI_URL: 'http://localhost:8080' }))).toMatch(
      /^TEMPORAL_UI_URL: http:\/\/localhost:8080 is not on the same site as PUBLIC_URL https:\/\/hooks\.example\.com/,
    );
    // the scheme is part of the site
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'https://hooks.example.com', TEMPORAL_UI_URL: 'http://temporal.example.com' }))).toBeDefined();
    expect(crossSiteUiWarning(config({ PUBLIC_URL: 'https://hooks.example.com', TEMPORAL_UI_URL: 'https://temporal.other.org' }))).toBeDefined();
  });
});
