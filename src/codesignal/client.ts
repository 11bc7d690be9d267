import { z } from 'zod';
import { ExternalApiError, isRetryableStatus, networkError, parseRetryAfter, redactSecrets, unexpectedResponse } from '../external-api-error';
import * as documents from './documents';
import type { GraphQLOperation } from './documents';
import {
  companySchema, companyTestSchema, companyTestsSchema, companyUsersSchema, graphqlResponseSchema, interviewTemplatesSchema, liveInterviewSchema,
  reactivatedSchema, sourcingCandidateSchema, sourcingCandidatesSchema, testSessionSchema,
  type CodeSignalCompanyTest, type CodeSignalInterviewTemplate, type CodeSignalLiveInterview, type SourcingCandidateStatus,
} from './schemas';

export interface CodeSignalClientOptions {
  /** The GraphQL endpoint, e.g. `https://app.codesignal.com/graphql`. */
  url: string;
  apiKey: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** `TestSessionInput`, with `preferExisting` on by default: a retried invite returns the open session. */
export interface NewTestSession {
  testId: string;
  candidateEmail: string;
  /** Echoed in every session webhook: our correlation key. */
  externalId: string;
  candidateFirstName?: string;
  candidateLastName?: string;
  preferExisting?: boolean;
  /** ms the invitation stays valid */
  expireDuration?: number;
  /** ms, overrides the test's duration */
  customDuration?: number;
  noInvitationEmail?: boolean;
  emailReminders?: Array<{ templateName: string; timeBeforeExpiration?: number }>;
  postSessionRedirectUrl?: string;
}

/** `LiveInterviewInput`: no time or calendar, one interviewer (a CodeSignal user id); scheduling stays in Lever. */
export interface LiveInterviewInput {
  candidateEmail?: string;
  candidateName?: string;
  teamId?: string;
  interviewerId?: string;
  templateId?: string;
  lockTemplate?: boolean;
  /** ms, 1–336 hours */
  expirationTime?: number;
  trackCandidateLocation?: boolean;
  disableDescriptionCopy?: boolean;
}

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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Typed client of CodeSignal's GraphQL API. Each method is ONE request (`listAll*` and
 * `listInterviewTemplates`: one per page) and never retries; failures are classified ExternalApiErrors.
 */
export function createCodeSignalClient(options: CodeSignalClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const secrets = [options.apiKey];

  const fail = (operation: GraphQLOperation, status: number | undefined, detail: string, init: { code: string; retryable: boolean; retryAfterMs?: number }) =>
    new ExternalApiError(redactSecrets(`CodeSignal ${operation.operationName} failed: ${status === undefined ? '' : `HTTP ${status}: `}${detail}`.slice(0, 1000), secrets), {
      service: 'codesignal',
      status,
      ...init,
    });

  async function execute<S extends z.ZodType>(operation: GraphQLOperation, variables: Record<string, unknown>, dataSchema: S): Promise<z.infer<S>> {
    const name = operation.operationName;
    let status: number;
    let retryAfterMs: number | undefined;
    let text: string;
    try {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: operation.query, variables, operationName: name }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      text = await res.text();
    } catch (err) {
      throw networkError('codesignal', name, err);
    }

    const body = graphqlResponseSchema.safeParse(parseJson(text));
    const errors = body.success ? (body.data.errors ?? []) : [];
    const messages = errors.length ? errors.map((e) => e.message).join('; ') : 'no GraphQL errors in the answer';
    if (status < 200 || status >= 300) {
      throw fail(operation, status, messages, { code: httpCode(status), retryable: isRetryableStatus(status), retryAfterMs });
    }
    if (!body.success) throw fail(operation, status, 'unexpected response (body is not a GraphQL answer)', { code: 'UnexpectedResponse', retryable: false });
    // throttling may arrive as a 200 with an error (how CodeSignal signals it is undocumented)
    if (errors.length) throw fail(operation, status, messages, { ...classifyGraphQLErrors(errors), retryAfterMs });
    const data = dataSchema.safeParse(body.data.data);
    if (!data.success) throw unexpectedResponse('codesignal', name, data.error, status);
    return data.data;
  }

  /** A nullable root field answered null: the id is unknown (or not visible to this key). */
  const found = <T>(operation: GraphQLOperation, what: string, id: string, value: T | null): T => {
    if (value === null) throw fail(operation, undefined, `${what} ${id} not found`, { code: 'NotFound', retryable: false });
    return value;
  };

  const root = <K extends string, S extends z.ZodType>(key: K, schema: S) => z.object({ [key]: schema } as Record<K, S>);

  const api = {
    // ---- tests
    listCompanyTests: async ({ first, offset = 0 }: { first: number; offset?: number }) =>
      (await execute(documents.listCompanyTests, { first, offset }, root('companyTests', companyTestsSchema))).companyTests,

    getCompanyTest: async (id: string) =>
      found(documents.getCompanyTest, 'company test', id, (await execute(documents.getCompanyTest, { id }, root('companyTest', companyTestSchema.nullable()))).companyTest),

    // ---- test sessions
    createTestSession: async (input: NewTestSession) => {
      const sessionFields = { ...input, preferExisting: input.preferExisting ?? true };
      const data = await execute(documents.createTestSession, { input: sessionFields }, root('createCompanyTestSession', testSessionSchema.nullable()));
      return found(documents.createTestSession, 'created session for test', input.testId, data.createCompanyTestSession);
    },

    getTestSession: async (id: string) =>
      found(documents.getTestSession, 'test session', id, (await execute(documents.getTestSession, { id }, root('companyTestSession', testSessionSchema.nullable()))).companyTestSession),

    /** Sends the invitation e-mail again (pending sessions only). */
    resendTestSession: async (id: string) =>
      (await execute(documents.resendTestSession, { id }, root('resendCompanyTestSession', testSessionSchema))).resendCompanyTestSession,

    /** Extend only: CodeSignal refuses an earlier date. */
    extendTestSession: async (id: string, expirationDate: number) =>
      (await execute(documents.extendTestSession, { id, expirationDate }, root('editCompanyTestSessionExpiration', testSessionSchema))).editCompanyTestSessionExpiration,

    /** Reopens a finished session under a NEW id, which it returns; the workflow must follow it. */
    reactivateTestSession: async (id: string, sendNotificationEmail: boolean): Promise<string> => {
      const { reactivateCompanyTestSession: s } = await execute(documents.reactivateTestSession, { id, sendNotificationEmail }, root('reactivateCompanyTestSession', reactivatedSchema));
      const newId = s.reactivatedSession?.newSessionId ?? (s.id !== id ? s.id : undefined);
      if (newId === undefined) throw fail(documents.reactivateTestSession, 200, 'unexpected response (no new session id)', { code: 'UnexpectedResponse', retryable: false });
      return newId;
    },

    /** Withdraws an invitation; returns the deleted session's id. */
    deleteTestSession: async (id: string, sendNotificationEmail: boolean): Promise<string> =>
      (await execute(documents.deleteTestSession, { id, sendNotificationEmail }, root('deleteCompanyTestSession', z.string()))).deleteCompanyTestSession,

    // ---- live interviews
    createLiveInterview: async (input: LiveInterviewInput) => {
      const data = await execute(documents.createLiveInterview, { input }, root('createLiveInterview', liveInterviewSchema.nullable()));
      return found(documents.createLiveInterview, 'created live interview for', input.candidateEmail ?? '(no email)', data.createLiveInterview);
    },

    getLiveInterview: async (id: string) =>
      found(documents.getLiveInterview, 'live interview', id, (await execute(documents.getLiveInterview, { id }, root('liveInterview', liveInterviewSchema.nullable()))).liveInterview),

    /** A candidate's live interviews (first page of 50), e.g. to find one whose creation answer was lost. */
    listLiveInterviews: async (candidateEmail: string) =>
      (await execute(documents.listLiveInterviews, { candidateEmail, first: 50, offset: 0 }, root('liveInterviews', z.array(liveInterviewSchema.nullable())))).liveInterviews.filter(
        (i): i is CodeSignalLiveInterview => i !== null,
      ),

    /** `editLiveInterview`: only the given fields change; pending interviews only. */
    updateLiveInterview: async (id: string, input: LiveInterviewInput) =>
      found(documents.editLiveInterview, 'live interview', id, (await execute(documents.editLiveInterview, { id, input }, root('editLiveInterview', liveInterviewSchema.nullable()))).editLiveInterview),

    /** The schema has no cancel: deleting is how an interview is withdrawn. Returns the deleted id. */
    deleteLiveInterview: async (id: string): Promise<string> =>
      (await execute(documents.deleteLiveInterview, { id }, root('deleteLiveInterview', z.string()))).deleteLiveInterview,

    // ---- company
    /** The company that owns the API key. */
    getCompany: async () =>
      found(documents.getCompany, 'company of this API key', '', (await execute(documents.getCompany, {}, root('company', companySchema.nullable()))).company),

    /** The key's company team: map a Lever interviewer's e-mail to `user.id` for `interviewerId`. */
    listCompanyUsers: async () => {
      const data = await execute(documents.listCompanyUsers, {}, root('company', companyUsersSchema.nullable()));
      return found(documents.listCompanyUsers, 'company of this API key', '', data.company).contacts;
    },

    // ---- sourcing (sandbox extension)
    getSourcingCandidate: async (id: string) =>
      found(documents.getSourcingCandidate, 'sourcing candidate', id,
        (await execute(documents.getSourcingCandidate, { id }, root('sourcingCandidate', sourcingCandidateSchema.nullable()))).sourcingCandidate),

    listSourcingCandidates: async (args: { first: number; offset?: number; status?: SourcingCandidateStatus; importRequested?: boolean }) =>
      (await execute(documents.listSourcingCandidates, { offset: 0, ...args }, root('sourcingCandidates', sourcingCandidatesSchema))).sourcingCandidates,

    setSourcingCandidateStatus: async (id: string, status: SourcingCandidateStatus, externalRef?: string) =>
      (await execute(documents.setSourcingCandidateStatus, { id, status, externalRef }, root('setSourcingCandidateStatus', sourcingCandidateSchema))).setSourcingCandidateStatus,
  };

  const interviewTemplatesPage = async (first: number, offset: number) =>
    (await execute(documents.listInterviewTemplates, { first, offset }, root('interviewTemplates', interviewTemplatesSchema.nullable()))).interviewTemplates
    ?? { totalCount: 0, pageInfo: { hasNextPage: false }, interviewTemplates: [] };

  return {
    ...api,
    /** Every test of the company, 100 per request. */
    listAllCompanyTests: (): Promise<CodeSignalCompanyTest[]> =>
      collectPages(async (offset) => {
        const page = await api.listCompanyTests({ first: PAGE_SIZE, offset });
        return { items: page.tests, hasNextPage: page.pageInfo.hasNextPage };
      }),
    /** Every interview template of the company, 100 per request. */
    listInterviewTemplates: (): Promise<CodeSignalInterviewTemplate[]> =>
      collectPages(async (offset) => {
        const page = await interviewTemplatesPage(PAGE_SIZE, offset);
        return { items: page.interviewTemplates, hasNextPage: page.pageInfo.hasNextPage };
      }),
  };
}

export type CodeSignalClient = ReturnType<typeof createCodeSignalClient>;

const PAGE_SIZE = 100;

/** first/offset pagination until `hasNextPage` is false; an empty page ends it too, so a server bug cannot loop forever. */
async function collectPages<T>(fetchPage: (offset: number) => Promise<{ items: T[]; hasNextPage: boolean }>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage(items.length);
    items.push(...page.items);
    if (!page.hasNextPage || page.items.length === 0) return items;
  }
}
