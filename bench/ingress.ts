/**
 * Webhook ingress throughput and latency, side by side with raw Temporal signal-with-start against the
 * same server in the same run. Starts the stack in its production shape (Temporal dev server, embedded
 * PostgreSQL, API and worker as separate processes), then drives both paths at a fixed concurrency,
 * alternating rounds.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 32] [--rounds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { createLogger } from '../src/log';
import { findTemporalBinary } from '../src/temporal/binaries';
import { signalLeverEvent } from '../src/temporal/candidate-client';
import { startDevServer } from '../src/temporal/dev-server';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '4' },
    candidates: { type: 'string', default: '200' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const candidates = Number(values.candidates);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

interface Result {
  name: string;
  seconds: number;
  latenciesMs: number[];
  failures: number;
}

async function drive(name: string, total: number, op: (i: number) => Promise<void>): Promise<Result> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        try {
          await op(i);
          latenciesMs.push(performance.now() - t0);
        } catch {
          failures++;
        }
      }
    }),
  );
  return { name, seconds: (performance.now() - started) / 1000, latenciesMs, failures };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

function summarize(results: Result[]) {
  const latencies = results.flatMap((r) => r.latenciesMs);
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  return {
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures: results.reduce((s, r) => s + r.failures, 0),
  };
}

/** Starts one of the production entry points (API or worker) as its own process. */
function spawnEntry(entry: string, env: Record<string, string>, readyLine?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
    cwd: path.join(__dirname, '..'),
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (!readyLine || out.includes(readyLine)) resolve(child);
    });
    child.once('exit', () => reject(new Error(`${entry} exited during start:\n${out}`)));
  });
}

async function main() {
  // Production topology: Temporal and PostgreSQL as servers, the API and the worker each in its own process.
  const logger = createLogger('warn', 'bench');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-bench-'));
  const [port, temporalPort, uiPort, pgPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const temporal = await startDevServer({
    binary: findTemporalBinary('temporal', undefined, process.env.PATH ?? ''),
    dataDir, port: temporalPort, uiPort, namespace: 'default', verbose: false, logger,
  });
  const postgres = await startEmbeddedPostgres(dataDir, pgPort, logger);
  const adminToken = randomBytes(24).toString('hex');
  const env = { TEMPORAL_ADDRESS: temporal.address, DATABASE_URL: postgres.url, ADMIN_TOKEN: adminToken, PORT: String(port), HOST: '127.0.0.1' };
  const api = await spawnEntry('src/api/server.ts', env, 'api listening');
  const worker = await spawnEntry('src/worker.ts', env, 'worker started');

  const base = `http://127.0.0.1:${port}`;
  const signingToken = randomBytes(24).toString('hex');
  const created = await fetch(`${base}/api/integrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: 'bench', lever: { apiKey: 'k', webhookSigningTokens: [signingToken] }, codesignal: { apiKey: 'c' } }),
  });
  const integration = (await created.json()) as { id: string };
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const rawIntegrationId = randomUUID();

  // Both paths spread events over the same number of candidate workflows.
  const ingress = (round: number) => (i: number) => {
    const triggeredAt = Date.now();
    const token = randomBytes(24).toString('hex');
    const body = {
      event: 'candidateStageChange',
      triggeredAt,
      token,
      signature: createHmac('sha256', signingToken).update(token + triggeredAt).digest('hex'),
      data: { opportunityId: `opp-${i % candidates}`, fromStageId: null, toStageId: `stage-${round}-${i}` },
    };
    return fetch(`${base}/webhooks/lever/${integration.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`status ${r.status}`);
    });
  };
  const raw = (round: number) => (i: number) =>
    signalLeverEvent(
      client,
      'lever-codesignal',
      { integrationId: rawIntegrationId, opportunityId: `opp-${i % candidates}` },
      { kind: 'stageChange', key: `raw-${round}-${i}`, triggeredAt: Date.now(), fromStageId: null, toStageId: `stage-${round}-${i}` },
      10_000,
    ).then(() => undefined);

  await drive('warm-up', 200, ingress(-1));
  await drive('warm-up', 200, raw(-1));
  const ingressResults: Result[] = [];
  const rawResults: Result[] = [];
  // ABBA order, with a pause for the worker to work off the previous phase's workflow tasks, so
  // neither path is measured while the other's backlog still loads the server.
  const settle = () => new Promise((r) => setTimeout(r, 3000));
  for (let round = 0; round < rounds; round++) {
    const phases = [
      async () => rawResults.push(await drive('raw', requests, raw(round))),
      async () => ingressResults.push(await drive('ingress', requests, ingress(round))),
    ];
    if (round % 2 === 1) phases.reverse();
    for (const phase of phases) {
      await settle();
      await phase();
    }
  }
  const a = summarize(ingressResults);
  const b = summarize(rawResults);
  const fmt = (s: ReturnType<typeof summarize>) =>
    `${s.throughput.toFixed(0).padStart(6)} req/s   p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms   failures ${s.failures}`;
  console.log(`\nwebhook ingress vs raw signal-with-start — ${rounds}×${requests} requests each, concurrency ${concurrency}, ${candidates} candidates`);
  console.log(`  raw Temporal client   ${fmt(b)}`);
  console.log(`  HTTP webhook ingress  ${fmt(a)}`);
  console.log(`  ratio ingress/raw     throughput ${(a.throughput / b.throughput).toFixed(2)}×   p50 ${(a.p50 / b.p50).toFixed(2)}×   p99 ${(a.p99 / b.p99).toFixed(2)}×   (target throughput ≥ 0.80×)`);

  await client.connection.close();
  for (const child of [api, worker]) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await temporal.stop();
  await postgres.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
