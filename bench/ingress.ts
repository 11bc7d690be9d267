/**
 * Webhook ingress throughput and latency, side by side with raw Temporal signal-with-start against the
 * same server in the same run. Starts the stack in its production shape (Temporal dev server, embedded
 * PostgreSQL, API and worker as separate processes), then drives both paths at a fixed concurrency,
 * alternating rounds.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 32] [--rounds 2]
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { signalLeverEvent } from '../src/temporal/candidate-client';
import { dataConverterFor } from '../src/temporal/payload-codec';
import { percentile } from './support/measure';
import { startBenchStack } from './support/stack';

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

async function main() {
  // Production topology: Temporal and PostgreSQL as servers, the API and the worker each in its own process.
  const stack = await startBenchStack();
  const { adminToken } = stack;

  const base = stack.baseUrl;
  const signingToken = randomBytes(24).toString('hex');
  const created = await fetch(`${base}/api/integrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: 'bench', lever: { apiKey: 'k', webhookSigningTokens: [signingToken] }, codesignal: { apiKey: 'c' } }),
  });
  const integration = (await created.json()) as { id: string };
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), dataConverter: dataConverterFor({ ENCRYPTION_KEY: stack.encryptionKey }) });
  const rawIntegrationId = randomUUID();

  // Both paths spread events over the same number of candidate workflows; opportunity ids are UUIDs, as Lever's are (the ingress takes no other).
  const opportunityOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const ingress = (round: number) => (i: number) => {
    const triggeredAt = Date.now();
    const token = randomBytes(24).toString('hex');
    const body = {
      event: 'candidateStageChange',
      triggeredAt,
      token,
      signature: createHmac('sha256', signingToken).update(token + triggeredAt).digest('hex'),
      data: { opportunityId: opportunityOf(i % candidates), fromStageId: null, toStageId: `stage-${round}-${i}` },
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
      { integrationId: rawIntegrationId, opportunityId: opportunityOf(i % candidates) },
      { kind: 'stageChange', key: `raw-${round}-${i}`, triggeredAt: Date.now(), fromStageId: null, toStageId: `stage-${round}-${i}` },
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
  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
