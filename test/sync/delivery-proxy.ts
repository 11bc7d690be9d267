import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { codesignalSignature } from '../../src/codesignal/webhook-signature';
import type { SyncHarness } from '../support/sync-harness';
import { ids, type Linked } from './sync-support';

/** One webhook as a sandbox sent it, held back by the proxy. */
export interface Captured {
  side: 'lever' | 'codesignal';
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * Sits between both sandboxes and the service's ingress so a test decides when, in which order and
 * how often each webhook about one linked pair arrives. Everything else passes straight through.
 * Lever deliveries are forwarded byte for byte (their signature is in the body); CodeSignal's are
 * signed again for the ingress URL, as CodeSignal would sign them for it.
 */
export class DeliveryProxy {
  /** Captured and not delivered yet, oldest first. */
  readonly held: Captured[] = [];
  /** Delivered at least once, oldest first (for duplicates). */
  readonly delivered: Captured[] = [];
  private following: Linked | undefined;

  private constructor(private readonly h: SyncHarness, private readonly server: Server, readonly url: string) {}

  static async start(h: SyncHarness): Promise<DeliveryProxy> {
    let proxy: DeliveryProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const side = req.url === '/lever' ? 'lever' : 'codesignal';
        proxy!
          .receive(side, text)
          .then((status) => res.writeHead(status).end())
          .catch(() => res.writeHead(500).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new DeliveryProxy(h, server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    // point both sandboxes' webhooks at the proxy
    const { accountId, companyId } = ids(h);
    for (const hook of h.sandboxes.leverSandbox.store.account(accountId).webhooks.values()) hook.url = `${proxy.url}/lever`;
    for (const endpoint of h.sandboxes.codesignalSandbox.control.webhookEndpoints(companyId)) {
      await h.sandboxes.codesignalSandbox.control.updateWebhookEndpoint(companyId, endpoint.id, { url: `${proxy.url}/codesignal` });
    }
    return proxy;
  }

  /** Holds back every webhook about this pair from now on. */
  follow(linked: Linked | undefined): void {
    this.following = linked;
    this.held.length = 0;
    this.delivered.length = 0;
  }

  private async receive(side: 'lever' | 'codesignal', text: string): Promise<number> {
    if (!text) return 200; // CodeSignal's verification ping
    const body = JSON.parse(text);
    const captured: Captured = { side, event: body.event, body };
    const about =
      side === 'lever'
        ? body.data?.opportunityId === this.following?.opportunityId
        : body.event === 'sourcingCandidateStatusChanged' && body.payload?.candidateId === this.following?.candidateId;
    if (this.following && about) {
      this.held.push(captured);
      return 200;
    }
    const res = await this.forward(captured);
    return res.ok ? 200 : res.status;
  }

  /** Sends one captured webhook to the ingress, as the sandbox would have. */
  async forward(d: Captured): Promise<Response> {
    const integrationId = this.h.integration.id;
    if (d.side === 'lever') {
      return fetch(`${this.h.stack.baseUrl}/webhooks/lever/${integrationId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) });
    }
    const url = `${this.h.stack.config.publicUrl}/webhooks/codesignal/${integrationId}`;
    const signature = codesignalSignature(this.h.integration.codesignalWebhookSecret!, url, d.body.event, d.body.triggeredOn);
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-codesignal-signature': signature }, body: JSON.stringify(d.body) });
  }

  /** Delivers the held webhook at `index` (and remembers it for duplicates). */
  async release(index: number): Promise<void> {
    const [d] = this.held.splice(index, 1);
    if (!d) return;
    await this.expectAccepted(d);
    this.delivered.push(d);
  }

  /** Delivers an already delivered webhook again: a duplicate, possibly late and out of order. */
  async redeliver(index: number): Promise<void> {
    const d = this.delivered[index];
    if (d) await this.expectAccepted(d);
  }

  private async expectAccepted(d: Captured): Promise<void> {
    const res = await this.forward(d);
    if (!res.ok) throw new Error(`ingress refused a ${d.side} ${d.event} delivery: ${res.status} ${await res.text()}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
