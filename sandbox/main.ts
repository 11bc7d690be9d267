import { loadConfig } from '../src/config';
import { startSandboxes } from './start';

/** `npm run sandbox`: both simulators on their ports with seeded demo accounts, in memory only (`npm start` keeps theirs in its data directory). */
async function main(): Promise<void> {
  const config = loadConfig();
  const sandboxes = await startSandboxes({ leverPort: config.SANDBOX_LEVER_PORT, codesignalPort: config.SANDBOX_CODESIGNAL_PORT });
  const { lever, codesignal } = sandboxes;
  console.log(
    [
      '',
      'Sandboxes are running (in memory: a restart seeds new demo accounts)',
      `  Lever       ${lever.apiUrl}   API key ${lever.seed.apiKey}   control ${lever.url}/_sandbox`,
      `  CodeSignal  ${codesignal.graphqlUrl}   API key ${codesignal.seed.apiKey}   control ${codesignal.url}/_sandbox`,
      `  Lever default user (perform_as): ${lever.seed.defaultUserId}`,
      `  Lever stages: ${lever.seed.stages.map((s) => `${s.text} = ${s.id}`).join(', ')}`,
      `  CodeSignal tests: ${codesignal.seed.tests.map((t) => `${t.title} = ${t.id}`).join(', ')}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sandboxes.close().then(() => process.exit(0)));
}

// A wrong setting is one line, not a stack trace.
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
