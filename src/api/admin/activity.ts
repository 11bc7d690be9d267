import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { candidateNames, type CandidateDirectory } from '../../db/candidate-directory';
import type { Db } from '../../db/pool';
import { deliveryOutcomes, listWebhookDeliveries, type DeliveryOutcome, maxDeliveriesListed, webhookSources } from '../../db/webhook-deliveries';
import { IntegrationIdKey, LeverOpportunityIdKey, LeverStageKey } from '../../workflows/shared/search-attributes';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseQuery } from '../validate';
import { requireAdmin } from './admin-auth';
import { withinDeadline } from '../temporal';
import { deliveryView } from '../ingress/delivery-log';
import { listReconciliationRuns } from '../../activities/reconciliation/runs-repository';
import { describeReconciliationSchedule } from '../../temporal/reconciliation-schedule';

export interface ActivityRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  adminToken: string | undefined;
  namespace: string;
  /** Base of the Temporal Web UI that deep links point into; without one, links are null. */
  temporalUiUrl: string | undefined;
  temporalTimeoutMs: number;
  /** Names the candidates of deliveries and runs (the candidate timeline's directory); without it `candidateName` is null. */
  directory?: CandidateDirectory;
}

const limit = z.coerce.number().int().min(1).max(maxDeliveriesListed).default(50);
/** `outcome=failed,rejected`: deliveries of any of the outcomes listed; the 400 names an unknown one. */
const outcomeList = z
  .string()
  .transform((value, ctx) => {
    const listed = value.split(',').map((o) => o.trim()).filter(Boolean);
    const unknown = listed.filter((o) => !(deliveryOutcomes as readonly string[]).includes(o));
    if (unknown.length > 0 || listed.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${listed.length === 0 ? 'name at least one outcome' : `unknown outcome ${unknown.join(', ')}`}; expected a comma-separated list of ${deliveryOutcomes.join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(listed)] as DeliveryOutcome[];
  })
  .optional();
const deliveriesQuerySchema = z.object({ limit, outcome: outcomeList, source: z.enum(webhookSources).optional() });
const runsQuerySchema = z.object({ limit });
const reconciliationQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) });

/**
 * A workflow's page in the Temporal Web UI (2.x routes): the given run's history, or without a run id
 * the UI's redirect to the latest run — deliveries record the workflow they reached, not the run.
 */
export function temporalUiLink(uiUrl: string | undefined, namespace: string, workflowId: string, runId?: string): string | null {
  if (!uiUrl) return null;
  const workflow = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${workflow}/${encodeURIComponent(runId)}/history` : workflow;
}

/** A workflow run as the admin API shows it (Activity's runs, a candidate's workflows). */
export function runView(deps: Pick<ActivityRoutesDeps, 'temporalUiUrl' | 'namespace'>, r: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'type' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>) {
  return {
    workflowId: r.workflowId,
    runId: r.runId,
    workflowType: r.type,
    status: r.status.name,
    startTime: r.startTime.toISOString(),
    closeTime: r.closeTime?.toISOString() ?? null,
    opportunityId: r.typedSearchAttributes.get(LeverOpportunityIdKey) ?? null,
    stage: r.typedSearchAttributes.get(LeverStageKey) ?? null,
    temporalUrl: temporalUiLink(deps.temporalUiUrl, deps.namespace, r.workflowId, r.runId),
  };
}

/**
 * Activity of one integration for the operations UI: the webhook deliveries it received and how they
 * were answered, and its workflow runs from Temporal visibility (every workflow the service starts
 * carries the IntegrationId search attribute: candidate and import workflows get it at start,
 * assessment and interview children inherit their parent's).
 */
export function activityRoutes(deps: ActivityRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/activity';
  router.use(base, requireAdmin(deps.adminToken));

  const knownIntegration = async (id: string): Promise<string> => (await integrationOr404(deps.db, deps.box, id)).id;
  const namesOf = (integrationId: string, ids: Array<string | null | undefined>) => candidateNames(deps.directory, integrationId, ids);

  router.get(`${base}/webhooks`, async (req, res) => {
    const query = parseQuery(deliveriesQuerySchema, req.query);
    const integrationId = await knownIntegration(req.params.integrationId);
    const deliveries = await listWebhookDeliveries(deps.db, integrationId, query);
    const names = await namesOf(integrationId, deliveries.map((d) => d.opportunityId));
    res.json({
      deliveries: deliveries.map((d) => ({
        ...deliveryView(d),
        candidateName: (d.opportunityId && names.get(d.opportunityId)) ?? null,
        temporalUrl: d.workflowId ? temporalUiLink(deps.temporalUiUrl, deps.namespace, d.workflowId) : null,
      })),
    });
  });

  // Visibility's own order: open runs first, then closed ones by close time, newest first. The
  // iterator pages lazily, so stopping at the limit fetches no further page.
  router.get(`${base}/runs`, async (req, res) => {
    const query = parseQuery(runsQuerySchema, req.query);
    const integrationId = await knownIntegration(req.params.integrationId);
    const runs: WorkflowExecutionInfo[] = [];
    try {
      await withinDeadline(deps, async () => {
        for await (const run of deps.temporal.workflow.list({ query: `${IntegrationIdKey.name} = '${integrationId}'`, pageSize: query.limit })) {
          runs.push(run);
          if (runs.length >= query.limit) break;
        }
      });
    } catch (err) {
      throw new HttpError(503, 'temporal_unavailable', `Temporal visibility did not answer: ${(err as Error).message}`);
    }
    const names = await namesOf(integrationId, runs.map((r) => r.typedSearchAttributes.get(LeverOpportunityIdKey)));
    res.json({
      runs: runs.map((r) => {
        const view = runView(deps, r);
        return { ...view, candidateName: (view.opportunityId && names.get(view.opportunityId)) ?? null };
      }),
    });
  });

  // The reconciliation sweeps (README "Reconciliation"): their Schedule, and each run's findings and
  // repairs (identifiers and counts), newest first; `codesignalWebhookSilent` flags a run that found
  // CodeSignal results whose webhook never arrived.
  router.get(`${base}/reconciliation`, async (req, res) => {
    const query = parseQuery(reconciliationQuerySchema, req.query);
    const integrationId = await knownIntegration(req.params.integrationId);
    const [schedule, runs] = await Promise.all([
      describeReconciliationSchedule({ client: deps.temporal, timeoutMs: deps.temporalTimeoutMs }, integrationId),
      listReconciliationRuns(deps.db, integrationId, query.limit),
    ]);
    res.json({
      schedule,
      runs: runs.map((r) => ({
        id: r.id,
        workflowId: r.workflowId,
        runId: r.runId,
        startedAt: r.startedAt.toISOString(),
        finishedAt: r.finishedAt?.toISOString() ?? null,
        outcome: r.outcome,
        leverSince: r.leverSince?.toISOString() ?? null,
        leverUntil: r.leverUntil?.toISOString() ?? null,
        repairs: r.repairs,
        codesignalWebhookSilent: r.codesignalWebhookSilent,
        findings: r.findings,
        errors: r.errors,
        temporalUrl: temporalUiLink(deps.temporalUiUrl, deps.namespace, r.workflowId, r.runId),
      })),
    });
  });
  return router;
}
