import type { RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { recordWebhookDelivery, type DeliveryOutcome, type KeptDeliveryBody, type StoredWebhookDelivery, type WebhookDelivery, type WebhookSource } from '../../db/webhook-deliveries';
import type { Logger } from '../../log';
import { processMetrics } from '../../observability/metrics';
import { parseWorkflowId } from '../../workflows/shared/ids';
import { clientErrorLog } from '../errors';

export interface DeliveryLogDeps {
  db: Db;
  logger: Logger;
  source: WebhookSource;
  /** The router's own (cached) integration lookup: only deliveries to a known integration have a row to attach to. */
  findIntegration: (id: string) => Promise<unknown>;
  /** Keeps the raw body a route left in `res.locals.keptBody` with the row, sealed (the webhook inbox); without it none is kept. */
  box?: SecretBox;
}

type Answer = Record<string, unknown>;

/** What a route may leave in `res.locals` for the log: the candidate workflow's key of the event the delivery carried. */
export interface DeliveryLogLocals {
  eventKey?: string;
  /** The event's name when the body has no `event` field (the sourcing API names its calls). */
  event?: string;
  /** The body as the route parsed it, when `req.body` does not hold it (a replay has no request). */
  body?: unknown;
  /** The raw body and the headers its verification reads, kept (sealed) with the row for a replay; never logged. */
  keptBody?: KeptDeliveryBody;
  /**
   * The Lever delivery token a 2xx answer answered: marked in the row's statement, and the answer waits
   * for it (at most answerWaitsForMarkMs), so the same token and body sent again is a duplicate.
   */
  answeredLeverToken?: string;
}

/** How long an answer waits for its record when the record marks a Lever token answered; past it the answer leaves and the record still completes. */
const answerWaitsForMarkMs = 2_000;

const text = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);

/** candidate/…, assessment/… and interview/… ids name the opportunity; import/… and public-link/… do not. */
const opportunityOfWorkflow = (workflowId: string | null): string | null => (workflowId ? (parseWorkflowId(workflowId)?.opportunityId ?? null) : null);

/** The outcome follows from the answer: errors carry `{ error, message }`, successes `{ status, reason? }`. */
export function outcomeOf(httpStatus: number, answer: Answer): { outcome: DeliveryOutcome; reason: string | null } {
  if (httpStatus >= 400) {
    const reason = typeof answer.error === 'string' ? `${answer.error}: ${String(answer.message ?? '')}` : `HTTP ${httpStatus}`;
    return { outcome: httpStatus >= 500 ? 'failed' : 'rejected', reason };
  }
  // `imported` / `importing`: the sourcing API's import call
  if (answer.status === 'accepted' || answer.status === 'imported' || answer.status === 'importing') return { outcome: 'accepted', reason: null };
  // a Lever token answered before, with the same body: acknowledged, nothing done
  if (answer.status === 'duplicate') return { outcome: 'duplicate', reason: text(answer.reason, 200) ?? 'delivery already answered' };
  // `ok` is the answer to Lever's and CodeSignal's connection checks
  return { outcome: 'ignored', reason: text(answer.reason, 200) ?? (answer.status === 'ok' ? 'connection check' : 'event type not handled') };
}

/**
 * The row that records how a delivery was answered, live (the middleware below) or replayed
 * (deliveries-replay.ts): the outcome follows from the answer, the event and opportunity from the body.
 */
export function deliveryRowOf(d: {
  integrationId: string;
  source: WebhookSource;
  receivedAt: Date;
  httpStatus: number;
  answer: unknown;
  body: unknown;
  locals: DeliveryLogLocals;
  replayOf?: string;
}): WebhookDelivery {
  const body = d.body as { event?: unknown; data?: { opportunityId?: unknown } } | undefined;
  const { outcome, reason } = outcomeOf(d.httpStatus, (d.answer ?? {}) as Answer);
  const workflowId = text((d.answer as Answer | undefined)?.workflowId, 300);
  return {
    integrationId: d.integrationId,
    source: d.source,
    event: text(body?.event, 100) ?? text(d.locals.event, 100),
    receivedAt: d.receivedAt,
    outcome,
    httpStatus: d.httpStatus,
    reason: reason?.slice(0, 1000) ?? null,
    // Lever's envelope names the opportunity (unverified on a refused delivery); else the workflow reached names it
    opportunityId: opportunityOfWorkflow(workflowId) ?? text(body?.data?.opportunityId, 200),
    workflowId,
    eventKey: text(d.locals.eventKey, 500),
    replayOf: d.replayOf ?? null,
  };
}

/** A recorded delivery as the admin API shows it (Activity, the replay API): identifiers and how it was answered. */
export const deliveryView = (d: StoredWebhookDelivery) => ({
  id: d.id,
  source: d.source,
  event: d.event,
  receivedAt: d.receivedAt.toISOString(),
  outcome: d.outcome,
  httpStatus: d.httpStatus,
  reason: d.reason,
  opportunityId: d.opportunityId,
  workflowId: d.workflowId,
  // the webhook inbox (README "Webhook inbox and replay"): the delivery this one replayed, and whether its body can be replayed
  replayOf: d.replayOf,
  bodyKept: d.bodyKept,
});

/**
 * Webhook URLs name the integration, so anyone who has one can send refused deliveries; at most this
 * many a minute per integration are recorded, so a flood cannot push real deliveries out of Activity.
 */
const rejectedPerMinute = new RateLimiterMemory({ points: 60, duration: 60 });
const withinRejectedBudget = (integrationId: string) =>
  rejectedPerMinute.consume(integrationId).then(
    () => true,
    () => false,
  );

/**
 * Route middleware that records how each delivery was answered, for the Activity page. It keeps the
 * JSON answer as it is sent — by the route or by the error handler, body-parser refusals included —
 * so no branch of the route has to report itself; routes must answer with `res.json`. The insert is
 * one statement and runs after the answer is written, not awaited: a slow or failing database never
 * changes what the sender gets, and a failed insert is only logged. The one exception is an answer
 * that marks a Lever token answered (`answeredLeverToken`): it leaves once its record (and the mark)
 * is written, or after answerWaitsForMarkMs, so an immediate resend is seen as a duplicate.
 */
export function deliveryLog(deps: DeliveryLogDeps): RequestHandler<{ integrationId: string }> {
  // Anyone can post to made-up integration ids: their lines are rate-limited like every client error.
  const logUnknown = clientErrorLog(deps.logger);
  return (req, res, next) => {
    const receivedAt = new Date();
    const started = process.hrtime.bigint();
    const { integrationId } = req.params;
    const json = res.json.bind(res);
    res.json = (answer: unknown) => {
      const httpStatus = res.statusCode;
      const locals = res.locals as DeliveryLogLocals;
      const answeredLeverToken = httpStatus < 300 ? locals.answeredLeverToken : undefined;
      const row = deliveryRowOf({ integrationId, source: deps.source, receivedAt, httpStatus, answer, body: locals.body ?? req.body, locals });
      // metrics: only an id that is an integration's becomes a label (else `unknown`), and only known event names
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const count = (known: boolean) => {
        if (deps.source !== 'feed') processMetrics().webhookAnswered({ integrationId: known ? integrationId : null, source: deps.source, event: row.event, outcome: row.outcome, httpStatus, seconds });
      };
      const record = async () => {
        const integration = await deps.findIntegration(integrationId).catch((err: unknown) => {
          count(false);
          throw err;
        });
        count(Boolean(integration));
        if (!integration) {
          logUnknown(
            `${deps.source} unknown_integration`,
            { source: deps.source, integrationId: integrationId.slice(0, 100), httpStatus },
            'webhook delivery to an unknown integration; not recorded',
          );
          return;
        }
        if (row.outcome === 'rejected' && !(await withinRejectedBudget(integrationId))) return;
        // the body is kept only with a row that is recorded: a refused flood past the budget keeps nothing
        await recordWebhookDelivery(deps.db, row, { ...(deps.box && locals.keptBody ? { kept: { box: deps.box, ...locals.keptBody } } : {}), ...(answeredLeverToken ? { answeredLeverToken } : {}) });
      };
      const recordQuietly = () => record().catch((err: Error) => deps.logger.warn({ err: err.message, source: deps.source, integrationId }, 'webhook delivery not recorded'));
      if (!answeredLeverToken) {
        const sent = json(answer);
        void recordQuietly();
        return sent;
      }
      const recorded = recordQuietly();
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, answerWaitsForMarkMs)));
      void Promise.race([recorded, waited]).then(() => {
        clearTimeout(timer);
        json(answer);
      });
      return res;
    };
    next();
  };
}
