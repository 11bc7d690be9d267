import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ExternalApiError } from '../../external-api-error';
import type { LeverClient } from '../../lever/client';
import { keyCheck, mapLimited, type KeyCheck, type PermissionCheck } from './key-check';

/**
 * An id no Lever object has. Every write probe targets it (or names it as the acting user) and never an
 * id read from the account, so no probe can touch real data whatever Lever answers.
 */
export const MADE_UP_ID = '00000000-0000-0000-0000-000000000000';
const OTHER_MADE_UP_ID = '00000000-0000-0000-0000-000000000001';
const NOWHERE = `/opportunities/${MADE_UP_ID}`;
const PROBE_TEXT = 'CodeSignal integration permission check';

/** Ids the first list reads found in the account (MADE_UP_ID when there was none or the list was refused). */
interface Found {
  opportunityId: string;
  userId: string;
  stageId: string;
}
/** What a write probe may use: an acting user and a stage to name, never a target from the account. */
type WriteArgs = Omit<Found, 'opportunityId'>;

export interface ProbeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** Sent as multipart with a one-line text part named `file`. */
  file?: true;
}

export interface LeverPermission {
  /** As Lever's API-key permission checklist names it. */
  name: string;
  /** The OAuth scope of the same endpoints (reference §4). */
  scope: string;
  probe: { read: (found: Found) => ProbeRequest } | { write: (args: WriteArgs) => ProbeRequest };
}

const enc = encodeURIComponent;
const opp = (f: Found) => `/opportunities/${enc(f.opportunityId)}`;
const read = (path: (f: Found) => string) => ({ read: (f: Found): ProbeRequest => ({ method: 'GET', path: path(f) }) });
const list = (path: (f: Found) => string) => ({ read: (f: Found): ProbeRequest => ({ method: 'GET', path: path(f), query: { limit: '1' } }) });
const write = (request: (a: WriteArgs) => ProbeRequest) => ({ write: request });
const asUser = (a: WriteArgs) => ({ perform_as: a.userId });
const interviewBody = (a: WriteArgs) => ({
  panel: MADE_UP_ID, subject: PROBE_TEXT, interviewers: [{ id: a.userId }], date: Date.now() + 86_400_000, duration: 30,
});

/**
 * What the integration needs of a Lever key: the seed article's checklist, in its order, then what
 * the service's own features call beyond it (import: list and create opportunities; sync: archive;
 * the PDF report: list files; interviews: list panels; mappings and settings: archive reasons,
 * postings). The webhooks permissions are not required: with them the service registers its own
 * subscriptions (src/integrations/webhook-registration), without them the admin pastes the tokens.
 */
export const LEVER_PERMISSIONS: readonly LeverPermission[] = [
  { name: 'read user', scope: 'users:read:admin', probe: read((f) => `/users/${enc(f.userId)}`) },
  { name: 'read stage', scope: 'stages:read:admin', probe: read((f) => `/stages/${enc(f.stageId)}`) },
  { name: 'read opportunity note', scope: 'notes:read:admin', probe: read((f) => `${opp(f)}/notes/${MADE_UP_ID}`) },
  { name: 'read opportunity interview', scope: 'interviews:read:admin', probe: read((f) => `${opp(f)}/interviews/${MADE_UP_ID}`) },
  { name: 'read opportunity application', scope: 'applications:read:admin', probe: read((f) => `${opp(f)}/applications/${MADE_UP_ID}`) },
  { name: 'read opportunity', scope: 'opportunities:read:admin', probe: read(opp) },
  { name: 'list users', scope: 'users:read:admin', probe: list(() => '/users') },
  { name: 'list tags', scope: 'tags:read:admin', probe: list(() => '/tags') },
  { name: 'list stages', scope: 'stages:read:admin', probe: list(() => '/stages') },
  { name: 'list sources', scope: 'sources:read:admin', probe: list(() => '/sources') },
  { name: 'list opportunity notes', scope: 'notes:read:admin', probe: list((f) => `${opp(f)}/notes`) },
  { name: 'list opportunity interviews', scope: 'interviews:read:admin', probe: list((f) => `${opp(f)}/interviews`) },
  { name: 'list opportunity applications', scope: 'applications:read:admin', probe: list((f) => `${opp(f)}/applications`) },
  { name: 'upload opportunity file', scope: 'files:write:admin', probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/files`, query: asUser(a), file: true })) },
  { name: 'update opportunity stage', scope: 'opportunities:write:admin', probe: write((a) => ({ method: 'PUT', path: `${NOWHERE}/stage`, query: asUser(a), json: { stage: a.stageId } })) },
  {
    name: 'update opportunity interview', scope: 'interviews:write:admin',
    probe: write((a) => ({ method: 'PUT', path: `${NOWHERE}/interviews/${MADE_UP_ID}`, query: asUser(a), json: interviewBody(a) })),
  },
  { name: 'remove opportunity tag', scope: 'opportunities:write:admin', probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/removeTags`, query: asUser(a), json: { tags: [PROBE_TEXT] } })) },
  {
    name: 'remove opportunity link', scope: 'opportunities:write:admin',
    probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/removeLinks`, query: asUser(a), json: { links: ['https://example.invalid/permission-check'] } })),
  },
  { name: 'delete opportunity note', scope: 'notes:write:admin', probe: write((a) => ({ method: 'DELETE', path: `${NOWHERE}/notes/${MADE_UP_ID}`, query: asUser(a) })) },
  { name: 'delete opportunity interview', scope: 'interviews:write:admin', probe: write((a) => ({ method: 'DELETE', path: `${NOWHERE}/interviews/${MADE_UP_ID}`, query: asUser(a) })) },
  { name: 'delete opportunity file', scope: 'files:write:admin', probe: write((a) => ({ method: 'DELETE', path: `${NOWHERE}/files/${MADE_UP_ID}`, query: asUser(a) })) },
  {
    name: 'create opportunity note', scope: 'notes:write:admin',
    probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/notes`, query: asUser(a), json: { value: PROBE_TEXT, notifyFollowers: false } })),
  },
  { name: 'create opportunity interview', scope: 'interviews:write:admin', probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/interviews`, query: asUser(a), json: interviewBody(a) })) },
  { name: 'add opportunity tag', scope: 'opportunities:write:admin', probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/addTags`, query: asUser(a), json: { tags: [PROBE_TEXT] } })) },
  {
    name: 'add opportunity link', scope: 'opportunities:write:admin',
    probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/addLinks`, query: asUser(a), json: { links: ['https://example.invalid/permission-check'] } })),
  },
  { name: 'list opportunities', scope: 'opportunities:read:admin', probe: list(() => '/opportunities') },
  {
    // No target to make up for a create: the acting user cannot exist and Lever refuses two postings (§3.3).
    name: 'create opportunity', scope: 'opportunities:write:admin',
    probe: write(() => ({ method: 'POST', path: '/opportunities', query: { perform_as: MADE_UP_ID }, json: { name: PROBE_TEXT, postings: [MADE_UP_ID, OTHER_MADE_UP_ID] } })),
  },
  { name: 'update opportunity archived state', scope: 'opportunities:write:admin', probe: write((a) => ({ method: 'PUT', path: `${NOWHERE}/archived`, query: asUser(a), json: { reason: null } })) },
  { name: 'list opportunity files', scope: 'files:read:admin', probe: list((f) => `${opp(f)}/files`) },
  { name: 'list opportunity panels', scope: 'panels:read:admin', probe: list((f) => `${opp(f)}/panels`) },
  { name: 'list archive reasons', scope: 'archive_reasons:read:admin', probe: list(() => '/archive_reasons') },
  { name: 'list postings', scope: 'postings:read:admin', probe: list(() => '/postings') },
];

/**
 * What results posted as Lever feedback need besides (setting `assessments.resultsAs` = `feedback` or
 * `both`; src/activities/assessment/feedback.ts): the integration's own template read, made and replaced
 * (`feedback_templates:*`), the feedback written, and the opportunity's feedback listed, so a retried write
 * finds the one an earlier attempt made (`feedback:read:admin`, reference §4). Probed like the others:
 * nothing is written, the write probes target made-up ids.
 */
export const FEEDBACK_PERMISSIONS: readonly LeverPermission[] = [
  { name: 'list feedback templates', scope: 'feedback_templates:read:admin', probe: list(() => '/feedback_templates') },
  { name: 'delete feedback template', scope: 'feedback_templates:write:admin', probe: write(() => ({ method: 'DELETE', path: `/feedback_templates/${MADE_UP_ID}` })) },
  {
    name: 'create opportunity feedback', scope: 'feedback:write:admin',
    probe: write((a) => ({ method: 'POST', path: `${NOWHERE}/feedback`, query: asUser(a), json: { baseTemplateId: MADE_UP_ID } })),
  },
  { name: 'list opportunity feedback', scope: 'feedback:read:admin', probe: list((f) => `${opp(f)}/feedback`) },
];

/** Why a FEEDBACK_PERMISSIONS row is there, on the TEST's answer. */
const FEEDBACK_NEED = 'needed when assessment results are posted as Lever feedback (setting assessments.resultsAs: feedback or both)';

/** The list reads whose first item gives the later probes a real object to read. */
const FINDERS: Readonly<Record<string, keyof Found>> = { 'list users': 'userId', 'list stages': 'stageId', 'list opportunities': 'opportunityId' };

const firstIdSchema = z.object({ data: z.array(z.object({ id: z.string() })).min(1) });

export interface LeverKeyCheckOptions {
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /**
   * The integration's `assessments.resultsAs`. With `feedback` or `both` the FEEDBACK_PERMISSIONS are
   * probed too and required: each is listed with what it is for, a missing one is named in `missing` and
   * fails the TEST. Otherwise (`note`, or unknown as for a key not saved yet) they are not asked for.
   */
  resultsAs?: 'note' | 'feedback' | 'both';
}

/** Probes in flight at once; with the client's pacing the TEST stays under Lever's 10 requests/s. */
const CONCURRENCY = 3;
const RATE_LIMITED_ATTEMPTS = 3;

class KeyRefused extends Error {}

type Answer = { status: number; firstId?: string; error?: ExternalApiError };

/**
 * Lever's TEST button: does the key work, and which permissions of LEVER_PERMISSIONS does it hold?
 *
 * Nothing is written. Reads are GETs with `limit=1`, per-opportunity ones against the first opportunity
 * `GET /opportunities` shows (a made-up id when there is none). A write permission is probed with its
 * own request against an opportunity that cannot exist (MADE_UP_ID): 403 means the key lacks it, 404
 * (or 400) that Lever let the request past its permission check. That reading relies on Lever checking
 * a key's permissions before it looks the object up — NOT confirmed by Lever's docs (reference §1.3
 * lists 403 and 404, not their order); the sandbox behaves so. If Lever looked up first, a missing write
 * permission would show as granted, never the reverse, and still nothing would be written.
 *
 * 401 → `keyValid: false`. Lever unreachable or 5xx → throws the (retryable) ExternalApiError.
 *
 * `lever` is a client on the key to check, paced: the integration's client (IntegrationClients.lever,
 * its shared budget) when the key is or is to be an integration's, else `forKey.lever` (paced alone).
 * Each probe goes out through its `probe` method, one request per attempt.
 */
export async function checkLeverKey(lever: LeverClient, options: LeverKeyCheckOptions = {}): Promise<KeyCheck> {
  // once the answer is known (key refused, Lever down), probes still queued or in flight are dropped
  const done = new AbortController();
  const send = prober(lever, options.timeoutMs ?? 10_000, done.signal);
  const found: Found = { opportunityId: MADE_UP_ID, userId: MADE_UP_ID, stageId: MADE_UP_ID };
  const results = new Map<string, PermissionCheck>();
  const feedbackRequired = options.resultsAs === 'feedback' || options.resultsAs === 'both';
  const probed = feedbackRequired ? [...LEVER_PERMISSIONS, ...FEEDBACK_PERMISSIONS] : LEVER_PERMISSIONS;
  const run = async (permission: LeverPermission) => {
    const { probe } = permission;
    const request = 'write' in probe ? probe.write(found) : probe.read(found);
    const answer = await send(request);
    const finds = FINDERS[permission.name];
    if (finds && answer.firstId !== undefined) found[finds] = answer.firstId;
    results.set(permission.name, { name: permission.name, scope: permission.scope, ...verdict(answer, 'write' in probe ? request : undefined) });
  };
  try {
    await mapLimited(probed.filter((p) => p.name in FINDERS), CONCURRENCY, run);
    await mapLimited(probed.filter((p) => !(p.name in FINDERS)), CONCURRENCY, run);
  } catch (err) {
    if (err instanceof KeyRefused) return keyCheck(false, probed.map((p) => ({ name: p.name, scope: p.scope, granted: null })));
    throw err;
  } finally {
    done.abort();
  }
  const rows = probed.map((p) => results.get(p.name)!);
  const forFeedback = (r: PermissionCheck) => (FEEDBACK_PERMISSIONS.some((p) => p.name === r.name) ? { ...r, detail: r.detail ? `${FEEDBACK_NEED}: ${r.detail}` : FEEDBACK_NEED } : r);
  return keyCheck(true, rows.map(forFeedback));
}

function verdict(answer: Answer, write: ProbeRequest | undefined): Pick<PermissionCheck, 'granted' | 'detail'> {
  const { status, error } = answer;
  if (status === 401) throw new KeyRefused();
  if (status >= 500) throw error!;
  if (status < 300) return write ? { granted: true, detail: `Lever accepted the probe ${write.method} ${write.path}, which was built to be refused: please report this` } : { granted: true };
  if (status === 403) return { granted: false, detail: error!.message };
  if (status === 404 || status === 400) return { granted: true };
  if (status === 429) return { granted: null, detail: 'Lever kept answering 429 (rate limited): TEST again in a minute' };
  return { granted: null, detail: `cannot tell from this answer: ${error!.message}` };
}

/** One probe request → its status (and the first listed id); 429s are retried after a pause. */
function prober(lever: LeverClient, timeoutMs: number, done: AbortSignal): (req: ProbeRequest) => Promise<Answer> {
  return async ({ file, ...req }) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await lever.probe({ ...req, form: file ? probeFile() : undefined }, { signal: done, timeoutMs });
      if (answer.error) {
        if (answer.status === 429 && attempt < RATE_LIMITED_ATTEMPTS) {
          await sleep(answer.error.retryAfterMs ?? 1_000);
          continue;
        }
        return { status: answer.status, error: answer.error };
      }
      const first = firstIdSchema.safeParse(answer.body);
      return { status: answer.status, firstId: first.success ? first.data.data[0]!.id : undefined };
    }
  };
}

function probeFile(): FormData {
  const form = new FormData();
  form.append('file', new Blob([`${PROBE_TEXT}\n`], { type: 'text/plain' }), 'permission-check.txt');
  return form;
}
