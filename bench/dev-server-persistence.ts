/**
 * What the Temporal dev server's SQLite journal costs (dev/temporal-dev-server.ts): the same workload on a
 * dev server with SQLite's default journal (`rollback`: a journal file created, synced and deleted on every
 * commit) and with the project's write-ahead log (`wal`, `synchronous=normal`), in one run on this machine.
 * The workload: `--workflows` workflows of four activities each (bench/support/persistence-workflow.ts), started
 * `--concurrency` at a time, on one worker with a cache smaller than the workflows (as the service's worker).
 * It prints workflows per second, the server's CPU and the ratio of the two.
 *
 *   npm run bench:persistence -- [--workflows 1500] [--concurrency 50] [--journals rollback,wal]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { findTemporalBinary } from '../dev/temporal-binaries';
import { startDevServer, type SqliteJournal } from '../dev/temporal-dev-server';
import { createLogger } from '../src/log';
import { onFreePorts } from '../test/support/free-port';
import { cpuSecondsOf, forEachConcurrently, seconds, serverPids } from './support/measure';

const { values } = parseArgs({
  options: {
    workflows: { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '50' },
    journals: { type: 'string', default: 'rollback,wal' },
  },
});
const workflows = Number(values.workflows);
const concurrency = Number(values.concurrency);
const journals = values.journals.split(',').map((j) => {
  if (j !== 'wal' && j !== 'rollback') throw new Error(`--journals takes wal and rollback, not ${j}`);
  return j as SqliteJournal;
});

interface Result {
  journal: SqliteJournal;
  seconds: number;
  perSecond: number;
  serverCores: number;
}

async function measure(journal: SqliteJournal): Promise<Result> {
  const logger = createLogger('warn', 'bench');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-bench-persistence-'));
  const binary = findTemporalBinary('temporal', undefined, process.env.PATH ?? '');
  const server = await onFreePorts(2, ([port, uiPort]) => startDevServer({ binary, dataDir, port, uiPort, namespace: 'default', verbose: false, logger, sqliteJournal: journal }));
  const stopped = () => server.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
  // Ctrl-C stops the server before the benchmark exits
  const interrupted = () => void stopped().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    const taskQueue = `persistence-${journal}`;
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: require.resolve('./support/persistence-workflow'),
      activities: { step: async (n: number) => n + 1 },
      maxCachedWorkflows: 100,
    });
    const running = worker.run();
    const pid = serverPids(dataDir).find((p) => p.name === 'Temporal server')!.pid;
    const cpuBefore = cpuSecondsOf(pid);
    const started = Date.now();
    const handles: Array<Promise<unknown>> = [];
    const result = await forEachConcurrently(Array.from({ length: workflows }, (_, i) => i), concurrency, async (i) => {
      const handle = await client.workflow.start('fourSteps', { taskQueue, workflowId: `persistence-${i}`, args: [i] });
      handles.push(handle.result());
    });
    if (result.failures) throw new Error(`${result.failures} starts failed: ${String(result.firstError)}`);
    await Promise.all(handles);
    const ms = Date.now() - started;
    const serverCores = (cpuSecondsOf(pid) - cpuBefore) / (ms / 1000);
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
    return { journal, seconds: ms / 1000, perSecond: workflows / (ms / 1000), serverCores };
  } finally {
    process.off('SIGINT', interrupted);
    await stopped();
  }
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const results: Result[] = [];
  for (const journal of journals) {
    results.push(await measure(journal));
    const r = results.at(-1)!;
    process.stderr.write(`bench: ${journal}: ${workflows} workflows in ${seconds(r.seconds * 1000)}\n`);
  }
  console.log(`\nTemporal dev server, ${workflows} workflows of 4 activities each (${concurrency} started at a time), one worker (cache 100)`);
  for (const r of results) {
    console.log(`  ${r.journal.padEnd(8)} ${r.perSecond.toFixed(1).padStart(6)} workflows/s   ${seconds(r.seconds * 1000).padStart(8)}   server ${r.serverCores.toFixed(2)} cores`);
  }
  const [rollback, wal] = [results.find((r) => r.journal === 'rollback'), results.find((r) => r.journal === 'wal')];
  if (rollback && wal) console.log(`  wal ÷ rollback: ${(wal.perSecond / rollback.perSecond).toFixed(2)}× the workflows per second`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
