import { auditDetails, auditIntegration, changesBetween } from '../../audit/audit-log';
import { webhookUrls } from '../../integrations/urls';
import { sourcingView } from '../sourcing/sourcing-view';
import express, { type Router } from 'express';
import { secretHint, type SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import type { IntegrationClients } from '../../integrations/clients';
import {
  createIntegration, credentialsInputSchema, findIntegration, integrationInputSchema, listIntegrations, updateIntegrationCredentials, updateIntegrationSettings,
  type Integration,
  type IntegrationLookup,
} from '../../integrations/repository';
import { ExternalApiError } from '../../external-api-error';
import { integrationSettingsSchema, parseStoredSettings, type IntegrationSettings } from '../../integrations/settings';
import { settingsIssuesAgainstLever } from '../../integrations/settings-lever-check';
import { requireAdmin } from './admin-auth';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404, unknownIntegration } from '../ids';
import { headerSecret, parseBody } from '../validate';
import { clearKeyTests, keyServices } from '../../integrations/key-checks/key-test-results';
import { integrationHealthReader, type IntegrationHealthDeps } from './integration-health';
import { syncReconciliationSchedule } from '../../temporal/reconciliation-schedule';
import { syncTagCommandsSchedule } from '../../temporal/tag-commands-schedule';
import { candidateNames, type CandidateDirectory } from '../../db/candidate-directory';
import { deleteDraft, findDraft, listDecisions, saveDraft } from '../../integrations/dry-run/repository';

/** `temporal` (with its deadline and a logger) counts each integration's failed runs for its health; without it they are unknown. */
export interface IntegrationRoutesDeps extends IntegrationHealthDeps {
  db: Db;
  box: SecretBox;
  adminToken: string | undefined;
  publicUrl: string;
  /** Settings are checked against the integration's Lever account, in the budget it shares with the workers. */
  clients: IntegrationClients;
  /** The workers' task queue: with it (and `temporal`), saving the settings brings the reconciliation Schedule in line. */
  taskQueue?: string;
  /** Names the candidates of the dry run's decisions; without it `candidateName` is null. */
  directory?: CandidateDirectory;
  /** The API's cached integration lookup (app.ts): read afresh after a change here, so this process's ingress uses the new keys and settings at once. */
  findIntegration?: IntegrationLookup;
}

/**
 * The admin bodies, strict at every level (and API keys, which go into HTTP headers, printable ASCII): `lever.webhookSigningToken` (for `webhookSigningTokens`) is
 * a 400 naming it, not an integration that then refuses every Lever delivery. The settings given at
 * creation are checked like PUT …/settings checks them (except against Lever) and stored parsed.
 */
const createBodySchema = integrationInputSchema
  .extend({
    lever: integrationInputSchema.shape.lever.extend({ apiKey: headerSecret }).strict(),
    codesignal: integrationInputSchema.shape.codesignal.extend({ apiKey: headerSecret }).strict(),
    settings: integrationSettingsSchema.optional(),
  })
  .strict();
const credentialsBodySchema = credentialsInputSchema
  .extend({
    lever: credentialsInputSchema.shape.lever.unwrap().extend({ apiKey: headerSecret.optional() }).strict().optional(),
    codesignal: credentialsInputSchema.shape.codesignal.unwrap().extend({ apiKey: headerSecret.optional() }).strict().optional(),
  })
  .strict();

/**
 * What the admin API shows of an integration: secrets are write-only, only their presence is shown,
 * with the last characters of long ones so an admin can tell which key is stored.
 */
function integrationView(integration: Integration, publicUrl: string) {
  return {
    id: integration.id,
    name: integration.name,
    lever: {
      apiKeyConfigured: true,
      apiKeyHint: secretHint(integration.leverApiKey),
      webhookSigningTokenCount: integration.leverWebhookSigningTokens.length,
      webhookSigningTokenHints: integration.leverWebhookSigningTokens.map(secretHint),
    },
    codesignal: {
      apiKeyConfigured: true,
      apiKeyHint: secretHint(integration.codesignalApiKey),
      webhookSecretConfigured: integration.codesignalWebhookSecret !== null,
      webhookSecretHint: integration.codesignalWebhookSecret === null ? null : secretHint(integration.codesignalWebhookSecret),
    },
    sourcing: sourcingView(integration, publicUrl),
    settings: parseStoredSettings(integration.settings),
    webhooks: webhookUrls(publicUrl, integration.id),
    createdAt: integration.createdAt.toISOString(),
    updatedAt: integration.updatedAt.toISOString(),
  };
}

/** Admin JSON API for integrations: create, list, read, change credentials, replace settings. */
export function integrationRoutes(deps: IntegrationRoutesDeps): Router {
  const router = idCheckedRouter();
  router.use('/api', requireAdmin(deps.adminToken), express.json({ limit: '256kb' }));
  /** Best effort: past the lookup's cache time (INTEGRATION_CACHE_MS) the ingress reads the row again anyway. */
  const refreshCached = (integrationId: string) => deps.findIntegration?.(integrationId, { fresh: true }).catch(() => undefined);
  /** Every answer shows the integrations with their health (integration-health.ts). */
  const healthOf = integrationHealthReader(deps);
  const views = async (integrations: Integration[]) => {
    const health = await healthOf(integrations.map((i) => i.id));
    return integrations.map((i) => ({ ...integrationView(i, deps.publicUrl), health: health.get(i.id)! }));
  };
  const view = async (integration: Integration) => (await views([integration]))[0]!;
  /**
   * The integration's reconciliation and tag-commands Schedules follow its settings (README "Reconciliation",
   * "Assessments"), as the public-link one does: the settings are saved first; a Schedule Temporal would not update is a 503
   * saying so, and saving again or restarting the API brings it in line.
   */
  const syncSchedules = async (integration: Integration) => {
    if (!deps.temporal || !deps.taskQueue) return;
    const schedules = { db: deps.db, client: deps.temporal, taskQueue: deps.taskQueue, timeoutMs: deps.temporalTimeoutMs ?? 3000 };
    try {
      await syncReconciliationSchedule(schedules, integration.id, parseStoredSettings(integration.settings));
      await syncTagCommandsSchedule(schedules, integration.id, parseStoredSettings(integration.settings));
    } catch (err) {
      throw new HttpError(
        503,
        'schedule_not_updated',
        `the settings were saved, but the reconciliation or tag-commands Schedule could not be brought in line (${err instanceof Error ? err.message : String(err)}); saving again or restarting the API does it`,
      );
    }
  };

  router.post('/api/integrations', async (req, res) => {
    const { settings, ...input } = parseBody(createBodySchema, req.body);
    const integration = await createIntegration(deps.db, deps.box, { ...input, settings: settings ?? {} });
    auditIntegration(res, integration.id);
    auditDetails(res, { name: integration.name });
    // best effort: a 503 here would make the admin create the integration twice; the API's next start converges it
    await syncSchedules(integration).catch((err: unknown) => deps.logger?.warn({ integrationId: integration.id, err: (err as Error).message }, 'reconciliation schedule not created'));
    res.status(201).location(`/api/integrations/${integration.id}`).json(await view(integration));
  });

  router.get('/api/integrations/:integrationId', async (req, res) => {
    const integration = await findIntegration(deps.db, deps.box, req.params.integrationId);
    if (!integration) throw unknownIntegration(req.params.integrationId);
    res.json(await view(integration));
  });

  router.get('/api/integrations', async (_req, res) => {
    const integrations = await listIntegrations(deps.db, deps.box);
    res.json({ integrations: await views(integrations) });
  });

  // Credentials and name: only what the body gives is replaced (`codesignal.webhookSecret: null` clears it).
  router.patch('/api/integrations/:integrationId', async (req, res) => {
    const input = parseBody(credentialsBodySchema, req.body);
    const updated = await updateIntegrationCredentials(deps.db, deps.box, req.params.integrationId, input);
    if (!updated) throw unknownIntegration(req.params.integrationId);
    await refreshCached(updated.id);
    // the names of what changed, never the values
    auditDetails(res, { changed: Object.entries(input).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((f) => `${k}.${f}`) : [k])) });
    // a new key is untested: its TEST result (key-test-results.ts) goes with the key it replaced
    await clearKeyTests(deps.db, updated.id, keyServices.filter((s) => input[s]?.apiKey !== undefined));
    res.json(await view(updated));
  });
  /** Settings an admin sent, strict and checked against the integration's Lever account (stages, users). */
  async function checkedSettings(integration: Integration, body: unknown): Promise<IntegrationSettings> {
    const settings = parseBody(integrationSettingsSchema, body);
    let issues;
    try {
      issues = await settingsIssuesAgainstLever(settings, deps.clients.lever(integration));
    } catch (err) {
      if (err instanceof ExternalApiError) throw new HttpError(502, 'lever_unavailable', `could not check the settings against Lever: ${err.message}`);
      throw err;
    }
    if (issues.length > 0) throw new HttpError(400, 'invalid_settings', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
    return settings;
  }
  const saveSettings = async (integration: Integration, settings: IntegrationSettings) => {
    const updated = await updateIntegrationSettings(deps.db, deps.box, integration.id, settings);
    await refreshCached(integration.id);
    await syncSchedules(updated!);
    return updated!;
  };

  // Replaces the settings; stages and users are checked against the integration's Lever account.
  router.put('/api/integrations/:integrationId/settings', async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    const saved = await saveSettings(integration, await checkedSettings(integration, req.body));
    auditDetails(res, { changes: changesBetween(parseStoredSettings(integration.settings), parseStoredSettings(saved.settings)) });
    res.json(await view(saved));
  });

  // Dry run (README "Dry run"): settings saved as a draft run in shadow; the flows record what it would do.
  const draftPath = '/api/integrations/:integrationId/settings/draft';
  const draftView = async (integrationId: string) => {
    const [draft, decisions] = await Promise.all([findDraft(deps.db, integrationId), listDecisions(deps.db, integrationId)]);
    const names = await candidateNames(deps.directory, integrationId, decisions.map((d) => d.opportunityId));
    return {
      draft: draft && { settings: draft.settings, savedAt: draft.savedAt.toISOString() },
      decisions: decisions.map((d) => ({ id: d.id, at: d.at.toISOString(), opportunityId: d.opportunityId, candidateName: names.get(d.opportunityId) ?? null, source: d.source, decision: d.decision })),
    };
  };
  router.put(draftPath, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    await saveDraft(deps.db, integration.id, await checkedSettings(integration, req.body));
    deps.logger?.info({ integrationId: integration.id }, 'settings draft saved; running in shadow');
    res.json(await draftView(integration.id));
  });
  router.get(draftPath, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    res.json(await draftView(integration.id));
  });
  router.post(`${draftPath}/promote`, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    const draft = await findDraft(deps.db, integration.id);
    if (!draft) throw new HttpError(404, 'no_draft', `integration ${integration.id} has no settings draft`);
    // checked again: the Lever account may have changed since the draft was saved
    const updated = await saveSettings(integration, await checkedSettings(integration, draft.settings));
    auditDetails(res, { changes: changesBetween(parseStoredSettings(integration.settings), parseStoredSettings(updated.settings)) });
    await deleteDraft(deps.db, integration.id);
    deps.logger?.info({ integrationId: integration.id }, 'settings draft promoted');
    res.json({ settings: parseStoredSettings(updated.settings) });
  });
  router.delete(draftPath, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    await deleteDraft(deps.db, integration.id);
    res.status(204).end();
  });
  return router;
}
