import type { z } from 'zod';
import { ExternalApiError, networkError, parseRetryAfter, unexpectedResponse } from '../external-api-error';
import type { ExternalRequestObservation, LeverWriteKind, LeverWriteOutcome } from '../observability/metrics';
import { leverHttpError, parseJson } from './errors';
import {
  archiveReasonSchema, createdEnvelope, createdNoteSchema, createdOpportunitySchema, createdWebhookSchema, envelope, filePageSchema, fileSchema,
  deletedOpportunitySchema, feedbackSchema, feedbackTemplateSchema, noteSchema, opportunitySchema, pageEnvelope, panelSchema, postingSchema, stageSchema, tagSchema, updatedOpportunitySchema, userSchema, webhookSchema,
  type LeverOpportunity, type LeverPanel, type LeverWebhookSubscription,
} from './schemas';

/** Waits until the integration may send one more request to Lever (see rate-limiter.ts). */
export interface RequestLimiter {
  /**
   * `giveUpAfterMs`: a caller that would wait longer is refused at once (`RateBudgetBusy`, nothing
   * queued) instead of waiting; limiters that cannot tell how long the wait is ignore it.
   */
  acquire(opts?: { giveUpAfterMs?: number }): Promise<void>;
  /** Told of each answer Lever gave (its status and Retry-After), so an adaptive limiter follows Lever's rate. */
  feedback?(status: number, retryAfterMs: number | undefined): void;
}

export interface LeverClientOptions {
  /** e.g. `https://api.lever.co/v1` or a sandbox's `apiUrl`. */
  baseUrl: string;
  apiKey: string;
  limiter?: RequestLimiter;
  /** Per request, limiter wait excluded. Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told of every request sent (metrics): `operation` is the method and path template, never an id. */
  observe?: (o: ExternalRequestObservation) => void;
  /** Told of every note, file, tag, stage, link and archive write Lever accepted, and (`alreadyPresent`) of one found made. */
  observeWrite?: (kind: LeverWriteKind, outcome: LeverWriteOutcome) => void;
}

/** Path segments that are never ids; any other segment is an id and becomes `:id` in an operation's name. */
const staticSegments = new Set([
  'opportunities', 'notes', 'files', 'download', 'panels', 'users', 'stages', 'postings', 'archive_reasons', 'webhooks', 'stage', 'archived',
  'addTags', 'removeTags', 'addLinks', 'removeLinks', 'addSources', 'removeSources', 'deleted', 'feedback', 'feedback_templates', 'tags',
]);

/** `GET /opportunities/:id/notes`: a request's bounded name for metrics (the query string dropped, ids replaced). */
export function leverOperation(method: string, path: string): string {
  const segments = path.split('?')[0]!.split('/').filter(Boolean).slice(0, 6);
  return `${method} /${segments.map((s) => (staticSegments.has(s) ? s : ':id')).join('/')}`;
}

const writeKinds: Record<string, LeverWriteKind> = {
  'POST /opportunities/:id/notes': 'note',
  'POST /opportunities/:id/files': 'file',
  'POST /opportunities/:id/addTags': 'tag',
  'POST /opportunities/:id/removeTags': 'tag',
  'PUT /opportunities/:id/stage': 'stage',
  'POST /opportunities/:id/addLinks': 'link',
  'POST /opportunities/:id/removeLinks': 'link',
  'PUT /opportunities/:id/archived': 'archive',
  'POST /opportunities/:id/feedback': 'feedback',
  'PUT /opportunities/:id/feedback/:id': 'feedback',
};

/** One page of a list; `next` is the opaque token for the following page, undefined on the last one. */
export interface LeverPage<T> {
  data: T[];
  next: string | undefined;
}

export interface PageRequest {
  /** A `next` token from the previous page, passed back untouched. */
  offset?: string;
  /** 1–100; Lever's default is 100. */
  limit?: number;
}

type Many = string | readonly string[];

export interface OpportunityFilters {
  email?: Many; tag?: Many; stageId?: Many; postingId?: Many; contactId?: Many; origin?: Many; source?: Many; archiveReasonId?: Many;
  archived?: boolean;
  createdAtStart?: number; createdAtEnd?: number; updatedAtStart?: number; updatedAtEnd?: number;
  advancedAtStart?: number; advancedAtEnd?: number; archivedAtStart?: number; archivedAtEnd?: number;
}

const OPPORTUNITY_FILTER_PARAMS: Record<keyof OpportunityFilters, string> = {
  email: 'email', tag: 'tag', stageId: 'stage_id', postingId: 'posting_id', contactId: 'contact_id', origin: 'origin', source: 'source',
  archiveReasonId: 'archive_reason_id', archived: 'archived', createdAtStart: 'created_at_start', createdAtEnd: 'created_at_end',
  updatedAtStart: 'updated_at_start', updatedAtEnd: 'updated_at_end', advancedAtStart: 'advanced_at_start', advancedAtEnd: 'advanced_at_end',
  archivedAtStart: 'archived_at_start', archivedAtEnd: 'archived_at_end',
};

export type LeverOrigin = 'agency' | 'applied' | 'internal' | 'referred' | 'sourced' | 'university';

/** Body of `POST /opportunities` (§3.3). Lever rejects more than one posting, hence the tuple. */
export interface NewOpportunity {
  name?: string; headline?: string; location?: string;
  emails?: string[]; phones?: Array<{ value: string; type?: string }>;
  links?: string[]; tags?: string[]; sources?: string[];
  stage?: string; origin?: LeverOrigin; owner?: string; followers?: string[];
  postings?: [] | [string];
  createdAt?: number;
  archived?: { reason: string; archivedAt?: number };
  contact?: string;
  opportunityLocation?: string;
}

export type FeedbackReminder = 'once' | 'daily' | 'frequently' | 'none';

export interface PanelInterviewInput {
  /** Keep on a PUT for interviews that stay; omit for new ones. */
  id?: string;
  subject?: string; note?: string; location?: string;
  interviewers: Array<{ id: string; feedbackTemplate?: string }>;
  /** ms epoch */
  date: number;
  /** minutes */
  duration: number;
  feedbackTemplate?: string; feedbackReminder?: FeedbackReminder;
}

/** Body of `POST/PUT …/panels` (§3.7); a PUT replaces the whole panel. */
export interface PanelInput {
  timezone: string;
  interviews: PanelInterviewInput[];
  applications?: string[];
  feedbackReminder?: FeedbackReminder;
  note?: string;
  externalUrl?: string;
}

export interface NewNote {
  value: string;
  notifyFollowers: boolean;
  /** Optional by §1.8: without it the note's author is the API. */
  performAs: string | undefined;
  secret?: boolean;
  /** 1 strong no … 4 strong yes */
  score?: 1 | 2 | 3 | 4;
}

/** A feedback template field (§3.8): `options` for dropdown/multiple-choice/multiple-select (and score-system), `scores` for scorecard. */
export interface FeedbackTemplateFieldInput {
  type: 'text' | 'textarea' | 'code' | 'date' | 'dropdown' | 'multiple-choice' | 'multiple-select' | 'score-system' | 'score' | 'yes-no' | 'scorecard';
  text: string;
  description?: string;
  required?: boolean;
  options?: Array<{ text: string }>;
  scores?: Array<{ text: string; description?: string }>;
}

/** Body of `POST/PUT /feedback_templates` (§3.8): exactly one `score-system` field; a PUT replaces the template and renews every field id. */
export interface FeedbackTemplateInput {
  text: string;
  fields: FeedbackTemplateFieldInput[];
}

/** Body of `POST /opportunities/:id/feedback` (§3.8): `fieldValues` by the template's field ids; `panel` and `interview` both or neither. */
export interface NewFeedback {
  baseTemplateId: string;
  panel?: string;
  interview?: string;
  fieldValues?: Array<{ id: string; value: unknown }>;
  createdAt?: number;
  completedAt?: number;
}

export interface FileUpload {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  performAs: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type QueryValue = string | number | boolean | readonly string[] | undefined;

interface LeverRequest {
  method: Method;
  path: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: FormData;
}

/** A request of the key check's permission probes (`probe` below); `path` is sent as given. */
export interface LeverProbeRequest {
  method: Method;
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** Sent as multipart instead of `json`. */
  form?: FormData;
}

/** Lever's answer to a probe: the parsed JSON body of a 2xx (undefined when not JSON), else the classified refusal. */
export type LeverProbeAnswer = { status: number; body: unknown; error?: undefined } | { status: number; error: ExternalApiError };

interface SendOptions {
  /** Aborts the wait for the limiter's turn and the request. */
  signal?: AbortSignal;
  timeoutMs?: number;
  redirect?: RequestInit['redirect'];
}

/** Path template tag: interpolated ids are percent-encoded, so an id can never change the route. */
function p(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < ids.length ? encodeURIComponent(ids[i]!) : ''), '');
}

/**
 * Typed client of the Lever Data API. Each method sends exactly ONE HTTP request (except `listAll*`,
 * one per page) and never retries: the calling Temporal activity owns retries, so failures surface as
 * classified ExternalApiErrors. `list*` return one page; `listAll*` follow `next` to the end.
 */
export function createLeverClient(options: LeverClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const basic = Buffer.from(`${options.apiKey}:`).toString('base64');
  const secrets = [options.apiKey, basic];

  /** One request, paced by the limiter; any HTTP answer is returned, only a network failure throws. */
  async function answer(req: LeverRequest, opts: SendOptions = {}): Promise<Response> {
    const call = `${req.method} ${req.path}`;
    const operation = leverOperation(req.method, req.path);
    await options.limiter?.acquire();
    opts.signal?.throwIfAborted();
    const url = new URL(baseUrl + req.path);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      for (const v of typeof value === 'object' ? value : [value]) url.searchParams.append(name, String(v));
    }
    const headers: Record<string, string> = { authorization: `Basic ${basic}`, accept: 'application/json' };
    if (req.json !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? timeoutMs);
    const started = performance.now();
    const observed = (status: number | 'network_error') =>
      options.observe?.({ operation, status, seconds: (performance.now() - started) / 1000, rateLimited: status === 429 });
    try {
      const res = await doFetch(url, {
        method: req.method,
        headers,
        body: req.form ?? (req.json === undefined ? undefined : JSON.stringify(req.json)),
        ...(opts.redirect ? { redirect: opts.redirect } : {}),
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
      observed(res.status);
      options.limiter?.feedback?.(res.status, res.status === 429 ? parseRetryAfter(res.headers.get('retry-after')) : undefined);
      return res;
    } catch (err) {
      observed('network_error');
      throw networkError('lever', call, err);
    }
  }

  /** One request; a non-2xx answer throws as a classified ExternalApiError. */
  async function send(req: LeverRequest): Promise<Response> {
    const res = await answer(req);
    if (!res.ok) throw await leverHttpError(`${req.method} ${req.path}`, res, secrets);
    const written = writeKinds[leverOperation(req.method, req.path)];
    if (written) options.observeWrite?.(written, 'written');
    return res;
  }

  /** Reads the body inside the same timeout; a connection lost mid-body is a network error. */
  async function readBody<T>(call: string, res: Response, read: (r: Response) => Promise<T>): Promise<T> {
    try {
      return await read(res);
    } catch (err) {
      throw networkError('lever', call, err);
    }
  }

  async function json<S extends z.ZodType>(req: LeverRequest, schema: S): Promise<z.infer<S>> {
    const call = `${req.method} ${req.path}`;
    const res = await send(req);
    const body = parseJson(await readBody(call, res, (r) => r.text()));
    if (body === undefined) {
      throw new ExternalApiError(`Lever ${call}: unexpected response (body is not JSON)`, { service: 'lever', status: res.status, code: 'UnexpectedResponse', retryable: false });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw unexpectedResponse('lever', call, parsed.error, res.status);
    return parsed.data;
  }

  async function one<S extends z.ZodType>(req: LeverRequest, item: S): Promise<z.infer<S>> {
    return (await json(req, envelope(item))).data as z.infer<S>;
  }

  async function page<S extends z.ZodType>(req: LeverRequest, item: S, pageReq: PageRequest = {}): Promise<LeverPage<z.infer<S>>> {
    const body = await json({ ...req, query: { ...req.query, limit: pageReq.limit, offset: pageReq.offset } }, pageEnvelope(item));
    return { data: body.data as Array<z.infer<S>>, next: body.hasNext === true ? (body.next ?? undefined) : undefined };
  }

  /** A create answer (§1.2: the docs wrap those of panels and webhooks twice); also the panel PUT's, which §1.2 leaves open. */
  async function created<S extends z.ZodType>(req: LeverRequest, item: S): Promise<z.infer<S>> {
    return (await json(req, createdEnvelope(item))).data as z.infer<S>;
  }

  /** A §3.4 write: the opportunity it answers with (live [O]), or undefined when the answer has none. */
  async function updated(req: LeverRequest): Promise<LeverOpportunity | undefined> {
    return (await json(req, updatedOpportunitySchema)).data;
  }

  async function none(req: LeverRequest): Promise<void> {
    const res = await send(req);
    // drain so the connection can be reused
    await readBody(`${req.method} ${req.path}`, res, (r) => r.arrayBuffer());
  }

  const performAs = (userId: string | undefined) => ({ perform_as: userId });
  const listEdit = (verb: string, field: 'tags' | 'links' | 'sources') => (id: string, values: readonly string[], actor?: string) =>
    updated({ method: 'POST', path: `${p`/opportunities/${id}`}/${verb}`, query: performAs(actor), json: { [field]: values } });

  const api = {
    // ---- opportunities
    /** `expandApplications` fills `postingId` (Lever may want the key's applications permission for it). */
    getOpportunity: (id: string, opts: { expandApplications?: boolean } = {}) =>
      one({ method: 'GET', path: p`/opportunities/${id}`, query: { expand: opts.expandApplications ? 'applications' : undefined } }, opportunitySchema),

    listOpportunities: (filters: OpportunityFilters = {}, pageReq?: PageRequest) => {
      const query: Record<string, QueryValue> = {};
      for (const [key, param] of Object.entries(OPPORTUNITY_FILTER_PARAMS) as Array<[keyof OpportunityFilters, string]>) query[param] = filters[key];
      return page({ method: 'GET', path: '/opportunities', query }, opportunitySchema, pageReq);
    },

    /** Opportunities deleted in a window (ms, inclusive; §3.2), for erasing what the service holds about them. */
    listDeletedOpportunities: (window: { deletedAtStart?: number; deletedAtEnd?: number }, pageReq?: PageRequest) =>
      page({ method: 'GET', path: '/opportunities/deleted', query: { deleted_at_start: window.deletedAtStart, deleted_at_end: window.deletedAtEnd } }, deletedOpportunitySchema, pageReq),

    /** Always a new opportunity (no idempotency in Lever); `deduped` says the email matched an existing contact. */
    createOpportunity: async ({ performAs: actor, body }: { performAs: string; body: NewOpportunity }) => {
      const res = await json({ method: 'POST', path: '/opportunities', query: performAs(actor), json: body }, createdOpportunitySchema);
      return { opportunity: res.data, deduped: res.deduped === true };
    },

    /** This and the writes below answer the updated opportunity, or undefined when Lever's answer carries none. */
    changeStage: (id: string, stageId: string, actor?: string) =>
      updated({ method: 'PUT', path: p`/opportunities/${id}/stage`, query: performAs(actor), json: { stage: stageId } }),

    /** `reasonId` null unarchives. */
    archive: (id: string, reasonId: string | null, actor?: string) =>
      updated({ method: 'PUT', path: p`/opportunities/${id}/archived`, query: performAs(actor), json: { reason: reasonId } }),

    addTags: listEdit('addTags', 'tags'),
    removeTags: listEdit('removeTags', 'tags'),
    /** Links belong to the contact: they show on the contact's other opportunities too. */
    addLinks: listEdit('addLinks', 'links'),
    removeLinks: listEdit('removeLinks', 'links'),
    addSources: listEdit('addSources', 'sources'),
    removeSources: listEdit('removeSources', 'sources'),

    // ---- notes
    /** Returns the note with its `id` (live Lever answers the full note plus `noteId`). */
    createNote: (id: string, note: NewNote) =>
      one({
        method: 'POST', path: p`/opportunities/${id}/notes`, query: performAs(note.performAs),
        json: { value: note.value, notifyFollowers: note.notifyFollowers, secret: note.secret, score: note.score },
      }, createdNoteSchema),
    listNotes: (id: string, pageReq?: PageRequest) => page({ method: 'GET', path: p`/opportunities/${id}/notes` }, noteSchema, pageReq),
    /** Only notes created through the API can be deleted. */
    deleteNote: (id: string, noteId: string) => none({ method: 'DELETE', path: p`/opportunities/${id}/notes/${noteId}` }),

    // ---- files
    uploadFile: (id: string, file: FileUpload) => {
      const form = new FormData();
      form.append('file', new Blob([file.bytes], { type: file.contentType }), file.filename);
      return one({ method: 'POST', path: p`/opportunities/${id}/files`, query: performAs(file.performAs), form }, fileSchema);
    },
    listFiles: async (id: string, pageReq: PageRequest = {}): Promise<LeverPage<z.infer<typeof fileSchema>>> => {
      const body = await json({ method: 'GET', path: p`/opportunities/${id}/files`, query: { limit: pageReq.limit, offset: pageReq.offset } }, filePageSchema);
      return { data: body.data, next: body.hasNext === true ? (body.next ?? undefined) : undefined };
    },
    downloadFile: async (id: string, fileId: string): Promise<{ bytes: Uint8Array; contentType: string | null }> => {
      const req: LeverRequest = { method: 'GET', path: p`/opportunities/${id}/files/${fileId}/download` };
      const res = await send(req);
      const bytes = new Uint8Array(await readBody(`GET ${req.path}`, res, (r) => r.arrayBuffer()));
      return { bytes, contentType: res.headers.get('content-type') };
    },
    deleteFile: (id: string, fileId: string, actor: string) =>
      none({ method: 'DELETE', path: p`/opportunities/${id}/files/${fileId}`, query: performAs(actor) }),

    // ---- panels (interviews live inside them; only API-made panels are writable)
    createPanel: (id: string, body: PanelInput, actor: string): Promise<LeverPanel> =>
      created({ method: 'POST', path: p`/opportunities/${id}/panels`, query: performAs(actor), json: body }, panelSchema),
    /** Full replacement: keep `id` on interviews that stay. */
    updatePanel: (id: string, panelId: string, body: PanelInput, actor: string): Promise<LeverPanel> =>
      created({ method: 'PUT', path: p`/opportunities/${id}/panels/${panelId}`, query: performAs(actor), json: body }, panelSchema),
    deletePanel: (id: string, panelId: string, actor: string) =>
      none({ method: 'DELETE', path: p`/opportunities/${id}/panels/${panelId}`, query: performAs(actor) }),
    listPanels: (id: string, pageReq?: PageRequest) => page({ method: 'GET', path: p`/opportunities/${id}/panels` }, panelSchema, pageReq),

    // ---- feedback (§3.8): templates account-wide, feedback per opportunity; feedback writes need perform_as (§1.8)
    listFeedbackTemplates: (pageReq?: PageRequest) => page({ method: 'GET', path: '/feedback_templates' }, feedbackTemplateSchema, pageReq),
    createFeedbackTemplate: (body: FeedbackTemplateInput) => created({ method: 'POST', path: '/feedback_templates', json: body }, feedbackTemplateSchema),
    /** Replaces the whole template; every field gets a new id (feedback already written keeps the old ones). */
    replaceFeedbackTemplate: (templateId: string, body: FeedbackTemplateInput) =>
      created({ method: 'PUT', path: p`/feedback_templates/${templateId}`, json: body }, feedbackTemplateSchema),
    /** Only templates created through the API can be deleted. */
    deleteFeedbackTemplate: (templateId: string) => none({ method: 'DELETE', path: p`/feedback_templates/${templateId}` }),
    listFeedback: (id: string, pageReq?: PageRequest) => page({ method: 'GET', path: p`/opportunities/${id}/feedback` }, feedbackSchema, pageReq),
    createFeedback: (id: string, body: NewFeedback, actor: string) =>
      created({ method: 'POST', path: p`/opportunities/${id}/feedback`, query: performAs(actor), json: body }, feedbackSchema),
    /** `fieldValues` replaces every value (those left out are cleared). */
    replaceFeedback: (id: string, feedbackId: string, body: { completedAt?: number; fieldValues?: NewFeedback['fieldValues'] }, actor: string) =>
      created({ method: 'PUT', path: p`/opportunities/${id}/feedback/${feedbackId}`, query: performAs(actor), json: body }, feedbackSchema),
    deleteFeedback: (id: string, feedbackId: string, actor: string) =>
      none({ method: 'DELETE', path: p`/opportunities/${id}/feedback/${feedbackId}`, query: performAs(actor) }),

    // ---- reference data
    listUsers: (filters: { email?: string; includeDeactivated?: boolean } = {}, pageReq?: PageRequest) =>
      page({ method: 'GET', path: '/users', query: { email: filters.email, includeDeactivated: filters.includeDeactivated } }, userSchema, pageReq),
    getUser: (id: string) => one({ method: 'GET', path: p`/users/${id}` }, userSchema),
    listStages: (pageReq?: PageRequest) => page({ method: 'GET', path: '/stages' }, stageSchema, pageReq),
    getStage: (id: string) => one({ method: 'GET', path: p`/stages/${id}` }, stageSchema),
    /** The account's tags with their counts (§3.9), e.g. to find the tag commands in use. */
    listTags: (pageReq?: PageRequest) => page({ method: 'GET', path: '/tags' }, tagSchema, pageReq),
    listPostings: (pageReq?: PageRequest) => page({ method: 'GET', path: '/postings' }, postingSchema, pageReq),
    getPosting: (id: string) => one({ method: 'GET', path: p`/postings/${id}` }, postingSchema),
    listArchiveReasons: (pageReq?: PageRequest) => page({ method: 'GET', path: '/archive_reasons' }, archiveReasonSchema, pageReq),

    // ---- webhooks
    listWebhooks: (pageReq?: PageRequest) => page({ method: 'GET', path: '/webhooks' }, webhookSchema, pageReq),
    /** The answer is the only place Lever ever shows the subscription's signature token. */
    createWebhook: async (input: { url: string; event: string; origins?: string[] }): Promise<{ webhook: LeverWebhookSubscription; signatureToken: string }> => {
      const configuration = input.origins ? { conditions: { origins: input.origins } } : undefined;
      const webhook = await created({ method: 'POST', path: '/webhooks', json: { url: input.url, event: input.event, configuration } }, createdWebhookSchema);
      return { webhook, signatureToken: webhook.configuration.signatureToken };
    },
    deleteWebhook: (webhookId: string) => none({ method: 'DELETE', path: p`/webhooks/${webhookId}` }),

    // ---- the key check
    /**
     * For the TEST button's permission probes only (integrations/key-checks/lever-key-check.ts), which
     * build their own requests: sends `req` once, as given, and answers Lever's status instead of
     * throwing a refusal, since the status is what a probe asks. A request other than GET is never
     * sent on to another address (no redirect followed). Throws only when Lever cannot be reached
     * (a network ExternalApiError) or `opts.signal` aborted. `opts.timeoutMs` replaces the client's.
     */
    probe: async (req: LeverProbeRequest, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<LeverProbeAnswer> => {
      const call = `${req.method} ${req.path}`;
      const res = await answer(req, { ...opts, redirect: req.method === 'GET' ? 'follow' : 'manual' });
      if (!res.ok) return { status: res.status, error: await leverHttpError(call, res, secrets) };
      return { status: res.status, body: parseJson(await readBody(call, res, (r) => r.text())) };
    },
  };

  // Conveniences that follow every page: one request per page, several per call (unlike everything above).
  return {
    ...api,
    /** For the idempotent writes (writes.ts): the write was found already made, so none was sent. */
    alreadyPresent: options.observeWrite ? (kind: LeverWriteKind) => options.observeWrite?.(kind, 'already_present') : undefined,
    listAllUsers: (filters: Parameters<typeof api.listUsers>[0] = {}) => listAll((pg) => api.listUsers(filters, pg)),
    listAllStages: () => listAll(api.listStages),
    listAllTags: () => listAll(api.listTags),
    listAllPostings: () => listAll(api.listPostings),
    listAllArchiveReasons: () => listAll(api.listArchiveReasons),
    listAllNotes: (id: string) => listAll((pg) => api.listNotes(id, pg)),
    listAllFiles: (id: string) => listAll((pg) => api.listFiles(id, pg)),
    listAllPanels: (id: string) => listAll((pg) => api.listPanels(id, pg)),
    listAllWebhooks: () => listAll(api.listWebhooks),
    listAllFeedbackTemplates: () => listAll(api.listFeedbackTemplates),
    listAllFeedback: (id: string) => listAll((pg) => api.listFeedback(id, pg)),
  };
}

export type LeverClient = ReturnType<typeof createLeverClient>;

/**
 * Fetches every page (one request each) until `hasNext` is false. For small lists (stages, users,
 * reasons) and bounded reads; an activity that must survive retries should page itself.
 */
export async function listAll<T>(fetchPage: (page: PageRequest) => Promise<LeverPage<T>>, opts: { limit?: number; maxPages?: number } = {}): Promise<T[]> {
  const items: T[] = [];
  let offset: string | undefined;
  for (let n = 0; n < (opts.maxPages ?? 10_000); n++) {
    const page = await fetchPage({ offset, limit: opts.limit });
    items.push(...page.data);
    if (page.next === undefined) return items;
    offset = page.next;
  }
  throw new Error(`Lever pagination did not end after ${opts.maxPages ?? 10_000} pages`);
}
