import { secretHint } from '../../crypto/secret-box';
import { ExternalApiError } from '../../external-api-error';
import type { LeverClient } from '../../lever/client';
import type { LeverWebhookSubscription } from '../../lever/schemas';
import { handledLeverEvents } from '../../lever/webhook-events';
import { MADE_UP_ID } from '../key-checks/lever-key-check';
import { tokenSha256, type Registration, type RegistrationStore } from './registrations';

/**
 * The service's Lever webhook subscriptions, made through Lever's webhooks API (lever-api.md §2.7) when
 * the key holds `webhooks:write:admin`: one per event the service needs, at the integration's webhook URL.
 * Lever answers a subscription's signing token only in its create answer, so every create is recorded
 * at once with its token (registrations.ts); a subscription at our URL that the service has no record
 * of was made on Lever's settings page, or by a create whose answer was lost — Lever lets the API delete
 * only the latter (403 for the former), which is how the two are told apart.
 */

/** The events the service needs, as Lever's webhooks settings page names their groups. */
export const leverEventGroups: Readonly<Record<(typeof handledLeverEvents)[number], string>> = {
  candidateStageChange: 'Candidate Stage Change',
  candidateHired: 'Candidate Hired',
  candidateArchiveChange: 'Candidate Archive State Change',
  interviewCreated: 'Interview Created',
  interviewUpdated: 'Interview Updated',
  interviewDeleted: 'Interview Deleted',
  candidateDeleted: 'Candidate Deleted',
};
export const neededLeverEvents: readonly string[] = handledLeverEvents;

export const WRITE_SCOPE = 'webhooks:write:admin';
export const READ_SCOPE = 'webhooks:read:admin';

/** The one step Lever still wants from a person after the API made the subscriptions (§2.7). */
export const manualStep = (): string =>
  `A Lever Super Admin must turn on each event group in Lever (Settings → Integrations and API → Webhooks): ${Object.values(leverEventGroups).join(', ')}. ` +
  'Lever delivers nothing to subscriptions made through the API until their group is on.';

/** What applies when the key may not manage webhooks: the admin sets them up in Lever and pastes the tokens. */
export const manualFlow = (url: string): string =>
  `Register the webhooks by hand: in Lever (Settings → Integrations and API → Webhooks) add ${url} under ${Object.values(leverEventGroups).join(', ')}, ` +
  'VERIFY CONNECTION, and paste each signing token under "Lever webhook signing tokens" on the Credentials page. ' +
  `Or give the Lever key the ${READ_SCOPE} and ${WRITE_SCOPE} permissions and register again.`;

export type SubscriptionStatus = 'registered' | 'missing' | 'wrong_url' | 'not_ours';

export interface SubscriptionRow {
  event: string;
  status: SubscriptionStatus;
  webhookId: string | null;
  url: string | null;
  /** true: the service made it through the API (recorded); false: Lever refused its deletion, so it was made in Lever's UI; null: not known. */
  createdByService: boolean | null;
  /** Whether the integration holds its signing token (null: not known — a token pasted by hand names no subscription). */
  tokenStored: boolean | null;
  /** The stored token's last 4 characters, like the Credentials page shows them. */
  tokenHint: string | null;
}

export interface LeverWebhookStatus {
  url: string;
  /** One row per needed event: its best subscription, or `missing`. */
  subscriptions: SubscriptionRow[];
  /** Further subscriptions for this integration: a second one for an event, or one for an event the service does not need. */
  extra: SubscriptionRow[];
  /** Every needed event has a subscription at our URL whose token the integration holds. */
  complete: boolean;
  manualStep: string;
}

export class WebhookPermissionMissing extends Error {
  constructor(readonly scope: string, readonly call: string) {
    super(`the Lever key lacks ${scope} (Lever answered 403 to ${call})`);
  }
}

/** A Lever 403 on a webhooks call: the key lacks the permission (for DELETE of a real subscription, see `removeOrRefused`). */
function permissionOr<T>(scope: string, call: string) {
  return (err: unknown): T => {
    if (err instanceof ExternalApiError && err.status === 403) throw new WebhookPermissionMissing(scope, call);
    throw err;
  };
}

/** Every subscription the account has (GET /webhooks, all pages). */
export const listLeverWebhooks = (lever: LeverClient): Promise<LeverWebhookSubscription[]> =>
  lever.listAllWebhooks().catch(permissionOr(READ_SCOPE, 'GET /webhooks'));

/**
 * Whether the key may create and delete subscriptions, asked without changing anything: a DELETE of a
 * subscription that cannot exist is 403 without the permission, 404 with it (the key TEST's reading,
 * lever-key-check.ts). null: Lever's answer tells neither.
 */
export async function canWriteWebhooks(lever: LeverClient): Promise<boolean | null> {
  const answer = await lever.probe({ method: 'DELETE', path: `/webhooks/${MADE_UP_ID}` });
  if (answer.status === 403) return false;
  if (answer.status === 404 || answer.status === 400 || answer.status < 300) return true;
  if (answer.status >= 500) throw answer.error;
  return null;
}

/** Of a Lever URL: does it lead to this integration's Lever webhook route (on any host)? */
const leadsHere = (url: string, integrationId: string): boolean => {
  try {
    return new URL(url).pathname.replace(/\/+$/, '') === `/webhooks/lever/${integrationId}`;
  } catch {
    return false;
  }
};

interface Classified {
  sub: LeverWebhookSubscription;
  row: SubscriptionRow;
  /** Lower is better: the one an event keeps. */
  rank: number;
  registration: Registration | undefined;
}

interface Context {
  integrationId: string;
  url: string;
  /** The integration's signing tokens (plain, in memory only), by SHA-256. */
  heldTokens: ReadonlyMap<string, string>;
  registrations: readonly Registration[];
  /** Subscriptions Lever refused to delete in this run: made in its UI. */
  madeInUi?: ReadonlySet<string>;
}

export const heldTokensOf = (tokens: readonly string[]): Map<string, string> => new Map(tokens.map((t) => [tokenSha256(t), t]));

function classify(sub: LeverWebhookSubscription, ctx: Context): Classified {
  const registration = ctx.registrations.find((r) => r.webhookId === sub.id);
  const token = registration ? ctx.heldTokens.get(registration.tokenSha256) : undefined;
  const atUrl = sub.url === ctx.url;
  const createdByService = registration ? true : ctx.madeInUi?.has(sub.id) ? false : null;
  const status: SubscriptionStatus = registration ? (atUrl ? 'registered' : 'wrong_url') : atUrl ? 'not_ours' : 'wrong_url';
  const rank = registration ? (atUrl ? (token ? 0 : 1) : 3) : atUrl ? 2 : 4;
  return {
    sub,
    registration,
    rank,
    row: {
      event: sub.event, status, webhookId: sub.id, url: sub.url, createdByService,
      tokenStored: registration ? token !== undefined : null, tokenHint: token ? secretHint(token) : null,
    },
  };
}

const missingRow = (event: string): SubscriptionRow =>
  ({ event, status: 'missing', webhookId: null, url: null, createdByService: null, tokenStored: false, tokenHint: null });

/** Lever's subscriptions that concern this integration (recorded by us, or leading to its webhook route), by event, best first. */
function byEvent(subs: readonly LeverWebhookSubscription[], ctx: Context): Map<string, Classified[]> {
  const recorded = new Set(ctx.registrations.map((r) => r.webhookId));
  const ours = subs.filter((s) => recorded.has(s.id) || leadsHere(s.url, ctx.integrationId)).map((s) => classify(s, ctx));
  const grouped = new Map<string, Classified[]>();
  for (const c of ours) grouped.set(c.sub.event, [...(grouped.get(c.sub.event) ?? []), c]);
  for (const list of grouped.values()) list.sort((a, b) => a.rank - b.rank);
  return grouped;
}

/** Where this integration's subscriptions stand: each needed event's, with whether its token is held. */
export function webhookStatus(subs: readonly LeverWebhookSubscription[], ctx: Context): LeverWebhookStatus {
  const grouped = byEvent(subs, ctx);
  const subscriptions = neededLeverEvents.map((event) => grouped.get(event)?.[0]?.row ?? missingRow(event));
  const extra = [...grouped.entries()].flatMap(([event, list]) => (neededLeverEvents.includes(event) ? list.slice(1) : list).map((c) => c.row));
  return {
    url: ctx.url,
    subscriptions,
    extra,
    complete: subscriptions.every((r) => r.status === 'registered' && r.tokenStored === true),
    manualStep: manualStep(),
  };
}

export interface SyncDeps {
  lever: LeverClient;
  store: RegistrationStore;
  integrationId: string;
  url: string;
  /** The integration's signing tokens as stored now (read again for the answer, after the changes). */
  readSigningTokens: () => Promise<readonly string[]>;
}

export interface SyncResult {
  status: LeverWebhookStatus;
  created: number;
  deleted: number;
}

/**
 * Deletes a subscription through the API: true when gone (204, or already gone: 404), false when Lever
 * refuses (403: made in Lever's UI — the key's write permission was checked first).
 */
async function removeOrRefused(lever: LeverClient, webhookId: string): Promise<boolean> {
  try {
    await lever.deleteWebhook(webhookId);
    return true;
  } catch (err) {
    if (err instanceof ExternalApiError && err.status === 404) return true;
    if (err instanceof ExternalApiError && err.status === 403) return false;
    throw err;
  }
}

/**
 * Lever's subscriptions and our records of those it still has; records of subscriptions Lever no longer
 * has (deleted in its UI) are forgotten with their tokens.
 */
async function readLever({ lever, store }: SyncDeps): Promise<{ subs: LeverWebhookSubscription[]; registrations: Registration[] }> {
  const registrations = await store.list();
  const subs = await listLeverWebhooks(lever);
  const present = new Set(subs.map((s) => s.id));
  await store.forget(registrations.filter((r) => !present.has(r.webhookId)));
  return { subs, registrations: registrations.filter((r) => present.has(r.webhookId)) };
}

/** Deletes each subscription Lever lets the API delete (forgetting the recorded ones' tokens); those it refuses were made in its UI. */
async function deleteEach({ lever, store }: SyncDeps, doomed: readonly Classified[]): Promise<{ deleted: number; madeInUi: Set<string> }> {
  const madeInUi = new Set<string>();
  let deleted = 0;
  for (const c of doomed) {
    if (!(await removeOrRefused(lever, c.sub.id))) {
      madeInUi.add(c.sub.id);
      continue;
    }
    deleted++;
    if (c.registration) await store.forget([c.registration]);
  }
  return { deleted, madeInUi };
}

/** Fails with WebhookPermissionMissing unless the key may write webhooks (asked only when there is something to write). */
async function requireWrite(lever: LeverClient): Promise<void> {
  if ((await canWriteWebhooks(lever)) === false) throw new WebhookPermissionMissing(WRITE_SCOPE, `DELETE /webhooks/${MADE_UP_ID}`);
}

/**
 * Register: makes Lever hold exactly one subscription per needed event at our URL whose token the
 * integration holds. Kept: a recorded one at our URL with its token held. Deleted (then made anew): a
 * recorded one at another URL or whose token is no longer held, one not recorded at our route that
 * Lever lets the API delete (a create whose answer was lost), a second one for an event, and recorded
 * ones for events no longer needed. Left alone: those Lever refuses to delete (made in its UI) — an
 * event with one at our URL gets no second. Each create is recorded with its token before the next call.
 * Safe to repeat: a run that failed half-way is completed by the next one.
 */
export async function registerLeverWebhooks(deps: SyncDeps): Promise<SyncResult> {
  const { lever, store, url } = deps;
  const heldTokens = heldTokensOf(await deps.readSigningTokens());
  const { subs, registrations } = await readLever(deps);

  const ctx: Context = { integrationId: deps.integrationId, url, heldTokens, registrations };
  const grouped = byEvent(subs, ctx);
  const toRemove: Classified[] = [];
  const toCreate: string[] = [];
  for (const [event, list] of grouped) {
    if (!neededLeverEvents.includes(event)) {
      toRemove.push(...list.filter((c) => c.registration));
      continue;
    }
    const keep = list[0]!.rank === 0 ? list[0] : undefined;
    toRemove.push(...list.filter((c) => c !== keep));
  }
  for (const event of neededLeverEvents) {
    if (!grouped.get(event)?.some((c) => c.rank === 0)) toCreate.push(event);
  }
  if (toRemove.length === 0 && toCreate.length === 0) {
    return { status: webhookStatus(subs, ctx), created: 0, deleted: 0 };
  }

  await requireWrite(lever);
  const { deleted, madeInUi } = await deleteEach(deps, toRemove);
  let created = 0;
  for (const event of toCreate) {
    // one made in Lever's UI at our URL stays the event's subscription: no second beside it
    if (grouped.get(event)?.some((c) => madeInUi.has(c.sub.id) && c.sub.url === url)) continue;
    const { webhook, signatureToken } = await lever.createWebhook({ url, event }).catch(permissionOr<never>(WRITE_SCOPE, 'POST /webhooks'));
    await store.record(webhook.id, event, url, signatureToken);
    created++;
  }
  return { status: await currentStatus(deps, madeInUi), created, deleted };
}

/**
 * Remove: deletes the service's subscriptions (recorded ones, and those at our route Lever lets the API
 * delete — a create whose answer was lost) and forgets their tokens. Subscriptions made in Lever's UI
 * stay, with the tokens pasted for them.
 */
export async function removeLeverWebhooks(deps: SyncDeps): Promise<SyncResult> {
  const { subs, registrations } = await readLever(deps);
  const candidates = [...byEvent(subs, { integrationId: deps.integrationId, url: deps.url, heldTokens: new Map(), registrations }).values()].flat();
  if (candidates.length === 0) return { status: await currentStatus(deps, new Set()), created: 0, deleted: 0 };

  await requireWrite(deps.lever);
  const { deleted, madeInUi } = await deleteEach(deps, candidates);
  return { status: await currentStatus(deps, madeInUi), created: 0, deleted };
}

/** The status after changes: Lever's list, our records and the signing tokens read again. */
async function currentStatus(deps: SyncDeps, madeInUi: ReadonlySet<string>): Promise<LeverWebhookStatus> {
  const [registrations, subs, tokens] = await Promise.all([deps.store.list(), listLeverWebhooks(deps.lever), deps.readSigningTokens()]);
  return webhookStatus(subs, { integrationId: deps.integrationId, url: deps.url, heldTokens: heldTokensOf(tokens), registrations, madeInUi });
}
