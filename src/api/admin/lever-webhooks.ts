import express, { type Router } from 'express';
import { z } from 'zod';
import { codesignalEventSchema } from '../../codesignal/webhook-events';
import { secretHint, type SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import type { IntegrationLookup } from '../../integrations/repository';
import { webhookUrls } from '../../integrations/urls';
import {
  canWriteWebhooks, heldTokensOf, listLeverWebhooks, manualFlow, READ_SCOPE, registerLeverWebhooks, removeLeverWebhooks, webhookStatus,
  WebhookPermissionMissing, WRITE_SCOPE, type SyncDeps, type SyncResult,
} from '../../integrations/webhook-registration/lever-webhooks';
import { listRegistrations, withRegistrationLock } from '../../integrations/webhook-registration/registrations';
import type { Logger } from '../../log';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseBody } from '../validate';
import { requireAdmin } from './admin-auth';

export interface LeverWebhookRegistrationDeps {
  db: Db;
  box: SecretBox;
  adminToken: string | undefined;
  publicUrl: string;
  clients: IntegrationClients;
  /** The API's cached lookup (app.ts): refreshed after a change, so this process's ingress sees new tokens at once. */
  findIntegration?: IntegrationLookup;
  logger?: Logger;
}

/** Register and remove take no options: an empty JSON object, or no body. */
const noOptions = z.strictObject({});

/** The CodeSignal events the service acts on: those about a test session or a live interview (codesignal-routing.ts). */
const codesignalEventsToTick = codesignalEventSchema.options
  .filter((o) => 'testSessionId' in o.shape.payload.shape || 'interviewId' in o.shape.payload.shape)
  .map((o) => o.shape.event.value);

/** A failed Lever call as the admin's answer: the key lacking the webhooks permission is the manual flow (409), anything else a 502. */
function asHttpError(err: unknown, url: string): unknown {
  if (err instanceof WebhookPermissionMissing) {
    return new HttpError(409, 'lever_webhooks_permission_missing', `${err.message}, so the manual flow applies. ${manualFlow(url)}`, {
      missingPermission: err.scope,
      manualFlow: manualFlow(url),
    });
  }
  if (err instanceof ExternalApiError && err.service === 'lever') {
    const again = err.retryable ? ' Registering again is safe: it completes what is missing.' : '';
    return new HttpError(502, `lever_${err.retryable ? 'unavailable' : 'refused'}`, `could not manage the webhooks with Lever: ${err.message}.${again}`);
  }
  return err;
}

/**
 * The admin API of the integration's Lever webhook subscriptions (webhook-registration/lever-webhooks.ts):
 * their status, register (create what is missing or wrong, store the signing tokens) and remove; and
 * the values to paste into CodeSignal's "Manage Webhooks". Tokens never leave the service: answers show
 * their last 4 characters.
 */
export function leverWebhookRegistrationRoutes(deps: LeverWebhookRegistrationDeps): Router {
  const router = idCheckedRouter();
  router.use(
    ['/api/integrations/:integrationId/lever-webhooks', '/api/integrations/:integrationId/codesignal-webhook'],
    requireAdmin(deps.adminToken),
    express.json({ limit: '4kb' }),
  );
  const urlOf = (id: string) => webhookUrls(deps.publicUrl, id).lever;
  const readTokens = async (id: string) => (await integrationOr404(deps.db, deps.box, id)).leverWebhookSigningTokens;

  router.get('/api/integrations/:integrationId/lever-webhooks', async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId);
    const lever = deps.clients.lever(integration);
    const url = urlOf(integration.id);
    let subs;
    try {
      subs = await listLeverWebhooks(lever);
    } catch (err) {
      // the key may not read webhooks, or Lever refuses it (401): a state to show, not a failure of this call
      const refused = err instanceof ExternalApiError && err.service === 'lever' && !err.retryable;
      if (!(err instanceof WebhookPermissionMissing) && !refused) throw asHttpError(err, url);
      res.json({
        url, canRegister: false, permissions: { [READ_SCOPE]: refused ? null : false, [WRITE_SCOPE]: null }, manualFlow: manualFlow(url),
        ...(refused ? { problem: `Lever refused to list the webhooks: ${err.message}` } : {}),
        subscriptions: null, extra: null, complete: null,
      });
      return;
    }
    let write: boolean | null;
    try {
      write = await canWriteWebhooks(lever);
    } catch (err) {
      throw asHttpError(err, url);
    }
    const registrations = await listRegistrations(deps.db, integration.id);
    const status = webhookStatus(subs, { integrationId: integration.id, url, heldTokens: heldTokensOf(integration.leverWebhookSigningTokens), registrations });
    res.json({
      ...status,
      canRegister: write !== false,
      permissions: { [READ_SCOPE]: true, [WRITE_SCOPE]: write },
      ...(write === false ? { manualFlow: manualFlow(url) } : {}),
    });
  });

  /** Register or remove, one at a time per integration; the cache is refreshed and the change logged (counts only). */
  const change = (action: 'register' | 'remove', run: (d: SyncDeps) => Promise<SyncResult>): express.RequestHandler<{ integrationId: string }> => async (req, res) => {
    parseBody(noOptions, req.body ?? {});
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId);
    const url = urlOf(integration.id);
    const lever = deps.clients.lever(integration);
    let done: { value: SyncResult } | undefined;
    try {
      done = await withRegistrationLock(deps.db, deps.box, integration.id, (store) =>
        run({ lever, store, integrationId: integration.id, url, readSigningTokens: () => readTokens(integration.id) }));
    } catch (err) {
      throw asHttpError(err, url);
    } finally {
      await deps.findIntegration?.(integration.id, { fresh: true }).catch(() => undefined);
    }
    if (!done) throw new HttpError(409, 'registration_in_progress', 'another register or remove of this integration\'s Lever webhooks is running: try again when it is done');
    const { status, created, deleted } = done.value;
    deps.logger?.info({ integrationId: integration.id, created, deleted, complete: status.complete }, `Lever webhooks: ${action}`);
    res.json({ ...status, created, deleted });
  };

  router.post('/api/integrations/:integrationId/lever-webhooks/register', change('register', registerLeverWebhooks));
  router.delete('/api/integrations/:integrationId/lever-webhooks', change('remove', removeLeverWebhooks));

  /** What to paste into CodeSignal's "Manage Webhooks" (set up there by hand: CodeSignal has no API for it). */
  router.get('/api/integrations/:integrationId/codesignal-webhook', async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId);
    const secret = integration.codesignalWebhookSecret;
    res.json({
      url: webhookUrls(deps.publicUrl, integration.id).codesignal,
      events: codesignalEventsToTick,
      secretConfigured: secret !== null,
      secretHint: secret === null ? null : secretHint(secret),
      steps: [
        'In CodeSignal, open Manage Webhooks and add a webhook.',
        'Endpoint URL: paste the URL above exactly (the signature covers it).',
        'Events: tick every event listed under "Events to tick" (the test-session and live-interview events the service acts on).',
        'Secret key: keep the one CodeSignal generates (or type your own), copy it, and save it here under "CodeSignal webhook secret".',
        'Save in CodeSignal: it sends an empty test request, which the service answers 200.',
      ],
    });
  });

  return router;
}
