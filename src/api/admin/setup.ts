import express, { type Router } from 'express';
import { z } from 'zod';
import { createCodeSignalClient } from '../../codesignal/client';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import { checkCodeSignalKey } from '../../integrations/key-checks/codesignal-key-check';
import { checkLeverKey } from '../../integrations/key-checks/lever-key-check';
import { loadCodeSignalOptions, loadLeverOptions } from '../../integrations/options';
import { type Integration } from '../../integrations/repository';
import { createLeverRateLimiter, integrationLeverClient } from '../../lever/rate-limiter';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseBody } from '../validate';
import { requireAdmin } from './admin-auth';

export interface SetupRoutesDeps {
  db: Db;
  box: SecretBox;
  adminToken: string | undefined;
  leverApiUrl: string;
  codesignalApiUrl: string;
  /** The budget of the shared Lever limiter, as the worker's (LEVER_REQUESTS_PER_SECOND). */
  leverRequestsPerSecond: number;
}

const keyToTest = z.strictObject({ apiKey: z.string().min(1) });
/** Without `apiKey` the integration's stored key is tested. */
const storedOrGivenKey = keyToTest.partial();

/** A failed Lever or CodeSignal call as a 502 naming the service: `_unavailable` when retrying may help, else `_refused`. */
async function upstream<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ExternalApiError)) throw err;
    const service = err.service === 'lever' ? 'Lever' : 'CodeSignal';
    throw new HttpError(502, `${err.service}_${err.retryable ? 'unavailable' : 'refused'}`, `could not ${doing} ${service}: ${err.message}`);
  }
}

/**
 * What the set-up web UI needs besides the integration itself: the credential TEST buttons (a key
 * before it is saved, or the stored one) and the Lever and CodeSignal choices for its selects.
 * Keys come in request bodies and go out only to Lever or CodeSignal, never into answers or logs.
 */
export function setupRoutes(deps: SetupRoutesDeps): Router {
  const router = idCheckedRouter();
  router.use(['/api/setup', '/api/integrations/:integrationId/lever', '/api/integrations/:integrationId/codesignal'], requireAdmin(deps.adminToken), express.json({ limit: '16kb' }));

  const integrationOf = (id: string) => integrationOr404(deps.db, deps.box, id);
  // an integration's Lever calls share its budget with the workers, whichever key they use
  const limiterOf = (integration: Integration) =>
    createLeverRateLimiter({ db: deps.db, integrationId: integration.id, pointsPerSecond: deps.leverRequestsPerSecond });

  const testLever = (apiKey: string, integration?: Integration) =>
    upstream('check the key with', () => checkLeverKey({ baseUrl: deps.leverApiUrl, apiKey, limiter: integration && limiterOf(integration) }));
  const testCodeSignal = (apiKey: string) =>
    upstream('check the key with', () => checkCodeSignalKey(createCodeSignalClient({ url: deps.codesignalApiUrl, apiKey })));

  router.post('/api/setup/lever/test', async (req, res) => {
    res.json(await testLever(parseBody(keyToTest, req.body).apiKey));
  });

  router.post('/api/setup/codesignal/test', async (req, res) => {
    res.json(await testCodeSignal(parseBody(keyToTest, req.body).apiKey));
  });

  router.post('/api/integrations/:integrationId/lever/test', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const { apiKey } = parseBody(storedOrGivenKey, req.body ?? {});
    res.json(await testLever(apiKey ?? integration.leverApiKey, integration));
  });

  router.post('/api/integrations/:integrationId/codesignal/test', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const { apiKey } = parseBody(storedOrGivenKey, req.body ?? {});
    res.json(await testCodeSignal(apiKey ?? integration.codesignalApiKey));
  });

  router.get('/api/integrations/:integrationId/lever/options', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const lever = integrationLeverClient(deps.db, integration, { baseUrl: deps.leverApiUrl, pointsPerSecond: deps.leverRequestsPerSecond });
    res.json(await upstream('read stages, users and postings from', () => loadLeverOptions(lever)));
  });

  router.get('/api/integrations/:integrationId/codesignal/options', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const codesignal = createCodeSignalClient({ url: deps.codesignalApiUrl, apiKey: integration.codesignalApiKey });
    res.json(await upstream('read the tests from', () => loadCodeSignalOptions(codesignal)));
  });

  return router;
}
