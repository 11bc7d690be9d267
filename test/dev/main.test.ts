import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../../src/temporal/payload-codec';
import { candidateStateQuery } from '../../src/workflows/candidate/messages';
import { freePort } from '../support/free-port';
import { eventually } from '../support/stack';
import { viewInTemporalUi } from '../support/browser';
import { postJson, readJson, signedLeverDelivery } from '../support/lever-webhook';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

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
  return { child, output: () => output, exited };
}

describe('the one-command development start', () => {
  jest.setTimeout(180_000);

  it('runs everything on embedded defaults, stops in order on SIGTERM and on Ctrl-C, and resumes open workflows on restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-main-'));
    const [port, temporalPort, uiPort, pgPort, leverPort, codesignalPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
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
    const base = `http://127.0.0.1:${port}`;

    const first = startService(env);
    await eventually(async () => expect(first.output()).toContain('is running'), 120_000, 250);
    expect(first.output()).toContain(`Temporal Web UI  http://localhost:${uiPort}`);
    expect(first.output()).toContain(`Data directory   ${dataDir}`);
    expect(first.output()).toContain(`Sandboxes: Lever http://127.0.0.1:${leverPort}/v1`);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
    // The Web UI is pointed at the API's codec endpoint, which answers the UI's origin.
    const uiSettings = await readJson(await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`));
    expect(uiSettings.Codec.Endpoint).toBe(`http://localhost:${port}/codec`);
    const preflight = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: `http://localhost:${uiPort}`, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://localhost:${uiPort}`);

    // No real API configured: the sandboxes run with a ready demo integration, and the printed walkthrough works.
    expect(first.output()).toContain('Try an assessment:');
    const moveCommand = /curl -s -XPOST (\S+\/stage) -H 'content-type: application\/json' -d '(\{[^']+\})'/.exec(first.output());
    expect(moveCommand).not.toBeNull();
    expect((await postJson(moveCommand![1]!, JSON.parse(moveCommand![2]!))).status).toBe(200);
    const opportunityUrl = moveCommand![1]!.replace(/\/stage$/, '');
    await eventually(async () => {
      const opportunity = await readJson(await fetch(opportunityUrl));
      expect(opportunity.links.some((l: string) => l.startsWith(`http://localhost:${port}/assessments/select/`))).toBe(true);
    }, 30_000);

    const adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.output()).not.toContain(adminToken);

    // The Temporal Web UI shows the encrypted payloads decoded to a logged-in admin, and only to one.
    const demoIntegrationId = /demo integration ([0-9a-f-]{36})/.exec(first.output())![1]!;
    const runs = await readJson(await fetch(`${base}/api/integrations/${demoIntegrationId}/activity/runs`, { headers: { authorization: `Bearer ${adminToken}` } }));
    const candidateRun = runs.runs.find((r: { workflowType: string }) => r.workflowType === 'candidateWorkflow');
    const password = readFileSync(path.join(dataDir, 'admin-password'), 'utf8').trim();
    const view = (admin?: { email: string; password: string }, screenshot?: string) =>
      viewInTemporalUi({ apiBase: `http://localhost:${port}`, workflowUrl: candidateRun.temporalUrl, codecEndpoint: `http://localhost:${port}/codec`, admin, screenshot });
    const loggedIn = await view({ email: 'admin@example.com', password }, path.join(__dirname, '..', '..', 'docs', 'screenshots', '09-temporal-web-ui-decoded.png'));
    expect(loggedIn.codecStatuses.length).toBeGreaterThan(0);
    expect(loggedIn.codecStatuses.every((s) => s === 200)).toBe(true);
    expect(loggedIn.inputDecoded).toBe(true);
    const anonymous = await view();
    expect(anonymous.codecStatuses.length).toBeGreaterThan(0);
    expect(anonymous.codecStatuses.every((s) => s === 401)).toBe(true);
    expect(anonymous.inputDecoded).toBe(false);
    const created = await postJson(
      `${base}/api/integrations`,
      { name: 'Restart Co', lever: { apiKey: 'k', webhookSigningTokens: ['restart-signing-token'] }, codesignal: { apiKey: 'c' } },
      { authorization: `Bearer ${adminToken}` },
    );
    expect(created.status).toBe(201);
    const integration = await readJson(created);
    const opportunityId = randomUUID(); // Lever's opportunity ids are lower-case UUIDs; the ingress takes no other
    const deliver = (toStageId: string) =>
      postJson(integration.webhooks.lever.replace(`http://localhost:${port}`, base), signedLeverDelivery('restart-signing-token', 'candidateStageChange', { opportunityId, toStageId }));
    expect((await deliver('phone-screen')).status).toBe(202);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const second = startService(env);
    try {
      await eventually(async () => expect(second.output()).toContain('is running'), 120_000, 250);
      // Data survived: the integration is still there and its webhook is accepted.
      expect((await deliver('onsite')).status).toBe(202);
      // Payloads are encrypted with the key the first start generated in the data directory (and the restart reused).
      const encryptionKey = readFileSync(path.join(dataDir, 'encryption-key'), 'utf8').trim();
      const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }), dataConverter: dataConverterFor({ ENCRYPTION_KEY: encryptionKey }) });
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
      }
    } finally {
      // Ctrl-C: SIGINT to the whole group, so PostgreSQL and Temporal get it too and the service still stops in order.
      process.kill(-second.child.pid!, 'SIGINT');
      expect(await second.exited).toBe(0);
    }
    expect(second.output()).not.toMatch(/stopping .* failed/);
    expect(second.output()).not.toMatch(/start-up failed|unhandled/);
  });
});
