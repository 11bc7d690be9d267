import express, { Router } from 'express';
import type { Db } from '../db/pool';
import { createIntegration, findIntegration, integrationInputSchema, updateIntegrationSettings, type Integration } from '../db/integrations';
import { ExternalApiError } from '../external-api-error';
import { createLeverClient } from '../lever/client';
import { integrationSettingsSchema, parseStoredSettings } from '../settings/assessment-settings';
import { settingsIssuesAgainstLever } from '../settings/validate-with-lever';
import { requireAdmin } from './admin-auth';
import { HttpError } from './errors';
import { parseBody } from './validate';

export interface IntegrationRoutesDeps {
  db: Db;
  adminToken: string | undefined;
  publicUrl: string;
  leverApiUrl: string;
}

export const webhookUrls = (publicUrl: string, integrationId: string) => ({
  lever: `${publicUrl}/webhooks/lever/${integrationId}`,
  codesignal: `${publicUrl}/webhooks/codesignal/${integrationId}`,
});

/** What the admin API shows of an integration: secrets are write-only, only their presence is shown. */
function integrationView(integration: Integration, publicUrl: string) {
  return {
    id: integration.id,
    name: integration.name,
    lever: { apiKeyConfigured: true, webhookSigningTokenCount: integration.leverWebhookSigningTokens.length },
    codesignal: { apiKeyConfigured: true, webhookSecretConfigured: integration.codesignalWebhookSecret !== null },
    settings: parseStoredSettings(integration.settings),
    webhooks: webhookUrls(publicUrl, integration.id),
    createdAt: integration.createdAt.toISOString(),
    updatedAt: integration.updatedAt.toISOString(),
  };
}

/** Admin JSON API for integrations: POST /api/integrations, GET /api/integrations/:id. */
export function integrationRoutes(deps: IntegrationRoutesDeps): Router {
  const router = Router();
  router.use('/api', requireAdmin(deps.adminToken), express.json({ limit: '256kb' }));

  router.post('/api/integrations', async (req, res) => {
    const input = parseBody(integrationInputSchema, req.body);
    const integration = await createIntegration(deps.db, input);
    res.status(201).location(`/api/integrations/${integration.id}`).json(integrationView(integration, deps.publicUrl));
  });

  router.get('/api/integrations/:id', async (req, res) => {
    const integration = await findIntegration(deps.db, req.params.id);
    if (!integration) throw new HttpError(404, 'unknown_integration', `no integration ${req.params.id}`);
    res.json(integrationView(integration, deps.publicUrl));
  });
  // Replaces the settings; stages and users are checked against the integration's Lever account.
  router.put('/api/integrations/:id/settings', async (req, res) => {
    const integration = await findIntegration(deps.db, req.params.id);
    if (!integration) throw new HttpError(404, 'unknown_integration', `no integration ${req.params.id}`);
    const settings = parseBody(integrationSettingsSchema, req.body);
    const lever = createLeverClient({ baseUrl: deps.leverApiUrl, apiKey: integration.leverApiKey });
    let issues;
    try {
      issues = await settingsIssuesAgainstLever(settings, lever);
    } catch (err) {
      if (err instanceof ExternalApiError) throw new HttpError(502, 'lever_unavailable', `could not check the settings against Lever: ${err.message}`);
      throw err;
    }
    if (issues.length > 0) throw new HttpError(400, 'invalid_settings', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
    const updated = await updateIntegrationSettings(deps.db, integration.id, settings);
    res.json(integrationView(updated!, deps.publicUrl));
  });
  return router;
}
