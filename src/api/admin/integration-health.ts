import type { Client } from '@temporalio/client';
import type { PoolClient } from 'pg';
import { inTransaction, type Db } from '../../db/pool';
import { webhookSources, type DeliveryOutcome, type WebhookSource } from '../../db/webhook-deliveries';
import { mapLimited } from '../../integrations/key-checks/key-check';
import { keyTestsOf, type KeyService, type KeyTestResult } from '../../integrations/key-checks/key-test-results';
import type { Logger } from '../../log';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { withinDeadline } from '../temporal';

/** The last delivery of one source: when and how it was answered, and when one was last accepted. */
export interface SourceDelivery {
  at: string;
  outcome: DeliveryOutcome;
  lastAcceptedAt: string | null;
}

/** What on-call sees of an integration on the list (docs/setup.md, "Integration health"). */
export interface IntegrationHealth {
  lastDelivery: Record<WebhookSource, SourceDelivery | null>;
  keyTests: Record<KeyService, KeyTestResult | null>;
  failures24h: {
    /** Deliveries answered `failed` or `rejected` in the last 24 hours (counting stops at failureCountCap). */
    deliveries: number;
    /** Workflow runs that closed Failed or TimedOut in the last 24 hours; null: Temporal did not answer in time. */
    workflows: number | null;
  };
}

export interface IntegrationHealthDeps {
  db: Db;
  /** Without a Temporal client, workflow failures are unknown (null). */
  temporal?: Client;
  temporalTimeoutMs?: number;
  logger?: Logger;
}

/** A flood of refused deliveries (a wrong signing token, a scanner) is counted only this far. */
export const failureCountCap = 10_000;
const day = 24 * 60 * 60 * 1000;
/** Temporal visibility is asked this many integrations at a time. */
const temporalConcurrency = 8;
/**
 * After Temporal did not answer it is not asked again for this long (runs unknown at once): otherwise
 * every page that shows an integration would wait the whole deadline during an outage.
 */
export const temporalBackoffMs = 30_000;

interface DeliveryRow {
  integration_id: string;
  source: WebhookSource;
  last_at: Date | null;
  last_outcome: DeliveryOutcome | null;
  accepted_at: Date | null;
}

/**
 * The last delivery and the last accepted one per integration and source, one index entry each
 * (migrations/1763857500000_integration-health.sql), however many deliveries of other sources or
 * outcomes came since.
 */
async function lastDeliveries(db: PoolClient, ids: readonly string[]): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT i.id AS integration_id, s.source, last.received_at AS last_at, last.outcome AS last_outcome, accepted.received_at AS accepted_at
     FROM unnest($1::uuid[]) AS i(id) CROSS JOIN unnest($2::text[]) AS s(source)
     JOIN LATERAL (SELECT received_at, outcome FROM webhook_deliveries d
                   WHERE d.integration_id = i.id AND d.source = s.source ORDER BY received_at DESC, id DESC LIMIT 1) last ON true
     LEFT JOIN LATERAL (SELECT received_at FROM webhook_deliveries d
                        WHERE d.integration_id = i.id AND d.source = s.source AND d.outcome = 'accepted' ORDER BY received_at DESC, id DESC LIMIT 1) accepted ON true`,
    [ids, webhookSources],
  );
  return rows;
}

/** Deliveries answered failed or rejected since `since`, per integration, from the index of failures only. */
async function deliveryFailures(db: PoolClient, ids: readonly string[], since: Date): Promise<Map<string, number>> {
  const { rows } = await db.query<{ integration_id: string; failures: number }>(
    `SELECT i.id AS integration_id,
            (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries d
                                   WHERE d.integration_id = i.id AND d.outcome IN ('failed', 'rejected') AND d.received_at > $2
                                   LIMIT $3) f)::int AS failures
     FROM unnest($1::uuid[]) AS i(id)`,
    [ids, since, failureCountCap],
  );
  return new Map(rows.map((r) => [r.integration_id, r.failures]));
}

/**
 * The last deliveries and the failure count from one snapshot, so that a delivery recorded meanwhile
 * shows in both or in neither (read side by side, a page could say "last delivery rejected" and
 * "no failed delivery").
 */
function deliveriesAndFailures(db: Db, ids: readonly string[], since: Date) {
  return inTransaction(db, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return [await lastDeliveries(client, ids), await deliveryFailures(client, ids, since)] as const;
  });
}

/**
 * Runs that closed Failed or TimedOut since `since`, per integration, from Temporal visibility by the
 * IntegrationId search attribute; all under one deadline.
 */
async function workflowFailures(temporal: Client, timeoutMs: number, ids: readonly string[], since: Date): Promise<Map<string, number>> {
  const query = (id: string) =>
    `${IntegrationIdKey.name} = '${id}' AND (ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut') AND CloseTime > '${since.toISOString()}'`;
  const counts = await withinDeadline({ temporal, temporalTimeoutMs: timeoutMs }, () =>
    mapLimited(ids, temporalConcurrency, async (id) => [id, (await temporal.workflow.count(query(id))).count] as const),
  );
  return new Map(counts);
}

/**
 * Reads the health of the given integrations (ids as stored: canonical). A Temporal that does not
 * answer makes their workflow failures unknown (null) rather than failing the answer, and is left
 * alone for temporalBackoffMs.
 */
export function integrationHealthReader(deps: IntegrationHealthDeps, clock: () => number = Date.now) {
  let temporalQuietUntil = 0;
  const runFailures = async (ids: readonly string[], since: Date): Promise<Map<string, number> | undefined> => {
    if (!deps.temporal || ids.length === 0 || clock() < temporalQuietUntil) return undefined;
    try {
      return await workflowFailures(deps.temporal, deps.temporalTimeoutMs ?? 3000, ids, since);
    } catch (err) {
      temporalQuietUntil = clock() + temporalBackoffMs;
      deps.logger?.warn({ err: (err as Error).message }, 'Temporal visibility did not answer: failed runs of the integrations are shown as unknown');
      return undefined;
    }
  };
  return (ids: readonly string[]) => integrationHealth(deps, ids, runFailures, new Date(clock()));
}

async function integrationHealth(
  deps: IntegrationHealthDeps,
  ids: readonly string[],
  runFailures: (ids: readonly string[], since: Date) => Promise<Map<string, number> | undefined>,
  now: Date,
): Promise<Map<string, IntegrationHealth>> {
  const since = new Date(now.getTime() - day);
  const [[deliveries, failures], keyTests, workflows] = await Promise.all([
    deliveriesAndFailures(deps.db, ids, since),
    keyTestsOf(deps.db, ids),
    runFailures(ids, since),
  ]);
  const health = new Map<string, IntegrationHealth>(
    ids.map((id) => [
      id,
      {
        lastDelivery: Object.fromEntries(webhookSources.map((s) => [s, null])) as Record<WebhookSource, SourceDelivery | null>,
        keyTests: keyTests.get(id)!,
        failures24h: { deliveries: failures.get(id) ?? 0, workflows: workflows ? (workflows.get(id) ?? 0) : null },
      },
    ]),
  );
  for (const r of deliveries) {
    health.get(r.integration_id)!.lastDelivery[r.source] = { at: r.last_at!.toISOString(), outcome: r.last_outcome!, lastAcceptedAt: r.accepted_at?.toISOString() ?? null };
  }
  return health;
}
