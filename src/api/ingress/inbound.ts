import type { Response } from 'express';
import pLimit, { type Limit } from 'p-limit';
import { HttpError } from '../errors';
import type { DeliveryLogLocals } from './delivery-log';

/**
 * One mechanism for live and replayed webhook deliveries: each ingress route's handler is a function
 * of the delivery's raw body and verification headers, called by its HTTP route for a live request and
 * by the admin replay (deliveries-replay.ts) for a body the webhook inbox kept. Both go through the
 * same verification and de-duplication; only `replay` differs, and only the staleness window reads it.
 */
export interface InboundDelivery {
  integrationId: string;
  /** The raw request body, as received (after Content-Encoding); undefined when no parser read one. */
  rawBody: Buffer | undefined;
  /** The verification headers (lower-case names): CodeSignal's signature; Lever signs inside the body. */
  headers: Readonly<Record<string, string | undefined>>;
  /**
   * When the service received the body (ms): now for a live request, the original delivery's time for
   * a replay. The staleness window is measured at that moment, so an admin's replay of a delivery that
   * was fresh when it arrived (e.g. answered 503 in an outage) is not refused for its age today, while a
   * captured delivery someone resent too late stays refused however often it is replayed.
   */
  receivedAt: number;
  /**
   * An admin's replay of a body this service stored itself, not a request from the network: the same
   * signature check and de-duplication as a live delivery. Only the replay API sets it; no request can.
   */
  replay: boolean;
  /** What the handler leaves for the delivery's record (event key, parsed body). */
  locals: DeliveryLogLocals;
}

/** What the sender is answered: an HTTP status and a JSON body; errors are thrown as HttpError. */
export interface DeliveryAnswer {
  status: number;
  json: Record<string, unknown>;
}

export type DeliveryHandler = (delivery: InboundDelivery) => Promise<DeliveryAnswer>;

/** The answer a thrown HttpError becomes (as the error handler writes it), for a replay that has no response to write. */
export const answerOfError = (err: HttpError): DeliveryAnswer => ({
  status: err.status,
  json: { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
});

/**
 * Live deliveries of each integration this process handles at once; more wait their turn in their own
 * integration's lane. Lever sends a bulk move's webhooks all at once (hundreds), and without a lane each of
 * them would take its place in the database pool's and the Temporal client's queues, and in the Temporal
 * server's, ahead of another organization's single delivery; with it, that delivery waits behind at most
 * `width` of them (INGRESS_DELIVERIES_PER_INTEGRATION, README "Fairness between organizations"). It is the
 * ingress's share of fairness: Temporal's fairness keys order the tasks once they are started.
 */
export interface IntegrationLanes {
  readonly width: number;
  /** Runs one live delivery's handling in its integration's lane (p-limit); a lane is dropped once it is idle. */
  run<T>(integrationId: string, work: () => Promise<T>): Promise<T>;
  /** Lanes currently held (busy or just finished), for tests. */
  held(): number;
}

export function integrationLanes(width: number): IntegrationLanes {
  const lanes = new Map<string, Limit>();
  return {
    width,
    run(integrationId, work) {
      let lane = lanes.get(integrationId);
      if (!lane) lanes.set(integrationId, (lane = pLimit(width)));
      const running = lane;
      return running(work).finally(() =>
        // after p-limit has counted this one out (it does so once the work settled)
        setImmediate(() => {
          if (running.activeCount === 0 && running.pendingCount === 0 && lanes.get(integrationId) === running) lanes.delete(integrationId);
        }),
      );
    },
    held: () => lanes.size,
  };
}

/** A live request's answer, written for the delivery log to record; errors go on to the API's error handler. */
export async function answerLive(res: Response, handle: DeliveryHandler, delivery: Omit<InboundDelivery, 'replay' | 'locals' | 'receivedAt'>, lanes: IntegrationLanes, now: () => number): Promise<void> {
  const locals = res.locals as DeliveryLogLocals;
  // the kept body (webhook inbox) is recorded with the row only, never logged
  if (delivery.rawBody) {
    const headers = Object.fromEntries(Object.entries(delivery.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
    locals.keptBody = { body: delivery.rawBody, headers };
  }
  const receivedAt = now();
  const answer = await lanes.run(delivery.integrationId, () => handle({ ...delivery, receivedAt, replay: false, locals }));
  res.status(answer.status).json(answer.json);
}
