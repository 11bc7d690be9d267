import type { z } from 'zod';

export type ExternalService = 'lever' | 'codesignal';

export interface ExternalApiErrorInit {
  service: ExternalService;
  /** HTTP status; undefined for network errors and timeouts. */
  status?: number | undefined;
  /** The API's own code (Lever's `code`) or ours: 'Timeout', 'NetworkError', 'AccessDenied', 'GraphQLError', 'RateLimited', … */
  code: string;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A failed call to Lever or CodeSignal, classified so the calling activity knows whether to retry.
 * The message names the call (method + path, or GraphQL operation), the status and the API's message —
 * never a key, token or Authorization header: callers build it from those parts only.
 */
export class ExternalApiError extends Error {
  override readonly name = 'ExternalApiError';
  readonly service: ExternalService;
  readonly status: number | undefined;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: ExternalApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.service = init.service;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 429 and 5xx are worth another try; every other status means the request itself is wrong. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * fetch failed before an answer arrived (refused, reset, dropped, timed out): always retryable, the
 * request may or may not have been applied. Only the error names/codes are kept, never the request.
 */
export function networkError(service: ExternalService, call: string, err: unknown): ExternalApiError {
  const name = stringProp(err, 'name');
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const detail = timedOut ? 'timed out' : `network error (${networkCause(err)})`;
  return new ExternalApiError(`${serviceName[service]} ${call} failed: ${detail}`, {
    service,
    code: timedOut ? 'Timeout' : 'NetworkError',
    retryable: true,
    cause: err,
  });
}

/** A 2xx answer that does not match our schema: retrying will not help. Names paths, never values. */
export function unexpectedResponse(service: ExternalService, call: string, error: z.ZodError, status?: number): ExternalApiError {
  const issues = error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return new ExternalApiError(`${serviceName[service]} ${call}: unexpected response (${issues.join('; ')})`, {
    service,
    status,
    code: 'UnexpectedResponse',
    retryable: false,
  });
}

export const serviceName: Record<ExternalService, string> = { lever: 'Lever', codesignal: 'CodeSignal' };

/** undici wraps the socket error in `cause`; its code (ECONNRESET, UND_ERR_SOCKET, …) says what happened. */
function networkCause(err: unknown): string {
  return stringProp(prop(err, 'cause'), 'code') ?? stringProp(err, 'name') ?? 'unknown';
}

/** Duck-typed: errors from fetch (DOMException, undici's TypeError) may come from another realm. */
function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function stringProp(value: unknown, key: string): string | undefined {
  const v = prop(value, key);
  return typeof v === 'string' ? v : undefined;
}

/** Last line of defence: a secret echoed by a server or proxy never reaches a message. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

/**
 * A limiter's `acquire({ giveUpAfterMs })` refused (src/lever/rate-limiter.ts, src/codesignal/rate-limiter.ts):
 * the integration's budget for that service is booked further ahead than the caller would wait, and nothing
 * was queued. `expectedWaitMs`: when its turn comes, after the queue and the callers refused before it (this
 * process's view).
 */
export class RateBudgetBusy extends Error {
  constructor(
    readonly service: ExternalService,
    readonly expectedWaitMs: number,
  ) {
    super(`the integration's ${serviceName[service]} budget is booked about ${(expectedWaitMs / 1000).toFixed(1)} s ahead`);
    this.name = 'RateBudgetBusy';
  }
}
