import { createCodeSignalSandbox, seedCodeSignalDemo, type CodeSignalSandbox, type CodeSignalSandboxOptions } from './codesignal/index';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type LeverSandboxOptions } from './lever/index';

export interface RunningSandboxes {
  leverSandbox: LeverSandbox;
  codesignalSandbox: CodeSignalSandbox;
  lever: { url: string; apiUrl: string; seed: LeverDemoSeed; createWebhook(url: string, event: 'candidateStageChange' | 'candidateHired' | 'candidateArchiveChange' | 'interviewCreated' | 'interviewUpdated' | 'interviewDeleted'): string };
  codesignal: {
    url: string;
    graphqlUrl: string;
    seed: Awaited<ReturnType<typeof seedCodeSignalDemo>>;
    setWebhook(url: string, secret: string): Promise<void>;
    /** Where the service's sourcing status feed reaches the demo company (the sandbox's feed receiver). */
    sourcingFeedUrl: string;
    /** Points the demo company's sourcing side (import clicks, status reports) at the service. */
    connectSourcing(connection: { serviceBaseUrl: string; token: string; feedSecret: string }): void;
  };
  close(): Promise<void>;
}

/** Fixed demo keys, so an integration stored in the database keeps working across restarts of the in-memory sandboxes. */
export const demoKeys = { lever: 'demo-lever-api-key', codesignal: 'demo-codesignal-api-key' } as const;

/** Both sandboxes on their ports, each with one seeded demo account whose users share e-mail addresses. */
export async function startSandboxes(opts: {
  leverPort: number;
  codesignalPort: number;
  quiet?: boolean;
  lever?: LeverSandboxOptions;
  codesignal?: CodeSignalSandboxOptions;
}): Promise<RunningSandboxes> {
  const leverSandbox = createLeverSandbox({ ...(opts.quiet ? { logger: false } : {}), ...opts.lever });
  const leverSeed = seedLeverDemo(leverSandbox, { apiKey: demoKeys.lever, permissions: 'all' });
  const leverRunning = await leverSandbox.listen(opts.leverPort);

  const codesignalSandbox = createCodeSignalSandbox({ ...(opts.quiet ? { logger: false } : {}), ...opts.codesignal });
  const codesignalRunning = await codesignalSandbox.listen(opts.codesignalPort);
  const codesignalSeed = await seedCodeSignalDemo(codesignalSandbox, {
    apiKey: demoKeys.codesignal,
    users: leverSeed.users.map((u) => ({ name: u.name, email: u.email })),
  });

  return {
    leverSandbox,
    codesignalSandbox,
    lever: {
      url: leverRunning.url,
      apiUrl: leverRunning.apiUrl,
      seed: leverSeed,
      createWebhook: (url, event) => leverSandbox.admin.createWebhook(leverSeed.accountId, { url, event }).signatureToken,
    },
    codesignal: {
      url: codesignalRunning.url,
      graphqlUrl: `${codesignalRunning.url}/graphql`,
      seed: codesignalSeed,
      setWebhook: async (url, secret) => {
        await codesignalSandbox.control.addWebhookEndpoint(codesignalSeed.companyId, { url, secret, events: null });
      },
      sourcingFeedUrl: `${codesignalRunning.url}/sourcing-feed/${encodeURIComponent(codesignalSeed.companyId)}`,
      connectSourcing: (connection) => void codesignalSandbox.control.setSourcingConnection(codesignalSeed.companyId, connection),
    },
    close: async () => {
      codesignalSandbox.stop();
      await Promise.all([leverRunning.close(), codesignalRunning.close()]);
    },
  };
}
