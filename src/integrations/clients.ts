import { createCodeSignalClient, type CodeSignalClient } from '../codesignal/client';
import { createCodeSignalPacer, createCodeSignalRateLimiter, DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND, type CodeSignalRequestLimiter } from '../codesignal/rate-limiter';
import type { Db } from '../db/pool';
import { createLeverClient, type LeverClient } from '../lever/client';
import { createLeverPacer, createLeverRateLimiter, type LeverRateLimiter } from '../lever/rate-limiter';
import { processMetrics } from '../observability/metrics';
import type { Integration } from './repository';

export interface IntegrationClientsOptions {
  /** Holds the shared Lever and CodeSignal rate limits (lever/rate-limiter.ts, codesignal/rate-limiter.ts). */
  db: Db;
  leverApiUrl: string;
  codesignalApiUrl: string;
  /** Lever's limit is per API key across all workers; the shared limiter keeps every process under it. */
  leverRequestsPerSecond: number;
  /**
   * CodeSignal's (undocumented) limit per mutation field and second, CODESIGNAL_MUTATIONS_PER_SECOND;
   * default 5. Query fields are paced by their `@rateLimit(max)` in the schema.
   */
  codesignalMutationsPerSecond?: number;
  /** Every limiter wait of the clients built here passes through it (activities: src/activities/shared/attempt.ts). */
  gate?: RequestGate;
}

/** A limiter's wait, which may be told to give up (`RateBudgetBusy`) rather than wait longer than `giveUpAfterMs`. */
export type BudgetWait = (opts?: { giveUpAfterMs?: number }) => Promise<void>;

/**
 * Around each wait for an integration's Lever or CodeSignal budget, before the request it admits.
 * `wait` is the limiter's own; the gate may pass `giveUpAfterMs` and act on its refusal.
 */
export interface RequestGate {
  wait(wait: BudgetWait, integrationId: string): Promise<void>;
}

/**
 * The one place an integration's API clients are built, for activities (context.ts) and API routes
 * alike. A client is cheap to build, so each use builds its own; what must be shared, the Lever and
 * CodeSignal budgets of an integration, is kept in PostgreSQL by its id (rate-limiter.ts of each).
 */
export interface IntegrationClients {
  /**
   * A Lever client on the integration's key, paced by the budget every worker and API process shares
   * for the integration. Given `{ ...integration, leverApiKey }`, a key typed for it (its TEST) counts
   * against the same budget: it is to become the integration's key.
   */
  lever(integration: Pick<Integration, 'id' | 'leverApiKey'>): LeverClient;
  /** A CodeSignal client on the integration's key, paced per root field by the budget every process shares for it. */
  codesignal(integration: Pick<Integration, 'id' | 'codesignalApiKey'>): CodeSignalClient;
  /**
   * Clients on a key typed in the set-up form for an integration not created yet (the TEST buttons).
   * No shared budget counts for such a key, so its client spaces its own requests evenly at the
   * default budgets (Lever's; CodeSignal's per root field).
   */
  forKey: {
    lever(apiKey: string): LeverClient;
    codesignal(apiKey: string): CodeSignalClient;
  };
}

/** The limiter (its other methods kept), with the time each caller waits in `acquire` reported (lcs_rate_limiter_wait_seconds). */
function timed<A extends unknown[], L extends { acquire(...args: A): Promise<void> }>(limiter: L, waited: (seconds: number) => void): L {
  return {
    ...limiter,
    acquire: async (...args: A) => {
      const started = performance.now();
      await limiter.acquire(...args);
      waited((performance.now() - started) / 1000);
    },
  };
}

export function createIntegrationClients(opts: IntegrationClientsOptions): IntegrationClients {
  const mutationsPerSecond = opts.codesignalMutationsPerSecond;
  const metrics = processMetrics();
  const gate = opts.gate;
  // Each limiter's `acquire` through the activity's gate, which may pass `giveUpAfterMs` and act on a refusal; the limiter as it is without a gate.
  const gatedLever = (limiter: LeverRateLimiter, integrationId: string): LeverRateLimiter =>
    gate ? { ...limiter, acquire: () => gate.wait((o) => limiter.acquire(o), integrationId) } : limiter;
  const gatedCodeSignal = (limiter: CodeSignalRequestLimiter, integrationId: string): CodeSignalRequestLimiter =>
    gate ? { ...limiter, acquire: (fields) => gate.wait((o) => limiter.acquire(fields, o), integrationId) } : limiter;
  return {
    lever: (integration) => {
      const observer = metrics.externalApi('lever', integration.id);
      const granted = (perSecond: number) => metrics.rateLimiterGranted('lever', integration.id, perSecond);
      // the adaptive rate (lever/rate-limiter.ts) as this process last saw it; the configured ceiling until then
      const limiter = createLeverRateLimiter({ db: opts.db, integrationId: integration.id, pointsPerSecond: opts.leverRequestsPerSecond, onRate: granted });
      granted(limiter.currentRate());
      return createLeverClient({
        baseUrl: opts.leverApiUrl,
        apiKey: integration.leverApiKey,
        limiter: timed(gatedLever(limiter, integration.id), observer.limiterWait),
        observe: observer.request,
        observeWrite: (kind, outcome) => metrics.leverWrite(integration.id, kind, outcome),
      });
    },
    codesignal: (integration) => {
      const observer = metrics.externalApi('codesignal', integration.id);
      metrics.rateLimiterGranted('codesignal', integration.id, mutationsPerSecond ?? DEFAULT_CODESIGNAL_MUTATIONS_PER_SECOND);
      return createCodeSignalClient({
        url: opts.codesignalApiUrl,
        apiKey: integration.codesignalApiKey,
        limiter: timed(gatedCodeSignal(createCodeSignalRateLimiter({ db: opts.db, integrationId: integration.id, mutationsPerSecond }), integration.id), observer.limiterWait),
        observe: observer.request,
      });
    },
    forKey: {
      lever: (apiKey) => createLeverClient({ baseUrl: opts.leverApiUrl, apiKey, limiter: createLeverPacer() }),
      codesignal: (apiKey) => createCodeSignalClient({ url: opts.codesignalApiUrl, apiKey, limiter: createCodeSignalPacer(mutationsPerSecond) }),
    },
  };
}
