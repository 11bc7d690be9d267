import pino from 'pino';
import type { Logger } from 'pino';
import { randomSeed } from '../shared/prng';

export interface RateLimitConfig { perSecond: number; burst: number }

/** Facts the reference marks [U]; each is a switch so tests can try both readings. */
export interface LeverQuirks {
  /** Send `deduped:false` next to `data` when a created opportunity matched no contact. Default false. */
  dedupedFalseFlag?: boolean;
  /** Status for a `perform_as` naming an unknown or deactivated user. Default 400. */
  performAsUnknownStatus?: 400 | 404;
  /** Status for DELETE of a note written in the UI (not via the API). Default 403. */
  uiNoteDeleteStatus?: 403 | 404;
  /** Status for an upload above `maxFileBytes`. Default 413. */
  fileTooLargeStatus?: 413 | 400;
  /** File `size`/`uploadedAt` as strings, like the docs' examples. Default false (numbers). */
  fileNumbersAsStrings?: boolean;
  /** Retries resend the same `token`/`signature`; false mints a new token per attempt. Default true. */
  webhookRetriesReuseToken?: boolean;
  /** Put an `id` (event UID) in webhook bodies. Default true. */
  webhookEventId?: boolean;
  /** Answer creates of interviews, panels and webhooks wrapped twice, `{data:{data}}`, like the docs' examples (§1.2; live wraps once [O]). Default false. */
  createdWrappedTwice?: boolean;
  /** Answer "list files" as a bare array, like the docs' example (§1.2 [U]). Default false (the `{data, hasNext}` envelope). */
  fileListBareArray?: boolean;
  /** Status for `removeTags`/`removeLinks`/`removeSources` naming a value that is not there (lever §6 item 6 "harmless" [U]). Default null (harmless: 200, nothing changes). */
  removeAbsentStatus?: null | 400 | 404;
  /** Put `deletedBy` (the deleting user's id, null when none is known) in `candidateDeleted` webhook data (§2.4 "probably" [U]). Default true. */
  webhookDeletedBy?: boolean;
  /** Anonymizing a contact fires `contactUpdated`, data `{contactId}` (§2.1 "contact lifecycle"; data §2.4 [U]). Default true. */
  anonymizeFiresContactUpdated?: boolean;
}

export interface LeverSandboxOptions {
  /** Token bucket per API key. Default 10 per second, burst 20. */
  rateLimit?: RateLimitConfig;
  /** Send `Retry-After` (whole seconds) on 429 ([U]). Default false. */
  sendRetryAfter?: boolean;
  /** Do changes made through /v1 fire webhooks ([U])? Default false; switchable per account at run time. */
  apiWritesFireWebhooks?: boolean;
  /** Does a `:write:` permission also grant the matching `:read:` ([U])? Default false. */
  writeImpliesRead?: boolean;
  /** Gaps before each retry; its length is the number of retries. Default 5 retries, 1 s … 10 min. */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt timeout for webhook deliveries ([U]). Default 10 s. */
  webhookTimeoutMs?: number;
  /** Upload cap for opportunity files. Default 30 MB. */
  maxFileBytes?: number;
  /** Seed for the fault-injection PRNG; each account derives its own stream from it. Default random. */
  seed?: number;
  /** /v1 answers as thin as the reference allows: optional/[U]/[O]/sometimes fields left out, nullable ones null (views/sparse.ts). Default false. */
  sparse?: boolean;
  quirks?: LeverQuirks;
  logger?: Logger | false;
}

export type ResolvedOptions = Required<Omit<LeverSandboxOptions, 'logger' | 'quirks'>> & {
  quirks: Required<LeverQuirks>;
  logger: Logger;
};

export const DEFAULT_PORT = 4010;

export function resolveOptions(opts: LeverSandboxOptions = {}): ResolvedOptions {
  return {
    rateLimit: opts.rateLimit ?? { perSecond: 10, burst: 20 },
    sendRetryAfter: opts.sendRetryAfter ?? false,
    apiWritesFireWebhooks: opts.apiWritesFireWebhooks ?? false,
    writeImpliesRead: opts.writeImpliesRead ?? false,
    webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [1_000, 5_000, 30_000, 120_000, 600_000],
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    maxFileBytes: opts.maxFileBytes ?? 30 * 1024 * 1024,
    seed: opts.seed ?? randomSeed(),
    sparse: opts.sparse ?? false,
    quirks: {
      dedupedFalseFlag: false,
      performAsUnknownStatus: 400,
      uiNoteDeleteStatus: 403,
      fileTooLargeStatus: 413,
      fileNumbersAsStrings: false,
      webhookRetriesReuseToken: true,
      webhookEventId: true,
      createdWrappedTwice: false,
      fileListBareArray: false,
      removeAbsentStatus: null,
      webhookDeletedBy: true,
      anonymizeFiresContactUpdated: true,
      ...opts.quirks,
    },
    logger: opts.logger === false ? pino({ enabled: false }) : (opts.logger ?? pino({ name: 'lever-sandbox', level: 'info' })),
  };
}
