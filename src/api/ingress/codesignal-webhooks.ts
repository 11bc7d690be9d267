import express, { type Request, type Router, type Response } from 'express';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { codesignalWebhookSchema, type CodeSignalWebhook } from '../../codesignal/webhook-events';
import { codesignalSignatureIsValid } from '../../codesignal/webhook-signature';
import type { SecretBox } from '../../crypto/secret-box';
import type { IntegrationLookup } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { routeCodeSignalEvent } from './codesignal-routing';
import { deliveryLog } from './delivery-log';
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
 * The parsed body replaces the raw one on `req`, for the delivery log.
 */
function readDelivery(req: Request): Delivery {
  const raw: unknown = req.body;
  let text = '';
  if (Buffer.isBuffer(raw)) {
    try {
      text = utf8.decode(raw);
    } catch {
      throw new HttpError(400, 'malformed_json', 'request body is not valid JSON: it is not UTF-8 text');
    }
  }
  req.body = undefined;
  if (text.trim() === '') return { kind: 'check' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  }
  req.body = parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_body', `request body must be a JSON object with a string "event", not ${kindOf(parsed)}`);
  }
  if (Object.keys(parsed).length === 0) return { kind: 'check' };
  return { kind: 'event', body: parseBody(codesignalWebhookSchema, parsed) };
}


/**
 * POST /webhooks/codesignal/:integrationId. The signature covers the URL, event and time, not the
 * body, so the event is only a hint: the assessment workflow re-reads its own session from the API.
 * Test-session events go to the workflow recorded for the session (assessment_sessions); an event of
 * a session not recorded yet is parked until a workflow records it (see parked_session_events).
 * Only the empty verification request is acknowledged without an event (readDelivery); an event
 * whose `triggeredOn` is outside [now − maxAgeMs, now + 5 min] is refused 401 like a bad signature, so a
 * captured delivery cannot be replayed (with another body) for longer than CodeSignal itself retries.
 */
export function codesignalWebhookRoutes(deps: CodeSignalWebhookDeps): Router {
  const router = idCheckedRouter();
  const now = deps.now ?? Date.now;
  const { findIntegration } = deps;

  /** One Temporal call; events for workflows this integration never started, or that have closed, are acknowledged and dropped. */
  async function signalOrIgnore(res: Response, log: Logger, workflowId: string, send: (handle: WorkflowHandle) => Promise<void>): Promise<void> {
    try {
      await temporalOr503(deps, 'the event', () => send(deps.temporal.workflow.getHandle(workflowId)), { log });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      log.info({ workflowId }, 'workflow already closed; CodeSignal event ignored');
      res.status(200).json({ status: 'ignored', reason: 'closed' });
      return;
    }
    res.status(200).json({ status: 'accepted', workflowId });
  }

  const recordDelivery = deliveryLog({ db: deps.db, logger: deps.logger, source: 'codesignal', findIntegration });
  // Every body is read raw, whatever its Content-Type (inflated per Content-Encoding), and parsed by readDelivery.
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimit });
  router.post('/webhooks/codesignal/:integrationId', recordDelivery, rawBody, async (req, res) => {
    const integrationId = req.params.integrationId!;
    const integration = await findIntegration(integrationId);
    if (!integration) throw unknownIntegration(integrationId);

    const delivery = readDelivery(req);
    // CodeSignal checks a new or edited endpoint with an empty POST and needs a 200 within 10 s.
    if (delivery.kind === 'check') {
      res.status(200).json({ status: 'ok' });
      return;
    }
    const { body } = delivery;
    if (integration.codesignalWebhookSecret) {
      const configuredUrl = webhookUrls(deps.publicUrl, integrationId).codesignal;
      if (!codesignalSignatureIsValid(integration.codesignalWebhookSecret, configuredUrl, body, req.get('x-codesignal-signature'))) {
        throw new HttpError(401, 'invalid_signature', 'X-CodeSignal-Signature is missing or wrong');
      }
    }
    // The signature covers triggeredOn, so the age bounds how long a captured delivery can be replayed
    // (with any body: the body is not signed). A delivery without it could be replayed forever.
    const { triggeredOn } = body;
    if (triggeredOn === undefined) throw new HttpError(401, 'stale_event', 'triggeredOn is missing, so the delivery\'s age cannot be checked');
    const age = now() - triggeredOn;
    if (!(age <= deps.maxAgeMs && age >= -allowedClockSkewMs)) {
      throw new HttpError(401, 'stale_event', `triggeredOn ${triggeredOn} is outside the accepted window`);
    }
    const log = deps.logger.child({ integrationId, event: body.event });
    const route = await routeCodeSignalEvent(deps.db, integrationId, { ...body, triggeredOn }, log);
    if (route.kind === 'answer') {
      if (route.answer.reason === 'unknown session or interview') log.info('CodeSignal event for nothing this integration started; ignored');
      res.status(200).json(route.answer);
      return;
    }
    await signalOrIgnore(res, log, route.workflowId, route.send);
  });
  return router;
}
