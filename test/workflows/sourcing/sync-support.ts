import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadSyncMapping } from '../../../src/activities/sourcing/sync-activities';
import type { SourcingStatus } from '../../../src/integrations/mappings/schema';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { candidateStateQuery, type CandidateState } from '../../../src/workflows/candidate/messages';
import { leverStatus, type SyncMapping } from '../../../src/workflows/sourcing/sync-state';
import { startSyncHarness, type SyncHarness } from '../../support/sync-harness';
import { eventually } from '../../support/stack';

/** The sync harness with assessments switched off (sync tests move candidates through every stage). */
export async function startStageSyncHarness(): Promise<SyncHarness> {
  // the worker reads the integration afresh for every activity, so a settings change applies to the next one
  const h = await startSyncHarness({ config: { INTEGRATION_CACHE_MS: '0' } });
  const res = await h.putSettings({ triggerStageIds: [] });
  if (!res.ok) throw new Error(`settings: ${res.status} ${await res.text()}`);
  return h;
}

export interface Linked {
  candidateId: string;
  opportunityId: string;
  email: string;
}

export const ids = (h: SyncHarness) => {
  const lever = h.sandboxes.lever.seed;
  const cs = h.sandboxes.codesignal.seed;
  const reason = (text: string) => lever.archiveReasons.find((r) => r.text === text)!.id;
  const csUser = (email: string) => cs.users.find((u) => u.email === email)!.id;
  return {
    accountId: lever.accountId,
    companyId: cs.companyId,
    stages: { ...lever.stageIds, reachedOut: 'lead-reached-out', responded: 'lead-responded' },
    reasons: { hired: lever.hiredReasonId, underqualified: reason('Underqualified'), withdrew: reason('Withdrew'), positionFilled: reason('Position filled') },
    leverUsers: lever.userIds,
    defaultLeverUserId: lever.defaultUserId,
    csUsers: { riley: csUser('riley.chen@acme.example'), sam: csUser('sam.patel@acme.example') },
  };
};

/**
 * A CodeSignal candidate who replied, imported into Lever by Riley clicking the Lever icon in the
 * CodeSignal sandbox (which calls the sourcing API): New lead in Lever, `replied` in CodeSignal.
 */
export async function importLinkedCandidate(h: SyncHarness, name = 'sync'): Promise<Linked> {
  const email = `${name}-${randomUUID().slice(0, 8)}@example.net`;
  const c = await h.addSourcingCandidate({ firstName: 'Sync', lastName: name, email, status: 'replied' });
  const { httpStatus, answer } = await h.clickImport(c.id, ids(h).csUsers.riley);
  if (httpStatus !== 201 || !answer.leverOpportunityId) throw new Error(`import failed: ${httpStatus} ${JSON.stringify(answer)}`);
  return { candidateId: c.id, opportunityId: answer.leverOpportunityId, email };
}

export function setLeverApiWebhooks(h: SyncHarness, leverApiWrites: boolean): void {
  h.sandboxes.leverSandbox.admin.updateSettings(ids(h).accountId, { apiWritesFireWebhooks: leverApiWrites });
}

/** A recruiter changes the status in CodeSignal: the sandbox reports it through the sourcing API (unless `report` is false). */
export async function changeInCodeSignal(h: SyncHarness, candidateId: string, status: SourcingStatus, userId: string | null, report = true) {
  const { report: sent } = await h.sandboxes.codesignalSandbox.control.changeCandidateStatus(candidateId, { status, userId, report });
  if (report && sent?.httpStatus !== 202) throw new Error(`status report answered ${sent?.httpStatus}: ${JSON.stringify(sent?.answer ?? sent?.error)}`);
}

export const codesignalStatus = (h: SyncHarness, candidateId: string) => h.sandboxes.codesignalSandbox.control.sourcingCandidate(candidateId);

/** The opportunity as Lever's control API inspects it (wire fields typed loosely there). */
export const leverOpportunity = (h: SyncHarness, opportunityId: string) =>
  h.sandboxes.leverSandbox.recruiter.inspect(ids(h).accountId, opportunityId) as ReturnType<SyncHarness['sandboxes']['leverSandbox']['recruiter']['inspect']> & {
    archived: { reason: string | null; archivedAt: number } | null;
    stageChanges: Array<{ toStageId: string; userId: string | null; updatedAt: number }>;
    updatedAt: number;
  };

export const mappingOf = (h: SyncHarness): Promise<SyncMapping> => loadSyncMapping(h.stack.db, h.integration.id);

/** The status Lever's current state maps to (null when unmapped). */
export function leverMappedStatus(h: SyncHarness, mapping: SyncMapping, opportunityId: string): SourcingStatus | null {
  const o = leverOpportunity(h, opportunityId);
  return leverStatus({ stageId: o.stage, stageAt: 0, archiveReasonId: o.archived ? (o.archived.reason ?? '(no reason)') : null, archivedAt: 0 }, mapping);
}

export const candidateHandle = (h: SyncHarness, opportunityId: string) =>
  h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, opportunityId));

export async function syncStateOf(h: SyncHarness, opportunityId: string): Promise<CandidateState['sync']> {
  return (await candidateHandle(h, opportunityId).query(candidateStateQuery)).sync;
}

/** Sync writes that reached the sandboxes for one linked pair since `since`. */
export function syncWrites(h: SyncHarness, linked: Linked, since: number) {
  const { accountId } = ids(h);
  const lever = h.sandboxes.leverSandbox.admin
    .requests(accountId, { method: 'PUT', since })
    .filter((r) => r.path === `/v1/opportunities/${linked.opportunityId}/stage` || r.path === `/v1/opportunities/${linked.opportunityId}/archived`)
    .filter((r) => r.status < 300);
  // what the status feed delivered to CodeSignal's side (the sandbox applies each delivery id once)
  const codesignal = h.sandboxes.codesignalSandbox.control
    .sourcingFeed(ids(h).companyId)
    .filter((d) => d.verdict === 'applied' && d.receivedAt >= since && d.candidateId === linked.candidateId);
  return { lever, codesignal };
}

/**
 * Waits until nothing moves: no webhook in flight in either sandbox, and the candidate's workflow
 * has no workflow task or activity pending and an empty sync queue — twice in a row.
 */
export async function settled(h: SyncHarness, opportunityId: string, timeoutMs = 30_000): Promise<void> {
  const { accountId, companyId } = ids(h);
  const handle = candidateHandle(h, opportunityId);
  const quiet = async (): Promise<boolean> => {
    if (h.sandboxes.leverSandbox.admin.deliveries(accountId, { state: 'pending' }).length > 0) return false;
    if (h.sandboxes.codesignalSandbox.control.deliveries(companyId, { state: 'queued' }).length > 0) return false;
    try {
      const { raw } = await handle.describe();
      if ((raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask) return false;
      const state = await handle.query(candidateStateQuery);
      return (state.sync?.queue.length ?? 0) === 0;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return true;
      throw err;
    }
  };
  await eventually(async () => {
    if (!(await quiet())) throw new Error(`candidate ${opportunityId} is still syncing`);
    await new Promise((r) => setTimeout(r, 60));
    if (!(await quiet())) throw new Error(`candidate ${opportunityId} is still syncing`);
  }, timeoutMs, 40);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
