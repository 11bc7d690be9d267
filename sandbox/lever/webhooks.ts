import type { Logger } from 'pino';
import { pushCapped } from '../shared/capped-log';
import { DELIVERY_LOG_CAP } from './defaults';
import { newId, randomHex } from './ids';
import type { Delivery, Origin, Via, WebhookBody, WebhookEvent, WebhookSubscription } from './model';
import { leverWebhookSignature } from './signature';
import type { AccountState } from './state';

export interface EmitterOptions {
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  reuseToken: boolean;
  eventId: boolean;
  logger: Logger;
}

/** What an event is about; `origin` lets subscriptions with origin conditions skip it. */
export interface EventSubject { origin?: Origin }

/**
 * Delivers events to an account's subscriptions the way Lever does: POST JSON with the signature in the body,
 * any non-2xx (3xx included) or network error is a failure, then retries with growing gaps. Never blocks callers.
 */
export class WebhookEmitter {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(private readonly opts: EmitterOptions) {}

  /**
   * Fires `event` for every matching subscription. UI changes always fire; API changes only when switched on.
   * A subscription made through the API delivers only once a Super Admin switched its event group on (§2.7).
   */
  emit(account: AccountState, via: Via, event: WebhookEvent, data: Record<string, unknown>, subject: EventSubject = {}): Delivery[] {
    if (via === 'api' && !account.settings.apiWritesFireWebhooks) return [];
    const triggeredAt = Date.now();
    return [...account.webhooks.values()]
      .filter((sub) => sub.event === event && matchesOrigin(sub, subject) && switchedOn(account, sub))
      .map((sub) => this.start(account, sub, event, data, triggeredAt, via));
  }

  /** The settings page's "verify connection": `candidateHired` with empty `data`. */
  sendTest(account: AccountState, sub: WebhookSubscription): Delivery {
    return this.start(account, sub, 'candidateHired', {}, Date.now(), 'test');
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }

  private start(account: AccountState, sub: WebhookSubscription, event: WebhookEvent, data: Record<string, unknown>, triggeredAt: number, cause: Delivery['cause']): Delivery {
    const delivery: Delivery = {
      id: newId(), webhookId: sub.id, url: sub.url, event, test: cause === 'test', cause,
      state: 'pending', createdAt: triggeredAt, nextAttemptAt: triggeredAt, attempts: [],
    };
    pushCapped(account.deliveries, delivery, DELIVERY_LOG_CAP);
    const body = this.body(sub, event, data, triggeredAt);
    // a lost delivery (control API): every attempt fails, so it ends `failed` after the retries, as in Lever
    const lost = cause !== 'test' && (account.settings.lostWebhookDeliveries ?? 0) > 0;
    if (lost) account.settings.lostWebhookDeliveries! -= 1;
    this.schedule(() => this.attempt(delivery, sub, body, lost), 0);
    return delivery;
  }

  /** `id`: the event's UID, which a retry keeps whatever its token (only the first attempt mints one). */
  private body(sub: WebhookSubscription, event: WebhookEvent, data: Record<string, unknown>, triggeredAt: number, id = newId()): WebhookBody {
    const token = randomHex(24);
    const signature = leverWebhookSignature(sub.signatureToken, token, triggeredAt);
    return { ...(this.opts.eventId ? { id } : {}), triggeredAt, event, data, token, signature };
  }

  private async attempt(delivery: Delivery, sub: WebhookSubscription, firstBody: WebhookBody, lost = false): Promise<void> {
    const attempt = delivery.attempts.length + 1;
    const body = attempt === 1 || this.opts.reuseToken ? firstBody : this.body(sub, delivery.event, firstBody.data, firstBody.triggeredAt, firstBody.id);
    const at = Date.now();
    const { status, error } = lost ? { status: null, error: 'lost: the receiver was not reached (sandbox control lostWebhookDeliveries)' } : await this.post(delivery.url, body);
    if (this.stopped) return;
    delivery.attempts.push({ attempt, at, status, error, durationMs: Date.now() - at, body });
    const ok = status !== null && status >= 200 && status < 300;
    const delay = this.opts.retryDelaysMs[attempt - 1];
    if (ok || delay === undefined) {
      delivery.state = ok ? 'succeeded' : 'failed';
      delivery.nextAttemptAt = null;
      this.opts.logger.info({ deliveryId: delivery.id, event: delivery.event, attempts: attempt, state: delivery.state }, 'lever sandbox webhook delivery finished');
      return;
    }
    delivery.nextAttemptAt = Date.now() + delay;
    this.schedule(() => this.attempt(delivery, sub, firstBody, lost), delay);
  }

  private async post(url: string, body: WebhookBody): Promise<{ status: number | null; error: string | null }> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'Lever-Webhooks' },
        body: JSON.stringify(body),
        redirect: 'manual', // a 3xx is a failed delivery, never followed
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined); // drain so the connection can be reused
      return { status: res.status, error: null };
    } catch (err) {
      return { status: null, error: describe(err) };
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }

  private schedule(run: () => Promise<void>, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run().catch((err: unknown) => this.opts.logger.error({ err }, 'lever sandbox webhook attempt crashed'));
    }, delayMs);
    timer.unref(); // pending retries never keep a process alive
    this.timers.add(timer);
  }
}

/** Made on the settings page, or made through the API and its event group switched on by a Super Admin. */
function switchedOn(account: AccountState, sub: WebhookSubscription): boolean {
  return sub.createdVia !== 'api' || account.webhookEventsOn.has(sub.event);
}

function matchesOrigin(sub: WebhookSubscription, subject: EventSubject): boolean {
  return subject.origin === undefined || sub.origins.includes(subject.origin);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
