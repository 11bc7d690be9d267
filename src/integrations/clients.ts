import { createCodeSignalClient, type CodeSignalClient } from '../codesignal/client';
import type { Db } from '../db/pool';
import { createLeverClient, type LeverClient } from '../lever/client';
import { createLeverPacer, createLeverRateLimiter } from '../lever/rate-limiter';
import type { Integration } from './repository';

export interface IntegrationClientsOptions {
  /** Holds the shared Lever rate limit (rate-limiter.ts). */
  db: Db;
  leverApiUrl: string;
  codesignalApiUrl: string;
  /** Lever's limit is per API key across all workers; the shared limiter keeps every process under it. */
  leverRequestsPerSecond: number;
}

/**
 * The one place an integration's API clients are built, for activities (context.ts) and API routes
 * alike. A client is cheap to build, so each use builds its own; what must be shared, the Lever
 * budget of an integration, is kept in PostgreSQL by its id (rate-limiter.ts).
 */
export interface IntegrationClients {
  /**
   * A Lever client on the integration's key, paced by the budget every worker and API process shares
   * for the integration. Given `{ ...integration, leverApiKey }`, a key typed for it (its TEST) counts
   * against the same budget: it is to become the integration's key.
   */
  lever(integration: Pick<Integration, 'id' | 'leverApiKey'>): LeverClient;
  codesignal(integration: Pick<Integration, 'codesignalApiKey'>): CodeSignalClient;
  /**
   * Clients on a key typed in the set-up form for an integration not created yet (the TEST buttons).
   * No shared budget counts for such a Lever key, so its client spaces its own requests evenly at
   * Lever's default budget.
   */
  forKey: {
    lever(apiKey: string): LeverClient;
    codesignal(apiKey: string): CodeSignalClient;
  };
}

export function createIntegrationClients(opts: IntegrationClientsOptions): IntegrationClients {
  const codesignal = (apiKey: string) => createCodeSignalClient({ url: opts.codesignalApiUrl, apiKey });
  return {
    lever: (integration) =>
      createLeverClient({
        baseUrl: opts.leverApiUrl,
        apiKey: integration.leverApiKey,
        limiter: createLeverRateLimiter({ db: opts.db, integrationId: integration.id, pointsPerSecond: opts.leverRequestsPerSecond }),
      }),
    codesignal: (integration) => codesignal(integration.codesignalApiKey),
    forKey: {
      lever: (apiKey) => createLeverClient({ baseUrl: opts.leverApiUrl, apiKey, limiter: createLeverPacer() }),
      codesignal,
    },
  };
}
