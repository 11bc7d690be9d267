import express, { type Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { requireAdmin } from '../admin/admin-auth';
import { sourcingView } from './sourcing-view';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404, unknownIntegration } from '../ids';
import { parseBody } from '../validate';
import type { SecretBox } from '../../crypto/secret-box';
import { listCandidateLinks } from '../../activities/sourcing/candidate-links';
import { rotateSourcingToken, setSourcingFeed } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import { candidateNames, type CandidateDirectory } from '../../db/candidate-directory';
import { candidateWorkflowId } from '../../workflows/shared/ids';
import { candidateStateQuery } from '../../workflows/candidate/messages';
import { withinDeadline } from '../temporal';

const feedBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000).nullable(),
  rotateSecret: z.boolean().default(false),
});

const listQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export interface SourcingAdminRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  adminToken: string | undefined;
  publicUrl: string;
  temporalTimeoutMs: number;
  /** Names the imported candidates (the candidate timeline's directory); without it `candidateName` is null. */
  directory?: CandidateDirectory;
}

/**
 * Admin API of the sourcing contract (docs/sync.md): make the sourcing token, set the status feed
 * URL (and its signing secret), and list imported candidates with their sync state.
 */
export function sourcingAdminRoutes(deps: SourcingAdminRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/sourcing';
  router.use(base, requireAdmin(deps.adminToken), express.json({ limit: '16kb' }));

  const integrationOf = (id: string) => integrationOr404(deps.db, deps.box, id);

  router.get(base, async (req, res) => void res.json(sourcingView(await integrationOf(req.params.integrationId), deps.publicUrl)));

  // A new token replaces the old one at once; it is answered this once.
  router.post(`${base}/token`, async (req, res) => {
    const token = await rotateSourcingToken(deps.db, (await integrationOf(req.params.integrationId)).id);
    if (!token) throw unknownIntegration(req.params.integrationId);
    res.status(201).json({ token, ...sourcingView(await integrationOf(req.params.integrationId), deps.publicUrl) });
  });

  // A first URL (or rotateSecret) makes a signing secret, answered this once; a null URL stops the feed.
  router.put(`${base}/feed`, async (req, res) => {
    await integrationOf(req.params.integrationId);
    const body = parseBody(feedBodySchema, req.body);
    const result = await setSourcingFeed(deps.db, deps.box, req.params.integrationId, { url: body.url, rotateSecret: body.rotateSecret });
    if (!result) throw unknownIntegration(req.params.integrationId);
    res.json({ secret: result.newSecret, ...sourcingView(result.integration, deps.publicUrl) });
  });

  // Imported candidates, newest first, with what the stage sync of their opportunity agreed on.
  router.get(`${base}/candidates`, async (req, res) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, 'invalid_query', 'limit: must be a whole number from 1 to 200');
    const integration = await integrationOf(req.params.integrationId);
    const links = await listCandidateLinks(deps.db, integration.id, parsed.data.limit);
    const syncOf = async (opportunityId: string) => {
      try {
        const state = await withinDeadline(deps, () =>
          deps.temporal.workflow.getHandle(candidateWorkflowId(integration.id, opportunityId)).query(candidateStateQuery),
        );
        const sync = state.sync;
        if (!sync) return { state: 'no changes yet' as const };
        return {
          state: sync.errors.length > 0 ? ('errors' as const) : sync.queue.length > 0 ? ('syncing' as const) : ('in sync' as const),
          agreed: sync.agreed ? { status: sync.agreed.status, at: new Date(sync.agreed.at).toISOString(), origin: sync.agreed.origin } : null,
          lastError: sync.errors.at(-1)?.message ?? null,
          unmapped: sync.unmapped.length,
          counts: sync.counts,
        };
      } catch (err) {
        // no candidate workflow yet: nothing has happened to the opportunity since the import
        if (err instanceof WorkflowNotFoundError) return { state: 'no changes yet' as const };
        return { state: 'unknown' as const };
      }
    };
    const byOpportunity = new Map<string, Awaited<ReturnType<typeof syncOf>>>();
    for (const id of new Set(links.map((l) => l.leverOpportunityId))) byOpportunity.set(id, await syncOf(id));
    const names = await candidateNames(deps.directory, integration.id, links.map((l) => l.leverOpportunityId));
    res.json({
      candidates: links.map((l) => ({
        codesignalCandidateId: l.codesignalCandidateId,
        leverOpportunityId: l.leverOpportunityId,
        candidateName: names.get(l.leverOpportunityId) ?? null,
        outcome: l.outcome,
        createdByLeverUserId: l.createdByLeverUserId,
        creatorFallback: l.creatorFallback,
        requestedByCodesignalUserId: l.requestedByCodesignalUserId,
        importedAt: l.createdAt.toISOString(),
        sync: byOpportunity.get(l.leverOpportunityId)!,
      })),
    });
  });
  return router;
}
