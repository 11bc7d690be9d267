import express, { type Router } from 'express';
import { z } from 'zod';
import { SecretBoxError, type SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import {
  countReplayCandidates,
  findWebhookDelivery,
  listReplayCandidates,
  openKeptDeliveryBody,
  recordWebhookDelivery,
  type DeliveryOutcome,
  type ReplaySelection,
  type StoredWebhookDelivery,
} from '../../db/webhook-deliveries';
import type { Logger } from '../../log';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { codesignalDeliveryHandler, type CodeSignalWebhookDeps } from '../ingress/codesignal-webhooks';
import { deliveryRowOf, deliveryView, type DeliveryLogLocals } from '../ingress/delivery-log';
import { answerOfError, type DeliveryAnswer, type DeliveryHandler } from '../ingress/inbound';
import { leverDeliveryHandler, type LeverWebhookDeps } from '../ingress/lever-webhooks';
import { parseBody, parseQuery } from '../validate';
import { requireAdmin } from './admin-auth';

export interface DeliveryReplayDeps {
  adminToken: string | undefined;
  db: Db;
  box: SecretBox;
  /**
   * The very deps app.ts gives its two webhook routes (the cached integration lookup, body limit, maximum
   * ages, …): a replay is verified and de-duplicated exactly as a live delivery is.
   */
  ingress: { lever: LeverWebhookDeps; codesignal: CodeSignalWebhookDeps };
  logger: Logger;
}

/** At most this many deliveries are resent by one bulk replay (oldest first); the answer says how many remain. */
export const maxBulkReplay = 1000;
/** The outcomes a bulk replay may resend: deliveries that were not acted on. */
const replayableOutcomes = ['failed', 'rejected', 'refused'] as const satisfies readonly DeliveryOutcome[];
const defaultOutcomes: DeliveryOutcome[] = ['failed', 'rejected'];
const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T09:30:00Z' });
const replaySource = z.enum(['lever', 'codesignal']).optional();

const bulkReplaySchema = z.strictObject({
  since: isoDateTime,
  outcomes: z.array(z.enum(replayableOutcomes)).min(1).optional(),
  source: replaySource,
  limit: z.number().int().min(1).max(maxBulkReplay).optional(),
});
const outcomeList = z
  .string()
  .transform((value, ctx) => {
    const listed = [...new Set(value.split(',').map((o) => o.trim()).filter(Boolean))];
    const unknown = listed.filter((o) => !(replayableOutcomes as readonly string[]).includes(o));
    if (listed.length === 0 || unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `${listed.length === 0 ? 'name at least one outcome' : `cannot resend ${unknown.join(', ')}`}; expected a comma-separated list of ${replayableOutcomes.join(', ')}` });
      return z.NEVER;
    }
    return listed as DeliveryOutcome[];
  })
  .optional();
const previewQuerySchema = z.strictObject({ since: isoDateTime, outcomes: outcomeList, source: replaySource });

/**
 * The webhook inbox's replay (README "Webhook inbox and replay"): an admin resends one delivery's kept
 * raw body, or all failed or refused deliveries since a time after a preview of how many. A replay runs
 * the ingress route's own handler (leverDeliveryHandler / codesignalDeliveryHandler) on the kept bytes
 * and headers — the same verification and de-duplication as a live delivery, no HTTP call — and is
 * recorded as a delivery of its own with `replay_of` naming the original.
 */
export function deliveryReplayRoutes(deps: DeliveryReplayDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/deliveries';
  router.use(base, requireAdmin(deps.adminToken));

  // the ingress routes' own handlers, built from the same deps
  const handlers: Record<'lever' | 'codesignal', DeliveryHandler> = {
    lever: leverDeliveryHandler(deps.ingress.lever),
    codesignal: codesignalDeliveryHandler(deps.ingress.codesignal),
  };

  const knownIntegration = async (id: string): Promise<string> => (await integrationOr404(deps.db, deps.box, id)).id;

  /** The kept body of a live delivery, or the 4xx that says why there is none to resend. */
  async function keptBodyOf(delivery: StoredWebhookDelivery) {
    const kept = await openKeptDeliveryBody(deps.db, deps.box, delivery.id).catch((err: unknown) => {
      if (!(err instanceof SecretBoxError)) throw err;
      deps.logger.warn({ deliveryId: delivery.id, err: err.message }, 'kept webhook body does not open; not replayed');
      throw new HttpError(409, 'body_unreadable', `the kept body of delivery ${delivery.id} does not open: it was altered, or sealed with a key no longer configured; nothing was resent`);
    });
    if (!kept) {
      throw new HttpError(410, 'body_not_kept', `the body of delivery ${delivery.id} is not kept (received before the webhook inbox existed, refused past the recording budget, or past WEBHOOK_LOG_RETENTION_DAYS); nothing was resent`);
    }
    return kept;
  }

  /** Resends the delivery's kept body through its source's handler; the replay's own delivery row. */
  async function replay(integrationId: string, original: StoredWebhookDelivery): Promise<StoredWebhookDelivery> {
    const source = original.source;
    if (source !== 'lever' && source !== 'codesignal') {
      throw new HttpError(409, 'not_replayable', `delivery ${original.id} is a ${source} record, not a webhook delivery; only Lever and CodeSignal deliveries are replayed`);
    }
    const kept = await keptBodyOf(original);
    const locals: DeliveryLogLocals = {};
    const receivedAt = new Date();
    let answer: DeliveryAnswer;
    try {
      answer = await handlers[source]({ integrationId, rawBody: kept.body, headers: kept.headers, receivedAt: original.receivedAt.getTime(), replay: true, locals });
    } catch (err) {
      if (!(err instanceof HttpError)) deps.logger.warn({ err: (err as Error).message, integrationId, deliveryId: original.id }, 'webhook replay failed');
      answer = err instanceof HttpError ? answerOfError(err) : { status: 500, json: { error: 'internal', message: 'the replay failed unexpectedly' } };
    }
    const row = deliveryRowOf({ integrationId, source, receivedAt, httpStatus: answer.status, answer: answer.json, body: locals.body, locals, replayOf: original.id });
    // a 2xx answer marks the Lever token answered in the row's statement, as a live delivery's does (delivery-log.ts)
    const answeredLeverToken = answer.status < 300 ? locals.answeredLeverToken : undefined;
    const id = await recordWebhookDelivery(deps.db, row, answeredLeverToken ? { answeredLeverToken } : {});
    return { ...row, id, replayOf: original.id, bodyKept: false, eventKey: row.eventKey ?? null };
  }

  // One delivery. A replay row is resent as the live delivery it replayed (only that one's body is kept).
  router.post(`${base}/:deliveryId/replay`, express.json({ limit: '1kb' }), async (req, res) => {
    const integrationId = await knownIntegration(req.params.integrationId!);
    if (req.body !== undefined) parseBody(z.strictObject({}), req.body); // no options yet: any field is refused by name
    const named = await findWebhookDelivery(deps.db, integrationId, req.params.deliveryId!);
    if (!named) throw new HttpError(404, 'unknown_delivery', `no delivery ${req.params.deliveryId} of this integration`);
    const original = named.replayOf ? await findWebhookDelivery(deps.db, integrationId, named.replayOf) : named;
    if (!original) throw new HttpError(410, 'body_not_kept', `delivery ${named.id} replayed a delivery that is past WEBHOOK_LOG_RETENTION_DAYS; nothing was resent`);
    const replayed = await replay(integrationId, original);
    res.json({ replay: deliveryView(replayed) });
  });

  const selectionOf = (q: { since: string; outcomes?: DeliveryOutcome[] | undefined; source?: 'lever' | 'codesignal' | undefined }): ReplaySelection => ({
    since: new Date(q.since),
    outcomes: q.outcomes ?? defaultOutcomes,
    ...(q.source ? { source: q.source } : {}),
  });

  // How many a bulk replay would resend now; nothing is sent.
  router.get(`${base}/replay-preview`, async (req, res) => {
    const integrationId = await knownIntegration(req.params.integrationId!);
    const query = parseQuery(previewQuerySchema, req.query);
    const selection = selectionOf(query);
    const { groups, notKept } = await countReplayCandidates(deps.db, integrationId, selection);
    const count = groups.reduce((n, g) => n + g.count, 0);
    res.json({ since: selection.since.toISOString(), outcomes: selection.outcomes, source: query.source ?? null, count, bySourceAndEvent: groups, notKept, batchLimit: maxBulkReplay });
  });

  // Resends them, oldest first, one at a time. Idempotent: a delivery replayed before with an answer
  // other than `failed` is not resent again (listReplayCandidates), and what is resent goes through the
  // de-duplication. One bulk replay per integration at a time (an advisory lock, across API processes).
  router.post(`${base}/replay`, express.json({ limit: '4kb' }), async (req, res) => {
    const integrationId = await knownIntegration(req.params.integrationId!);
    const body = parseBody(bulkReplaySchema, req.body);
    const selection = selectionOf(body);
    const lock = await deps.db.connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`webhook-replay/${integrationId}`]);
      if (!rows[0]?.locked) throw new HttpError(409, 'replay_in_progress', 'a bulk replay of this integration is running; try again when it has finished');
      try {
        const candidates = await listReplayCandidates(deps.db, integrationId, selection, body.limit ?? maxBulkReplay);
        const counts = { accepted: 0, duplicate: 0, ignored: 0, refused: 0, failed: 0, unreadable: 0 };
        const replays: Array<{ deliveryId: string; replayId: string; outcome: DeliveryOutcome }> = [];
        let stopped: string | null = null;
        for (const original of candidates) {
          let replayed: StoredWebhookDelivery;
          try {
            replayed = await replay(integrationId, original);
          } catch (err) {
            if (!(err instanceof HttpError && err.code === 'body_unreadable')) throw err;
            counts.unreadable += 1;
            continue;
          }
          replays.push({ deliveryId: original.id, replayId: replayed.id, outcome: replayed.outcome });
          const outcome = replayed.outcome === 'rejected' ? 'refused' : replayed.outcome;
          if (outcome in counts) counts[outcome as keyof typeof counts] += 1;
          // Temporal or the database is still down: the rest would fail the same way, each after a timeout
          if (replayed.outcome === 'failed') {
            stopped = `delivery ${original.id} failed again (${replayed.reason ?? `HTTP ${replayed.httpStatus}`}); the rest were not resent`;
            break;
          }
        }
        const { groups } = await countReplayCandidates(deps.db, integrationId, selection);
        res.json({ since: selection.since.toISOString(), outcomes: selection.outcomes, resent: replays.length, ...counts, stopped, remaining: groups.reduce((n, g) => n + g.count, 0), replays });
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`webhook-replay/${integrationId}`]);
      }
    } finally {
      lock.release();
    }
  });
  return router;
}
