import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import type { Integration, IntegrationLookup } from '../../integrations/repository';
import { parseStoredSettings } from '../../integrations/settings';
import { claimLeverDeliveryToken, type DeliveryTokenVerdict } from './lever-delivery-tokens';
import {
  isHandledLeverEvent,
  deletedOpportunityOf,
  isLeverTestRequest,
  leverWebhookSchema,
  LeverWebhookDataError,
  toCandidateEvent,
} from '../../lever/webhook-events';
import { leverSignatureIsValid } from '../../lever/webhook-signature';
import type { Logger } from '../../log';
import { signalLeverEvent, startErasure } from '../../temporal/candidate-client';
import { SubjectErasedError } from '../../crypto/data-keys';
import { deliveryLog } from './delivery-log';
import { answerLive, type DeliveryAnswer, type DeliveryHandler, type InboundDelivery, type IntegrationLanes } from './inbound';
import { HttpError } from '../errors';
import { temporalOr503 } from '../temporal';
import { idCheckedRouter, unknownIntegration } from '../ids';
import { parseBody } from '../validate';

export interface LeverWebhookDeps {
  db: Db;
  box: SecretBox;
  /** The API's one cached integration lookup (app.ts), shared by every router on the hot path. */
  findIntegration: IntegrationLookup;
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
/** Tokens are kept a little past the accepted age, for clock differences between this process and PostgreSQL (which prunes). */
const tokenExpiryMarginMs = 10 * 60_000;

type TriggerStages = ReadonlyMap<string, 'assessment' | 'interview'>;
/**
 * The stages that start a flow, as this process's copy of the integration's settings has them: a stage
 * change into one is marked (`triggerStage`) so its workflow asks Lever at once, beside its own read of
 * the settings (src/workflows/candidate/lever-confirmation.ts). Only a hint, so settings that no longer
 * parse mark nothing. Kept per cached integration object: the lookup's cache hands out a new one when it
 * reads the row again.
 */
const triggerStagesByIntegration = new WeakMap<Integration, TriggerStages>();
function triggerStagesOf(integration: Integration): TriggerStages {
  let stages = triggerStagesByIntegration.get(integration);
  if (!stages) {
    const marks = new Map<string, 'assessment' | 'interview'>();
    try {
      const settings = parseStoredSettings(integration.settings);
      for (const stageId of settings.interviews.triggerStageIds) marks.set(stageId, 'interview');
      // an assessment's mark wins: its read names the candidate, which an interview does not need
      for (const stageId of settings.assessments.triggerStageIds) marks.set(stageId, 'assessment');
    } catch {
      marks.clear();
    }
    triggerStagesByIntegration.set(integration, (stages = marks));
  }
  return stages;
}

/** The raw body as the JSON parser read it (the body as Lever sent it, not re-serialised): hashed for the token, kept for the inbox. */
type RawRequest = IncomingMessage & { leverRawBody?: Buffer };
const keepRawBody = (req: IncomingMessage, _res: unknown, buf: Buffer) => {
  (req as RawRequest).leverRawBody = buf;
};

/** The raw body read as the route's JSON parser (body-parser) reads it: UTF-8 without a BOM, an empty body is `{}`. */
function parseRawBody(raw: Buffer): unknown {
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  }
}

/**
 * A Lever delivery — live or replayed — verified, acted on with one Temporal call, answered.
 *
 * Lever signs `token + triggeredAt`, not the body (lever-api.md §2.3), so a signature alone does not
 * stop a captured delivery from being sent again with other `data`. Each signed, fresh delivery's
 * token is therefore remembered with a hash of its raw body while its age is accepted: the same token
 * and body again is a duplicate (200, nothing done), the same token with another body a replay (401).
 * What the body says is still only a claim: the candidate workflow confirms it with Lever's API
 * before acting on it (src/activities/candidate/lever-events.ts).
 *
 * An admin's replay of a kept body (README "Webhook inbox and replay") goes through all of it; only
 * the `triggeredAt` window is measured when the service received the body rather than now: it exists
 * against captured deliveries resent late by someone else, which a delivery that was fresh on arrival
 * (answered 503 in an outage, say) is not. The token of a replay is remembered for the accepted age from now.
 */
export function leverDeliveryHandler(deps: LeverWebhookDeps): DeliveryHandler {
  const now = deps.now ?? Date.now;
  const { findIntegration } = deps;
  /** Until when the token is kept: the accepted age of its delivery (of the replay, for a replay). */
  const tokenExpiry = (triggeredAt: number, replay: boolean) => new Date((replay ? now() : triggeredAt) + deps.maxAgeMs + tokenExpiryMarginMs);

  /** Remembers the token; a database that does not answer is an outage Lever should retry through, not a 500. */
  async function claimToken(integrationId: string, token: string, expiresAt: Date, bodySha256: Buffer): Promise<DeliveryTokenVerdict> {
    try {
      return await claimLeverDeliveryToken(deps.db, { integrationId, token, bodySha256, expiresAt });
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message, integrationId }, 'Lever delivery token could not be checked; Lever will retry');
      throw new HttpError(503, 'database_unavailable', 'the delivery could not be checked; retry later');
    }
  }
  /**
   * After a 2xx: the same token and body again is a duplicate. The mark is written with the delivery's
   * record, in its statement, before the answer leaves (delivery-log.ts; deliveries-replay.ts for a
   * replay). Best effort — if it is lost, a resend of the same body is acted on again and the workflow
   * drops it by its event key.
   */
  const answered = (d: InboundDelivery, token: string, answer: DeliveryAnswer): DeliveryAnswer => {
    d.locals.answeredLeverToken = token;
    return answer;
  };

  async function handle(d: InboundDelivery): Promise<DeliveryAnswer> {
    const { integrationId } = d;
    const integration = await findIntegration(integrationId);
    if (!integration) throw unknownIntegration(integrationId);

    const parsed = d.rawBody ? parseRawBody(d.rawBody) : undefined;
    d.locals.body = parsed;
    const body = parseBody(leverWebhookSchema, parsed);
    const signed = leverSignatureIsValid(integration.leverWebhookSigningTokens, body);
    const bodySha256 = createHash('sha256').update(d.rawBody ?? Buffer.alloc(0)).digest();
    const expiresAt = tokenExpiry(body.triggeredAt, d.replay);
    // Lever shows a new webhook's signing token only after its "Verify connection" succeeded, so the
    // check is answered 2xx whatever its signature: it starts nothing, and Activity says whether it matched.
    if (isLeverTestRequest(body)) {
      // Its signed token is remembered too (best effort), so the same token cannot come back carrying an opportunity.
      const verdict = signed
        ? await claimLeverDeliveryToken(deps.db, { integrationId, token: body.token, bodySha256, expiresAt }).catch((err: Error) => {
            deps.logger.warn({ err: err.message, integrationId }, 'verify-connection token not remembered');
            return undefined;
          })
        : undefined;
      deps.logger.info({ integrationId, signed }, 'Lever verify-connection request answered');
      const reason = signed ? 'verify-connection request' : 'verify-connection request; its signature matches no saved signing token yet';
      const answer = { status: 200, json: { status: 'ok', test: true, reason } };
      return verdict === 'new' || verdict === 'again' ? answered(d, body.token, answer) : answer;
    }
    if (!signed) {
      throw new HttpError(401, 'invalid_signature', 'signature is missing or does not match any signing token of this integration');
    }
    // measured when the body was received: a replay of a delivery that was fresh then is not stale now
    const age = d.receivedAt - body.triggeredAt;
    if (age > deps.maxAgeMs || age < -allowedClockSkewMs) {
      throw new HttpError(401, 'stale_event', `triggeredAt ${body.triggeredAt} is outside the accepted window`);
    }
    const log = deps.logger.child({ integrationId, event: body.event, ...(d.replay ? { replay: true } : {}) });

    const seen = await claimToken(integrationId, body.token, expiresAt, bodySha256);
    if (seen === 'replayed') {
      log.warn('Lever delivery token reused with a different body; refused');
      throw new HttpError(401, 'replayed_token', 'this delivery token was already used with a different body');
    }
    if (seen === 'duplicate') {
      log.info('Lever delivery received again (same token and body); nothing done');
      return { status: 200, json: { status: 'duplicate', reason: 'this delivery (same token and body) was already answered' } };
    }

    if (!isHandledLeverEvent(body.event)) {
      log.info('Lever event type not handled; ignored');
      return answered(d, body.token, { status: 200, json: { status: 'ignored', event: body.event } });
    }

    if (body.event === 'candidateDeleted') {
      let opportunityId;
      try {
        opportunityId = deletedOpportunityOf(body);
      } catch (err) {
        if (err instanceof LeverWebhookDataError) throw new HttpError(400, 'invalid_body', err.message);
        throw err;
      }
      // the body is not signed: the erasure asks Lever whether the opportunity is gone before it removes anything
      const workflowId = await temporalOr503(deps, 'the erasure', () => startErasure(deps.temporal, deps.taskQueue, { integrationId, opportunityId, trigger: 'candidateDeleted' }), {
        log: log.child({ opportunityId }),
      });
      return answered(d, body.token, { status: 202, json: { status: 'accepted', workflowId } });
    }

    let target;
    try {
      target = toCandidateEvent({ ...body, event: body.event });
    } catch (err) {
      if (err instanceof LeverWebhookDataError) throw new HttpError(400, 'invalid_body', err.message);
      throw err;
    }

    d.locals.eventKey = target.event.key;
    if (target.event.kind === 'stageChange') {
      const triggerStage = triggerStagesOf(integration).get(target.event.toStageId);
      if (triggerStage) target.event.triggerStage = triggerStage;
    }
    let workflowId;
    try {
      workflowId = await temporalOr503(deps, 'the event', () => signalLeverEvent(deps.temporal, deps.taskQueue, { integrationId, opportunityId: target.opportunityId }, target.event), {
        log: log.child({ opportunityId: target.opportunityId }),
        passThrough: (err) => err instanceof SubjectErasedError,
      });
    } catch (err) {
      if (!(err instanceof SubjectErasedError)) throw err;
      // nothing is kept or started for an erased candidate (their data key is destroyed)
      return answered(d, body.token, { status: 200, json: { status: 'ignored', reason: 'candidate_erased' } });
    }
    return answered(d, body.token, { status: 202, json: { status: 'accepted', workflowId } });
  }
  return handle;
}

/** POST /webhooks/lever/:integrationId — the live route of leverDeliveryHandler, in the integration's lane; every answer is recorded, the raw body kept sealed (delivery-log.ts). */
export function leverWebhookRoutes(deps: LeverWebhookDeps, lanes: IntegrationLanes): Router {
  const router = idCheckedRouter();
  const handle = leverDeliveryHandler(deps);
  const now = deps.now ?? Date.now;
  const recordDelivery = deliveryLog({ db: deps.db, box: deps.box, logger: deps.logger, source: 'lever', findIntegration: deps.findIntegration });
  router.post('/webhooks/lever/:integrationId', recordDelivery, express.json({ limit: deps.bodyLimit, verify: keepRawBody }), async (req, res) => {
    await answerLive(res, handle, { integrationId: req.params.integrationId!, rawBody: (req as RawRequest).leverRawBody, headers: {} }, lanes, now);
  });
  return router;
}
