import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import express, { type Router } from 'express';
import { z } from 'zod';
import { findPublicLinkSession, listPublicLinkSessions, loadPublicLinkSettings, savePublicLinkSettings, type PublicLinkSessionRecord, type StoredPublicLinkSettings } from '../../activities/public-links/repository';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import { candidateNames, type CandidateDirectory } from '../../db/candidate-directory';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationClients } from '../../integrations/clients';
import { PUBLIC_LINK_STATES, publicLinkSettingsSchema } from '../../integrations/public-link-settings';
import { parseStoredSettings } from '../../integrations/settings';
import { publicLinkDecisionUpdate, type PublicLinkDecision, type PublicLinkScanInput, type PublicLinkScanSummary, type PublicLinkSessionInput } from '../../workflows/public-links/messages';
import { isCanonicalUuid, publicLinkScanWorkflowId, publicLinkSessionWorkflowId } from '../../workflows/shared/ids';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { requireAdmin } from '../admin/admin-auth';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseBody, parseQuery } from '../validate';
import { describePublicLinkSchedule, syncPublicLinkSchedule, type ScheduleDeps, type ScheduleStatus } from './schedule';
import { withinDeadline } from '../temporal';
import { integrationPriority } from '../../temporal/fairness';

export interface PublicLinkRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  adminToken: string | undefined;
  taskQueue: string;
  /** Builds the integration's Lever and CodeSignal clients (app.ts: one for the API). */
  clients: IntegrationClients;
  /** Deadline of the quick Temporal calls (the schedule's create/update/describe). */
  temporalTimeoutMs: number;
  /** Names the sessions' Lever opportunities (the candidate timeline's directory); without it `opportunityNames` is empty. */
  directory?: CandidateDirectory;
  /** How long `POST …/run` waits for the scan's summary before answering 202 (default 25 s). */
  runWaitMs?: number;
}

/** The read-only fields of the settings' GET answer, which PUT accepts back and ignores (the UI sends what it read). */
const settingsViewOnly = ['integrationId', 'updatedAt', 'schedule'];

const sessionsQuerySchema = z.object({
  state: z.enum(PUBLIC_LINK_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const decisionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('post'), opportunityId: z.string().refine(isCanonicalUuid, 'must be a Lever opportunity id: a UUID in lower case') }),
  z.strictObject({ action: z.literal('import') }),
  z.strictObject({ action: z.literal('dismiss') }),
]);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function settingsView(integrationId: string, s: StoredPublicLinkSettings, schedule: ScheduleStatus) {
  return {
    integrationId,
    enabled: s.enabled,
    testIds: s.testIds,
    intervalMinutes: s.intervalMinutes,
    lookBackDays: s.lookBackDays,
    onMatch: s.onMatch,
    onNoMatch: s.onNoMatch,
    updatedAt: iso(s.updatedAt),
    schedule,
  };
}

/**
 * A public-link session as the admin sees it: who took which test when, how it matched, and what became
 * of it. `opportunityNames`: the Lever candidates' names the directory knows, by opportunity id (of the
 * session's opportunity and its matches).
 */
export function sessionView(r: PublicLinkSessionRecord, names: ReadonlyMap<string, string> = new Map()) {
  const opportunityNames = Object.fromEntries([r.opportunityId, ...r.matchOpportunityIds].flatMap((id) => (id && names.has(id) ? [[id, names.get(id)!]] : [])));
  return {
    sessionId: r.sessionId,
    state: r.state,
    testId: r.testId,
    testTitle: r.testTitle,
    finishedAt: iso(r.finishedAt),
    candidate: { name: r.candidateName, email: r.candidateEmail },
    score: r.score,
    maxScore: r.maxScore,
    match: { reason: r.matchReason, opportunityIds: r.matchOpportunityIds },
    action: r.action,
    opportunityId: r.opportunityId,
    opportunityNames,
    decidedBy: r.decidedBy,
    error: r.error,
    workflowId: publicLinkSessionWorkflowId(r.integrationId, r.sessionId),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const invalidSettings = (issues: Array<{ path: string; message: string }>) =>
  new HttpError(400, 'invalid_settings', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });

/**
 * Admin API of public-link results (docs/public-links.md): the settings (saving them creates, updates or
 * pauses the integration's Temporal Schedule), the sessions found, an admin's decision on a pending one,
 * and a scan now.
 */
export function publicLinkRoutes(deps: PublicLinkRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/public-links';
  router.use(base, requireAdmin(deps.adminToken), express.json({ limit: '64kb' }));
  const schedules: ScheduleDeps & { db: Db } = { db: deps.db, client: deps.temporal, taskQueue: deps.taskQueue, timeoutMs: deps.temporalTimeoutMs };

  const integrationOf = (id: string) => integrationOr404(deps.db, deps.box, id);
  /** Sessions as listed, their opportunities named from the candidate directory. */
  const viewsOf = async (integrationId: string, rows: PublicLinkSessionRecord[]) => {
    const names = await candidateNames(deps.directory, integrationId, rows.flatMap((r) => [r.opportunityId, ...r.matchOpportunityIds]));
    return rows.map((r) => sessionView(r, names));
  };

  router.get(`${base}/settings`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const settings = await loadPublicLinkSettings(deps.db, integration.id);
    res.json(settingsView(integration.id, settings, await describePublicLinkSchedule(schedules, integration.id)));
  });

  // Replaces the settings (omitted fields take their defaults); the tests are checked against CodeSignal.
  router.put(`${base}/settings`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const raw: unknown = req.body && typeof req.body === 'object' && !Array.isArray(req.body)
      ? Object.fromEntries(Object.entries(req.body as Record<string, unknown>).filter(([k]) => !settingsViewOnly.includes(k)))
      : req.body;
    const settings = parseBody(publicLinkSettingsSchema, raw);

    const issues: Array<{ path: string; message: string }> = [];
    if (settings.enabled && settings.testIds.length === 0) issues.push({ path: 'testIds', message: 'name at least one CodeSignal test to enable public-link results' });
    if (settings.enabled && !parseStoredSettings(integration.settings).defaultLeverUserId) {
      issues.push({ path: 'enabled', message: 'results are written to Lever as the default Lever user: set defaultLeverUserId first' });
    }
    if (settings.testIds.length > 0) {
      const codesignal = deps.clients.codesignal(integration);
      let known: Set<string>;
      try {
        known = new Set((await codesignal.listAllCompanyTests()).map((t) => t.id));
      } catch (err) {
        if (err instanceof ExternalApiError) throw new HttpError(502, 'codesignal_unavailable', `could not check the tests against CodeSignal: ${err.message}`);
        throw err;
      }
      settings.testIds.forEach((id, i) => {
        if (!known.has(id)) issues.push({ path: `testIds.${i}`, message: `unknown CodeSignal test ${id}` });
      });
    }
    if (issues.length > 0) throw invalidSettings(issues);

    const saved = await savePublicLinkSettings(deps.db, integration.id, settings);
    try {
      await syncPublicLinkSchedule(schedules, integration.id, saved);
    } catch (err) {
      throw new HttpError(
        503,
        'schedule_not_updated',
        `the settings were saved, but the Temporal Schedule could not be brought in line (${err instanceof Error ? err.message : String(err)}); saving again or restarting the API does it`,
      );
    }
    res.json(settingsView(integration.id, saved, await describePublicLinkSchedule(schedules, integration.id)));
  });

  router.get(`${base}/sessions`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const query = parseQuery(sessionsQuerySchema, req.query);
    const sessions = await listPublicLinkSessions(deps.db, integration.id, { state: query.state, limit: query.limit });
    res.json({ sessions: await viewsOf(integration.id, sessions) });
  });

  // The session id is a CodeSignal id, checked at the edge (src/api/ids.ts)
  router.post(`${base}/sessions/:sessionId/decision`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const sessionId = req.params.sessionId!;
    const decision: PublicLinkDecision = parseBody(decisionSchema, req.body);
    const row = await findPublicLinkSession(deps.db, integration.id, sessionId);
    if (!row) throw new HttpError(404, 'unknown_session', `no public-link session ${sessionId} was found for this integration`);
    if (row.state !== 'pending' && row.state !== 'failed') {
      throw new HttpError(409, 'not_pending', `public-link session ${sessionId} is ${row.state}; only a pending or failed one takes a decision`);
    }
    if (decision.action !== 'dismiss' && !parseStoredSettings(integration.settings).defaultLeverUserId) {
      throw new HttpError(400, 'invalid_decision', 'action: results are written to Lever as the default Lever user: set defaultLeverUserId first', {
        issues: [{ path: 'action', message: 'no default Lever user is configured' }],
      });
    }
    if (decision.action === 'import' && !row.candidateEmail) {
      throw new HttpError(400, 'invalid_decision', 'action: the session has no e-mail address to import by; post it to an opportunity instead', {
        issues: [{ path: 'action', message: 'the session has no e-mail address to import by' }],
      });
    }
    if (decision.action === 'post') {
      const lever = deps.clients.lever(integration);
      try {
        await lever.getOpportunity(decision.opportunityId);
      } catch (err) {
        if (err instanceof ExternalApiError && err.status === 404) {
          throw new HttpError(400, 'invalid_decision', `opportunityId: unknown Lever opportunity ${decision.opportunityId}`, {
            issues: [{ path: 'opportunityId', message: `unknown Lever opportunity ${decision.opportunityId}` }],
          });
        }
        if (err instanceof ExternalApiError) throw new HttpError(502, 'lever_unavailable', `could not read the opportunity from Lever: ${err.message}`);
        throw err;
      }
    }

    await sendDecision(deps, integration.id, sessionId, decision);
    const after = (await findPublicLinkSession(deps.db, integration.id, sessionId))!;
    const [session] = await viewsOf(integration.id, [after]);
    res.status(decision.action === 'dismiss' ? 200 : 202).json({ session });
  });

  // A scan now, as the schedule runs it; answers its summary, or 202 while it is still running.
  router.post(`${base}/run`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const settings = await loadPublicLinkSettings(deps.db, integration.id);
    if (!settings.enabled) throw new HttpError(409, 'public_links_disabled', 'public-link results are disabled for this integration; enable them in …/public-links/settings first');
    const workflowId = publicLinkScanWorkflowId(integration.id);
    const args: [PublicLinkScanInput] = [{ integrationId: integration.id }];
    const handle = await withinDeadline(deps, () =>
      deps.temporal.workflow.start('publicLinkScanWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args,
        // a scan the admin started that is still running is joined, not started twice
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [{ key: IntegrationIdKey, value: integration.id }],
        priority: integrationPriority(integration.id),
      }),
    );
    const waitMs = deps.runWaitMs ?? 25_000;
    const deadline = Date.now() + waitMs;
    try {
      const summary = (await withinDeadline(deps, () => handle.result(), waitMs)) as PublicLinkScanSummary;
      res.json({ workflowId, runId: handle.firstExecutionRunId, status: 'completed', summary });
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw new HttpError(502, 'scan_failed', `the scan failed: ${err.cause?.message ?? err.message}`);
      if (Date.now() < deadline - 100) throw err;
      res.status(202).json({ workflowId, runId: handle.firstExecutionRunId, status: 'running' });
    }
  });
  return router;
}

/**
 * Hands the decision to the session's workflow (update `publicLinkDecision`), which records it and
 * acts on it. A pending session's workflow is waiting for it; one that is no longer running (a failed
 * session, or a workflow an operator ended) is started again and picks the pending row up first.
 */
async function sendDecision(deps: PublicLinkRoutesDeps, integrationId: string, sessionId: string, decision: PublicLinkDecision): Promise<void> {
  const workflowId = publicLinkSessionWorkflowId(integrationId, sessionId);
  const update = () =>
    withinDeadline(
      deps,
      () => deps.temporal.workflow.getHandle(workflowId).executeUpdate(publicLinkDecisionUpdate, { args: [decision] }),
      // the update waits for the workflow to act on it
      Math.max(deps.temporalTimeoutMs, 20_000),
    );
  try {
    try {
      await update();
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const args: [PublicLinkSessionInput] = [{ integrationId, sessionId }];
    await withinDeadline(deps, () =>
      deps.temporal.workflow.start('publicLinkSessionWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
        priority: integrationPriority(integrationId),
      }),
    );
    await update();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === 'NotPending') throw new HttpError(409, 'not_pending', cause.message);
      throw new HttpError(400, 'invalid_decision', cause?.message ?? err.message);
    }
    throw err;
  }
}
