/**
 * Webhook ingress throughput and latency, side by side with raw Temporal signal-with-start against the
 * same server in the same run, and the cost of observability: the same ingress with metrics and tracing
 * off (the first API) and on (a second API process on the same servers: its metrics listener scraped
 * every second, its spans exported over OTLP/HTTP to a collector endpoint in this process). Starts the
 * stack in its production shape (Temporal dev server, embedded PostgreSQL, API and worker as separate
 * processes), then drives the three paths at a fixed concurrency, each round in another order.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 32] [--rounds 6] [--fairness on|off] [--env K=V,…]
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { signalLeverEvent } from '../src/temporal/candidate-client';
import { cpuSecondsOf, percentile, serverPids, treeCpuSecondsOf } from './support/measure';
import { envPairs, startBenchStack, benchDataConverter } from './support/stack';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '6' },
    candidates: { type: 'string', default: '200' },
    // the dev server's task queue fairness (matching.enableFairness), on as every server the project starts
    fairness: { type: 'string', default: 'on' },
    // extra environment for the API processes and the worker (comma-separated K=V)
    env: { type: 'string', default: '' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const candidates = Number(values.candidates);

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

/** Takes OTLP/HTTP trace exports as a collector would (200 to every POST) and counts their bytes. */
async function otlpEndpoint(): Promise<{ url: string; received: () => number; close(): void }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => bytes, close: () => server.close() };
}

/** Every order of three phases, so each path runs first, second and third equally often over six rounds. */
const orders = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [0, 2, 1], [1, 0, 2]] as const;

async function main() {
  // Production topology: Temporal and PostgreSQL as servers, the API and the worker each in its own process.
  // The first API and the worker run with metrics and tracing off (no metrics listener, no OTLP endpoint).
  const stack = await startBenchStack({ env: { METRICS_PORT: 'off', ...envPairs('--env', values.env) }, fairness: values.fairness !== 'off' });
  const { adminToken } = stack;
  // The observed API: metrics listener scraped every second as Prometheus would, spans exported over OTLP.
  const collector = await otlpEndpoint();
  const [metricsPort] = await new Promise<number[]>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => resolve([port]));
    });
  });
  const observed = await stack.startApi({ METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
  // Its twin with both off, started the same way (the stack's first API did the migrations and set-up work).
  const unobserved = await stack.startApi();
  let scrapes = 0;
  const scraper = setInterval(() => {
    void fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(async (r) => {
      await r.text();
      if (r.ok) scrapes++;
    }, () => undefined);
  }, 1000);

  const base = unobserved.baseUrl;
  const signingToken = randomBytes(24).toString('hex');
  const createIntegration = async (name: string) => {
    const created = await fetch(`${base}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name, lever: { apiKey: 'k', webhookSigningTokens: [signingToken] }, codesignal: { apiKey: 'c' } }),
    });
    if (created.status !== 201) throw new Error(`creating the integration ${name}: ${created.status} ${await created.text()}`);
    return (await created.json()) as { id: string };
  };
  const integration = await createIntegration('bench');
  // Raw signal-with-starts go to a twin integration, set up the same way, so both paths' workflows do the same
  // work in the worker (an unknown integration's workflows would stop at its first activity) and only the
  // ingress's own cost differs; a twin, not the same one, so neither path's phase signals the other's workflows.
  const rawIntegrationId = (await createIntegration('bench, raw')).id;
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), dataConverter: benchDataConverter(stack) });

  // Both paths spread events over the same number of candidate workflows; opportunity ids are UUIDs, as Lever's are (the ingress takes no other).
  const opportunityOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const ingress = (apiBase: string, round: number) => (i: number) => {
    const triggeredAt = Date.now();
    const token = randomBytes(24).toString('hex');
    const body = {
      event: 'candidateStageChange',
      triggeredAt,
      token,
      signature: createHmac('sha256', signingToken).update(token + triggeredAt).digest('hex'),
      data: { opportunityId: opportunityOf(i % candidates), fromStageId: null, toStageId: `stage-${round}-${i}` },
    };
    return fetch(`${apiBase}/webhooks/lever/${integration.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`status ${r.status}`);
    });
  };
  const raw = (round: number) => (i: number) =>
    signalLeverEvent(
      client,
      'lever-codesignal',
      { integrationId: rawIntegrationId, opportunityId: opportunityOf(i % candidates) },
      { kind: 'stageChange', key: `raw-${round}-${i}`, triggeredAt: Date.now(), fromStageId: null, toStageId: `stage-${round}-${i}` },
    ).then(() => undefined);

  const settle = () => new Promise((r) => setTimeout(r, 3000));
  await drive('warm-up', 200, ingress(base, -1));
  await drive('warm-up', 200, ingress(observed.baseUrl, -2));
  await drive('warm-up', 200, raw(-1));
  // CPU seconds each process spent in each path's phases: where the ingress's extra work goes
  const servers = serverPids(stack.dataDir);
  const processes: Array<[string, () => number]> = [
    ['Temporal server', () => cpuSecondsOf(servers.find((p) => p.name === 'Temporal server')!.pid)],
    ['PostgreSQL', () => treeCpuSecondsOf(servers.find((p) => p.name === 'PostgreSQL')!.pid)],
    ['worker', () => cpuSecondsOf(stack.worker.pid!)],
    ['API', () => cpuSecondsOf(unobserved.process.pid!)],
    ['API, observed', () => cpuSecondsOf(observed.process.pid!)],
    ['load generator', () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }],
  ];
  const cpu = new Map<string, number[]>();
  const measured = async (name: string, run: () => Promise<Result>): Promise<Result> => {
    const before = processes.map(([, f]) => f());
    const result = await run();
    // the workflow tasks the phase left behind are its work too: counted until the settle pause ends
    await settle();
    const spent = processes.map(([, f], i) => f() - before[i]!);
    const sums = cpu.get(name) ?? processes.map(() => 0);
    cpu.set(name, sums.map((x, i) => x + spent[i]!));
    return result;
  };
  const ingressResults: Result[] = [];
  const observedResults: Result[] = [];
  const rawResults: Result[] = [];
  // Each round in another order, with a pause for the worker to work off the previous phase's workflow
  // tasks, so no path is measured while another's backlog still loads the server.
  for (let round = 0; round < rounds; round++) {
    const phases = [
      async () => rawResults.push(await measured('raw', () => drive('raw', requests, raw(round)))),
      async () => ingressResults.push(await measured('ingress', () => drive('ingress', requests, ingress(base, round)))),
      async () => observedResults.push(await measured('ingress, observed', () => drive('ingress, observed', requests, ingress(observed.baseUrl, round + rounds)))),
    ];
    for (const phase of orders[round % orders.length]!) {
      await phases[phase]!();
    }
  }
  clearInterval(scraper);
  const a = summarize(ingressResults);
  const b = summarize(rawResults);
  const o = summarize(observedResults);
  const fmt = (s: ReturnType<typeof summarize>) =>
    `${s.throughput.toFixed(0).padStart(6)} req/s   p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms   failures ${s.failures}`;
  const ratio = (x: ReturnType<typeof summarize>, y: ReturnType<typeof summarize>) =>
    `throughput ${(x.throughput / y.throughput).toFixed(2)}×   p50 ${(x.p50 / y.p50).toFixed(2)}×   p99 ${(x.p99 / y.p99).toFixed(2)}×`;
  console.log(`\nwebhook ingress vs raw signal-with-start — ${rounds}×${requests} requests each, concurrency ${concurrency}, ${candidates} candidates`);
  console.log(`  raw Temporal client                    ${fmt(b)}`);
  console.log(`  HTTP webhook ingress                   ${fmt(a)}`);
  console.log(`  HTTP webhook ingress, metrics+tracing  ${fmt(o)}   (${scrapes} scrapes, ${(collector.received() / 1e6).toFixed(1)} MB of spans exported)`);
  console.log(`  ratio ingress/raw                      ${ratio(a, b)}   (target throughput ≥ 0.95×)`);
  console.log(`  ratio observed/unobserved ingress      ${ratio(o, a)}   (target throughput ≥ 0.97×)`);

  console.log(`\nCPU seconds per 1,000 requests (the phase and the 3 s after it, while the worker works off its tasks)`);
  console.log(`  ${'path'.padEnd(20)}${processes.map(([n]) => n.padStart(16)).join('')}${'total'.padStart(10)}`);
  for (const [name, sums] of cpu) {
    const per = sums.map((x) => (x * 1000) / (rounds * requests));
    console.log(`  ${name.padEnd(20)}${per.map((x) => x.toFixed(2).padStart(16)).join('')}${per.reduce((t, x) => t + x, 0).toFixed(2).padStart(10)}`);
  }

  await client.connection.close();
  await stack.stop();
  // after the observed API has flushed its last spans on the way out
  collector.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
