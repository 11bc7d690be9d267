import express, { type Router } from 'express';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { codesignalWebhookSchema, type CodeSignalWebhook } from '../../codesignal/webhook-events';
import { codesignalSignatureIsValid } from '../../codesignal/webhook-signature';
import type { SecretBox } from '../../crypto/secret-box';
import type { IntegrationLookup } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { routeCodeSignalEvent } from './codesignal-routing';
import { deliveryLog, type DeliveryLogLocals } from './delivery-log';
import { answerLive, type DeliveryAnswer, type DeliveryHandler, type InboundDelivery, type IntegrationLanes } from './inbound';
import { temporalOr503 } from '../temporal';
import { HttpError } from '../errors';
import { idCheckedRouter, unknownIntegration } from '../ids';
import { webhookUrls } from '../../integrations/urls';
import { parseBody } from '../validate';

export interface CodeSignalWebhookDeps {
  db: Db;
  box: SecretBox;
  /** The API's one cached integration lookup (app.ts), shared by every router on the hot path. */
  findIntegration: IntegrationLookup;
  temporal: Client;
  publicUrl: string;
  bodyLimit: string;
  temporalTimeoutMs: number;
  logger: Logger;
  /** Deliveries whose `triggeredOn` is older are refused (CODESIGNAL_WEBHOOK_MAX_AGE_DAYS). */
  maxAgeMs: number;
  now?: () => number;
}

/** CodeSignal may deliver slightly ahead of our clock; more than this is refused like a stale event. */
const allowedClockSkewMs = 5 * 60_000;

/** What a delivery's body is: CodeSignal's connection check, or an envelope to act on. */
type Delivery = { kind: 'check' } | { kind: 'event'; body: CodeSignalWebhook };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/**
 * Reads the raw body whatever its Content-Type says: CodeSignal sends JSON, and a real event labelled
 * otherwise must still be acted on, never acknowledged as if it were the connection check. Only the
 * documented verification request — an empty body (whitespace at most), or `{}` — is the check; a body
 * that is not a JSON object with a string `event` is a 400 naming the problem (shown in Activity).
 * The parsed body is left in `locals.body`, for the delivery log.
 */
function readDelivery(raw: Buffer | undefined, locals: DeliveryLogLocals): Delivery {
  let text = '';
  if (raw) {
    try {
      text = utf8.decode(raw);
    } catch {
      throw new HttpError(400, 'malformed_json', 'request body is not valid JSON: it is not UTF-8 text');
    }
  }
  if (text.trim() === '') return { kind: 'check' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  }
  locals.body = parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_body', `request body must be a JSON object with a string "event", not ${kindOf(parsed)}`);
  }
  if (Object.keys(parsed).length === 0) return { kind: 'check' };
  return { kind: 'event', body: parseBody(codesignalWebhookSchema, parsed) };
}

/** The header CodeSignal signs each delivery with; the one header a kept body needs for its replay. */
export const codesignalSignatureHeader = 'x-codesignal-signature';

/**
 * A CodeSignal delivery — live or replayed — verified, routed, answered. The signature covers the URL,
 * event and time, not the body, so the event is only a hint: the assessment workflow re-reads its own
 * session from the API. Test-session events go to the workflow recorded for the session
 * (assessment_sessions); an event of a session not recorded yet is parked until a workflow records it
 * (see parked_session_events). Only the empty verification request is acknowledged without an event
 * (readDelivery); an event whose `triggeredOn` is outside [now − maxAgeMs, now + 5 min] is refused 401
 * like a bad signature, so a captured delivery cannot be replayed (with another body) for longer than
 * CodeSignal itself retries.
 *
 * An admin's replay of a kept body (README "Webhook inbox and replay") goes through all of it — the
 * signature must match the kept header with the current secret — except that the window is measured
 * when the service received the body, not now: it guards against captured deliveries resent late by
 * someone else, which a delivery that was fresh on arrival is not.
 */
export function codesignalDeliveryHandler(deps: CodeSignalWebhookDeps): DeliveryHandler {
  const { findIntegration } = deps;

  /** One Temporal call; events for workflows this integration never started, or that have closed, are acknowledged and dropped. */
  async function signalOrIgnore(log: Logger, workflowId: string, send: (handle: WorkflowHandle) => Promise<void>): Promise<DeliveryAnswer> {
    try {
      await temporalOr503(deps, 'the event', () => send(deps.temporal.workflow.getHandle(workflowId)), { log });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      log.info({ workflowId }, 'workflow already closed; CodeSignal event ignored');
      return { status: 200, json: { status: 'ignored', reason: 'closed' } };
    }
    return { status: 200, json: { status: 'accepted', workflowId } };
  }

  async function handle(d: InboundDelivery): Promise<DeliveryAnswer> {
    const { integrationId } = d;
    const integration = await findIntegration(integrationId);
    if (!integration) throw unknownIntegration(integrationId);

    const delivery = readDelivery(d.rawBody, d.locals);
    // CodeSignal checks a new or edited endpoint with an empty POST and needs a 200 within 10 s.
    if (delivery.kind === 'check') return { status: 200, json: { status: 'ok' } };
    const { body } = delivery;
    if (integration.codesignalWebhookSecret) {
      const configuredUrl = webhookUrls(deps.publicUrl, integrationId).codesignal;
      if (!codesignalSignatureIsValid(integration.codesignalWebhookSecret, configuredUrl, body, d.headers[codesignalSignatureHeader])) {
        throw new HttpError(401, 'invalid_signature', 'X-CodeSignal-Signature is missing or wrong');
      }
    }
    // The signature covers triggeredOn, so the age bounds how long a captured delivery can be replayed
    // (with any body: the body is not signed). A delivery without it could be replayed forever.
    const { triggeredOn } = body;
    if (triggeredOn === undefined) throw new HttpError(401, 'stale_event', 'triggeredOn is missing, so the delivery\'s age cannot be checked');
    // measured when the body was received: a replay of a delivery that was fresh then is not stale now
    const age = d.receivedAt - triggeredOn;
    if (!(age <= deps.maxAgeMs && age >= -allowedClockSkewMs)) {
      throw new HttpError(401, 'stale_event', `triggeredOn ${triggeredOn} is outside the accepted window`);
    }
    const log = deps.logger.child({ integrationId, event: body.event, ...(d.replay ? { replay: true } : {}) });
    const route = await routeCodeSignalEvent(deps.db, integrationId, { ...body, triggeredOn }, log);
    if (route.kind === 'answer') {
      if (route.answer.reason === 'unknown session or interview') log.info('CodeSignal event for nothing this integration started; ignored');
      return { status: 200, json: route.answer };
    }
    return signalOrIgnore(log, route.workflowId, route.send);
  }
  return handle;
}

/** POST /webhooks/codesignal/:integrationId — the live route of codesignalDeliveryHandler, in the integration's lane; every answer is recorded, the raw body kept sealed with the signature header (delivery-log.ts). */
export function codesignalWebhookRoutes(deps: CodeSignalWebhookDeps, lanes: IntegrationLanes): Router {
  const router = idCheckedRouter();
  const handle = codesignalDeliveryHandler(deps);
  const recordDelivery = deliveryLog({ db: deps.db, box: deps.box, logger: deps.logger, source: 'codesignal', findIntegration: deps.findIntegration });
  // Every body is read raw, whatever its Content-Type (inflated per Content-Encoding), and parsed by readDelivery.
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimit });
  router.post('/webhooks/codesignal/:integrationId', recordDelivery, rawBody, async (req, res) => {
    const raw: unknown = req.body;
    await answerLive(res, handle, {
      integrationId: req.params.integrationId!,
      rawBody: Buffer.isBuffer(raw) ? raw : undefined,
      headers: { [codesignalSignatureHeader]: req.get(codesignalSignatureHeader) },
    }, lanes, deps.now ?? Date.now);
  });
  return router;
}
