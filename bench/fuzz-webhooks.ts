/**
 * Sends a few thousand generated deliveries to both webhook endpoints of a running stack (production
 * shape: Temporal dev server, embedded PostgreSQL, API and worker as separate processes) and prints the
 * status counts, the 5xx count and the workflows the hostile deliveries started — which must be 0.
 * Not a test: its figures go to docs/benchmarks.md.
 *
 *   npm run bench:fuzz -- [--deliveries 3000] [--concurrency 16] [--seed 42]
 *
 * Classes of delivery (fast-check generates the values, seeded, so a run can be repeated):
 *  - honest: signed Lever deliveries for `honest` opportunities (the only ones allowed to start workflows);
 *  - re-aimed: an honest delivery's token, time and signature on a body naming a `victim` opportunity;
 *  - replayed: an honest delivery sent again as is (a duplicate: no second effect);
 *  - forged: Lever-shaped bodies for victims with a wrong, missing or stale signature;
 *  - junk: any JSON value, random text, wrong content types, lying Content-Encoding, malformed paths;
 *  - CodeSignal: any JSON value, event-shaped bodies with wrong or missing signatures, non-JSON bodies.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { codesignalSignature } from '../src/codesignal/webhook-signature';
import { leverSignature } from '../src/lever/webhook-signature';
import { startBenchStack, benchDataConverter } from './support/stack';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string', default: '42' },
  },
});
const total = Number(values.deliveries);
const concurrency = Number(values.concurrency);
const seed = Number(values.seed);

type Kind = 'honest' | 'replayed' | 're-aimed' | 'forged' | 'junk' | 'codesignal';

interface Delivery {
  kind: Kind;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

const sample = <T>(arb: fc.Arbitrary<T>, n: number, offset: number): T[] => fc.sample(arb, { numRuns: n, seed: seed + offset });

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const signingToken = randomBytes(24).toString('hex');
    const codesignalSecret = randomBytes(24).toString('hex');
    const created = await fetch(`${stack.baseUrl}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminToken}` },
      body: JSON.stringify({ name: 'fuzz', lever: { apiKey: 'k', webhookSigningTokens: [signingToken] }, codesignal: { apiKey: 'c', webhookSecret: codesignalSecret } }),
    });
    if (created.status !== 201) throw new Error(`creating the integration answered ${created.status}: ${await created.text()}`);
    const integration = (await created.json()) as { id: string; webhooks: { lever: string; codesignal: string } };
    const leverPath = `/webhooks/lever/${integration.id}`;
    const codesignalPath = `/webhooks/codesignal/${integration.id}`;
    const json = { 'content-type': 'application/json' };
    // Opportunity ids are lower-case UUIDs, as Lever's are (the ingress refuses any other shape); the first group tells honest from victim.
    const opportunity = (kind: 'honest' | 'victim', n: number) => `${kind === 'honest' ? '00000000' : 'ffffffff'}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    // honest deliveries start candidate workflows under the integration id as written, never another spelling of it
    const honestWorkflow = new RegExp(`^candidate/${integration.id}/00000000-0000-4000-8000-[0-9a-f]{12}$`);

    const honest = (n: number) => {
      const token = randomBytes(16).toString('hex');
      const triggeredAt = Date.now();
      return { event: 'candidateStageChange', triggeredAt, token, signature: leverSignature(signingToken, token, triggeredAt), data: { opportunityId: opportunity('honest', n), fromStageId: 'lead-new', toStageId: 'stage-trigger' } };
    };
    const share = Math.floor(total / 8);
    const deliveries: Delivery[] = [];
    const honestBodies = Array.from({ length: share }, (_, n) => honest(n));
    for (const body of honestBodies) deliveries.push({ kind: 'honest', path: leverPath, headers: json, body: JSON.stringify(body) });
    // sent after every honest one (below), so the token is already known
    const later: Delivery[] = [];
    honestBodies.forEach((body, n) => {
      later.push({ kind: 'replayed', path: leverPath, headers: json, body: JSON.stringify(body) });
      const reAimed = { ...body, data: { ...body.data, opportunityId: opportunity('victim', n) } };
      later.push({ kind: 're-aimed', path: leverPath, headers: json, body: JSON.stringify(reAimed) });
      const otherEvent = { ...body, event: 'candidateArchiveChange', data: { opportunityId: opportunity('victim', n), toArchived: { archivedAt: Date.now(), reason: 'x' } } };
      later.push({ kind: 're-aimed', path: leverPath, headers: json, body: JSON.stringify(otherEvent) });
    });

    const forged = fc.record({
      event: fc.constantFrom('candidateStageChange', 'candidateArchiveChange', 'candidateHired', 'applicationCreated', 'interviewCreated'),
      token: fc.string({ maxLength: 40 }),
      triggeredAt: fc.oneof(fc.integer(), fc.constant(Date.now()), fc.constant(Date.now() - 3 * 86_400_000)),
      signature: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.constant(''), fc.string()),
      n: fc.nat(1_000),
    });
    for (const f of sample(forged, share, 1)) {
      const signature = f.n % 5 === 0 ? leverSignature(signingToken, f.token, Date.now() - 3 * 86_400_000) : f.signature; // stale but correctly signed
      const triggeredAt = f.n % 5 === 0 ? Date.now() - 3 * 86_400_000 : f.triggeredAt;
      deliveries.push({ kind: 'forged', path: leverPath, headers: json, body: JSON.stringify({ event: f.event, token: f.token, triggeredAt, signature, data: { opportunityId: opportunity('victim', f.n), toStageId: 'stage-trigger' } }) });
    }
    for (const v of sample(fc.jsonValue(), share, 2)) deliveries.push({ kind: 'junk', path: leverPath, headers: json, body: JSON.stringify(v) });
    for (const s of sample(fc.string({ maxLength: 200 }), Math.floor(share / 2), 3)) {
      const variants: Array<Record<string, string>> = [{ 'content-type': 'text/plain' }, json, { 'content-type': 'application/x-www-form-urlencoded' }, { ...json, 'content-encoding': 'gzip' }];
      deliveries.push({ kind: 'junk', path: leverPath, headers: variants[s.length % variants.length]!, body: s });
    }
    for (const p of ['/webhooks/lever/%E0%A4%A', `/webhooks/lever/${integration.id.toUpperCase()}`, '/webhooks/lever/..%2F..%2Fapi', `/webhooks/codesignal/%ZZ`]) {
      for (let i = 0; i < 20; i++) deliveries.push({ kind: 'junk', path: p, headers: json, body: JSON.stringify(honest(100_000 + i)) });
    }

    const csEvent = fc.record({
      event: fc.constantFrom('companyTestSessionFinished', 'companyTestSessionStarted', 'preScreenResultVerified', 'liveInterviewFinished', 'sourcingCandidateImportRequested', 'sourcingCandidateStatusChanged'),
      triggeredOn: fc.oneof(fc.integer(), fc.constant(Date.now())),
      payload: fc.record({ testSessionId: fc.string(), externalId: fc.string(), interviewId: fc.string(), candidateId: fc.string() }, { requiredKeys: [] }),
      signed: fc.constantFrom('none', 'wrong', 'other-url'),
    });
    for (const e of sample(csEvent, share, 4)) {
      const headers: Record<string, string> = { ...json };
      if (e.signed === 'wrong') headers['x-codesignal-signature'] = createHmac('sha256', 'not-the-secret').update(e.event).digest('hex');
      if (e.signed === 'other-url') headers['x-codesignal-signature'] = codesignalSignature(codesignalSecret, 'https://elsewhere.example/hook', e.event, e.triggeredOn);
      deliveries.push({ kind: 'codesignal', path: codesignalPath, headers, body: JSON.stringify({ event: e.event, triggeredOn: e.triggeredOn, payload: e.payload }) });
    }
    for (const v of sample(fc.jsonValue(), share, 5)) deliveries.push({ kind: 'codesignal', path: codesignalPath, headers: json, body: JSON.stringify(v) });
    for (const s of sample(fc.string({ maxLength: 100 }), Math.floor(share / 2), 6)) {
      deliveries.push({ kind: 'codesignal', path: codesignalPath, headers: { 'content-type': s.length % 2 ? 'text/plain' : 'application/x-www-form-urlencoded' }, body: s || 'a=1' });
    }

    const counts = new Map<string, number>();
    let fiveHundreds = 0;
    let failures = 0;
    const send = async (d: Delivery) => {
      try {
        const res = await fetch(`${stack.baseUrl}${d.path}`, { method: 'POST', headers: d.headers, body: d.body });
        await res.arrayBuffer();
        const key = `${d.kind} ${res.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (res.status >= 500) fiveHundreds++;
      } catch {
        failures++;
      }
    };
    const drive = async (list: Delivery[]) => {
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < list.length; i = next++) await send(list[i]!);
      }));
    };
    const started = performance.now();
    await drive(deliveries);
    await drive(later);
    const seconds = (performance.now() - started) / 1000;

    // Visibility is eventually consistent: give it a moment, then list what exists for this integration.
    await new Promise((r) => setTimeout(r, 5_000));
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }), dataConverter: benchDataConverter(stack) });
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `IntegrationId = "${integration.id}"` })) ids.push(wf.workflowId);
    for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "import/${integration.id}"` })) ids.push(wf.workflowId);
    await client.connection.close();
    const honestStarted = ids.filter((id) => honestWorkflow.test(id)).length;
    const hostileStarted = ids.filter((id) => !honestWorkflow.test(id));

    const sent = deliveries.length + later.length;
    console.log(`\nwebhook fuzz — ${sent} deliveries (seed ${seed}), concurrency ${concurrency}, ${seconds.toFixed(1)} s`);
    for (const [key, n] of [...counts.entries()].sort()) console.log(`  ${key.padEnd(18)} ${String(n).padStart(6)}`);
    console.log(`  5xx answers            ${fiveHundreds}`);
    console.log(`  requests that failed   ${failures}`);
    console.log(`  workflows started by honest deliveries   ${honestStarted} (of ${share} honest opportunities)`);
    console.log(`  workflows started by hostile deliveries  ${hostileStarted.length}${hostileStarted.length ? `: ${hostileStarted.slice(0, 5).join(', ')}` : ''}   (target 0)`);
    if (fiveHundreds > 0 || hostileStarted.length > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
