import type { Db } from './pool';

/** `sourcing`: calls of the sourcing API; `feed`: status feed deliveries the service sent (docs/sync.md). */
export const webhookSources = ['lever', 'codesignal', 'sourcing', 'feed'] as const;
export type WebhookSource = (typeof webhookSources)[number];
/**
 * `duplicate`: a Lever token answered before, with the same body (no effect); `refused`: accepted by
 * the ingress, then not acted on because Lever contradicts it (the candidate workflow checked).
 */
export const deliveryOutcomes = ['accepted', 'ignored', 'rejected', 'failed', 'duplicate', 'refused'] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/** How one webhook delivery was answered; identifiers only, never personal data or secrets. */
export interface WebhookDelivery {
  integrationId: string;
  source: WebhookSource;
  event: string | null;
  receivedAt: Date;
  outcome: DeliveryOutcome;
  httpStatus: number;
  /** What the sender was told when the delivery was not accepted: `<error code>: <message>`. */
  reason: string | null;
  opportunityId: string | null;
  workflowId: string | null;
  /** The candidate workflow's key of the Lever event the delivery carried (accepted Lever deliveries). */
  eventKey?: string | null;
}

export interface StoredWebhookDelivery extends WebhookDelivery {
  id: string;
}

interface DeliveryRow {
  id: string;
  integration_id: string;
  source: WebhookSource;
  event: string | null;
  received_at: Date;
  outcome: DeliveryOutcome;
  http_status: number;
  reason: string | null;
  opportunity_id: string | null;
  workflow_id: string | null;
  event_key: string | null;
}

const fromRow = (r: DeliveryRow): StoredWebhookDelivery => ({
  id: r.id,
  integrationId: r.integration_id,
  source: r.source,
  event: r.event,
  receivedAt: r.received_at,
  outcome: r.outcome,
  httpStatus: r.http_status,
  reason: r.reason,
  opportunityId: r.opportunity_id,
  workflowId: r.workflow_id,
  eventKey: r.event_key,
});

export const maxDeliveriesListed = 200;

export async function recordWebhookDelivery(db: Db, d: WebhookDelivery): Promise<void> {
  await db.query(
    `INSERT INTO webhook_deliveries (integration_id, source, event, received_at, outcome, http_status, reason, opportunity_id, workflow_id, event_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [d.integrationId, d.source, d.event, d.receivedAt, d.outcome, d.httpStatus, d.reason, d.opportunityId, d.workflowId, d.eventKey ?? null],
  );
}

/**
 * The candidate workflow did not act on a Lever event because Lever contradicts it: the deliveries
 * that brought it (accepted, or refused by an earlier attempt) are marked refused with the reason.
 * Answers how many rows were marked; 0 when the ingress has not recorded the delivery (yet).
 */
export async function markLeverEventRefused(db: Db, r: { integrationId: string; opportunityId: string; eventKey: string; reason: string }): Promise<number> {
  // Lever's event `id` is the key when present, and a copy re-aimed at another opportunity keeps it: match the opportunity too
  const { rowCount } = await db.query(
    `UPDATE webhook_deliveries SET outcome = 'refused', reason = $4
     WHERE integration_id = $1 AND source = 'lever' AND opportunity_id = $2 AND event_key = $3 AND outcome IN ('accepted', 'refused')`,
    [r.integrationId, r.opportunityId, r.eventKey, r.reason.slice(0, 1000)],
  );
  return rowCount ?? 0;
}

/**
 * Newest first; `limit` is capped at maxDeliveriesListed. `outcome` is one outcome or several (any of
 * them); an empty list filters nothing.
 */
export async function listWebhookDeliveries(
  db: Db,
  integrationId: string,
  filter: { limit: number; outcome?: DeliveryOutcome | readonly DeliveryOutcome[]; source?: WebhookSource },
): Promise<StoredWebhookDelivery[]> {
  const outcomes = filter.outcome === undefined ? [] : typeof filter.outcome === 'string' ? [filter.outcome] : [...new Set(filter.outcome)];
  const { rows } = await db.query<DeliveryRow>(
    `SELECT * FROM webhook_deliveries
     WHERE integration_id = $1 AND (cardinality($2::text[]) = 0 OR outcome = ANY($2::text[])) AND ($3::text IS NULL OR source = $3)
     ORDER BY received_at DESC, id DESC LIMIT $4`,
    [integrationId, outcomes, filter.source ?? null, Math.min(Math.max(filter.limit, 1), maxDeliveriesListed)],
  );
  return rows.map(fromRow);
}

/** One opportunity's deliveries, newest first (the candidate timeline); `limit` is capped at maxDeliveriesListed. */
export async function listOpportunityDeliveries(db: Db, integrationId: string, opportunityId: string, limit: number): Promise<StoredWebhookDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT * FROM webhook_deliveries WHERE integration_id = $1 AND opportunity_id = $2 ORDER BY received_at DESC, id DESC LIMIT $3`,
    [integrationId, opportunityId, Math.min(Math.max(limit, 1), maxDeliveriesListed)],
  );
  return rows.map(fromRow);
}

/** Deletes deliveries received more than `days` ago; answers how many. */
export async function pruneWebhookDeliveries(db: Db, days: number): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM webhook_deliveries WHERE received_at < now() - $1 * interval '1 day'`, [days]);
  return rowCount ?? 0;
}
