// Loaded into the benchmarked worker with NODE_OPTIONS=--require (bench/waiting-memory.ts): Node runs it in
// every thread of the process, the Temporal SDK's workflow thread included. Each thread writes its V8 heap
// figures every second to `${LCS_MEMORY_PROBE}-<threadId>.json`, so the benchmark can split the worker's RSS
// into the main thread's heap, the workflow thread's heap, external memory and the rest (native: the SDK's
// Rust core, code, stacks, allocator). With a file `${LCS_MEMORY_PROBE}.snapshot` present, each thread writes a
// heap snapshot once (`${LCS_MEMORY_PROBE}-<threadId>.heapsnapshot`). Plain JS: the built worker runs without ts-node.
'use strict';
const prefix = process.env.LCS_MEMORY_PROBE;
if (prefix) {
  const { existsSync, writeFileSync, renameSync } = require('node:fs');
  const v8 = require('node:v8');
  const { threadId } = require('node:worker_threads');
  const file = `${prefix}-${threadId}.json`;
  let snapshotWritten = false;
  setInterval(() => {
    const h = v8.getHeapStatistics();
    const m = process.memoryUsage();
    const figures = { threadId, at: Date.now(), rss: m.rss, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size, external: h.external_memory, malloced: h.malloced_memory, arrayBuffers: m.arrayBuffers, spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.space_size])) };
    writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    renameSync(`${file}.tmp`, file);
    if (!snapshotWritten && existsSync(`${prefix}.snapshot`)) {
      snapshotWritten = true;
      v8.writeHeapSnapshot(`${prefix}-${threadId}.heapsnapshot`);
    }
  }, 1_000).unref();
}
