import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows, workflowBundleFile } from '../worker';
import { buildIdFile, buildIdFromSource } from '../worker-versioning';

/** Production workers load this prebuilt bundle instead of bundling workflows at start; it carries the failure converter. */
async function main(): Promise<void> {
  // the worker loads the one for its tracing setting (OTEL_EXPORTER_OTLP_ENDPOINT)
  for (const tracing of [false, true]) {
    const code = await bundleWorkflows({ tracing });
    const out = path.resolve(__dirname, '..', workflowBundleFile({ tracing }));
    writeFileSync(out, code);
    console.log(`workflow bundle${tracing ? ' (traced)' : ''} written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
  }
  // the worker's version in its Worker Deployment (WORKER_BUILD_ID overrides it)
  const buildId = buildIdFromSource(path.resolve(__dirname, '..', '..'));
  writeFileSync(buildIdFile, buildId);
  console.log(`build id ${buildId} written to ${buildIdFile}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
