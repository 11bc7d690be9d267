import express from 'express';
import type { SandboxAdmin } from './control/admin';
import type { Recruiter } from './control/recruiter';
import { createControlRouter } from './control/routes';
import { errorHandler, routeNotFound } from './errors';
import type { ResolvedOptions } from './options';
import type { KeyRateLimiter } from './rate-limit';
import { createApiRouter } from './routes/index';
import type { LeverStore } from './state';
import type { WebhookEmitter } from './webhooks';

export interface LeverAppParts {
  store: LeverStore;
  events: WebhookEmitter;
  limiter: KeyRateLimiter;
  admin: SandboxAdmin;
  recruiter: Recruiter;
  options: ResolvedOptions;
  seedDemo: (body: unknown) => unknown;
}

/** The HTTP face of the sandbox: Lever's API under `/v1`, the control API under `/_sandbox`. */
export function createLeverApp(parts: LeverAppParts): express.Express {
  const { store, events, limiter, admin, recruiter, options, seedDemo } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // repeated parameters become arrays, `a[]=` stays a plain key
  app.use('/v1', createApiRouter({ store, events, options, limiter }));
  app.use('/_sandbox', createControlRouter({ admin, recruiter, seedDemo, logger: options.logger }));
  app.use(routeNotFound);
  app.use(errorHandler(options.logger));
  return app;
}
