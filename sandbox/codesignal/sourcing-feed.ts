import express, { Router } from 'express';
import { FEED_DELIVERY_HEADER, FEED_SIGNATURE_HEADER, feedEventSchema } from '../../src/api/sourcing/contract';
import { verifyFeedSignature } from '../../src/activities/sourcing/feed-signature';
import type { Runtime } from './runtime';
import { applyStatus } from './sourcing';
import type { CompanyData, FeedDeliveryRecord } from './state';

/**
 * CodeSignal's receiving end of the service's status feed: `POST /sourcing-feed/:companyId`.
 * The raw body is checked against `X-Sourcing-Signature` with the company's feed secret, parsed as a
 * feed event, deduplicated on its `id`, and applied as a change made by the integration at the time
 * of the change it mirrors, unless the candidate changed later here (then it is stale) — never
 * reported back to the service (no echo). Every delivery is recorded, whatever its verdict.
 */
export interface FeedAnswer {
  httpStatus: number;
  body: Record<string, unknown>;
}

function peekJson(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function receiveFeedDelivery(rt: Runtime, data: CompanyData, rawBody: string, headers: { signature?: string; deliveryId?: string }): FeedAnswer {
  const receivedAt = rt.now();
  const peek = peekJson(rawBody);
  const record = (verdict: FeedDeliveryRecord['verdict'], httpStatus: number, reason: string | null, changed = false): void => {
    data.sourcingFeed.push({
      id: str(peek?.id) ?? headers.deliveryId ?? null,
      receivedAt,
      verdict,
      reason,
      httpStatus,
      changed,
      status: (str(peek?.status) as FeedDeliveryRecord['status']) ?? null,
      candidateId: str(peek?.codesignalCandidateId),
      leverOpportunityId: str(peek?.leverOpportunityId),
    });
  };
  const reject = (httpStatus: number, error: string, message: string): FeedAnswer => {
    record('rejected', httpStatus, message);
    return { httpStatus, body: { error, message } };
  };

  const connection = data.sourcingConnection;
  if (connection && connection.failNextFeedDeliveries > 0) {
    connection.failNextFeedDeliveries -= 1;
    return reject(503, 'unavailable', 'fault injected: the receiver is unavailable');
  }
  if (!connection) return reject(401, 'invalid_signature', 'no sourcing connection: there is no feed secret to check the signature with');
  const check = verifyFeedSignature(connection.feedSecret, rawBody, headers.signature, receivedAt);
  if (!check.ok) return reject(401, 'invalid_signature', check.reason);
  if (peek === undefined) return reject(400, 'invalid_body', 'the body is not a JSON object');
  const parsed = feedEventSchema.safeParse(peek);
  if (!parsed.success) return reject(400, 'invalid_body', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  const event = parsed.data;
  if (data.sourcingFeed.some((d) => d.verdict === 'applied' && d.id === event.id)) {
    record('duplicate', 200, null);
    return { httpStatus: 200, body: { ok: true } };
  }
  const candidate = data.sourcingCandidates.get(event.codesignalCandidateId);
  if (!candidate) return reject(404, 'unknown_candidate', `Sourcing candidate with id ${event.codesignalCandidateId} not found`);
  // Last change wins on this side too (docs/sync.md): a delivery mirroring a change older than the
  // candidate's own latest change is acknowledged and not applied; the service hears of the newer one from its report.
  const changedAt = Date.parse(event.changedAt);
  if (candidate.statusUpdatedAt !== null && changedAt < candidate.statusUpdatedAt) {
    record('stale', 200, `mirrors a change at ${event.changedAt}, older than the candidate's own latest status change`);
    return { httpStatus: 200, body: { ok: true, applied: false } };
  }
  const changed = applyStatus(rt, candidate, event.status, null, changedAt);
  // the status was already this: it now holds as of the mirrored change, so an older delivery arriving later is stale
  if (!changed) candidate.statusUpdatedAt = Math.max(candidate.statusUpdatedAt ?? 0, changedAt);
  candidate.leverOpportunityId = event.leverOpportunityId;
  record('applied', 200, null, changed);
  return { httpStatus: 200, body: { ok: true } };
}

/** Mounted on the sandbox's HTTP server next to `/graphql`. */
export function sourcingFeedRouter(rt: Runtime): Router {
  const router = Router();
  router.post('/sourcing-feed/:companyId', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const companyId = req.params.companyId as string;
    const data = rt.store.company(companyId);
    if (!data) return void res.status(404).json({ error: 'unknown_company', message: `Company with id ${companyId} not found` });
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const answer = receiveFeedDelivery(rt, data, rawBody, {
      signature: req.get(FEED_SIGNATURE_HEADER) ?? undefined,
      deliveryId: req.get(FEED_DELIVERY_HEADER) ?? undefined,
    });
    res.status(answer.httpStatus).json(answer.body);
  });
  return router;
}
