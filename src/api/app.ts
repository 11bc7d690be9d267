import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { secretBoxFrom } from '../crypto/secret-box';
import { createIntegrationClients } from '../integrations/clients';
import { cachedIntegrationLookup } from '../integrations/repository';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { dataKeyStoreFrom } from '../crypto/data-keys';
import { payloadCodecFor } from '../temporal/payload-codec';
import { activityRoutes } from './admin/activity';
import { deliveryReplayRoutes } from './admin/deliveries-replay';
import { candidateRoutes } from './admin/candidates';
import { candidateEmailKeysFrom, createCandidateDirectory } from '../db/candidate-directory';
import { adminUiRoutes } from './admin/ui';
import { adminSessions } from './admin/admin-auth';
import { auditTrail } from '../audit/audit-log';
import { auditRoutes } from '../audit/audit-routes';
import { adminSessionRoutes } from './admin/admin-session';
import { adminAccess } from './admin/roles';
import { teamRoutes } from './admin/team';
import { oidcRoutes } from './admin/oidc';
import { assessmentSelectionRoutes } from './assessment/assessment-selection';
import { assessmentRoutes } from './assessment/assessments';
import { backfillRoutes } from './admin/backfill';
import { interviewScheduleLinkRoutes } from './interview/schedule-link-routes';
import { interviewRoutes } from './interview/interviews';
import { codecRoutes } from './admin/codec';
import { codesignalWebhookRoutes } from './ingress/codesignal-webhooks';
import { integrationLanes } from './ingress/inbound';
import { assignRequestId, errorHandler, notFound } from './errors';
import { healthRoutes } from './health';
import { sourcingAdminRoutes } from './sourcing/admin-routes';
import { sourcingApiRoutes } from './sourcing/sourcing-routes';
import { integrationRoutes } from './admin/integrations';
import { leverWebhookRegistrationRoutes } from './admin/lever-webhooks';
import { leverWebhookRoutes } from './ingress/lever-webhooks';
import { mappingRoutes } from './admin/mappings';
import { publicLinkRoutes } from './public-links/routes';
import { ensurePublicLinkSchedules } from './public-links/schedule';
import { ensureReconciliationSchedules } from '../temporal/reconciliation-schedule';
import { ensureTagCommandsSchedules } from '../temporal/tag-commands-schedule';
import { setupRoutes } from './admin/setup';
import { temporalUiPath, temporalUiProxy } from './temporal-ui-proxy';
import { httpServerSpans } from '../observability/http-server-spans';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
}

/** The Express ingress: webhooks, admin API and health, each in its own router. */
export function createApp({ config, db, temporal, logger }: ApiDeps): express.Express {
  const box = secretBoxFrom(config);
  // One cached lookup of integrations for every route on the hot path (webhooks, sourcing, selection):
  // a changed signing token or setting takes effect within INTEGRATION_CACHE_MS, as in the workers. Admin routes read the repository directly.
  const findIntegration = cachedIntegrationLookup(db, box, config.INTEGRATION_CACHE_MS);
  // Every route's Lever and CodeSignal clients; their calls share each integration's budgets with the workers.
  const clients = createIntegrationClients({
    db,
    leverApiUrl: config.leverApiUrl,
    codesignalApiUrl: config.codesignalApiUrl,
    leverRequestsPerSecond: config.LEVER_REQUESTS_PER_SECOND,
    codesignalMutationsPerSecond: config.CODESIGNAL_MUTATIONS_PER_SECOND,
  });
  const app = express();
  app.disable('x-powered-by');
  // Who the client is (req.ip: log-in throttling, logs) when the API runs behind reverse proxies; none trusted by default.
  app.set('trust proxy', config.TRUST_PROXY);
  // first: everything a request does runs in its span (when tracing is on)
  app.use(httpServerSpans());
  app.use(assignRequestId);
  app.use(healthRoutes({ db, temporal, timeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }));
  // Admin sessions, and who may do what (roles: README "Team and single sign-on"), for every admin path.
  const sessions = adminSessions({ db, config, logger });
  const access = adminAccess({ db });
  app.use(temporalUiPath, sessions, access); // the Temporal Web UI shows every integration's workflows: owners only
  app.use(temporalUiProxy({ config, db, logger })); // the Temporal Web UI at /temporal, for admins, when TEMPORAL_UI_UPSTREAM is set
  // The two webhook routes' deps, also the replay's (admin/deliveries-replay.ts): one set of limits for both.
  const ingress = {
    lever: {
      db,
      box,
      findIntegration,
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      bodyLimit: config.WEBHOOK_BODY_LIMIT,
      maxAgeMs: config.LEVER_WEBHOOK_MAX_AGE_SECONDS * 1000,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
    },
    codesignal: {
      db,
      box,
      findIntegration,
      temporal,
      publicUrl: config.publicUrl,
      bodyLimit: config.WEBHOOK_BODY_LIMIT,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
      maxAgeMs: config.CODESIGNAL_WEBHOOK_MAX_AGE_DAYS * 86_400_000,
    },
  };
  // one lane per integration for both sources' live deliveries
  const lanes = integrationLanes(config.INGRESS_DELIVERIES_PER_INTEGRATION);
  app.use(leverWebhookRoutes(ingress.lever, lanes));
  app.use(codesignalWebhookRoutes(ingress.codesignal, lanes));
  // The sourcing API: CodeSignal's side of the sourcing contract, authenticated by the integration's token, not an admin session.
  app.use(
    sourcingApiRoutes({
      db,
      box,
      findIntegration,
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      publicUrl: config.publicUrl,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
    }),
  );
  if (config.LINK_SIGNING_SECRET) {
    app.use(assessmentSelectionRoutes({ db, box, findIntegration, temporal, clients, linkSigningSecret: config.LINK_SIGNING_SECRET, logger }));
    app.use(interviewScheduleLinkRoutes({ db, box, findIntegration, temporal, clients, linkSigningSecret: config.LINK_SIGNING_SECRET, logger }));
  }
  // The admin area: sessions only where an admin can be logged in, never on the webhook hot path.
  app.use(['/api', '/codec'], sessions);
  app.use(auditTrail({ db, logger })); // every admin action, written before its answer leaves (README "Audit log")
  app.use(['/api', '/codec'], access); // after the audit trail, so refused requests are recorded too
  app.use(auditRoutes({ db, adminToken: config.ADMIN_TOKEN }));
  app.use(adminSessionRoutes({ db, logger }));
  app.use(oidcRoutes({ db, config, logger })); // single sign-on, when OIDC_ISSUER is set
  app.use(teamRoutes({ db, adminToken: config.ADMIN_TOKEN, publicUrl: config.publicUrl, logger }));
  app.use(adminUiRoutes());
  app.use(assessmentRoutes({ db, box, temporal, adminToken: config.ADMIN_TOKEN }));
  app.use(interviewRoutes({ db, box, temporal, adminToken: config.ADMIN_TOKEN, logger }));
  // Routes that read an integration's two accounts.
  const accounts = { db, box, adminToken: config.ADMIN_TOKEN, clients };
  app.use(mappingRoutes(accounts));
  app.use(backfillRoutes({ ...accounts, temporal, temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS, taskQueue: config.TEMPORAL_TASK_QUEUE, logger }));
  app.use(setupRoutes(accounts));
  const directory = createCandidateDirectory({ db, box, emailKeys: candidateEmailKeysFrom(config) });
  app.use(
    activityRoutes({
      directory,
      db,
      box,
      temporal,
      adminToken: config.ADMIN_TOKEN,
      namespace: config.TEMPORAL_NAMESPACE,
      temporalUiUrl: config.temporalUiUrl,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
    }),
  );
  app.use(deliveryReplayRoutes({ adminToken: config.ADMIN_TOKEN, db, box, ingress, logger })); // the webhook inbox's replay (README "Webhook inbox and replay")
  // The per-candidate timeline: search, timeline, re-sync (README "Candidate timeline").
  app.use(
    candidateRoutes({
      ...accounts,
      temporal,
      directory,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      temporalUiUrl: config.temporalUiUrl,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
    }),
  );
  app.use(
    sourcingAdminRoutes({ db, box, temporal, directory, adminToken: config.ADMIN_TOKEN, publicUrl: config.publicUrl, temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }),
  );
  app.use(
    publicLinkRoutes({
      ...accounts,
      temporal,
      directory,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
    }),
  );
  // Public-link scan schedules converge at start: every integration with the results enabled gets its Schedule (logged, never fatal).
  void ensurePublicLinkSchedules({ db, logger, client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, timeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }).catch(() => undefined);
  // Reconciliation sweep schedules converge the same way, for every integration (paused where disabled; README "Reconciliation").
  if (config.RECONCILIATION_SCHEDULES === 'on') {
    void ensureReconciliationSchedules({ db, logger, client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, timeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }).catch(() => undefined);
    // and the tag-commands Schedules (README "Assessments": tag commands), kept by the same switch
    void ensureTagCommandsSchedules({ db, logger, client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, timeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }).catch(() => undefined);
  }
  // The integration's Lever webhook subscriptions made through Lever's API, and the CodeSignal webhook guide.
  app.use(leverWebhookRegistrationRoutes({ ...accounts, publicUrl: config.publicUrl, findIntegration, logger }));
  app.use(
    integrationRoutes({
      db, box, adminToken: config.ADMIN_TOKEN, publicUrl: config.publicUrl, clients, temporal, temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS, logger, directory, findIntegration,
      // the reconciliation Schedule follows the settings only where the API keeps Schedules (RECONCILIATION_SCHEDULES)
      ...(config.RECONCILIATION_SCHEDULES === 'on' ? { taskQueue: config.TEMPORAL_TASK_QUEUE } : {}),
    }),
  );
  app.use(codecRoutes({ codec: payloadCodecFor(config, { dataKeys: dataKeyStoreFrom(db, config), onErased: 'mark' }), adminToken: config.ADMIN_TOKEN, temporalUiUrl: config.temporalUiUrl }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
