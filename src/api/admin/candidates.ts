import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { nameSearchScanLimit, type CandidateDirectory, type CandidateEntry } from '../../db/candidate-directory';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import type { Logger } from '../../log';
import { resyncCandidate } from '../../temporal/candidate-resync';
import { isCanonicalUuid } from '../../workflows/shared/ids';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { temporalOr503, withinDeadline } from '../temporal';
import { parseQuery } from '../validate';
import { requireAdmin } from './admin-auth';
import { candidateTimeline, timelineLimits } from './candidate-timeline';

export interface CandidateRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  clients: IntegrationClients;
  directory: CandidateDirectory;
  adminToken: string | undefined;
  namespace: string;
  taskQueue: string;
  temporalUiUrl: string | undefined;
  temporalTimeoutMs: number;
  logger: Logger;
}

/** Results of one search. */
const searchLimit = 20;
const searchQuerySchema = z.object({
  q: z.string({ error: 'required: a name (2 characters or more), an e-mail address or a Lever opportunity id' }).trim().min(2, 'at least 2 characters').max(200, 'at most 200 characters'),
});

const candidateJson = (c: CandidateEntry) => ({ opportunityId: c.opportunityId, name: c.name, emails: c.emails, lastSeenAt: c.lastSeenAt.toISOString() });

/**
 * The per-candidate timeline (README "Candidate timeline"), for admins:
 * - `GET …/candidates?q=` finds candidates by name (substring, case and accents ignored, among the
 *   integration's `nameSearchScanLimit` most recently seen), exact e-mail, or exact opportunity id;
 * - `GET …/candidates/:opportunityId/timeline` lists what happened to one, in order;
 * - `POST …/candidates/:opportunityId/resync` re-reads Lever and CodeSignal and repairs the candidate
 *   through the workflows' own signals, as a late webhook would (idempotent).
 */
export function candidateRoutes(deps: CandidateRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/candidates';
  router.use(base, requireAdmin(deps.adminToken));
  const temporalUnavailable = (err: unknown) => new HttpError(503, 'temporal_unavailable', `Temporal did not answer: ${(err as Error).message}`, undefined, { 'Retry-After': '5' });

  router.get(base, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    const { q } = parseQuery(searchQuerySchema, req.query);
    if (isCanonicalUuid(q)) {
      const found = await deps.directory.get(integration.id, q);
      res.json({ match: 'opportunityId', candidates: found ? [candidateJson(found)] : [], truncated: false });
      return;
    }
    if (q.includes('@')) {
      const found = await deps.directory.findByEmail(integration.id, q, searchLimit);
      res.json({ match: 'email', candidates: found.map(candidateJson), truncated: false });
      return;
    }
    const { candidates, truncated } = await deps.directory.searchByName(integration.id, q, { limit: searchLimit, scanLimit: nameSearchScanLimit });
    res.json({ match: 'name', candidates: candidates.map(candidateJson), truncated });
  });

  router.get(`${base}/:opportunityId/timeline`, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    const opportunityId = req.params.opportunityId!;
    const candidate = await deps.directory.get(integration.id, opportunityId);
    let timeline;
    try {
      // several histories: a few deadlines' worth, never unbounded
      timeline = await withinDeadline(deps, () => candidateTimeline(deps, integration.id, opportunityId), deps.temporalTimeoutMs * 3);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw temporalUnavailable(err);
    }
    if (!candidate && timeline.entries.length === 0) throw new HttpError(404, 'unknown_candidate', `no candidate ${opportunityId} in this integration`);
    res.json({ candidate: candidate ? candidateJson(candidate) : null, ...timeline, limits: timelineLimits });
  });

  router.post(`${base}/:opportunityId/resync`, async (req, res) => {
    const integration = await integrationOr404(deps.db, deps.box, req.params.integrationId!);
    const opportunityId = req.params.opportunityId!;
    let resync;
    try {
      resync = await resyncCandidate(
        {
          client: deps.temporal,
          taskQueue: deps.taskQueue,
          lever: deps.clients.lever(integration),
          directory: deps.directory,
          logger: deps.logger,
          recordInTemporal: (call) => temporalOr503(deps, 'the re-sync', call),
          withinDeadline: (call) => withinDeadline(deps, call),
        },
        { integrationId: integration.id, opportunityId },
      );
    } catch (err) {
      if (err instanceof ExternalApiError && err.status === 404) throw new HttpError(404, 'unknown_candidate', `Lever has no opportunity ${opportunityId}`);
      if (err instanceof ExternalApiError) throw new HttpError(502, 'lever_unavailable', `could not read the opportunity from Lever: ${err.message}`);
      throw err;
    }
    res.status(202).json({ ...resync, lever: { ...resync.lever, enteredAt: new Date(resync.lever.enteredAt).toISOString() } });
  });
  return router;
}
