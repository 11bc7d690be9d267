import type { SecretBox } from '../crypto/secret-box';
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
  /** The delivery this one replayed (an admin's replay of its kept body); null for a live delivery. */
  replayOf?: string | null;
}

export interface StoredWebhookDelivery extends WebhookDelivery {
  id: string;
  replayOf: string | null;
  /** Its raw body is kept (webhook_delivery_bodies), so it can be replayed. */
  bodyKept: boolean;
}

/** What a delivery's verification reads, kept sealed with its row for a replay (never logged). */
export interface KeptDeliveryBody {
  /** The raw request body, as received (after Content-Encoding). */
  body: Buffer;
  /** The headers verification needs (CodeSignal's signature), lower-case names. */
  headers: Record<string, string>;
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
  replay_of: string | null;
  body_kept?: boolean;
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
  replayOf: r.replay_of,
  bodyKept: r.body_kept ?? false,
});

/** The columns of a delivery as read back: the row, and whether its body is kept. */
const deliveryColumns = `d.*, EXISTS (SELECT 1 FROM webhook_delivery_bodies b WHERE b.delivery_id = d.id) AS body_kept`;
/** Each sealed value is bound to its row and column, so it does not open anywhere else. */
const bodyContext = (deliveryId: string, column: 'body' | 'headers') => `webhook_delivery_bodies/${deliveryId}/${column}`;

export const maxDeliveriesListed = 200;

/** Ids for rows with a kept body are taken from the sequence this many at a time (each body is sealed bound to its row's id). */
const deliveryIdBlock = 32;
const deliveryIds = new WeakMap<Db, { ids: string[]; taking?: Promise<void> }>();

/** The next id for a webhook_deliveries row: from this process's block, or a new block (one statement for many rows). Unused ids leave gaps, as a rolled-back insert does. */
async function nextDeliveryId(db: Db): Promise<string> {
  let block = deliveryIds.get(db);
  if (!block) deliveryIds.set(db, (block = { ids: [] }));
  while (block.ids.length === 0) {
    const taking = (block.taking ??= db
      .query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('webhook_deliveries', 'id'))::text AS id FROM generate_series(1, $1)`, [deliveryIdBlock])
      .then(({ rows }) => void block.ids.push(...rows.map((r) => r.id)))
      .finally(() => (block.taking = undefined)));
    await taking;
  }
  return block.ids.shift()!;
}

export interface RecordOptions {
  /** The raw body and verification headers, stored sealed with the row (the webhook inbox). */
  kept?: { box: SecretBox } & KeptDeliveryBody;
  /** A Lever delivery token this 2xx answer answered (lever_delivery_tokens): marked in the same statement. */
  answeredLeverToken?: string;
}

/**
 * Records the delivery and answers its id, in one statement: with `kept`, its raw body and verification
 * headers are stored with it, sealed with the box (bound to the new row's id, taken from the sequence
 * first), so a row and its body are written together or not at all; with `answeredLeverToken`, the
 * token is marked answered with it (the same token and body again is then a duplicate).
 */
export async function recordWebhookDelivery(db: Db, d: WebhookDelivery, opts: RecordOptions = {}): Promise<string> {
  const row: unknown[] = [d.integrationId, d.source, d.event, d.receivedAt, d.outcome, d.httpStatus, d.reason, d.opportunityId, d.workflowId, d.eventKey ?? null, d.replayOf ?? null];
  const columns = 'integration_id, source, event, received_at, outcome, http_status, reason, opportunity_id, workflow_id, event_key, replay_of';
  const ctes: string[] = [];
  if (opts.answeredLeverToken !== undefined) {
    row.push(opts.answeredLeverToken);
    ctes.push(`answered AS (UPDATE lever_delivery_tokens SET answered = true WHERE integration_id = $1 AND token = $${row.length})`);
  }
  const { kept } = opts;
  if (!kept) {
    const { rows } = await db.query<{ id: string }>(
      `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}INSERT INTO webhook_deliveries (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
      row,
    );
    return rows[0]!.id;
  }
  const id = await nextDeliveryId(db);
  const headers = Object.keys(kept.headers).length > 0 ? kept.box.seal(JSON.stringify(kept.headers), bodyContext(id, 'headers')) : null;
  const at = row.length;
  row.push(id, kept.box.seal(kept.body.toString('base64'), bodyContext(id, 'body')), headers);
  ctes.push(`delivery AS (INSERT INTO webhook_deliveries (id, ${columns}) VALUES ($${at + 1}, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id)`);
  await db.query(`WITH ${ctes.join(', ')} INSERT INTO webhook_delivery_bodies (delivery_id, body_sealed, headers_sealed) SELECT id, $${at + 2}, $${at + 3} FROM delivery`, row);
  return id;
}

/** One delivery of the integration, or null. */
export async function findWebhookDelivery(db: Db, integrationId: string, id: string): Promise<StoredWebhookDelivery | null> {
  const { rows } = await db.query<DeliveryRow>(`SELECT ${deliveryColumns} FROM webhook_deliveries d WHERE d.integration_id = $1 AND d.id = $2`, [integrationId, id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The delivery's kept body and headers, opened; null when none is kept. Throws SecretBoxError when it does not open (altered, moved, or its key gone). */
export async function openKeptDeliveryBody(db: Db, box: SecretBox, deliveryId: string): Promise<KeptDeliveryBody | null> {
  const { rows } = await db.query<{ body_sealed: string; headers_sealed: string | null }>(
    `SELECT body_sealed, headers_sealed FROM webhook_delivery_bodies WHERE delivery_id = $1`,
    [deliveryId],
  );
  const row = rows[0];
  if (!row) return null;
  const body = Buffer.from(box.open(row.body_sealed, bodyContext(deliveryId, 'body')), 'base64');
  const headers = row.headers_sealed ? (JSON.parse(box.open(row.headers_sealed, bodyContext(deliveryId, 'headers'))) as Record<string, string>) : {};
  return { body, headers };
}

/** Which deliveries a bulk replay resends: of these outcomes, received since, from the sources replays exist for. */
export interface ReplaySelection {
  since: Date;
  outcomes: readonly DeliveryOutcome[];
  source?: 'lever' | 'codesignal';
}

/**
 * Live deliveries (not replays) of the selection, and whether each was replayed already with an answer
 * other than `failed` (accepted, duplicate, ignored, rejected or refused): a bulk replay resends only
 * those with a kept body and no such replay, so running it again resends nothing it already resent.
 */
const selectionWhere = `d.integration_id = $1 AND d.replay_of IS NULL AND d.received_at >= $2 AND d.outcome = ANY($3::text[])
  AND d.source IN ('lever', 'codesignal') AND ($4::text IS NULL OR d.source = $4)
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries r WHERE r.replay_of = d.id AND r.outcome <> 'failed')`;
const selectionParams = (integrationId: string, s: ReplaySelection) => [integrationId, s.since, [...new Set(s.outcomes)], s.source ?? null];

/** The deliveries a bulk replay would resend, oldest first, at most `limit`. */
export async function listReplayCandidates(db: Db, integrationId: string, s: ReplaySelection, limit: number): Promise<StoredWebhookDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d
     WHERE ${selectionWhere} AND EXISTS (SELECT 1 FROM webhook_delivery_bodies b WHERE b.delivery_id = d.id)
     ORDER BY d.received_at, d.id LIMIT $5`,
    [...selectionParams(integrationId, s), limit],
  );
  return rows.map(fromRow);
}

/** How many deliveries of the selection a bulk replay would resend, per source and event; `notKept`: those matching whose body is not kept. */
export async function countReplayCandidates(
  db: Db,
  integrationId: string,
  s: ReplaySelection,
): Promise<{ groups: Array<{ source: WebhookSource; event: string | null; count: number }>; notKept: number }> {
  const { rows } = await db.query<{ source: WebhookSource; event: string | null; kept: boolean; count: string }>(
    `SELECT d.source, d.event, EXISTS (SELECT 1 FROM webhook_delivery_bodies b WHERE b.delivery_id = d.id) AS kept, count(*) AS count
     FROM webhook_deliveries d WHERE ${selectionWhere}
     GROUP BY 1, 2, 3 ORDER BY 1, 2`,
    selectionParams(integrationId, s),
  );
  return {
    groups: rows.filter((r) => r.kept).map((r) => ({ source: r.source, event: r.event, count: Number(r.count) })),
    notKept: rows.filter((r) => !r.kept).reduce((n, r) => n + Number(r.count), 0),
  };
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
    `SELECT ${deliveryColumns} FROM webhook_deliveries d
     WHERE integration_id = $1 AND (cardinality($2::text[]) = 0 OR outcome = ANY($2::text[])) AND ($3::text IS NULL OR source = $3)
     ORDER BY received_at DESC, id DESC LIMIT $4`,
    [integrationId, outcomes, filter.source ?? null, Math.min(Math.max(filter.limit, 1), maxDeliveriesListed)],
  );
  return rows.map(fromRow);
}

/** One opportunity's deliveries, newest first (the candidate timeline); `limit` is capped at maxDeliveriesListed. */
export async function listOpportunityDeliveries(db: Db, integrationId: string, opportunityId: string, limit: number): Promise<StoredWebhookDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d WHERE integration_id = $1 AND opportunity_id = $2 ORDER BY received_at DESC, id DESC LIMIT $3`,
    [integrationId, opportunityId, Math.min(Math.max(limit, 1), maxDeliveriesListed)],
  );
  return rows.map(fromRow);
}

/** Deletes deliveries received more than `days` ago, and their kept bodies with them (ON DELETE CASCADE); answers how many. */
export async function pruneWebhookDeliveries(db: Db, days: number): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM webhook_deliveries WHERE received_at < now() - $1 * interval '1 day'`, [days]);
  return rowCount ?? 0;
}
