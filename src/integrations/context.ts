import { ApplicationFailure } from '@temporalio/activity';
import type { CodeSignalClient } from '../codesignal/client';
import type { SecretBox } from '../crypto/secret-box';
import { cachedIntegrationLookup } from './repository';
import type { Db } from '../db/pool';
import type { LeverClient } from '../lever/client';
import { createIntegrationClients, type IntegrationClientsOptions } from './clients';
import { parseStoredSettings, type IntegrationSettings } from './settings';

export interface IntegrationContext {
  db: Db;
  lever: LeverClient;
  codesignal: CodeSignalClient;
  settings: IntegrationSettings;
  /** Where the status feed goes (docs/sync.md); null when the integration has none configured. */
  sourcingFeed: { url: string; secret: string } | null;
  /** The Lever user every write is attributed to; a missing one stops the flow with a clear failure. */
  performAs(): string;
}

export interface IntegrationContexts {
  /** `fresh`: not from the few-seconds cache (settings a workflow decides on must be the ones just saved). */
  get(integrationId: string, opts?: { fresh?: boolean }): Promise<IntegrationContext>;
}

export interface IntegrationContextOptions extends IntegrationClientsOptions {
  /** Opens the stored API keys. */
  box: SecretBox;
  /** How long an integration read from PostgreSQL is reused (INTEGRATION_CACHE_MS). Default 5 s. */
  cacheMs?: number;
}

/** Builds the API clients of an integration from its stored keys, for activities. */
export function createIntegrationContexts(opts: IntegrationContextOptions): IntegrationContexts {
  const find = cachedIntegrationLookup(opts.db, opts.box, opts.cacheMs ?? 5_000);
  const clients = createIntegrationClients(opts);
  return {
    async get(integrationId, read) {
      const integration = await find(integrationId, read);
      if (!integration) throw ApplicationFailure.nonRetryable(`integration ${integrationId} does not exist`, 'UnknownIntegration');
      const settings = parseStoredSettings(integration.settings);
      return {
        db: opts.db,
        settings,
        sourcingFeed: integration.sourcingFeedUrl && integration.sourcingFeedSecret ? { url: integration.sourcingFeedUrl, secret: integration.sourcingFeedSecret } : null,
        lever: clients.lever(integration),
        codesignal: clients.codesignal(integration),
        performAs: () => {
          const user = settings.defaultLeverUserId;
          if (!user) throw ApplicationFailure.nonRetryable('no default Lever user is configured for this integration', 'NoDefaultLeverUser');
          return user;
        },
      };
    },
  };
}
