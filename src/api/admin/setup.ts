import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { CodeSignalClient } from '../../codesignal/client';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import { checkCodeSignalKey } from '../../integrations/key-checks/codesignal-key-check';
import { checkLeverKey } from '../../integrations/key-checks/lever-key-check';
import type { KeyCheck } from '../../integrations/key-checks/key-check';
import { recordKeyTest, storedKeyVersion, type KeyService } from '../../integrations/key-checks/key-test-results';
import type { Integration } from '../../integrations/repository';
import { loadCodeSignalOptions, loadLeverOptions } from '../../integrations/options';
import { parseStoredSettings } from '../../integrations/settings';
import type { LeverClient } from '../../lever/client';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { headerSecret, parseBody } from '../validate';
import { requireAdmin } from './admin-auth';

export interface SetupRoutesDeps {
  db: Db;
  box: SecretBox;
  adminToken: string | undefined;
  /** Builds the integration's Lever and CodeSignal clients (app.ts: one for the API). */
  clients: IntegrationClients;
}

/** A key goes into the Authorization header: printable ASCII only (validate.ts), else a 400 naming `apiKey`. */
const keyToTest = z.strictObject({ apiKey: headerSecret });
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
 * A key saved before keys had to be printable ASCII cannot go into a header: its TEST says so (409)
 * instead of a network error from the client.
 */
function usableStoredKey(field: string, key: string): string {
  if (headerSecret.safeParse(key).success) return key;
  throw new HttpError(409, 'invalid_stored_key', `the saved ${field} is not printable ASCII, so it cannot be sent: save the key again`);
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
  const { clients } = deps;

  // an integration's key is also checked for what its settings need (feedback forms: README "Assessments")
  const testLever = (lever: LeverClient, integration?: Integration) =>
    upstream('check the key with', () => checkLeverKey(lever, integration ? { resultsAs: parseStoredSettings(integration.settings).assessments.resultsAs } : {}));
  const testCodeSignal = (codesignal: CodeSignalClient) => upstream('check the key with', () => checkCodeSignalKey(codesignal));

  router.post('/api/setup/lever/test', async (req, res) => {
    res.json(await testLever(clients.forKey.lever(parseBody(keyToTest, req.body).apiKey)));
  });

  router.post('/api/setup/codesignal/test', async (req, res) => {
    res.json(await testCodeSignal(clients.forKey.codesignal(parseBody(keyToTest, req.body).apiKey)));
  });

  /**
   * The TEST of an integration's key: the stored one, whose result is remembered for the integrations
   * list (key-test-results.ts; its version is read before the key, so a key replaced meanwhile is not
   * credited), or the one given, which is not.
   */
  const testIntegrationKey = async (req: Request<{ integrationId: string }>, service: KeyService, test: (integration: Integration, apiKey: string | undefined) => Promise<KeyCheck>) => {
    const version = await storedKeyVersion(deps.db, req.params.integrationId, service);
    const integration = await integrationOf(req.params.integrationId);
    const { apiKey } = parseBody(storedOrGivenKey, req.body ?? {});
    const result = await test(integration, apiKey);
    if (apiKey === undefined && version !== undefined) await recordKeyTest(deps.db, integration.id, service, version, result);
    return result;
  };

  // an integration's Lever and CodeSignal calls share its budgets with the workers, whichever key they use
  router.post('/api/integrations/:integrationId/lever/test', async (req, res) => {
    res.json(await testIntegrationKey(req, 'lever', (integration, apiKey) =>
      testLever(clients.lever({ id: integration.id, leverApiKey: apiKey ?? usableStoredKey('lever.apiKey', integration.leverApiKey) }), integration)));
  });

  router.post('/api/integrations/:integrationId/codesignal/test', async (req, res) => {
    res.json(await testIntegrationKey(req, 'codesignal', (integration, apiKey) =>
      testCodeSignal(clients.codesignal({ id: integration.id, codesignalApiKey: apiKey ?? usableStoredKey('codesignal.apiKey', integration.codesignalApiKey) }))));
  });

  router.get('/api/integrations/:integrationId/lever/options', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const lever = clients.lever(integration);
    res.json(await upstream('read stages, users and postings from', () => loadLeverOptions(lever)));
  });

  router.get('/api/integrations/:integrationId/codesignal/options', async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const codesignal = clients.codesignal(integration);
    res.json(await upstream('read the tests from', () => loadCodeSignalOptions(codesignal)));
  });

  return router;
}
