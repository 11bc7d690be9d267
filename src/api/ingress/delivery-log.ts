import type { RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Db } from '../../db/pool';
import { recordWebhookDelivery, type DeliveryOutcome, type WebhookSource } from '../../db/webhook-deliveries';
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
}

type Answer = Record<string, unknown>;

/** What a route may leave in `res.locals` for the log: the candidate workflow's key of the event the delivery carried. */
export interface DeliveryLogLocals {
  eventKey?: string;
  /** The event's name when the body has no `event` field (the sourcing API names its calls). */
  event?: string;
}

const text = (value: unknown, max: number): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);

/** candidate/…, assessment/… and interview/… ids name the opportunity; import/… and public-link/… do not. */
const opportunityOfWorkflow = (workflowId: string | null): string | null => (workflowId ? (parseWorkflowId(workflowId)?.opportunityId ?? null) : null);

/** The outcome follows from the answer: errors carry `{ error, message }`, successes `{ status, reason? }`. */
function outcomeOf(httpStatus: number, answer: Answer): { outcome: DeliveryOutcome; reason: string | null } {
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
 * so no branch of the route has to report itself; routes must answer with `res.json`. The insert
 * runs after the answer is written and is not awaited: a slow or failing database never delays or
 * changes what the sender gets, and a failed insert is only logged.
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
      const sent = json(answer);
      const httpStatus = res.statusCode;
      const body = req.body as { event?: unknown; data?: { opportunityId?: unknown } } | undefined;
      const { outcome, reason } = outcomeOf(httpStatus, (answer ?? {}) as Answer);
      const workflowId = text((answer as Answer | undefined)?.workflowId, 300);
      const event = text(body?.event, 100) ?? text((res.locals as DeliveryLogLocals).event, 100);
      // metrics: only an id that is an integration's becomes a label (else `unknown`), and only known event names
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const count = (known: boolean) => {
        if (deps.source !== 'feed') processMetrics().webhookAnswered({ integrationId: known ? integrationId : null, source: deps.source, event, outcome, httpStatus, seconds });
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
        if (outcome === 'rejected' && !(await withinRejectedBudget(integrationId))) return;
        await recordWebhookDelivery(deps.db, {
          integrationId,
          source: deps.source,
          event,
          receivedAt,
          outcome,
          httpStatus,
          reason: reason?.slice(0, 1000) ?? null,
          // Lever's envelope names the opportunity (unverified on a refused delivery); else the workflow reached names it
          opportunityId: opportunityOfWorkflow(workflowId) ?? text(body?.data?.opportunityId, 200),
          workflowId,
          eventKey: text((res.locals as DeliveryLogLocals).eventKey, 500),
        });
      };
      record().catch((err: Error) => deps.logger.warn({ err: err.message, source: deps.source, integrationId }, 'webhook delivery not recorded'));
      return sent;
    };
    next();
  };
}
