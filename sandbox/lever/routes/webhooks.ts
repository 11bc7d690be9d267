import { Router } from 'express';
import { createSubscription, createWebhookBody, deleteSubscription, updateSubscriptions, updateWebhooksBody } from '../actions/webhook-subscriptions';
import { parseInput } from '../validation';
import { webhookView } from '../views/directory';
import { sparseCreatedWebhook } from '../views/sparse';
import { accountOf, sendCreated, sendData, sendNoContent, type V1Deps } from './deps';

/** Webhook subscriptions via the API (§2.7); the signature token is shown only in the create answer. */
export function webhookRoutes({ need, options }: V1Deps): Router {
  const router = Router();

  router.get('/webhooks', need('webhooks:read:admin'), (req, res) => {
    // live GET /webhooks answers `{data}` without `hasNext`
    res.json({ data: [...accountOf(req).webhooks.values()].map((w) => webhookView(w, false)) });
  });

  router.post('/webhooks', need('webhooks:write:admin'), (req, res) => {
    const sub = createSubscription(accountOf(req), 'api', parseInput(createWebhookBody, req.body));
    sendCreated(res, options.sparse ? sparseCreatedWebhook(webhookView(sub, true)) : webhookView(sub, true), options.quirks.createdWrappedTwice);
  });

  router.put('/webhooks', need('webhooks:write:admin'), (req, res) => {
    const subs = updateSubscriptions(accountOf(req), 'api', parseInput(updateWebhooksBody, req.body));
    sendData(res, subs.map((w) => webhookView(w, false)));
  });

  router.delete('/webhooks/:webhookId', need('webhooks:write:admin'), (req, res) => {
    deleteSubscription(accountOf(req), 'api', req.params.webhookId);
    sendNoContent(res);
  });

  return router;
}
