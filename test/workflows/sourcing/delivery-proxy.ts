import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEED_DELIVERY_HEADER, FEED_SIGNATURE_HEADER } from '../../../src/api/sourcing/contract';
import type { SyncHarness } from '../../support/sync-harness';
import { ids, type Linked } from './sync-support';

/** One message about the followed pair, held back by the proxy. */
export interface Captured {
  /** lever: a Lever webhook to the ingress; report: CodeSignal's status report to the sourcing API; feed: the service's status feed to CodeSignal. */
  side: 'lever' | 'report' | 'feed';
  path: string;
  headers: Record<string, string>;
  text: string;
}

const pick = (headers: IncomingHttpHeaders, names: string[]) =>
  Object.fromEntries(names.flatMap((n) => (typeof headers[n] === 'string' ? [[n, headers[n]]] : [])));

/**
 * Sits on every path between the sandboxes and the service — Lever's webhooks, CodeSignal's calls of
 * the sourcing API and the service's status feed to CodeSignal — so a test decides when, in which
 * order and how often each message about one linked pair arrives. Everything else passes straight
 * through. Messages are forwarded byte for byte with their own authentication (Lever's signature in
 * the body, the sourcing token, the feed signature), as the network would carry them late.
 */
export class DeliveryProxy {
  /** Captured and not delivered yet, oldest first. */
  readonly held: Captured[] = [];
  /** Delivered at least once, oldest first (for duplicates). */
  readonly delivered: Captured[] = [];
  private following: Linked | undefined;
  /** Whether the service's feed deliveries about the pair are held too (else they pass through, answers and faults included). */
  private holdFeed = true;
  /** The next feed delivery reaches CodeSignal but its answer is lost (the service sees a broken connection). */
  loseNextFeedAnswer = false;

  private constructor(
    private readonly h: SyncHarness,
    private readonly server: Server,
    readonly url: string,
    private readonly feedTarget: string,
  ) {}

  static async start(h: SyncHarness): Promise<DeliveryProxy> {
    let proxy: DeliveryProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        const side = path === '/lever' ? 'lever' : path === '/feed' ? 'feed' : 'report';
        const headers = pick(req.headers, ['content-type', 'authorization', FEED_SIGNATURE_HEADER.toLowerCase(), FEED_DELIVERY_HEADER.toLowerCase()]);
        proxy!
          .receive({ side, path, headers, text })
          .then(({ status, body, drop }) => (drop ? res.destroy() : res.writeHead(status, { 'content-type': 'application/json' }).end(body)))
          .catch(() => res.writeHead(500).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { accountId, companyId } = ids(h);
    const cs = h.sandboxes.codesignalSandbox.control;
    const feedTarget = cs.sourcingConnection(companyId).feedUrl;
    proxy = new DeliveryProxy(h, server, url, feedTarget);
    // Lever's webhooks, CodeSignal's sourcing calls and the service's feed all go through the proxy
    for (const hook of h.sandboxes.leverSandbox.store.account(accountId).webhooks.values()) hook.url = `${url}/lever`;
    cs.setSourcingConnection(companyId, { serviceBaseUrl: `${url}/sourcing` });
    const res = await h.admin('PUT', `/api/integrations/${h.integration.id}/sourcing/feed`, { url: `${url}/feed` });
    if (!res.ok) throw new Error(`feed URL: ${res.status} ${await res.text()}`);
    return proxy;
  }

  /** Holds back every message about this pair from now on. */
  follow(linked: Linked | undefined, opts: { holdFeed?: boolean } = {}): void {
    this.following = linked;
    this.holdFeed = opts.holdFeed ?? true;
    this.held.length = 0;
    this.delivered.length = 0;
  }

  private about(d: Captured): boolean {
    const l = this.following;
    if (!l) return false;
    if (d.side === 'report') return d.path.endsWith(`/candidates/${l.candidateId}/status`);
    if (d.side === 'feed' && !this.holdFeed) return false;
    const body = JSON.parse(d.text);
    return d.side === 'lever' ? body.data?.opportunityId === l.opportunityId : body.codesignalCandidateId === l.candidateId;
  }

  private async receive(d: Captured): Promise<{ status: number; body: string; drop?: boolean }> {
    if (this.about(d)) {
      this.held.push(d);
      // what each receiver answers for an accepted message
      return d.side === 'report' ? { status: 202, body: JSON.stringify({ status: 'accepted' }) } : { status: 200, body: '{}' };
    }
    const res = await this.forward(d);
    const body = await res.text();
    if (d.side === 'feed' && res.ok && this.loseNextFeedAnswer) {
      this.loseNextFeedAnswer = false;
      return { status: 0, body: '', drop: true };
    }
    return { status: res.status, body };
  }

  /** Sends one captured message where it was going. */
  async forward(d: Captured): Promise<Response> {
    const target =
      d.side === 'lever' ? `${this.h.stack.baseUrl}/webhooks/lever/${this.h.integration.id}`
      : d.side === 'feed' ? this.feedTarget
      : `${this.h.stack.baseUrl}/api/sourcing/${this.h.integration.id}${d.path.replace(/^\/sourcing/, '')}`;
    return fetch(target, { method: 'POST', headers: d.headers, body: d.text });
  }

  /** Delivers the held message at `index` (and remembers it for duplicates). */
  async release(index: number): Promise<void> {
    const [d] = this.held.splice(index, 1);
    if (!d) return;
    await this.expectAccepted(d);
    this.delivered.push(d);
  }

  /** Delivers an already delivered message again: a duplicate, possibly late and out of order. */
  async redeliver(index: number): Promise<void> {
    const d = this.delivered[index];
    if (d) await this.expectAccepted(d);
  }

  private async expectAccepted(d: Captured): Promise<void> {
    const res = await this.forward(d);
    if (!res.ok) throw new Error(`a ${d.side} message was refused: ${res.status} ${await res.text()}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
