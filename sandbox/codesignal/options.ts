import pino from 'pino';

/**
 * How generously GraphQL answers: `full` fills every field the sandbox knows; `sparse` answers `null`
 * for every field the schema types as nullable, except the short list in sparse.ts.
 */
export type ResponseMode = 'full' | 'sparse';
export type ReactivationAnswer = 'newSession' | 'oldSession';
export const REACTIVATION_ANSWERS = ['newSession', 'oldSession'] as const satisfies readonly ReactivationAnswer[];
export const RESPONSE_MODES = ['full', 'sparse'] as const satisfies readonly ResponseMode[];

/** How the sandbox signals facts the reference marks unconfirmed, plus test-friendly knobs. */
export interface CodeSignalSandboxOptions {
  /** Delay before the next attempt after `failCount` consecutive failures (1-based). Default: the documented backoff. */
  webhookRetryDelaysMs?: (failCount: number) => number;
  /** Consecutive failures after which an endpoint is disabled and its queue dropped. Default 25. */
  maxWebhookAttempts?: number;
  /** Pause between two deliveries to one endpoint (CodeSignal sends "about one per second"). Default 0. */
  webhookPaceMs?: number;
  /** Per-attempt timeout; the verification POST must answer within 10 s. Default 10 000. */
  webhookTimeoutMs?: number;
  /** How rate limiting is signalled (unconfirmed). Default 'graphqlError'. */
  throttleAs?: 'http429' | 'graphqlError';
  /** How an unknown or missing API key is answered (unconfirmed). Default 'http401'. */
  invalidKeyAs?: 'http401' | 'graphqlError';
  /** Requests per second per key per query field. Default 10 (the documented read limit). */
  rateLimitPerSecond?: number;
  /** Requests per second per key per mutation field (undocumented; assumed). Default 5. */
  mutationRateLimitPerSecond?: number;
  /** Whether `reactivateCompanyTestSession` copies `externalId` to the new session (unconfirmed). Default false. */
  reactivationCarriesExternalId?: boolean;
  /**
   * Which session `reactivateCompanyTestSession` answers (the reference only says the old one then points at the
   * new one through `reactivatedSession`; unconfirmed): `'newSession'` the new one, `'oldSession'` the old one
   * with its `reactivatedSession`. Default 'newSession'.
   */
  reactivationAnswers?: ReactivationAnswer;
  /**
   * `'sparse'`: every nullable field answers `null` (see sparse.ts for the few kept), so a client is
   * tested against an account that uses all the room the schema gives it. Per company, switchable at
   * run time (`PUT /_sandbox/companies/:cid/settings`). Default 'full'.
   */
  responseMode?: ResponseMode;
  /** Largest page `companyTestSessions` returns; bigger `first` values are clamped (a public client assumes 20). Default 20. */
  maxTestSessionsPageSize?: number;
  /** Base URL used in links (invitation, result, interview) before `listen()` knows its own. Default: the request's host. */
  publicUrl?: string;
  /** Clock in ms since epoch; tests may pin it. Default Date.now. */
  now?: () => number;
  logger?: pino.Logger | false;
}

export type ResolvedOptions = Required<Omit<CodeSignalSandboxOptions, 'logger' | 'publicUrl' | 'rateLimitPerSecond'>> & {
  /** Undefined: each query field uses its documented `@rateLimit(max)`. */
  rateLimitPerSecond: number | undefined;
  publicUrl: string | undefined;
  logger: pino.Logger;
};

/** The documented backoff: (failCount−1)^4 + 15 + random(30)·failCount seconds. */
export function documentedRetryDelayMs(failCount: number): number {
  const n = Math.max(1, failCount);
  const seconds = (n - 1) ** 4 + 15 + Math.floor(Math.random() * 30) * n;
  return seconds * 1000;
}

export function resolveOptions(opts: CodeSignalSandboxOptions = {}): ResolvedOptions {
  return {
    webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? documentedRetryDelayMs,
    maxWebhookAttempts: opts.maxWebhookAttempts ?? 25,
    webhookPaceMs: opts.webhookPaceMs ?? 0,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    throttleAs: opts.throttleAs ?? 'graphqlError',
    invalidKeyAs: opts.invalidKeyAs ?? 'http401',
    rateLimitPerSecond: opts.rateLimitPerSecond,
    mutationRateLimitPerSecond: opts.mutationRateLimitPerSecond ?? 5,
    reactivationCarriesExternalId: opts.reactivationCarriesExternalId ?? false,
    reactivationAnswers: opts.reactivationAnswers ?? 'newSession',
    responseMode: opts.responseMode ?? 'full',
    maxTestSessionsPageSize: opts.maxTestSessionsPageSize ?? 20,
    publicUrl: opts.publicUrl?.replace(/\/+$/, ''),
    now: opts.now ?? Date.now,
    logger: opts.logger === false || opts.logger === undefined ? pino({ level: 'silent' }) : opts.logger,
  };
}
