import type { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseCodeSignalEvent, type CodeSignalWebhook } from '../codesignal/webhook-events';
import { findCandidateLink } from '../db/candidate-links';
import type { SecretBox } from '../crypto/secret-box';
import { findIntegration } from '../db/integrations';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { importWorkflowId } from '../workflows/ids';
import { importRequestedSignal, importStateQuery, type ImportRequest, type ImportState } from '../workflows/import-messages';
import type { importWorkflow } from '../workflows/import-workflow';
import { IntegrationIdKey } from '../workflows/search-attributes';
import { requireAdmin } from './admin-auth';
import { HttpError } from './errors';
import { idCheckedRouter, unknownIntegration } from './ids';

export interface ImportIngressDeps {
  temporal: Client;
  taskQueue: string;
  temporalTimeoutMs: number;
}

/**
 * `sourcingCandidateImportRequested` → signal-with-start of the candidate's import workflow: one
 * round trip, durable once it returns. A payload that does not parse is acknowledged and dropped
 * (CodeSignal would only retry it); Temporal not answering is a 503 so CodeSignal retries.
 */
export async function acceptImportRequest(
  deps: ImportIngressDeps,
  integrationId: string,
  delivery: CodeSignalWebhook,
  log: Logger,
): Promise<{ status: 'accepted'; workflowId: string } | { status: 'ignored'; reason: string }> {
  const parsed = parseCodeSignalEvent(delivery);
  if (!parsed.ok || parsed.event.event !== 'sourcingCandidateImportRequested') {
    log.warn({ issues: parsed.ok ? undefined : parsed.issues }, 'import request without a usable payload; ignored');
    return { status: 'ignored', reason: 'invalid payload' };
  }
  const { candidateId, requestedByUserId } = parsed.event.payload;
  const workflowId = importWorkflowId(integrationId, candidateId);
  try {
    await deps.temporal.connection.withDeadline(Date.now() + deps.temporalTimeoutMs, () =>
      deps.temporal.workflow.signalWithStart<typeof importWorkflow, [ImportRequest]>('importWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ integrationId, codesignalCandidateId: candidateId }],
        signal: importRequestedSignal,
        signalArgs: [{ requestedByUserId, triggeredOn: parsed.event.triggeredOn }],
        typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
      }),
    );
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'Temporal unavailable; CodeSignal will retry');
    throw new HttpError(503, 'temporal_unavailable', 'the event could not be recorded; retry later');
  }
  return { status: 'accepted', workflowId };
}

/** GET /api/integrations/:id/imports/:codesignalCandidateId — the import's state and its Lever opportunity. */
export function importRoutes(deps: { db: Db; box: SecretBox; temporal: Client; adminToken: string | undefined }): Router {
  const router = idCheckedRouter();
  const path = '/api/integrations/:integrationId/imports/:codesignalCandidateId';
  router.use(path, requireAdmin(deps.adminToken));

  router.get(path, async (req, res) => {
    const { integrationId, codesignalCandidateId } = req.params as { integrationId: string; codesignalCandidateId: string };
    if (!(await findIntegration(deps.db, deps.box, integrationId))) throw unknownIntegration(integrationId);
    const link = await findCandidateLink(deps.db, integrationId, codesignalCandidateId);
    let state: ImportState | undefined;
    try {
      state = await deps.temporal.workflow.getHandle(importWorkflowId(integrationId, codesignalCandidateId)).query(importStateQuery);
    } catch (err) {
      // a workflow past its retention is gone; the recorded link still answers
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (!state && !link) throw new HttpError(404, 'unknown_import', `no import of CodeSignal candidate ${codesignalCandidateId}`);
    res.json({
      integrationId,
      codesignalCandidateId,
      status: state?.status ?? 'imported',
      leverOpportunityId: link?.leverOpportunityId ?? state?.leverOpportunityId ?? null,
      workflow: state ?? null,
      link: link
        ? {
            leverOpportunityId: link.leverOpportunityId,
            leverContactId: link.leverContactId,
            candidateEmail: link.candidateEmail,
            outcome: link.outcome,
            requestedByCodesignalUserId: link.requestedByCodesignalUserId,
            createdByLeverUserId: link.createdByLeverUserId,
            creatorFallback: link.creatorFallback,
            contactDeduped: link.contactDeduped,
            createdAt: link.createdAt.toISOString(),
          }
        : null,
    });
  });
  return router;
}
