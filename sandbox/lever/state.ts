import { BUILT_IN_STAGES, DEFAULT_ARCHIVE_REASONS } from './defaults';
import { notFound } from './errors';
import { createFaultState, type FaultConfig, type FaultState } from './faults';
import { newId, randomHex } from './ids';
import type {
  ApiKey, Application, ArchiveReason, Contact, DeletedOpportunity, Delivery, Feedback, FeedbackTemplate, Interview, Note, Opportunity, Panel, Posting,
  RequestLogEntry, Stage, StoredFile, User, WebhookEvent, WebhookSubscription,
} from './model';
import type { RateLimitConfig } from './options';
import type { RateLimitSchedule } from './rate-limit';

export interface AccountSettings {
  apiWritesFireWebhooks: boolean;
  rateLimit: RateLimitConfig;
  /** Lever's limit changing at run time (control API; rate-limit.ts `rateLimitAt`): overrides `rateLimit` while set. */
  rateLimitSchedule?: RateLimitSchedule | null;
  /**
   * Webhook deliveries still to be lost (control API): each of the next ones fails every attempt as if
   * the receiver were unreachable, until Lever gives up after its retries. Absent in saved state: 0.
   */
  lostWebhookDeliveries?: number;
}

export interface AccountInit {
  id?: string;
  name?: string;
  /** Create the default archive reasons (Hired, Underqualified, …). Default true. */
  defaultArchiveReasons?: boolean;
}

/**
 * What of an account survives a restart of `npm start` (sandbox/persistence.ts): its records and
 * settings. Logs (requests, webhook deliveries) and pending webhook retries start empty.
 */
const PERSISTED_COLLECTIONS = [
  'users', 'postings', 'archiveReasons', 'contacts', 'opportunities', 'deletedOpportunities', 'applications', 'notes', 'files',
  'panels', 'interviews', 'webhooks', 'knownTags', 'knownSources', 'webhookEventsOn', 'feedbackTemplates', 'feedback',
] as const;

export type AccountSnapshot = Pick<
  AccountState,
  'id' | 'name' | 'settings' | 'defaultArchiveReasons' | 'createdAt' | 'stages' | (typeof PERSISTED_COLLECTIONS)[number]
> & { faults: { config: FaultConfig; seed: number } };

export interface LeverStoreSnapshot {
  accounts: AccountSnapshot[];
  keys: ApiKey[];
}

/** One Lever company. Everything an API key can see lives here; accounts never share records. */
export class AccountState {
  readonly stages: Stage[] = BUILT_IN_STAGES.map((s) => ({ ...s }));
  readonly users = new Map<string, User>();
  readonly postings = new Map<string, Posting>();
  readonly archiveReasons = new Map<string, ArchiveReason>();
  readonly contacts = new Map<string, Contact>();
  readonly opportunities = new Map<string, Opportunity>();
  /** Deleted opportunities, in the order they were deleted (`GET /opportunities/deleted`); their records are gone. */
  readonly deletedOpportunities = new Map<string, DeletedOpportunity>();
  readonly applications = new Map<string, Application>();
  readonly notes = new Map<string, Note>();
  readonly files = new Map<string, StoredFile>();
  readonly panels = new Map<string, Panel>();
  readonly interviews = new Map<string, Interview>();
  readonly webhooks = new Map<string, WebhookSubscription>();
  /** Feedback templates (§3.8), account-wide, and the feedback written on opportunities. */
  readonly feedbackTemplates = new Map<string, FeedbackTemplate>();
  readonly feedback = new Map<string, Feedback>();
  /** Tags and sources are auto-created on write and stay listed afterwards. */
  readonly knownTags = new Set<string>();
  readonly knownSources = new Set<string>();
  /**
   * The event groups a Super Admin switched on in the webhooks settings page (§2.7): a subscription made
   * through the API delivers nothing until its event's group is on. Subscriptions made on the settings
   * page deliver at once (the admin adding one there is the one who switches its group on).
   */
  readonly webhookEventsOn = new Set<WebhookEvent>();
  readonly deliveries: Delivery[] = [];
  readonly requests: RequestLogEntry[] = [];
  readonly faults: FaultState;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly settings: AccountSettings,
    faultSeed: number,
    readonly defaultArchiveReasons: boolean,
    readonly createdAt = Date.now(),
  ) {
    this.faults = createFaultState(faultSeed);
    if (defaultArchiveReasons) {
      for (const reason of DEFAULT_ARCHIVE_REASONS) {
        const id = newId();
        this.archiveReasons.set(id, { id, ...reason });
      }
    }
  }

  user(id: string): User { return found(this.users.get(id), 'users', id); }
  stage(id: string): Stage { return found(this.stages.find((s) => s.id === id), 'stages', id); }
  posting(id: string): Posting { return found(this.postings.get(id), 'postings', id); }
  archiveReason(id: string): ArchiveReason { return found(this.archiveReasons.get(id), 'archive_reasons', id); }
  opportunity(id: string): Opportunity { return found(this.opportunities.get(id), 'opportunities', id); }
  contact(id: string): Contact { return found(this.contacts.get(id), 'contacts', id); }
  webhook(id: string): WebhookSubscription { return found(this.webhooks.get(id), 'webhooks', id); }
  feedbackTemplate(id: string): FeedbackTemplate { return found(this.feedbackTemplates.get(id), 'feedback_templates', id); }

  /** Position of a stage in the pipeline (`toStageIndex`). */
  stageIndex(id: string): number { return this.stages.findIndex((s) => s.id === id); }

  note(opportunityId: string, noteId: string): Note {
    return found(ofOpportunity(this.notes.get(noteId), opportunityId), 'notes', noteId);
  }
  file(opportunityId: string, fileId: string): StoredFile {
    return found(ofOpportunity(this.files.get(fileId), opportunityId), 'files', fileId);
  }
  panel(opportunityId: string, panelId: string): Panel {
    return found(ofOpportunity(this.panels.get(panelId), opportunityId), 'panels', panelId);
  }
  interview(opportunityId: string, interviewId: string): Interview {
    return found(ofOpportunity(this.interviews.get(interviewId), opportunityId), 'interviews', interviewId);
  }

  notesOf(opportunityId: string): Note[] { return belongingTo(this.notes, opportunityId); }
  filesOf(opportunityId: string): StoredFile[] { return belongingTo(this.files, opportunityId); }
  panelsOf(opportunityId: string): Panel[] { return belongingTo(this.panels, opportunityId); }
  interviewsOf(opportunityId: string): Interview[] { return belongingTo(this.interviews, opportunityId); }
  feedbackOf(opportunityId: string): Feedback[] { return belongingTo(this.feedback, opportunityId); }
  feedbackItem(opportunityId: string, feedbackId: string): Feedback {
    return found(ofOpportunity(this.feedback.get(feedbackId), opportunityId), 'feedback', feedbackId);
  }

  /** Email match is case-insensitive (Lever canonicalises addresses). */
  contactByEmail(emails: readonly string[]): Contact | undefined {
    const wanted = new Set(emails.map((e) => e.trim().toLowerCase()));
    if (wanted.size === 0) return undefined;
    for (const contact of this.contacts.values()) {
      if (contact.emails.some((e) => wanted.has(e.toLowerCase()))) return contact;
    }
    return undefined;
  }

  userByEmail(email: string): User | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  /** The account's records, by reference: serialise them before the next request changes them. */
  snapshot(): AccountSnapshot {
    const { id, name, settings, defaultArchiveReasons, createdAt, stages } = this;
    const collections = Object.fromEntries(PERSISTED_COLLECTIONS.map((c) => [c, this[c]])) as Pick<AccountState, (typeof PERSISTED_COLLECTIONS)[number]>;
    return { id, name, settings, defaultArchiveReasons, createdAt, stages, ...collections, faults: { config: this.faults.config, seed: this.faults.seed } };
  }

  static fromSnapshot(saved: AccountSnapshot): AccountState {
    const account = new AccountState(saved.id, saved.name, saved.settings, saved.faults.seed, saved.defaultArchiveReasons, saved.createdAt);
    account.faults.config = { ...account.faults.config, ...saved.faults.config };
    account.stages.splice(0, account.stages.length, ...saved.stages);
    for (const c of PERSISTED_COLLECTIONS) {
      const target = account[c] as Map<string, unknown> | Set<string>;
      const source = saved[c] as Map<string, unknown> | Set<string> | undefined;
      target.clear();
      if (source === undefined) continue; // saved before the collection existed
      if (target instanceof Map) for (const [k, v] of source as Map<string, unknown>) target.set(k, v);
      else for (const v of source as Set<string>) target.add(v);
    }
    return account;
  }
}

function found<T>(value: T | undefined, collection: string, id: string): T {
  if (value === undefined) throw notFound(collection, id);
  return value;
}

function ofOpportunity<T extends { opportunityId: string }>(value: T | undefined, opportunityId: string): T | undefined {
  return value?.opportunityId === opportunityId ? value : undefined;
}

function belongingTo<T extends { opportunityId: string }>(map: Map<string, T>, opportunityId: string): T[] {
  return [...map.values()].filter((v) => v.opportunityId === opportunityId);
}

export interface StoreDefaults {
  settings: AccountSettings;
  seed: number;
}

/** All accounts and the API keys that lead into them. */
export class LeverStore {
  readonly accounts = new Map<string, AccountState>();
  readonly keys = new Map<string, ApiKey>();
  /** Requests that reached no account (401s). */
  readonly unattributedRequests: RequestLogEntry[] = [];

  constructor(private readonly defaults: StoreDefaults) {}

  createAccount(init: AccountInit = {}): AccountState {
    const id = init.id ?? newId();
    if (this.accounts.has(id)) throw new Error(`account ${id} already exists`);
    const account = this.freshAccount(id, init.name ?? `Account ${this.accounts.size + 1}`, init.defaultArchiveReasons ?? true);
    this.accounts.set(id, account);
    return account;
  }

  account(id: string): AccountState { return found(this.accounts.get(id), 'accounts', id); }

  /** Clears an account's data, settings and faults; its id, name and API keys survive so clients keep working. */
  resetAccount(id: string): AccountState {
    const old = this.account(id);
    const account = this.freshAccount(id, old.name, old.defaultArchiveReasons);
    this.accounts.set(id, account);
    return account;
  }

  deleteAccount(id: string): void {
    this.account(id);
    this.accounts.delete(id);
    for (const [key, apiKey] of this.keys) if (apiKey.accountId === id) this.keys.delete(key);
  }

  reset(): void {
    this.accounts.clear();
    this.keys.clear();
    this.unattributedRequests.length = 0;
  }

  addKey(accountId: string, permissions: Iterable<string>, opts: { key?: string; name?: string } = {}): ApiKey {
    this.account(accountId);
    const key = opts.key ?? randomHex(24);
    if (this.keys.has(key)) throw new Error('API key already exists');
    const apiKey: ApiKey = { key, name: opts.name ?? 'Sandbox key', accountId, permissions: new Set(permissions), createdAt: Date.now() };
    this.keys.set(key, apiKey);
    return apiKey;
  }

  keysOf(accountId: string): ApiKey[] { return [...this.keys.values()].filter((k) => k.accountId === accountId); }

  /** Every account's records and every key (sandbox/persistence.ts keeps them across restarts). */
  snapshot(): LeverStoreSnapshot {
    return { accounts: [...this.accounts.values()].map((a) => a.snapshot()), keys: [...this.keys.values()] };
  }

  /** Replaces everything with a snapshot's accounts and keys. */
  restore(snapshot: LeverStoreSnapshot): void {
    this.reset();
    for (const saved of snapshot.accounts) this.accounts.set(saved.id, AccountState.fromSnapshot(saved));
    for (const key of snapshot.keys) this.keys.set(key.key, key);
  }

  private freshAccount(id: string, name: string, defaultArchiveReasons: boolean): AccountState {
    const settings = { ...this.defaults.settings, rateLimit: { ...this.defaults.settings.rateLimit } };
    return new AccountState(id, name, settings, deriveSeed(this.defaults.seed, id), defaultArchiveReasons);
  }
}

/** Each account gets its own PRNG stream so one account's traffic never shifts another's faults. */
function deriveSeed(seed: number, accountId: string): number {
  let h = seed >>> 0;
  for (const ch of accountId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
