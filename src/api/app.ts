import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { assessmentSelectionRoutes } from './assessment-selection';
import { assessmentRoutes } from './assessments';
import { codesignalWebhookRoutes } from './codesignal-webhooks';
import { errorHandler, notFound } from './errors';
import { healthRoutes } from './health';
import { importRoutes } from './imports';
import { integrationRoutes } from './integrations';
import { leverWebhookRoutes } from './lever-webhooks';
import { mappingRoutes } from './mappings';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
}

/** The Express ingress: webhooks, admin API and health, each in its own router. */
export function createApp({ config, db, temporal, logger }: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes({ db, temporal, timeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS }));
  app.use(
    leverWebhookRoutes({
      db,
      temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      bodyLimit: config.WEBHOOK_BODY_LIMIT,
      maxAgeMs: config.LEVER_WEBHOOK_MAX_AGE_SECONDS * 1000,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
    }),
  );
  app.use(
    codesignalWebhookRoutes({
      db,
      temporal,
      publicUrl: config.publicUrl,
      bodyLimit: config.WEBHOOK_BODY_LIMIT,
      temporalTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
      logger,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    }),
  );
  if (config.LINK_SIGNING_SECRET) {
    app.use(assessmentSelectionRoutes({ db, temporal, codesignalApiUrl: config.codesignalApiUrl, linkSigningSecret: config.LINK_SIGNING_SECRET, logger }));
  }
  app.use(assessmentRoutes({ temporal, adminToken: config.ADMIN_TOKEN }));
  app.use(mappingRoutes({ db, adminToken: config.ADMIN_TOKEN, leverApiUrl: config.leverApiUrl, codesignalApiUrl: config.codesignalApiUrl }));
  app.use(importRoutes({ db, temporal, adminToken: config.ADMIN_TOKEN }));
  app.use(integrationRoutes({ db, adminToken: config.ADMIN_TOKEN, publicUrl: config.publicUrl, leverApiUrl: config.leverApiUrl }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
