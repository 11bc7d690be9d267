import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/pool';
import { cachedIntegrationLookup } from '../db/integrations';
import {
  isHandledLeverEvent,
  isLeverTestRequest,
  leverWebhookSchema,
  LeverWebhookDataError,
  toCandidateEvent,
} from '../lever/webhook-events';
import { leverSignatureIsValid } from '../lever/webhook-signature';
import type { Logger } from '../log';
import { signalLeverEvent } from '../temporal/candidate-client';
import { deliveryLog } from './delivery-log';
import { HttpError } from './errors';
import { parseBody } from './validate';

export interface LeverWebhookDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  taskQueue: string;
  bodyLimit: string;
  maxAgeMs: number;
  temporalTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** Lever may deliver slightly ahead of our clock; more than this is refused like a stale event. */
const allowedClockSkewMs = 5 * 60_000;

/** POST /webhooks/lever/:integrationId — verify, one Temporal call, respond. */
export function leverWebhookRoutes(deps: LeverWebhookDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const findIntegration = cachedIntegrationLookup(deps.db, deps.box, 5_000);

  const recordDelivery = deliveryLog({ db: deps.db, logger: deps.logger, source: 'lever', findIntegration });

  router.post('/webhooks/lever/:integrationId', recordDelivery, express.json({ limit: deps.bodyLimit }), async (req, res) => {
    const integrationId = req.params.integrationId!;
    const integration = await findIntegration(integrationId);
    if (!integration) throw new HttpError(404, 'unknown_integration', `no integration ${integrationId}`);

    const body = parseBody(leverWebhookSchema, req.body);
    const signed = leverSignatureIsValid(integration.leverWebhookSigningTokens, body);
    // Lever shows a new webhook's signing token only after its "Verify connection" succeeded, so the
    // check is answered 2xx whatever its signature: it starts nothing, and Activity says whether it matched.
    if (isLeverTestRequest(body)) {
      deps.logger.info({ integrationId, signed }, 'Lever verify-connection request answered');
      const reason = signed ? 'verify-connection request' : 'verify-connection request; its signature matches no saved signing token yet';
      res.status(200).json({ status: 'ok', test: true, reason });
      return;
    }
    if (!signed) {
      throw new HttpError(401, 'invalid_signature', 'signature is missing or does not match any signing token of this integration');
    }
    const age = now() - body.triggeredAt;
    if (age > deps.maxAgeMs || age < -allowedClockSkewMs) {
      throw new HttpError(401, 'stale_event', `triggeredAt ${body.triggeredAt} is outside the accepted window`);
    }
    const log = deps.logger.child({ integrationId, event: body.event });

    if (!isHandledLeverEvent(body.event)) {
      log.info('Lever event type not handled; ignored');
      res.status(200).json({ status: 'ignored', event: body.event });
      return;
    }

    let target;
    try {
      target = toCandidateEvent({ ...body, event: body.event });
    } catch (err) {
      if (err instanceof LeverWebhookDataError) throw new HttpError(400, 'invalid_body', err.message);
      throw err;
    }

    try {
      const workflowId = await signalLeverEvent(
        deps.temporal,
        deps.taskQueue,
        { integrationId, opportunityId: target.opportunityId },
        target.event,
        deps.temporalTimeoutMs,
      );
      res.status(202).json({ status: 'accepted', workflowId });
    } catch (err) {
      log.warn({ err: (err as Error).message, opportunityId: target.opportunityId }, 'Temporal unavailable; Lever will retry');
      res.setHeader('Retry-After', '30');
      throw new HttpError(503, 'temporal_unavailable', 'the event could not be recorded; retry later');
    }
  });
  return router;
}
