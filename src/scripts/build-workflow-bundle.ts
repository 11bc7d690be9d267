import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../worker';

/** Production workers load this prebuilt bundle instead of bundling workflows at start; it carries the failure converter. */
async function main(): Promise<void> {
  const code = await bundleWorkflows();
  const out = path.resolve(__dirname, '..', 'workflow-bundle.js');
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
