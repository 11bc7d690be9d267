import type { WebhookAttempt } from '../shared/delivery';
import { conflict, notFound } from './errors';
import type { WebhookEventName } from './events';
import { postOnce } from './http-post';
import { newId } from './ids';
import type { ResolvedOptions } from './options';
import { codeSignalSignature } from './signature';

export interface EndpointCheck {
  at: number;
  status: number | null;
  ok: boolean;
  error: string | null;
}

export interface WebhookEndpoint {
  id: string;
  companyId: string;
  /** Exactly as configured: the signature covers this string. */
  url: string;
  secret: string | null;
  /** Subscribed events; null means every event. */
  events: WebhookEventName[] | null;
  headers: Record<string, string>;
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt: number | null;
  lastCheck: EndpointCheck | null;
  createDate: number;
}

/** One POST of a delivery: the body as sent, and the `X-CodeSignal-Signature` it carried (null without a secret). */
export interface DeliveryAttempt extends WebhookAttempt<string> {
  signature: string | null;
}

export interface Delivery {
  id: string;
  companyId: string;
  endpointId: string;
  event: WebhookEventName;
  triggeredOn: number;
  payload: Record<string, unknown>;
  state: 'queued' | 'delivered' | 'dropped';
  attempts: DeliveryAttempt[];
  enqueuedAt: number;
  deliveredAt: number | null;
  redeliveryOf: string | null;
}

export interface EndpointInput {
  url: string;
  secret?: string | null;
  events?: WebhookEventName[] | null;
  headers?: Record<string, string>;
}

/**
 * Per-endpoint FIFO delivery as CodeSignal documents it: one event at a time in trigger order,
 * only HTTP 200 counts, retries with backoff while later events wait (head-of-line blocking),
 * and after `maxWebhookAttempts` consecutive failures the endpoint is disabled and its queue dropped.
 */
export class WebhookDispatcher {
  private readonly endpoints = new Map<string, WebhookEndpoint>();
  private readonly queues = new Map<string, Delivery[]>();
  private readonly log: Delivery[] = [];
  private readonly pumping = new Set<string>();
  private readonly sleepers = new Map<string, { timer: NodeJS.Timeout; wake: () => void }>();
  private stopped = false;

  constructor(private readonly options: ResolvedOptions) {}

  /** Creating an endpoint POSTs an empty body to it; the outcome is recorded, not enforced. */
  async addEndpoint(companyId: string, input: EndpointInput): Promise<WebhookEndpoint> {
    const endpoint: WebhookEndpoint = {
      id: newId('whk'),
      companyId,
      url: input.url,
      secret: input.secret ?? null,
      events: input.events ?? null,
      headers: input.headers ?? {},
      enabled: true,
      consecutiveFailures: 0,
      disabledAt: null,
      lastCheck: null,
      createDate: this.options.now(),
    };
    this.endpoints.set(endpoint.id, endpoint);
    this.queues.set(endpoint.id, []);
    endpoint.lastCheck = await this.check(endpoint);
    return endpoint;
  }

  /** "Test and save" in the UI: re-checks the URL; a 200 marks the endpoint healthy and flushes its queue at once. */
  async updateEndpoint(companyId: string, id: string, patch: Partial<EndpointInput>): Promise<WebhookEndpoint> {
    const endpoint = this.requireEndpoint(companyId, id);
    if (patch.url !== undefined) endpoint.url = patch.url;
    if (patch.secret !== undefined) endpoint.secret = patch.secret;
    if (patch.events !== undefined) endpoint.events = patch.events;
    if (patch.headers !== undefined) endpoint.headers = patch.headers;
    endpoint.lastCheck = await this.check(endpoint);
    if (endpoint.lastCheck.ok) {
      endpoint.enabled = true;
      endpoint.disabledAt = null;
      endpoint.consecutiveFailures = 0;
      this.wake(endpoint.id);
      this.kick(endpoint);
    }
    return endpoint;
  }

  /**
   * What CodeSignal does after `maxWebhookAttempts` consecutive failures, at once: the endpoint is
   * disabled and its queue dropped; nothing is sent to it until it is re-tested and saved (updateEndpoint).
   */
  disableEndpoint(companyId: string, id: string): WebhookEndpoint {
    const endpoint = this.requireEndpoint(companyId, id);
    this.disable(endpoint);
    this.wake(endpoint.id);
    return endpoint;
  }

  private disable(endpoint: WebhookEndpoint): void {
    const queue = this.queues.get(endpoint.id) ?? [];
    endpoint.enabled = false;
    endpoint.disabledAt = this.options.now();
    this.options.logger.warn({ endpointId: endpoint.id, url: endpoint.url, dropped: queue.length }, 'codesignal sandbox webhook endpoint disabled');
    for (const d of queue) d.state = 'dropped';
    queue.length = 0;
  }

  removeEndpoint(companyId: string, id: string): void {
    this.requireEndpoint(companyId, id);
    this.endpoints.delete(id);
    for (const d of this.queues.get(id) ?? []) d.state = 'dropped';
    this.queues.delete(id);
    this.wake(id);
  }

  listEndpoints(companyId: string): WebhookEndpoint[] {
    return [...this.endpoints.values()].filter((e) => e.companyId === companyId);
  }

  emit(companyId: string, event: WebhookEventName, payload: Record<string, unknown>): void {
    const triggeredOn = this.options.now();
    for (const endpoint of this.listEndpoints(companyId)) {
      if (!endpoint.enabled || (endpoint.events !== null && !endpoint.events.includes(event))) continue;
      this.enqueue(endpoint, { event, triggeredOn, payload, redeliveryOf: null });
    }
  }

  /** Sends a past delivery again with the same event, triggeredOn and payload (a duplicate, as receivers must expect). */
  redeliver(companyId: string, deliveryId: string): Delivery {
    const original = this.log.find((d) => d.id === deliveryId && d.companyId === companyId);
    if (!original) throw notFound('Delivery', deliveryId);
    const endpoint = this.requireEndpoint(companyId, original.endpointId);
    if (!endpoint.enabled) throw conflict(`Endpoint ${endpoint.id} is disabled`);
    return this.enqueue(endpoint, { event: original.event, triggeredOn: original.triggeredOn, payload: original.payload, redeliveryOf: original.id });
  }

  deliveries(companyId: string): Delivery[] {
    return this.log.filter((d) => d.companyId === companyId);
  }

  /** Forgets one company's endpoints and deliveries (timers included). */
  resetCompany(companyId: string): void {
    for (const endpoint of this.listEndpoints(companyId)) {
      this.endpoints.delete(endpoint.id);
      this.queues.delete(endpoint.id);
      this.wake(endpoint.id);
    }
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i]!.companyId === companyId) this.log.splice(i, 1);
  }

  /** Forgets the delivery log of one company but keeps its endpoints. */
  clearDeliveries(companyId: string): void {
    for (const endpoint of this.listEndpoints(companyId)) {
      const queue = this.queues.get(endpoint.id) ?? [];
      for (const d of queue) d.state = 'dropped';
      queue.length = 0; // same array, so an in-flight attempt notices its head is gone
      endpoint.consecutiveFailures = 0;
      this.wake(endpoint.id);
    }
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i]!.companyId === companyId) this.log.splice(i, 1);
  }

  clear(): void {
    for (const id of [...this.sleepers.keys()]) this.wake(id);
    this.endpoints.clear();
    this.queues.clear();
    this.log.length = 0;
  }

  /** Stops every retry timer; used when the server closes so nothing keeps the process alive. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private requireEndpoint(companyId: string, id: string): WebhookEndpoint {
    const endpoint = this.endpoints.get(id);
    if (!endpoint || endpoint.companyId !== companyId) throw notFound('Webhook endpoint', id);
    return endpoint;
  }

  private enqueue(endpoint: WebhookEndpoint, item: Pick<Delivery, 'event' | 'triggeredOn' | 'payload' | 'redeliveryOf'>): Delivery {
    const delivery: Delivery = {
      ...item,
      id: newId('dlv'),
      companyId: endpoint.companyId,
      endpointId: endpoint.id,
      state: 'queued',
      attempts: [],
      enqueuedAt: this.options.now(),
      deliveredAt: null,
    };
    this.log.push(delivery);
    this.queues.get(endpoint.id)?.push(delivery);
    this.kick(endpoint);
    return delivery;
  }

  private kick(endpoint: WebhookEndpoint): void {
    if (this.pumping.has(endpoint.id) || this.stopped) return;
    this.pumping.add(endpoint.id);
    void this.pump(endpoint).finally(() => {
      this.pumping.delete(endpoint.id);
      // an event may have been queued between the loop's last look and now
      const queue = this.queues.get(endpoint.id);
      if (queue?.length && endpoint.enabled && this.endpoints.get(endpoint.id) === endpoint) this.kick(endpoint);
    });
  }

  private async pump(endpoint: WebhookEndpoint): Promise<void> {
    while (!this.stopped && endpoint.enabled && this.endpoints.get(endpoint.id) === endpoint) {
      const queue = this.queues.get(endpoint.id);
      const head = queue?.[0];
      if (!queue || !head) return;
      const ok = await this.attempt(endpoint, head);
      if (this.stopped || this.endpoints.get(endpoint.id) !== endpoint) return; // removed or stopped meanwhile
      if (queue[0] !== head) continue; // queue was reset while the request was in flight
      if (ok) {
        queue.shift();
        head.state = 'delivered';
        head.deliveredAt = this.options.now();
        endpoint.consecutiveFailures = 0;
        if (this.options.webhookPaceMs > 0 && queue.length) await this.sleep(endpoint.id, this.options.webhookPaceMs);
        continue;
      }
      endpoint.consecutiveFailures += 1;
      if (endpoint.consecutiveFailures >= this.options.maxWebhookAttempts) {
        this.disable(endpoint);
        return;
      }
      await this.sleep(endpoint.id, this.options.webhookRetryDelaysMs(endpoint.consecutiveFailures));
    }
  }

  private async attempt(endpoint: WebhookEndpoint, delivery: Delivery): Promise<boolean> {
    const body = JSON.stringify({ event: delivery.event, triggeredOn: delivery.triggeredOn, payload: delivery.payload });
    const signature = endpoint.secret === null ? null : codeSignalSignature(endpoint.secret, endpoint.url, delivery.event, delivery.triggeredOn);
    const at = this.options.now();
    const outcome = await postOnce(endpoint.url, body, this.headers(endpoint, signature), this.options.webhookTimeoutMs);
    delivery.attempts.push({ attempt: delivery.attempts.length + 1, at, status: outcome.status, error: outcome.error, durationMs: outcome.durationMs, signature, body });
    this.options.logger.debug({ endpointId: endpoint.id, event: delivery.event, attempt: delivery.attempts.length, status: outcome.status, error: outcome.error }, 'codesignal sandbox webhook attempt');
    return outcome.status === 200;
  }

  /** The verification ping: empty body, signature over the URL alone when a secret is set. */
  private async check(endpoint: WebhookEndpoint): Promise<EndpointCheck> {
    const signature = endpoint.secret === null ? null : codeSignalSignature(endpoint.secret, endpoint.url);
    const at = this.options.now();
    const outcome = await postOnce(endpoint.url, '', this.headers(endpoint, signature), Math.min(this.options.webhookTimeoutMs, 10_000));
    return { at, status: outcome.status, ok: outcome.status === 200, error: outcome.error };
  }

  private headers(endpoint: WebhookEndpoint, signature: string | null): Record<string, string> {
    return {
      ...endpoint.headers,
      'content-type': 'application/json',
      'user-agent': 'CodeSignal-Webhooks-Sandbox',
      ...(signature !== null ? { 'x-codesignal-signature': signature } : {}),
    };
  }

  private sleep(endpointId: string, ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(endpointId);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.sleepers.set(endpointId, { timer, wake });
    });
  }

  private wake(endpointId: string): void {
    this.sleepers.get(endpointId)?.wake();
  }
}
