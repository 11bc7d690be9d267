import path from 'node:path';
import { createCodeSignalSandbox, seedCodeSignalDemo, type CodeSignalDemoSeed, type CodeSignalSandbox, type CodeSignalSandboxOptions } from './codesignal/index';
import type { SandboxStoreSnapshot } from './codesignal/state';
import type { WebhookEventName } from './codesignal/events';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type LeverSandboxOptions } from './lever/index';
import type { LeverStoreSnapshot } from './lever/state';
import { saveEvery, StateFile } from './persistence';

export interface RunningSandboxes {
  leverSandbox: LeverSandbox;
  codesignalSandbox: CodeSignalSandbox;
  lever: { url: string; apiUrl: string; seed: LeverDemoSeed; createWebhook(url: string, event: 'candidateStageChange' | 'candidateHired' | 'candidateArchiveChange' | 'interviewCreated' | 'interviewUpdated' | 'interviewDeleted' | 'candidateDeleted'): string };
  codesignal: {
    url: string;
    graphqlUrl: string;
    seed: CodeSignalDemoSeed;
    setWebhook(url: string, secret: string): Promise<void>;
    /** Where the service's sourcing status feed reaches the demo company (the sandbox's feed receiver). */
    sourcingFeedUrl: string;
    /** Points the demo company's sourcing side (import clicks, status reports) at the service. */
    connectSourcing(connection: { serviceBaseUrl: string; token: string; feedSecret: string }): void;
  };
  /** The files the state is kept in, and whether this start restored it from them (undefined: in memory only). */
  persisted?: { files: string[]; restored: boolean };
  close(): Promise<void>;
}

/** Fixed demo keys, so an integration stored in the database keeps working across restarts of the sandboxes. */
export const demoKeys = { lever: 'demo-lever-api-key', codesignal: 'demo-codesignal-api-key' } as const;

interface SavedLever {
  seed: LeverDemoSeed;
  store: LeverStoreSnapshot;
}

interface SavedCodeSignal {
  seed: CodeSignalDemoSeed;
  store: SandboxStoreSnapshot;
  /** Webhook endpoints live in the dispatcher, not the store; restored through the control API. */
  webhookEndpoints: Array<{ companyId: string; url: string; secret: string | null; events: WebhookEventName[] | null; headers: Record<string, string> }>;
}

export interface SandboxPersistenceOptions {
  /** The data directory: the state is kept in sandbox-lever.json and sandbox-codesignal.json there. */
  dataDir: string;
  /** How often a changed state is written (and always at close). Default 2 s. */
  intervalMs?: number;
  onSaveError?: (err: Error) => void;
}

/**
 * Both sandboxes on their ports, each with one seeded demo account whose users share e-mail addresses.
 * With `persist`, the state is restored from the data directory when it is there (instead of seeding)
 * and written back while they run and at close, so a restart keeps every record the service refers to.
 */
export async function startSandboxes(opts: {
  leverPort: number;
  codesignalPort: number;
  quiet?: boolean;
  lever?: LeverSandboxOptions;
  codesignal?: CodeSignalSandboxOptions;
  persist?: SandboxPersistenceOptions;
}): Promise<RunningSandboxes> {
  const files = opts.persist && {
    lever: new StateFile<SavedLever>(path.join(opts.persist.dataDir, 'sandbox-lever.json')),
    codesignal: new StateFile<SavedCodeSignal>(path.join(opts.persist.dataDir, 'sandbox-codesignal.json')),
  };
  const savedLever = files?.lever.read();
  const savedCodeSignal = files?.codesignal.read();

  const leverSandbox = createLeverSandbox({ ...(opts.quiet ? { logger: false } : {}), ...opts.lever });
  if (savedLever) leverSandbox.store.restore(savedLever.store);
  const leverSeed = savedLever?.seed ?? seedLeverDemo(leverSandbox, { apiKey: demoKeys.lever, permissions: 'all' });
  const leverRunning = await leverSandbox.listen(opts.leverPort);

  const codesignalSandbox = createCodeSignalSandbox({ ...(opts.quiet ? { logger: false } : {}), ...opts.codesignal });
  const codesignalRunning = await codesignalSandbox.listen(opts.codesignalPort).catch(async (err: unknown) => {
    await leverRunning.close();
    throw err;
  });
  const { control } = codesignalSandbox;
  if (savedCodeSignal) {
    codesignalSandbox.runtime.store.restore(savedCodeSignal.store);
    for (const { companyId, ...endpoint } of savedCodeSignal.webhookEndpoints) await control.addWebhookEndpoint(companyId, endpoint);
  }
  const codesignalSeed =
    savedCodeSignal?.seed ??
    (await seedCodeSignalDemo(codesignalSandbox, { apiKey: demoKeys.codesignal, users: leverSeed.users.map((u) => ({ name: u.name, email: u.email })) }));

  const save = () => {
    if (!files) return;
    files.lever.write({ seed: leverSeed, store: leverSandbox.store.snapshot() });
    const store = codesignalSandbox.runtime.store.snapshot();
    const webhookEndpoints = store.companies.flatMap((c) =>
      control.webhookEndpoints(c.id).map(({ companyId, url, secret, events, headers }) => ({ companyId, url, secret, events, headers })),
    );
    files.codesignal.write({ seed: codesignalSeed, store, webhookEndpoints });
  };
  const onSaveError = opts.persist?.onSaveError ?? ((err: Error) => console.error(`sandbox state not saved: ${err.message}`));
  save();
  const saving = files ? saveEvery(opts.persist?.intervalMs ?? 2_000, save, onSaveError) : undefined;

  return {
    leverSandbox,
    codesignalSandbox,
    lever: {
      url: leverRunning.url,
      apiUrl: leverRunning.apiUrl,
      seed: leverSeed,
      // A restored account still has the subscriptions of the last start: the same URL and event keep theirs (and its token).
      createWebhook: (url, event) => {
        const existing = [...leverSandbox.store.account(leverSeed.accountId).webhooks.values()].find((w) => w.url === url && w.event === event);
        return (existing ?? leverSandbox.admin.createWebhook(leverSeed.accountId, { url, event })).signatureToken;
      },
    },
    codesignal: {
      url: codesignalRunning.url,
      graphqlUrl: `${codesignalRunning.url}/graphql`,
      seed: codesignalSeed,
      // One endpoint per URL: the one a restored company still has for it is replaced (its secret is new).
      setWebhook: async (url, secret) => {
        for (const endpoint of control.webhookEndpoints(codesignalSeed.companyId)) {
          if (endpoint.url === url) control.removeWebhookEndpoint(codesignalSeed.companyId, endpoint.id);
        }
        await control.addWebhookEndpoint(codesignalSeed.companyId, { url, secret, events: null });
      },
      sourcingFeedUrl: `${codesignalRunning.url}/sourcing-feed/${encodeURIComponent(codesignalSeed.companyId)}`,
      connectSourcing: (connection) => void control.setSourcingConnection(codesignalSeed.companyId, connection),
    },
    ...(files ? { persisted: { files: [files.lever.file, files.codesignal.file], restored: Boolean(savedLever ?? savedCodeSignal) } } : {}),
    close: async () => {
      saving?.stop();
      // before stopping: stopping CodeSignal's webhook dispatcher forgets its endpoints
      try {
        save();
      } catch (err) {
        onSaveError(err instanceof Error ? err : new Error(String(err)));
      }
      codesignalSandbox.stop();
      await Promise.all([leverRunning.close(), codesignalRunning.close()]);
    },
  };
}
