import express, { Router } from 'express';
import { authenticate, permissionGuard } from '../auth';
import { errorHandler, routeNotFound } from '../errors';
import { injectFaults } from '../faults';
import type { ResolvedOptions } from '../options';
import { KeyRateLimiter, rateLimit } from '../rate-limit';
import { logRequests } from '../request-log';
import type { LeverStore } from '../state';
import type { WebhookEmitter } from '../webhooks';
import type { V1Deps } from './deps';
import { feedbackRoutes } from './feedback';
import { fileRoutes } from './files';
import { interviewRoutes } from './interviews';
import { noteRoutes } from './notes';
import { opportunityRoutes } from './opportunities';
import { opportunityUpdateRoutes } from './opportunity-updates';
import { postingRoutes } from './postings';
import { referenceDataRoutes } from './reference-data';
import { userRoutes } from './users';
import { webhookRoutes } from './webhooks';

export interface ApiRouterParts { store: LeverStore; events: WebhookEmitter; options: ResolvedOptions; limiter: KeyRateLimiter }

/**
 * `/v1`: log → authenticate (401) → token bucket (every authenticated request counts) → injected faults →
 * routes with their permission checks (403) → unknown route (404).
 */
export function createApiRouter({ store, events, options, limiter }: ApiRouterParts): Router {
  const deps: V1Deps = { store, events, options, need: permissionGuard(options.writeImpliesRead) };
  const router = Router();
  router.use((_req, res, next) => {
    res.set({ server: 'lever-data-api', 'x-lever-region': 'global' });
    next();
  });
  router.use(logRequests(store, options.logger));
  router.use(authenticate(store));
  router.use(rateLimit(limiter, options.sendRetryAfter));
  router.use(injectFaults(options.sendRetryAfter));
  router.use(express.json({ limit: '5mb' }));
  for (const routes of [userRoutes, referenceDataRoutes, postingRoutes, opportunityRoutes, opportunityUpdateRoutes, noteRoutes, fileRoutes, interviewRoutes, feedbackRoutes, webhookRoutes]) {
    router.use(routes(deps));
  }
  router.use(routeNotFound);
  router.use(errorHandler(options.logger));
  return router;
}
