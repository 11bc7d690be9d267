export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__testServers;
  await servers?.temporal.teardown();
  await servers?.postgres?.stop();
}
