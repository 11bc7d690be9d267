import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { nameSearchScanLimit, type CandidateDirectory, type CandidateEntry } from '../../db/candidate-directory';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import type { Logger } from '../../log';
import { signalLeverEvent } from '../../temporal/candidate-client';
import { isTerminalAssessmentStatus, sessionEventSignal } from '../../workflows/assessment/messages';
import { candidateStateQuery, type LeverCandidateEvent } from '../../workflows/candidate/messages';
import { isTerminalInterviewStatus, liveInterviewEventSignal } from '../../workflows/interview/messages';
import { isCanonicalUuid } from '../../workflows/shared/ids';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { temporalOr503, withinDeadline } from '../temporal';
import { parseQuery } from '../validate';
import { requireAdmin } from './admin-auth';
import { candidateTimeline, resyncKeyPrefix, timelineLimits } from './candidate-timeline';

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
    let opportunity;
    try {
      opportunity = await deps.clients.lever(integration).getOpportunity(opportunityId);
    } catch (err) {
      if (err instanceof ExternalApiError && err.status === 404) throw new HttpError(404, 'unknown_candidate', `Lever has no opportunity ${opportunityId}`);
      if (err instanceof ExternalApiError) throw new HttpError(502, 'lever_unavailable', `could not read the opportunity from Lever: ${err.message}`);
      throw err;
    }
    await deps.directory.record({ integrationId: integration.id, opportunityId, name: opportunity.name, emails: opportunity.emails });

    // What Lever shows now, as the events a webhook would have carried. The keys name Lever's state, so
    // a second re-sync of an unchanged candidate is a duplicate the workflow drops.
    const stageId = opportunity.stage;
    const enteredAt = (opportunity.stageChanges ?? []).filter((c) => c.toStageId === stageId).reduce((latest, c) => Math.max(latest, c.updatedAt), 0)
      || (opportunity.lastAdvancedAt ?? opportunity.createdAt ?? Date.now());
    const events: LeverCandidateEvent[] = [{ kind: 'stageChange', key: `${resyncKeyPrefix}stage:${stageId}:${enteredAt}`, triggeredAt: enteredAt, fromStageId: null, toStageId: stageId }];
    if (opportunity.archived) {
      const { archivedAt, reason } = opportunity.archived;
      events.push({ kind: 'archiveChange', key: `${resyncKeyPrefix}archive:${archivedAt}`, triggeredAt: archivedAt, toArchived: { archivedAt, reason: reason ?? null } });
    }
    const target = { integrationId: integration.id, opportunityId };
    let workflowId = '';
    for (const event of events) {
      workflowId = await temporalOr503(deps, 'the re-sync', () => signalLeverEvent(deps.temporal, deps.taskQueue, target, event));
    }

    // CodeSignal: every open assessment with a session, and every open live interview, re-reads it.
    const reread: Array<{ workflowId: string; what: 'assessment' | 'interview' }> = [];
    let codesignal: 'checked' | 'not_checked' = 'checked';
    try {
      const state = await withinDeadline(deps, () => deps.temporal.workflow.getHandle(workflowId).query(candidateStateQuery));
      for (const a of state.assessments ?? []) {
        if (isTerminalAssessmentStatus(a.status) || !a.sessionId) continue;
        await withinDeadline(deps, () => deps.temporal.workflow.getHandle(a.workflowId).signal(sessionEventSignal, { sessionId: a.sessionId!, event: 'resync', triggeredOn: Date.now() }));
        reread.push({ workflowId: a.workflowId, what: 'assessment' });
      }
      for (const i of state.interviews ?? []) {
        if (isTerminalInterviewStatus(i.status)) continue;
        await withinDeadline(deps, () => deps.temporal.workflow.getHandle(i.workflowId).signal(liveInterviewEventSignal, { event: 'resync' }));
        reread.push({ workflowId: i.workflowId, what: 'interview' });
      }
    } catch (err) {
      // the Lever part is in Temporal already; CodeSignal is re-read on the next re-sync or event
      codesignal = 'not_checked';
      deps.logger.warn({ err: (err as Error).message, integrationId: integration.id }, 're-sync: the candidate workflow did not answer; CodeSignal not re-read');
    }
    res.status(202).json({
      workflowId,
      lever: { stageId, enteredAt: new Date(enteredAt).toISOString(), archived: opportunity.archived !== null },
      codesignal,
      reread,
    });
  });
  return router;
}
