import express, { type Request, type Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import { parseStoredSettings, triggerStageIds } from '../../integrations/settings';
import type { Logger } from '../../log';
import { stagesPage } from '../../activities/backfill/backfill-activities';
import { backfillProgressQuery, backfillWorkflowId, type BackfillInput } from '../../workflows/backfill/messages';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { temporalOr503, withinDeadline } from '../temporal';
import { parseBody } from '../validate';
import { requireAdmin } from './admin-auth';
import { integrationPriority } from '../../temporal/fairness';

export interface BackfillRoutesDeps {
  db: Db;
  box: SecretBox;
  adminToken: string | undefined;
  clients: IntegrationClients;
  temporal: Client;
  temporalTimeoutMs: number;
  /** The workers' task queue (TEMPORAL_TASK_QUEUE). */
  taskQueue: string;
  logger: Logger;
}

/** The preview counts at most this many Lever pages (of 100) per request: beyond, it says "at least". */
export const previewPageCap = 50;

const runSchema = z.strictObject({ stageIds: z.array(z.string().min(1).max(200)).min(1).max(50) });

/**
 * Backfill: when trigger stages are configured, the candidates already sitting in them are left alone
 * until an admin confirms. GET …/backfill/preview counts them per stage (read from Lever under the
 * integration's rate limit; nothing is started); POST …/backfill runs the flow for them in a backfill
 * workflow (src/workflows/backfill); GET …/backfill shows its progress.
 */
export function backfillRoutes(deps: BackfillRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/backfill';
  router.use(base, requireAdmin(deps.adminToken), express.json({ limit: '16kb' }));

  async function triggerStagesOf(integrationId: string) {
    const integration = await integrationOr404(deps.db, deps.box, integrationId);
    const settings = parseStoredSettings(integration.settings);
    return { integration, triggers: triggerStageIds(settings) };
  }

  /** Only trigger stages may be backfilled: any other is a 400 naming it. */
  const onlyTriggers = (triggers: string[], stageIds: string[]) => {
    const unknown = stageIds.filter((s) => !triggers.includes(s));
    if (unknown.length) throw new HttpError(400, 'not_a_trigger_stage', `stageIds: ${unknown.join(', ')} is not a trigger stage of this integration`);
  };

  const leverUnavailable = (err: unknown) => {
    if (err instanceof ExternalApiError) return new HttpError(502, 'lever_unavailable', `could not list the stages' candidates in Lever: ${err.message}`);
    return err;
  };

  router.get(`${base}/preview`, async (req, res) => {
    const { integration, triggers } = await triggerStagesOf(req.params.integrationId!);
    const asked = typeof req.query.stageIds === 'string' && req.query.stageIds ? req.query.stageIds.split(',') : triggers;
    onlyTriggers(triggers, asked);
    const counts = new Map(asked.map((s) => [s, 0]));
    let next: string | undefined;
    let pages = 0;
    try {
      if (asked.length) {
        do {
          const page = await stagesPage(deps.clients.lever(integration), asked, next);
          for (const o of page.data) if (counts.has(o.stage) && !o.archived) counts.set(o.stage, counts.get(o.stage)! + 1);
          next = page.next;
          pages += 1;
        } while (next !== undefined && pages < previewPageCap);
      }
    } catch (err) {
      throw leverUnavailable(err);
    }
    const complete = next === undefined;
    res.json({ complete, stages: asked.map((stageId) => ({ stageId, candidates: counts.get(stageId)! })) });
  });

  router.post(base, async (req, res) => {
    const { triggers } = await triggerStagesOf(req.params.integrationId!);
    const { stageIds } = parseBody(runSchema, req.body);
    onlyTriggers(triggers, stageIds);
    const integrationId = req.params.integrationId!;
    const input: BackfillInput = { integrationId, stageIds: [...new Set(stageIds)], requestedBy: requester(req) };
    const workflowId = backfillWorkflowId(integrationId);
    try {
      await temporalOr503({ ...deps }, 'the backfill', () =>
        deps.temporal.workflow.start('backfillWorkflow', {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [input],
          // one at a time; a finished one may be followed by another
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
          priority: integrationPriority(integrationId),
        }), { passThrough: (err) => err instanceof WorkflowExecutionAlreadyStartedError });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, 'backfill_running', 'a backfill of this integration is running; wait for it to finish');
      throw err;
    }
    deps.logger.info({ integrationId, stages: input.stageIds.length }, 'backfill started');
    res.status(202).json({ workflowId, status: 'running' });
  });

  router.get(base, async (req, res) => {
    const { integration } = await triggerStagesOf(req.params.integrationId!);
    try {
      const progress = await withinDeadline(deps, () => deps.temporal.workflow.getHandle(backfillWorkflowId(integration.id)).query(backfillProgressQuery));
      res.json({ workflowId: backfillWorkflowId(integration.id), progress });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'no_backfill', `integration ${integration.id} has had no backfill`);
      throw err;
    }
  });
  return router;
}

/** Who started it, for the run's input: the logged-in admin, or the bearer token. */
function requester(req: Request): string {
  const session = (req as Request & { session?: { adminUserId?: string } }).session;
  return session?.adminUserId ? `admin:${session.adminUserId}` : 'admin-token';
}
