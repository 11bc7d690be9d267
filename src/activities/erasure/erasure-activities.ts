import { getClient, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CodeSignalClient } from '../../codesignal/client';
import { importSubject, opportunitySubject, subjectRef, type DataKeyStore } from '../../crypto/data-keys';
import { inTransaction, type Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { IntegrationContexts } from '../../integrations/context';
import type { Logger } from '../../log';
import type { CandidateHoldings, CodeSignalErasure, ErasureConfirmation, ErasureInput, ErasureReceipt, NotDeleted } from '../../workflows/erasure/messages';
import { candidateWorkflowId, importWorkflowId } from '../../workflows/shared/ids';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../../workflows/shared/search-attributes';

export interface ErasureActivityDeps {
  db: Db;
  contexts: IntegrationContexts;
  /** The candidates' data keys; without them nothing can be shredded and the erasure fails (retried) with that reason. */
  dataKeys: DataKeyStore | undefined;
  logger?: Logger;
  /** Default: the worker's own client (its connection and namespace). */
  client?: () => Client;
}

interface Target {
  integrationId: string;
  opportunityId: string;
}

/** CodeSignal session states in which the invitation is still open (README "Erasure": only those can be withdrawn). */
const openSessionStates = new Set(['pending', 'active', 'gracePeriod']);
const goneStates = new Set(['deleted', 'deletedForPii']);

const notFound = (err: unknown) => err instanceof ExternalApiError && (err.status === 404 || err.code === 'NotFound');

/** Each delete is idempotent: an item CodeSignal no longer has counts as deleted; a non-retryable refusal is reported, a retryable one retries the activity. */
async function deleteOrReport(kind: NotDeleted['kind'], id: string, remove: () => Promise<'deleted' | string>): Promise<NotDeleted | null> {
  try {
    const outcome = await remove();
    return outcome === 'deleted' ? null : { kind, id, reason: outcome };
  } catch (err) {
    if (notFound(err)) return null;
    if (err instanceof ExternalApiError && !err.retryable) return { kind, id, reason: `CodeSignal refused: ${err.code}` };
    throw err;
  }
}

async function eraseSession(codesignal: CodeSignalClient, id: string): Promise<'deleted' | string> {
  const session = await codesignal.getTestSession(id);
  if (goneStates.has(session.status)) return 'deleted';
  if (!openSessionStates.has(session.status)) return `finished (${session.status}): CodeSignal's API withdraws only open invitations; its result stays in CodeSignal`;
  // the candidate was deleted in Lever: they are not e-mailed about the withdrawal
  await codesignal.deleteTestSession(id, false);
  return 'deleted';
}

async function eraseRoom(codesignal: CodeSignalClient, id: string): Promise<'deleted' | string> {
  const room = await codesignal.getLiveInterview(id);
  if (room.status === 'deleted') return 'deleted';
  if (room.status !== 'pending') return `${room.status}: CodeSignal's API deletes only interviews that have not started`;
  await codesignal.deleteLiveInterview(id);
  return 'deleted';
}

/**
 * A candidate's erasure (src/workflows/erasure): confirm with Lever, read what the service holds,
 * destroy the data keys, end the workflows, delete in CodeSignal, remove the rows, write the receipt.
 * Each step is idempotent, so a retried or replayed step does what is left and counts what it did.
 */
export function createErasureActivities(deps: ErasureActivityDeps) {
  const client = deps.client ?? getClient;

  return {
    /**
     * The source of truth before any effect: Lever no longer has the opportunity (404) or its contact is
     * anonymized; for a session CodeSignal deleted for PII, CodeSignal shows it so.
     */
    async confirmErasure({ integrationId, opportunityId, trigger, sessionId }: ErasureInput): Promise<ErasureConfirmation> {
      const { lever, codesignal } = await deps.contexts.get(integrationId);
      if (trigger === 'codesignalDeletedForPii') {
        if (!sessionId) return 'refused';
        const owned = await deps.db.query('SELECT 1 FROM assessment_sessions WHERE integration_id = $1 AND opportunity_id = $2 AND session_id = $3', [integrationId, opportunityId, sessionId]);
        if (owned.rows.length === 0) return 'refused';
        return (await codesignal.getTestSession(sessionId)).status === 'deletedForPii' ? 'codesignal-deleted-for-pii' : 'refused';
      }
      try {
        const opportunity = await lever.getOpportunity(opportunityId);
        return opportunity.isAnonymized === true ? 'lever-anonymized' : 'refused';
      } catch (err) {
        if (err instanceof ExternalApiError && err.status === 404) return 'lever-deleted';
        throw err;
      }
    },

    async collectCandidateHoldings({ integrationId, opportunityId }: Target): Promise<CandidateHoldings> {
      const sessions = await deps.db.query<{ session_id: string; workflow_id: string }>(
        'SELECT session_id, workflow_id FROM assessment_sessions WHERE integration_id = $1 AND opportunity_id = $2 ORDER BY created_at',
        [integrationId, opportunityId],
      );
      const rooms = await deps.db.query<{ room_id: string; workflow_id: string }>(
        'SELECT room_id, workflow_id FROM interview_rooms WHERE integration_id = $1 AND opportunity_id = $2 ORDER BY created_at',
        [integrationId, opportunityId],
      );
      const links = await deps.db.query<{ codesignal_candidate_id: string }>(
        'SELECT codesignal_candidate_id FROM candidate_links WHERE integration_id = $1 AND lever_opportunity_id = $2',
        [integrationId, opportunityId],
      );
      const importCandidateIds = links.rows.map((r) => r.codesignal_candidate_id);
      return {
        reference: subjectRef(opportunitySubject(integrationId, opportunityId)),
        sessionIds: sessions.rows.map((r) => r.session_id),
        roomIds: rooms.rows.map((r) => r.room_id),
        workflowIds: [...new Set([
          candidateWorkflowId(integrationId, opportunityId),
          ...sessions.rows.map((r) => r.workflow_id),
          ...rooms.rows.map((r) => r.workflow_id),
          ...importCandidateIds.map((id) => importWorkflowId(integrationId, id)),
        ])],
        importCandidateIds,
      };
    },

    /**
     * Crypto-shredding: from here on the candidate's payloads in Temporal cannot be opened, and nothing new is
     * encrypted for them — once every process's cache of the key has expired (`settleSeconds`, which the
     * workflow waits before it ends the candidate's workflows, so one started meanwhile is ended too).
     */
    async destroyCandidateKeys({ integrationId, opportunityId, importCandidateIds }: Target & { importCandidateIds: string[] }): Promise<{ destroyed: number; settleSeconds: number }> {
      if (!deps.dataKeys) throw new Error('the worker has no data-key store; candidate data keys cannot be destroyed');
      const subjects = [opportunitySubject(integrationId, opportunityId), ...importCandidateIds.map((id) => importSubject(integrationId, id))];
      let destroyed = 0;
      for (const subject of subjects) if ((await deps.dataKeys.erase(subject)).destroyed) destroyed += 1;
      return { destroyed, settleSeconds: deps.dataKeys.cacheSeconds };
    },

    /** Terminates every running workflow of the candidate: those the service knows by id and those Temporal's visibility lists for the opportunity. */
    async endCandidateWorkflows({ integrationId, opportunityId, workflowIds }: Target & { workflowIds: string[] }): Promise<number> {
      const temporal = client();
      const ids = new Set(workflowIds);
      const query = `${IntegrationIdKey.name} = '${integrationId}' AND ${LeverOpportunityIdKey.name} = '${opportunityId}' AND ExecutionStatus = 'Running'`;
      for await (const run of temporal.workflow.list({ query, pageSize: 100 })) ids.add(run.workflowId);
      let ended = 0;
      for (const id of ids) {
        heartbeat({ ended });
        try {
          const handle = temporal.workflow.getHandle(id);
          const { status } = await handle.describe();
          if (status.name !== 'RUNNING') continue;
          await handle.terminate('candidate erased (README "Erasure")');
          ended += 1;
        } catch (err) {
          // never started, or closed meanwhile: nothing to end
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return ended;
    },

    async deleteFromCodeSignal({ integrationId, sessionIds, roomIds }: { integrationId: string; sessionIds: string[]; roomIds: string[] }): Promise<CodeSignalErasure> {
      const { codesignal } = await deps.contexts.get(integrationId);
      const notDeleted: NotDeleted[] = [];
      let deletedSessions = 0;
      let deletedInterviews = 0;
      for (const id of sessionIds) {
        heartbeat();
        const refused = await deleteOrReport('session', id, () => eraseSession(codesignal, id));
        if (refused) notDeleted.push(refused);
        else deletedSessions += 1;
      }
      for (const id of roomIds) {
        heartbeat();
        const refused = await deleteOrReport('interview', id, () => eraseRoom(codesignal, id));
        if (refused) notDeleted.push(refused);
        else deletedInterviews += 1;
      }
      return { deletedSessions, deletedInterviews, notDeleted };
    },

    /** Every row of the service about the candidate, in one transaction: all or nothing, and nothing left to a second run. */
    async deleteCandidateRows({ integrationId, opportunityId, sessionIds, importCandidateIds }: Target & { sessionIds: string[]; importCandidateIds: string[] }): Promise<Record<string, number>> {
      const statements: Array<[string, string, unknown[]]> = [
        ['parked_session_events', 'DELETE FROM parked_session_events WHERE integration_id = $1 AND session_id = ANY($2)', [integrationId, sessionIds]],
        ['assessment_sessions', 'DELETE FROM assessment_sessions WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
        ['interview_rooms', 'DELETE FROM interview_rooms WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
        ['candidate_links', 'DELETE FROM candidate_links WHERE integration_id = $1 AND (lever_opportunity_id = $2 OR codesignal_candidate_id = ANY($3))', [integrationId, opportunityId, importCandidateIds]],
        ['candidate_directory', 'DELETE FROM candidate_directory WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
        // their raw bodies go with them (ON DELETE CASCADE)
        ['webhook_deliveries', 'DELETE FROM webhook_deliveries WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
        ['public_link_sessions', 'DELETE FROM public_link_sessions WHERE integration_id = $1 AND (opportunity_id = $2 OR $2 = ANY(match_opportunity_ids))', [integrationId, opportunityId]],
        ['dry_run_decisions', 'DELETE FROM dry_run_decisions WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
        ['tag_commands', 'DELETE FROM tag_commands WHERE integration_id = $1 AND opportunity_id = $2', [integrationId, opportunityId]],
      ];
      return inTransaction(deps.db, async (conn) => {
        const removed: Record<string, number> = {};
        for (const [table, sql, params] of statements) removed[table] = (await conn.query(sql, params)).rowCount ?? 0;
        return removed;
      });
    },

    /** The receipt in the audit log, once per erasure (a unique index on the reference); answers it. */
    async recordErasureReceipt({ integrationId, receipt }: { integrationId: string; receipt: ErasureReceipt }): Promise<void> {
      await deps.db.query(
        `INSERT INTO audit_log (actor, actor_kind, source_ip, action, integration_id, target, outcome, details)
         VALUES ('service', 'service', NULL, 'candidate.erased', $1, $2, 200, $3)
         ON CONFLICT (target) WHERE action = 'candidate.erased' DO NOTHING`,
        [integrationId, receipt.reference, JSON.stringify(receipt)],
      );
    },
  };
}

export type ErasureActivities = ReturnType<typeof createErasureActivities>;
