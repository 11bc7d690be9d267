import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { errorHandler, notFound } from './errors';
import { healthRoutes } from './health';
import { integrationRoutes } from './integrations';
import { leverWebhookRoutes } from './lever-webhooks';

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
  app.use(integrationRoutes({ db, adminToken: config.ADMIN_TOKEN, publicUrl: config.publicUrl }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
