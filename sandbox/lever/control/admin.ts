import { z } from 'zod';
import { createSubscription, deleteSubscription } from '../actions/webhook-subscriptions';
import { badRequest, notFound } from '../errors';
import { applyFaultPatch, faultPatchSchema, NO_FAULTS } from '../faults';
import { newId } from '../ids';
import { WEBHOOK_EVENTS, type ArchiveReason, type Delivery, type Posting, type RequestLogEntry, type Stage, type User, type WebhookEvent, type WebhookSubscription } from '../model';
import { PERMISSION_PRESETS } from '../permissions';
import type { KeyRateLimiter } from '../rate-limit';
import type { AccountState, LeverStore } from '../state';
import { parseInput } from '../validation';
import type { WebhookEmitter } from '../webhooks';
import {
  createAccountBody, createArchiveReasonBody, createKeyBody, createPostingBody, setPostingTagsBody, createStageBody, createUiWebhookBody,
  createUserBody, deliveryFilter, requestFilter, settingsBody, webhookEventSwitchBody,
} from './schemas';

type In<S extends z.ZodType> = z.input<S>;

export interface KeyView { key: string; name: string; accountId: string; permissions: string[] }

/** Account set-up as a Super Admin does it in Lever's settings, plus the sandbox's own switches and logs. */
export class SandboxAdmin {
  constructor(private readonly store: LeverStore, private readonly events: WebhookEmitter, private readonly limiter: KeyRateLimiter) {}

  account(accountId: string): AccountState { return this.store.account(accountId); }

  accounts(): Array<{ id: string; name: string; createdAt: number }> {
    return [...this.store.accounts.values()].map((a) => ({ id: a.id, name: a.name, createdAt: a.createdAt }));
  }

  createAccount(input: In<typeof createAccountBody> = {}): AccountState {
    const init = parseInput(createAccountBody, input);
    if (init.id && this.store.accounts.has(init.id)) throw badRequest(`account ${init.id} already exists`);
    return this.store.createAccount(init);
  }

  deleteAccount(accountId: string): void { this.store.deleteAccount(accountId); }

  resetAccount(accountId: string): AccountState { return this.store.resetAccount(accountId); }

  /** Forgets every account, key and rate-limit bucket. */
  reset(): void {
    this.store.reset();
    this.limiter.clear();
  }

  createKey(accountId: string, input: In<typeof createKeyBody> = {}): KeyView {
    const { permissions, key, name } = parseInput(createKeyBody, input);
    if (key && this.store.keys.has(key)) throw badRequest('that API key already exists');
    const granted = typeof permissions === 'string' ? PERMISSION_PRESETS[permissions] : permissions;
    return keyView(this.store.addKey(accountId, granted, { key, name }));
  }

  keys(accountId: string): KeyView[] { return this.store.keysOf(this.account(accountId).id).map(keyView); }

  /** An admin edits the key's permissions in Lever's settings (the key itself stays the same). */
  setKeyPermissions(accountId: string, key: string, permissions: readonly string[]): KeyView {
    const apiKey = this.store.keys.get(key);
    if (apiKey?.accountId !== this.account(accountId).id) throw notFound('keys', key);
    apiKey.permissions = new Set(permissions);
    return keyView(apiKey);
  }

  revokeKey(accountId: string, key: string): void {
    if (this.store.keys.get(key)?.accountId !== this.account(accountId).id) throw notFound('keys', key);
    this.store.keys.delete(key);
  }

  createUser(accountId: string, input: In<typeof createUserBody>): User {
    const account = this.account(accountId);
    const u = parseInput(createUserBody, input);
    if (account.userByEmail(u.email)) throw badRequest(`a user with email ${u.email} already exists`);
    const now = Date.now();
    const user: User = {
      id: u.id ?? newId(), name: u.name, username: u.email.split('@')[0], email: u.email, accessRole: u.accessRole, photo: null,
      createdAt: now, deactivatedAt: u.deactivated ? now : null, externalDirectoryId: null, linkedContactIds: [],
      jobTitle: u.jobTitle ?? null, managerId: null,
    };
    account.users.set(user.id, user);
    return user;
  }

  setUserActive(accountId: string, userId: string, active: boolean): User {
    const user = this.account(accountId).user(userId);
    user.deactivatedAt = active ? null : Date.now();
    return user;
  }

  createStage(accountId: string, input: In<typeof createStageBody>): Stage {
    const account = this.account(accountId);
    const s = parseInput(createStageBody, input);
    const stage: Stage = { id: s.id ?? newId(), text: s.text };
    if (account.stages.some((x) => x.id === stage.id)) throw badRequest(`stage ${stage.id} already exists`);
    const before = s.before !== undefined ? account.stageIndex(account.stage(s.before).id) : account.stageIndex('offer');
    account.stages.splice(before >= 0 ? before : account.stages.length, 0, stage);
    return stage;
  }

  createPosting(accountId: string, input: In<typeof createPostingBody>): Posting {
    const account = this.account(accountId);
    const p = parseInput(createPostingBody, input);
    if (p.owner) account.user(p.owner);
    if (p.hiringManager) account.user(p.hiringManager);
    const now = Date.now();
    const posting: Posting = {
      id: newId(), text: p.text, createdAt: now, updatedAt: now, user: p.owner ?? null, owner: p.owner ?? null,
      hiringManager: p.hiringManager ?? null, confidentiality: 'non-confidential',
      categories: { team: p.team ?? null, department: p.department ?? null, location: p.location ?? null, commitment: p.commitment ?? null, level: null },
      tags: p.tags, state: p.state, distributionChannels: p.state === 'published' ? ['public'] : ['internal'], workplaceType: p.workplaceType,
    };
    account.postings.set(posting.id, posting);
    return posting;
  }

  /** A posting's tags as an admin sets them in Lever's UI (e.g. "CodeSignal: <test>" for the assessment partner). */
  setPostingTags(accountId: string, postingId: string, input: In<typeof setPostingTagsBody>): Posting {
    const posting = this.account(accountId).posting(postingId);
    posting.tags = [...new Set(parseInput(setPostingTagsBody, input).tags)];
    posting.updatedAt = Date.now();
    return posting;
  }

  createArchiveReason(accountId: string, input: In<typeof createArchiveReasonBody>): ArchiveReason {
    const reason: ArchiveReason = { id: newId(), ...parseInput(createArchiveReasonBody, input) };
    this.account(accountId).archiveReasons.set(reason.id, reason);
    return reason;
  }

  /** Webhooks set up on the settings page: `signatureToken` is returned here (and by the API's POST). */
  createWebhook(accountId: string, input: In<typeof createUiWebhookBody>): WebhookSubscription {
    const { url, event, origins } = parseInput(createUiWebhookBody, input);
    return createSubscription(this.account(accountId), 'ui', { url, event, configuration: origins ? { conditions: { origins } } : undefined });
  }

  /** As the settings page can: only webhooks made there (403 for one made through the API, §2.7). */
  deleteWebhook(accountId: string, webhookId: string): void {
    deleteSubscription(this.account(accountId), 'ui', webhookId);
  }

  /**
   * The Super Admin's switch of an event group on the webhooks settings page (§2.7): until it is on, the
   * subscriptions made through the API for that event deliver nothing.
   */
  switchWebhookEvent(accountId: string, event: WebhookEvent, input: In<typeof webhookEventSwitchBody>): Record<WebhookEvent, boolean> {
    const account = this.account(accountId);
    const known = parseInput(z.enum(WEBHOOK_EVENTS), event);
    if (parseInput(webhookEventSwitchBody, input).on) account.webhookEventsOn.add(known);
    else account.webhookEventsOn.delete(known);
    return this.webhookEvents(accountId);
  }

  /** Each event group and whether it is switched on. */
  webhookEvents(accountId: string): Record<WebhookEvent, boolean> {
    const on = this.account(accountId).webhookEventsOn;
    return Object.fromEntries(WEBHOOK_EVENTS.map((e) => [e, on.has(e)])) as Record<WebhookEvent, boolean>;
  }

  sendTestDelivery(accountId: string, webhookId: string): Delivery {
    const account = this.account(accountId);
    return this.events.sendTest(account, account.webhook(webhookId));
  }

  deliveries(accountId: string, filter: In<typeof deliveryFilter> = {}): Delivery[] {
    const f = parseInput(deliveryFilter, filter);
    return this.account(accountId).deliveries.filter((d) =>
      (f.event === undefined || d.event === f.event) && (f.webhookId === undefined || d.webhookId === f.webhookId)
      && (f.state === undefined || d.state === f.state));
  }

  /** The /v1 request log; `accountId` null gives requests no account could be found for (401s). */
  requests(accountId: string | null, filter: In<typeof requestFilter> = {}): RequestLogEntry[] {
    const f = parseInput(requestFilter, filter);
    const log = accountId === null ? this.store.unattributedRequests : this.account(accountId).requests;
    return log.filter((r) =>
      (f.method === undefined || r.method === f.method.toUpperCase()) && (f.pathPrefix === undefined || r.path.startsWith(f.pathPrefix))
      && (f.status === undefined || r.status === f.status) && (f.since === undefined || r.at >= f.since));
  }

  updateSettings(accountId: string, patch: In<typeof settingsBody>): AccountState['settings'] {
    const settings = this.account(accountId).settings;
    const p = parseInput(settingsBody, patch);
    if (p.apiWritesFireWebhooks !== undefined) settings.apiWritesFireWebhooks = p.apiWritesFireWebhooks;
    if (p.lostWebhookDeliveries !== undefined) settings.lostWebhookDeliveries = p.lostWebhookDeliveries;
    if (p.rateLimit) settings.rateLimit = p.rateLimit;
    if (p.rateLimitSchedule !== undefined) {
      const schedule = p.rateLimitSchedule;
      settings.rateLimitSchedule = schedule && {
        startedAt: schedule.startedAt ?? Date.now(),
        phases: schedule.phases.map((ph) => ({ perSecond: ph.perSecond, burst: ph.burst ?? settings.rateLimit.burst, seconds: ph.seconds })),
      };
    }
    return settings;
  }

  faults(accountId: string) {
    const { config, seed } = this.account(accountId).faults;
    return { ...config, seed };
  }

  updateFaults(accountId: string, patch: In<typeof faultPatchSchema>) {
    applyFaultPatch(this.account(accountId).faults, parseInput(faultPatchSchema, patch));
    return this.faults(accountId);
  }

  clearFaults(accountId: string) { return this.updateFaults(accountId, NO_FAULTS); }
}

const keyView = (k: { key: string; name: string; accountId: string; permissions: ReadonlySet<string> }): KeyView =>
  ({ key: k.key, name: k.name, accountId: k.accountId, permissions: [...k.permissions] });
