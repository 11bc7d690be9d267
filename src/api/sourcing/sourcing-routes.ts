import express, { type RequestHandler, type Router } from 'express';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SecretBox } from '../../crypto/secret-box';
import { findCandidateLink, type CandidateLink } from '../../activities/sourcing/candidate-links';
import { sourcingTokenMatches, type IntegrationLookup } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { deliveryLog, type DeliveryLogLocals } from '../ingress/delivery-log';
import { HttpError } from '../errors';
import { idCheckedRouter, unknownIntegration } from '../ids';
import { parseBody } from '../validate';
import { signalCandidateWorkflow } from '../../temporal/candidate-client';
import { temporalOr503, withinDeadline } from '../temporal';
import { importWorkflowId } from '../../workflows/shared/ids';
import { importStateQuery, type ImportState, type ImportWorkflowInput } from '../../workflows/sourcing/import-messages';
import type { sourcingImportWorkflow } from '../../workflows/sourcing/import-workflow';
import { codesignalStatusSignal, type CodeSignalStatusReport } from '../../workflows/candidate/messages';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { importCandidateRequestSchema, statusChangeRequestSchema, type ImportAnswer } from './contract';
import { sourcingOpenApiDocument } from './openapi';
import { integrationPriority } from '../../temporal/fairness';

export interface SourcingApiDeps {
  db: Db;
  box: SecretBox;
  /** The API's one cached integration lookup (app.ts), shared by every router on the hot path. */
  findIntegration: IntegrationLookup;
  temporal: Client;
  taskQueue: string;
  publicUrl: string;
  temporalTimeoutMs: number;
  logger: Logger;
  /** How long an import call waits for the import to finish before answering 202 (default 10 s). */
  importWaitMs?: number;
  now?: () => number;
}

/** A reported change may be this far ahead of our clock; a later time would win every conflict. */
const allowedClockSkewMs = 5 * 60_000;

const answerOf = (integrationId: string, codesignalCandidateId: string, publicUrl: string, state: ImportState | undefined, link: CandidateLink | undefined): ImportAnswer => ({
  codesignalCandidateId,
  status: link ? 'imported' : (state?.status ?? 'importing'),
  outcome: state?.outcome ?? (link ? 'already-imported' : null),
  leverOpportunityId: link?.leverOpportunityId ?? state?.leverOpportunityId ?? null,
  createdBy:
    link ? { leverUserId: link.createdByLeverUserId, fallback: link.creatorFallback }
    : state?.createdByLeverUserId ? { leverUserId: state.createdByLeverUserId, fallback: state.creatorFallback }
    : null,
  contactDeduped: link?.contactDeduped ?? state?.contactDeduped ?? false,
  failure: state?.failure ?? null,
  self: `${publicUrl}/api/sourcing/${integrationId}/candidates/${encodeURIComponent(codesignalCandidateId)}`,
});

/**
 * The sourcing API (docs/sync.md, openapi.json): what CodeSignal's sourcing side calls. Each call
 * carries the integration's sourcing token; the authenticated call is the source of truth for what it
 * says (unlike CodeSignal's webhooks, whose signature leaves the body open). Calls are recorded for the
 * Activity page like webhook deliveries.
 */
export function sourcingApiRoutes(deps: SourcingApiDeps): Router {
  const router = idCheckedRouter();
  const now = deps.now ?? Date.now;
  const base = '/api/sourcing/:integrationId';
  const waitMs = deps.importWaitMs ?? 10_000;
  const { findIntegration } = deps;

  const document = sourcingOpenApiDocument(deps.publicUrl);
  router.get('/api/sourcing/openapi.json', (_req, res) => void res.json(document));

  // An unknown integration is 404, as on every route (its id is in the URL anyway); a known one without its token is 401.
  const authenticate: RequestHandler<{ integrationId: string }> = async (req, _res, next) => {
    if (!(await findIntegration(req.params.integrationId))) throw unknownIntegration(req.params.integrationId);
    const token = /^Bearer ([\x21-\x7e]{1,200})$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !(await sourcingTokenMatches(deps.db, req.params.integrationId, token))) {
      throw new HttpError(401, 'invalid_token', 'Authorization must be "Bearer <the integration\'s sourcing token>"');
    }
    next();
  };
  // on each route, so the route's own id parameters are checked (400) before anything else
  const guarded = [deliveryLog({ db: deps.db, logger: deps.logger, source: 'sourcing', findIntegration }), authenticate, express.json({ limit: '64kb' })] as RequestHandler[];

  router.post(`${base}/candidates`, ...guarded, async (req, res) => {
    (res.locals as DeliveryLogLocals).event = 'importCandidate';
    const request = parseBody(importCandidateRequestSchema, req.body);
    const { integrationId } = req.params as { integrationId: string };
    const { codesignalCandidateId } = request;
    const workflowId = importWorkflowId(integrationId, codesignalCandidateId);
    const input: ImportWorkflowInput = { integrationId, codesignalCandidateId, request };
    const handle = await temporalOr503(deps, 'the call', () =>
      deps.temporal.workflow.start<typeof sourcingImportWorkflow>('sourcingImportWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        // a repeated call while the import runs joins it; after it, a new run finds the recorded link
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
        priority: integrationPriority(integrationId),
      }),
    );
    // wait a while for the result; past that the long poll is abandoned (not left open) and the caller reads `self` later
    const waiting = new AbortController();
    const timer = setTimeout(() => waiting.abort(), waitMs);
    const outcome = await deps.temporal
      .withAbortSignal(waiting.signal, () => handle.result())
      .then(
        (state): { state: ImportState } | { err: unknown } | { waiting: true } => ({ state }),
        (err: unknown) => (waiting.signal.aborted ? { waiting: true as const } : { err }),
      )
      .finally(() => clearTimeout(timer));
    res.locals.workflowId = workflowId;
    if ('state' in outcome) {
      const answer = answerOf(integrationId, codesignalCandidateId, deps.publicUrl, outcome.state, undefined);
      res.status(outcome.state.outcome === 'created' ? 201 : 200).json({ ...answer, workflowId });
      return;
    }
    if ('err' in outcome) {
      const cause = outcome.err instanceof WorkflowFailedError ? outcome.err.cause : undefined;
      if (!(cause instanceof ApplicationFailure)) throw outcome.err;
      const failure = { type: cause.type ?? 'ImportFailed', message: cause.message };
      const answer = answerOf(integrationId, codesignalCandidateId, deps.publicUrl, undefined, undefined);
      res.status(422).json({ error: 'import_failed', message: failure.message, ...answer, status: 'failed', failure });
      return;
    }
    res.status(202).location(answerOf(integrationId, codesignalCandidateId, deps.publicUrl, undefined, undefined).self);
    res.json({ ...answerOf(integrationId, codesignalCandidateId, deps.publicUrl, undefined, undefined), workflowId });
  });

  router.get(`${base}/candidates/:codesignalCandidateId`, ...guarded, async (req, res) => {
    (res.locals as DeliveryLogLocals).event = 'getImport';
    const { integrationId, codesignalCandidateId } = req.params as { integrationId: string; codesignalCandidateId: string };
    const link = await findCandidateLink(deps.db, integrationId, codesignalCandidateId);
    let state: ImportState | undefined;
    try {
      state = await temporalOr503(deps, 'the call', () => deps.temporal.workflow.getHandle(importWorkflowId(integrationId, codesignalCandidateId)).query(importStateQuery), {
        // with a recorded link the answer does not need Temporal: no 503 then
        passThrough: (err) => link !== undefined || err instanceof WorkflowNotFoundError,
      });
    } catch (err) {
      // a workflow past its retention is gone; the recorded link still answers
      if (!link && !(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (!state && !link) throw new HttpError(404, 'unknown_candidate', `CodeSignal candidate ${codesignalCandidateId} was never imported`);
    res.json({ ...answerOf(integrationId, codesignalCandidateId, deps.publicUrl, state, link), status: link ? 'imported' : state!.status });
  });

  router.post(`${base}/candidates/:codesignalCandidateId/status`, ...guarded, async (req, res) => {
    (res.locals as DeliveryLogLocals).event = 'statusChange';
    const { integrationId, codesignalCandidateId } = req.params as { integrationId: string; codesignalCandidateId: string };
    const change = parseBody(statusChangeRequestSchema, req.body);
    const changedAt = Date.parse(change.changedAt);
    if (changedAt > now() + allowedClockSkewMs) {
      throw new HttpError(400, 'invalid_body', 'changedAt: is in the future', { issues: [{ path: 'changedAt', message: 'is in the future' }] });
    }
    const link = await findCandidateLink(deps.db, integrationId, codesignalCandidateId);
    if (!link) {
      const importing = await withinDeadline(deps, () => deps.temporal.workflow.getHandle(importWorkflowId(integrationId, codesignalCandidateId)).describe()).then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      );
      if (importing) throw new HttpError(409, 'import_in_progress', `CodeSignal candidate ${codesignalCandidateId} is still being imported; report the change again shortly`);
      throw new HttpError(404, 'unknown_candidate', `CodeSignal candidate ${codesignalCandidateId} was never imported`);
    }
    const report: CodeSignalStatusReport = { candidateId: codesignalCandidateId, status: change.status, changedAt, changedByUserId: change.changedBy?.codesignalUserId ?? null };
    const target = { integrationId, opportunityId: link.leverOpportunityId };
    const workflowId = await temporalOr503(deps, 'the call', () => signalCandidateWorkflow(deps.temporal, deps.taskQueue, target, codesignalStatusSignal, report));
    res.status(202).json({ status: 'accepted', codesignalCandidateId, leverOpportunityId: link.leverOpportunityId, workflowId });
  });
  return router;
}
