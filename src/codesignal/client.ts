import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { z } from 'zod';
import { ExternalApiError, isRetryableStatus, networkError, parseRetryAfter, redactSecrets } from '../external-api-error';
import * as documents from './documents';
import { operationName, rootFields } from './documents';
import type { CompanyTestFieldsFragment, LiveInterviewFieldsFragment, TestSessionInput, LiveInterviewInput as GeneratedLiveInterviewInput } from './generated/operations';
import type { ExternalRequestObservation } from '../observability/metrics';
import type { CodeSignalRequestLimiter } from './rate-limiter';
import { checkResponse } from './schema';
import type { CodeSignalCompanyUser } from './types';

export interface CodeSignalClientOptions {
  /** The GraphQL endpoint, e.g. `https://app.codesignal.com/graphql`. */
  url: string;
  apiKey: string;
  /** Waits for the integration's turn per root field before each request (rate-limiter.ts); none: unpaced. */
  limiter?: CodeSignalRequestLimiter;
  /** Per request, limiter wait excluded. Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told of every request sent (metrics), named by its GraphQL operation. */
  observe?: (o: ExternalRequestObservation) => void;
}

/**
 * `TestSessionInput` as the service fills it: an e-mail (needed for the invitation and `preferExisting`,
 * which is on by default so a retried invite returns the open session) and our correlation `externalId`.
 */
export type NewTestSession = TestSessionInput & { candidateEmail: string; externalId: string };

/** `LiveInterviewInput`: no time or calendar, one interviewer (a CodeSignal user id); scheduling stays in Lever. */
export type LiveInterviewInput = GeneratedLiveInterviewInput;

type GraphQLErrorEntry = { message: string };

/** Order matters: a permanent cause wins over a transient one in the same answer. */
const GRAPHQL_ERROR_CLASSES: ReadonlyArray<{ test: RegExp; code: string; retryable: boolean }> = [
  { test: /access denied|unauthori[sz]ed|forbidden/i, code: 'AccessDenied', retryable: false },
  { test: /not found|does not exist/i, code: 'NotFound', retryable: false },
  { test: /too often|rate limit|throttl|too many requests/i, code: 'RateLimited', retryable: true },
  { test: /internal server error|service unavailable|timed? ?out|temporarily/i, code: 'ServerError', retryable: true },
];

function classifyGraphQLErrors(errors: readonly GraphQLErrorEntry[]): { code: string; retryable: boolean } {
  for (const c of GRAPHQL_ERROR_CLASSES) if (errors.some((e) => c.test.test(e.message))) return { code: c.code, retryable: c.retryable };
  // validation and domain errors (duplicate title, bad expiry…): the same request fails again
  return { code: 'GraphQLError', retryable: false };
}

function httpCode(status: number): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'AccessDenied';
  if (status === 429) return 'RateLimited';
  if (status >= 500) return 'ServerError';
  return 'ValidationError';
}

/** The GraphQL response envelope; `errors` wins over any partial `data`. */
const graphqlResponseSchema = z.looseObject({
  data: z.unknown().optional(),
  errors: z.array(z.looseObject({ message: z.string(), path: z.array(z.union([z.string(), z.number()])).optional() })).optional(),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Typed client of CodeSignal's GraphQL API. Each method is ONE request (`listAll*` and
 * `listInterviewTemplates`: one per page) and never retries, except a paced request CodeSignal throttled
 * (`execute`); failures are classified ExternalApiErrors.
 */
export function createCodeSignalClient(options: CodeSignalClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const secrets = [options.apiKey];

  const fail = (operation: string, status: number | undefined, detail: string, init: { code: string; retryable: boolean; retryAfterMs?: number }) =>
    new ExternalApiError(redactSecrets(`CodeSignal ${operation} failed: ${status === undefined ? '' : `HTTP ${status}: `}${detail}`.slice(0, 1000), secrets), {
      service: 'codesignal',
      status,
      ...init,
    });

  const texts = new WeakMap<object, string>();
  const queryText = (document: TypedDocumentNode<unknown, never>): string => {
    let text = texts.get(document);
    if (text === undefined) texts.set(document, (text = print(document)));
    return text;
  };

  /**
   * Paced requests only: a throttled answer (CodeSignal did nothing) is sent again after the limiter's
   * next turn, up to PACED_ATTEMPTS in all. Pacing keeps a sliding second within the limit only while
   * network and event-loop jitter stays within its margin (rate-limiter.ts); the rare request that
   * arrives later than that is the pacing's to absorb, not an activity retry with back-off.
   */
  async function execute<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(document, variables);
      } catch (err) {
        if (!options.limiter || attempt >= PACED_ATTEMPTS || !(err instanceof ExternalApiError) || err.code !== 'RateLimited') throw err;
        if (err.retryAfterMs) await new Promise((resolve) => setTimeout(resolve, Math.min(err.retryAfterMs!, 5_000)));
      }
    }
  }

  async function send<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
    const name = operationName(document);
    if (options.limiter) await options.limiter.acquire(rootFields(document));
    let status: number;
    let retryAfterMs: number | undefined;
    let text: string;
    const started = performance.now();
    const observed = (result: ExternalRequestObservation['status'], rateLimited = false) =>
      options.observe?.({ operation: name, status: result, seconds: (performance.now() - started) / 1000, rateLimited });
    try {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: queryText(document as TypedDocumentNode<unknown, never>), variables, operationName: name }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      text = await res.text();
    } catch (err) {
      observed('network_error');
      throw networkError('codesignal', name, err);
    }

    const body = graphqlResponseSchema.safeParse(parseJson(text));
    const errors = body.success ? (body.data.errors ?? []) : [];
    const messages = errors.length ? errors.map((e) => e.message).join('; ') : 'no GraphQL errors in the answer';
    const graphqlClass = errors.length ? classifyGraphQLErrors(errors) : undefined;
    if (status < 200 || status >= 300 || !errors.length) observed(status, status === 429);
    else observed('graphql_error', graphqlClass?.code === 'RateLimited');
    if (status < 200 || status >= 300) {
      throw fail(name, status, messages, { code: httpCode(status), retryable: isRetryableStatus(status), retryAfterMs });
    }
    // A 2xx the service cannot read is CodeSignal's (or a proxy's) problem, not the request's: retried.
    if (!body.success) throw fail(name, status, 'unexpected response (body is not a GraphQL answer)', { code: 'UnexpectedResponse', retryable: true });
    // throttling may arrive as a 200 with an error (how CodeSignal signals it is undocumented)
    if (graphqlClass) throw fail(name, status, messages, { ...graphqlClass, retryAfterMs });
    const checked = checkResponse(document, variables, body.data.data);
    if (!checked.ok) throw fail(name, status, `unexpected response (${checked.problems.join('; ')})`, { code: 'UnexpectedResponse', retryable: true });
    return checked.data;
  }

  /** A nullable root field answered null: the id is unknown (or not visible to this key). */
  const found = <T>(document: TypedDocumentNode<unknown, never>, what: string, id: string, value: T | null): T => {
    if (value === null) throw fail(operationName(document), undefined, `${what} ${id} not found`, { code: 'NotFound', retryable: false });
    return value;
  };

  const api = {
    // ---- tests
    listCompanyTests: async ({ first, offset = 0 }: { first: number; offset?: number }) =>
      (await execute(documents.listCompanyTests, { first, offset })).companyTests,

    getCompanyTest: async (id: string) =>
      found(documents.getCompanyTest, 'company test', id, (await execute(documents.getCompanyTest, { id })).companyTest),

    // ---- test sessions
    createTestSession: async (input: NewTestSession) => {
      const sessionFields = { ...input, preferExisting: input.preferExisting ?? true };
      const data = await execute(documents.createTestSession, { input: sessionFields });
      return found(documents.createTestSession, 'created session for test', input.testId, data.createCompanyTestSession);
    },

    getTestSession: async (id: string) =>
      found(documents.getTestSession, 'test session', id, (await execute(documents.getTestSession, { id })).companyTestSession),

    /** Sends the invitation e-mail again (pending sessions only). */
    resendTestSession: async (id: string) => (await execute(documents.resendTestSession, { id })).resendCompanyTestSession,

    /** Extend only: CodeSignal refuses an earlier date. */
    extendTestSession: async (id: string, expirationDate: number) =>
      (await execute(documents.extendTestSession, { id, expirationDate })).editCompanyTestSessionExpiration,

    /** Reopens a finished session under a NEW id, which it returns; the workflow must follow it. */
    reactivateTestSession: async (id: string, sendNotificationEmail: boolean): Promise<string> => {
      const { reactivateCompanyTestSession: s } = await execute(documents.reactivateTestSession, { id, sendNotificationEmail });
      const newId = s.reactivatedSession?.newSessionId ?? (s.id !== id ? s.id : undefined);
      if (newId === undefined) throw fail(operationName(documents.reactivateTestSession), 200, 'unexpected response (no new session id)', { code: 'UnexpectedResponse', retryable: true });
      return newId;
    },

    /** Withdraws an invitation; returns the deleted session's id. */
    deleteTestSession: async (id: string, sendNotificationEmail: boolean): Promise<string> =>
      (await execute(documents.deleteTestSession, { id, sendNotificationEmail })).deleteCompanyTestSession,

    /**
     * One page of a test's sessions, newest finish first (a bare list, no total; reference §2, §6): what
     * the public-link scan needs of each. A page is at most 20 sessions (`first` is clamped to it).
     */
    listTestSessions: async ({ testId, first, offset = 0 }: { testId: string; first: number; offset?: number }) =>
      (await execute(documents.listTestSessions, { testId, first: Math.min(first, TEST_SESSIONS_PAGE_SIZE), offset })).companyTestSessions.filter(
        (s): s is NonNullable<typeof s> => s !== null,
      ),

    /** A session with the result as `getTestSession` reads it, plus its public link and CodeSignal's own ATS integration ids. */
    getPublicLinkSession: async (id: string) =>
      found(documents.getPublicLinkSession, 'test session', id, (await execute(documents.getPublicLinkSession, { id })).companyTestSession),

    // ---- live interviews
    createLiveInterview: async (input: LiveInterviewInput) => {
      const data = await execute(documents.createLiveInterview, { input });
      return found(documents.createLiveInterview, 'created live interview for', input.candidateEmail ?? '(no email)', data.createLiveInterview);
    },

    getLiveInterview: async (id: string) =>
      found(documents.getLiveInterview, 'live interview', id, (await execute(documents.getLiveInterview, { id })).liveInterview),

    /** A candidate's live interviews (first page of 50), e.g. to find one whose creation answer was lost. */
    listLiveInterviews: async (candidateEmail: string) =>
      (await execute(documents.listLiveInterviews, { candidateEmail, first: 50, offset: 0 })).liveInterviews.filter(
        (i): i is LiveInterviewFieldsFragment => i !== null,
      ),

    /** `editLiveInterview`: only the given fields change; pending interviews only. */
    updateLiveInterview: async (id: string, input: LiveInterviewInput) =>
      found(documents.editLiveInterview, 'live interview', id, (await execute(documents.editLiveInterview, { id, input })).editLiveInterview),

    /** The schema has no cancel: deleting is how an interview is withdrawn. Returns the deleted id. */
    deleteLiveInterview: async (id: string): Promise<string> => (await execute(documents.deleteLiveInterview, { id })).deleteLiveInterview,

    // ---- company
    /** The company that owns the API key. */
    getCompany: async () => found(documents.getCompany, 'company of this API key', '', (await execute(documents.getCompany, {})).company),

    /** The key's company team: map a Lever interviewer's e-mail to `user.id` for `interviewerId`. */
    listCompanyUsers: async (): Promise<CodeSignalCompanyUser[]> => {
      const data = await execute(documents.listCompanyUsers, {});
      return found(documents.listCompanyUsers, 'company of this API key', '', data.company).contacts.filter((c): c is CodeSignalCompanyUser => c !== null);
    },

  };

  return {
    ...api,
    /** Every test of the company, 100 per request. */
    listAllCompanyTests: (): Promise<CompanyTestFieldsFragment[]> =>
      collectPages(async (offset) => {
        const page = await api.listCompanyTests({ first: PAGE_SIZE, offset });
        return { items: page.tests, hasNextPage: page.pageInfo.hasNextPage };
      }),
  };
}

export type CodeSignalClient = ReturnType<typeof createCodeSignalClient>;

const PAGE_SIZE = 100;
/** A paced request throttled anyway is sent at most this many times in all (see `execute`). */
const PACED_ATTEMPTS = 3;
/** The largest `companyTestSessions` page (a public client hard-codes 20; reference §2). */
export const TEST_SESSIONS_PAGE_SIZE = 20;

/** first/offset pagination until `hasNextPage` is false; an empty page ends it too, so a server bug cannot loop forever. */
async function collectPages<T>(fetchPage: (offset: number) => Promise<{ items: T[]; hasNextPage: boolean }>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage(items.length);
    items.push(...page.items);
    if (!page.hasNextPage || page.items.length === 0) return items;
  }
}
