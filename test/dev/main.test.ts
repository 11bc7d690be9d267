import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { dataKeyStoreFrom } from '../../src/crypto/data-keys';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { candidateStateQuery } from '../../src/workflows/candidate/messages';
import { onFreePorts } from '../support/free-port';
import { eventually } from '../support/stack';
import { viewInTemporalUi } from '../support/browser';
import { postJson, readJson, signedLeverDelivery } from '../support/lever-webhook';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Every service a test started: one still running when its test ends (an assertion failed before the test
 * stopped it) is stopped as Ctrl-C would, and killed with its process group if it has not exited in 30 s.
 */
const services: Running[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) continue;
    process.kill(-service.child.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-service.child.pid!, 'SIGKILL'), 30_000);
    await service.exited;
    clearTimeout(timer);
  }
});

/** Runs the README's first command (the dev entry point) as a real process. */
function startService(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'dev/main.ts'], {
    cwd: path.join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal's foreground job: Ctrl-C reaches every process in it.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service = { child, output: () => output, exited };
  services.push(service);
  return service;
}

/** Resolves once the service says it is running; rejects with what it printed if it exits first or takes too long. */
async function untilRunning(service: Running, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.output().includes('is running')) {
    if (service.child.exitCode !== null) throw new Error(`npm start exited with ${service.child.exitCode} before it was running:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start was not running after ${timeoutMs / 1000} s:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The assessment walkthrough's commands as printed, one shell line each (1: move; 2: link, choose; 3: session, submit; 4: look). */
function walkthroughCommands(output: string): string[] {
  const section = output.slice(output.indexOf('Try an assessment'), output.indexOf('Try a sourcing import'));
  return section.split('\n').filter((line) => line.startsWith('     ')).map((line) => line.trim());
}

/** Runs printed commands as a newcomer would paste them, in one bash; resolves with what they print. */
function shell(commands: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', ['-eu', '-c', commands.join('\n')], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );
}

describe('the one-command development start', () => {
  jest.setTimeout(300_000);

  it('runs everything on embedded defaults, once per data directory, stops in order on SIGTERM and on Ctrl-C, and resumes open workflows and the sandboxes on restart', async () => {
    // The service is a child process told its six ports up front, and the restart below must get the same
    // ones (the printed walkthrough, the stored webhook URLs and the sandboxes' saved state name them), so
    // they cannot be port 0 or held for it: they were free a moment ago, and if another process takes one
    // before the first start listens, that start fails and runs again on new ports (onFreePorts).
    const { first, env, dataDir, ports } = await onFreePorts(6, async (ports) => {
      const [port, temporalPort, uiPort, pgPort, leverPort, codesignalPort] = ports;
      const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-main-'));
      const env = {
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        EMBEDDED_POSTGRES_PORT: String(pgPort),
        SANDBOX_LEVER_PORT: String(leverPort),
        SANDBOX_CODESIGNAL_PORT: String(codesignalPort),
      };
      // A pid file left by a start that was killed: taken over, not "already running".
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(path.join(dataDir, 'npm-start.pid'), `${deadPid}\n`);
      const first = startService(env);
      try {
        await untilRunning(first);
      } catch (err) {
        // whatever it started lets go of its ports before they are looked at
        if (first.child.exitCode === null) process.kill(-first.child.pid!, 'SIGKILL');
        await first.exited;
        throw err;
      }
      return { first, env, dataDir, ports };
    });
    const [port, temporalPort, uiPort, pgPort, leverPort] = ports;
    const base = `http://127.0.0.1:${port}`;
    expect(first.output()).toContain(`Temporal Web UI  http://localhost:${port}/temporal`);
    expect(first.output()).toContain(`Data directory   ${dataDir}`);
    expect(first.output()).toContain(`Sandboxes: Lever http://127.0.0.1:${leverPort}/v1`);
    expect(first.output()).not.toContain('WARNING');
    expect(readFileSync(path.join(dataDir, 'npm-start.pid'), 'utf8').trim()).toBe(String(first.child.pid));
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A second start on the same data directory says who runs and stops at once, in one line; the first keeps running.
    const again = startService(env);
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain(
      `Lever <> CodeSignal integration is already running (pid ${first.child.pid}, data directory ${dataDir}); stop it first (Ctrl-C in its terminal, or kill ${first.child.pid})\n`,
    );
    expect(again.output()).not.toMatch(/^\s+at /m); // no stack trace
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.output()).not.toContain(adminToken);
    const asAdmin = { authorization: `Bearer ${adminToken}` };
    // The dev server's Web UI runs under /temporal and the API serves it there, to admins only; its codec
    // endpoint is the API's, on the page's own origin, and it asks for no cross-origin credentials.
    expect((await fetch(`http://127.0.0.1:${uiPort}/temporal/`)).status).toBe(200);
    const anonymousPage = await fetch(`${base}/temporal/`, { headers: { accept: 'text/html' } });
    expect(anonymousPage.status).toBe(401);
    expect(await anonymousPage.text()).toContain('/admin/');
    expect((await fetch(`${base}/temporal/`, { headers: asAdmin })).status).toBe(200);
    const uiSettings = await readJson(await fetch(`${base}/temporal/api/v1/settings`, { headers: asAdmin }));
    expect(uiSettings.Codec).toMatchObject({ Endpoint: '/codec', IncludeCredentials: false });

    // No real API configured: the sandboxes run with a ready demo integration; step 1 of the printed walkthrough.
    expect(first.output()).toContain('Try an assessment');
    const steps = walkthroughCommands(first.output());
    expect(steps).toHaveLength(6);
    await shell(steps.slice(0, 1));
    const opportunityUrl = /curl -s -XPOST (\S+)\/stage /.exec(steps[0]!)![1]!;
    const selectionLink = await eventually(async () => {
      const opportunity = await readJson(await fetch(opportunityUrl));
      const link = opportunity.links.find((l: string) => l.startsWith(`http://localhost:${port}/assessments/select/`));
      expect(link).toBeDefined();
      return link as string;
    }, 30_000);

    // The Temporal Web UI, opened through the API as a logged-in admin, shows the encrypted payloads
    // decoded (the codec endpoint is same-origin, so the session cookie goes along); anyone else is told to log in.
    const demoIntegrationId = /demo integration ([0-9a-f-]{36})/.exec(first.output())![1]!;
    const runs = await readJson(await fetch(`${base}/api/integrations/${demoIntegrationId}/activity/runs`, { headers: asAdmin }));
    const candidateRun = runs.runs.find((r: { workflowType: string }) => r.workflowType === 'candidateWorkflow');
    expect(candidateRun.temporalUrl).toMatch(new RegExp(`^http://localhost:${port}/temporal/namespaces/default/workflows/`));
    const password = readFileSync(path.join(dataDir, 'admin-password'), 'utf8').trim();
    const view = (admin?: { email: string; password: string }, screenshot?: string) =>
      viewInTemporalUi({ apiBase: `http://localhost:${port}`, workflowUrl: candidateRun.temporalUrl, admin, screenshot });
    const loggedIn = await view({ email: 'admin@example.com', password }, '09-temporal-web-ui-decoded'); // saved by test/support/screenshots.ts (SCREENSHOTS_DIR)
    expect(loggedIn.codecStatuses.length).toBeGreaterThan(0);
    expect(loggedIn.codecStatuses.every((s) => s === 200)).toBe(true);
    expect(loggedIn.inputDecoded).toBe(true);
    expect(loggedIn.includeCredentials).not.toBe('true');
    const anonymous = await view();
    expect(anonymous).toMatchObject({ pageStatus: 401, codecStatuses: [], inputDecoded: false });
    expect((await postJson(`${base}/codec/decode`, { payloads: [] })).status).toBe(401);

    const created = await postJson(
      `${base}/api/integrations`,
      { name: 'Restart Co', lever: { apiKey: 'k', webhookSigningTokens: ['restart-signing-token'] }, codesignal: { apiKey: 'c' } },
      asAdmin,
    );
    expect(created.status).toBe(201);
    const integration = await readJson(created);
    const opportunityId = randomUUID(); // Lever's opportunity ids are lower-case UUIDs; the ingress takes no other
    const deliver = (toStageId: string) =>
      postJson(integration.webhooks.lever.replace(`http://localhost:${port}`, base), signedLeverDelivery('restart-signing-token', 'candidateStageChange', { opportunityId, toStageId }));
    expect((await deliver('phone-screen')).status).toBe(202);
    // the dev server's SQLite file commits through a write-ahead log (dev/temporal-dev-server.ts); the restart below shows the commits kept
    expect(existsSync(path.join(dataDir, 'temporal', 'temporal.db-wal'))).toBe(true);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(first.output()).not.toContain('idle database connection lost');

    const second = startService(env);
    try {
      await eventually(async () => expect(second.output()).toContain('is running'), 120_000, 250);
      // Data survived: the integration is still there and its webhook is accepted.
      expect((await deliver('onsite')).status).toBe(202);
      // Payloads are encrypted with the key the first start generated in the data directory (and the restart reused),
      // a candidate's under their data key sealed with it in the embedded PostgreSQL (README "Erasure").
      const encryptionKey = readFileSync(path.join(dataDir, 'encryption-key'), 'utf8').trim();
      const pgPassword = readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
      const pool = new Pool({ connectionString: `postgres://postgres:${encodeURIComponent(pgPassword)}@127.0.0.1:${pgPort}/lever_codesignal`, max: 1 });
      const dataKeys = dataKeyStoreFrom(pool, { ENCRYPTION_KEY: encryptionKey });
      const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }), dataConverter: dataConverterFor({ ENCRYPTION_KEY: encryptionKey }, dataKeys) });
      try {
        const handle = client.workflow.getHandle(`candidate/${integration.id}/${opportunityId}`);
        const state = await eventually(async () => {
          const s = await handle.query(candidateStateQuery);
          expect(s.eventsReceived).toBe(2);
          return s;
        });
        expect(state.stageHistory.map((h) => h.stageId)).toEqual(['phone-screen', 'onsite']);
        expect((await handle.describe()).status.name).toBe('RUNNING');
      } finally {
        await client.connection.close();
        await pool.end();
      }

      // The sandboxes kept their state: the candidate left waiting at the selection link is still in Lever,
      // with her link, and the rest of the first start's walkthrough carries on — each step doing what it says.
      expect(second.output()).toContain('(restored from the last run)');
      const opportunity = await readJson(await fetch(opportunityUrl));
      expect(opportunity.links).toContain(selectionLink);
      expect((await shell(steps.slice(1, 3))).trim()).toBe('202');
      // (the invitation's session appears once the workflow has sent it: until then step 3 finds none and fails)
      const submitted = await eventually(async () => JSON.parse(await shell(steps.slice(3, 5))) as { status: string }, 30_000, 500);
      expect(submitted.status).toBe('over');
      const promisedStage = /\(stage ([0-9a-f-]{36})\)/.exec(first.output())![1]!;
      await eventually(async () => {
        const summary = await shell(steps.slice(5));
        expect(summary).toContain(`stage: '${promisedStage}'`);
        expect(summary).toContain("'CodeSignal: passed'");
        expect(summary).toMatch(/files: \[\s*'codesignal-report-[^']+\.pdf'/);
      }, 60_000, 500);
    } finally {
      // Ctrl-C: SIGINT to the whole group, so PostgreSQL and Temporal get it too and the service still stops in order.
      process.kill(-second.child.pid!, 'SIGINT');
      expect(await second.exited).toBe(0);
    }
    expect(second.output()).not.toMatch(/stopping .* failed/);
    expect(second.output()).not.toMatch(/start-up failed|unhandled/);
    expect(second.output()).not.toContain('idle database connection lost');
  });

  it('names a wrong setting in one line, as the production entries do', async () => {
    const started = startService({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lcs-main-')), PORT: 'not-a-port' });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/^Invalid environment: PORT: [^\n]+$/m);
    expect(started.output()).not.toMatch(/^\s+at /m); // no stack trace
  });
});
