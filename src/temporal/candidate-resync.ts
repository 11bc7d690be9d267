import type { Client } from '@temporalio/client';
import type { CandidateDirectory } from '../db/candidate-directory';
import type { LeverClient } from '../lever/client';
import type { Logger } from '../log';
import { isTerminalAssessmentStatus, sessionEventSignal } from '../workflows/assessment/messages';
import { candidateStateQuery, type LeverCandidateEvent } from '../workflows/candidate/messages';
import { isTerminalInterviewStatus, liveInterviewEventSignal } from '../workflows/interview/messages';
import { retryStoppedFlowUpdate, type StopName } from '../workflows/shared/stops';
import { signalLeverEvent, type CandidateTarget } from './candidate-client';

/** The prefix of the event keys a re-sync sends, so the candidate timeline can tell them from webhooks. */
export const resyncKeyPrefix = 'resync:';

export interface CandidateResyncDeps {
  client: Client;
  taskQueue: string;
  /** The integration's Lever client (its shared rate limit). */
  lever: LeverClient;
  /** Keeps the admin UI's candidate directory; without it the directory is not written. */
  directory?: Pick<CandidateDirectory, 'record'>;
  logger?: Logger;
  /** Runs the Lever event signals (the API: under its deadline, a 503 when Temporal does not answer). Default: as is. */
  recordInTemporal?: <T>(call: () => Promise<T>) => Promise<T>;
  /** Runs each query and CodeSignal re-read signal (the API: under its deadline). Default: as is. */
  withinDeadline?: <T>(call: () => Promise<T>) => Promise<T>;
}

export interface CandidateResync {
  workflowId: string;
  lever: { stageId: string; enteredAt: number; archived: boolean };
  /** `not_checked`: the candidate workflow did not answer; CodeSignal is re-read on the next re-sync or event. */
  codesignal: 'checked' | 'not_checked';
  reread: Array<{ workflowId: string; what: 'assessment' | 'interview' }>;
  /** Flows that had stopped under a name (README "When a flow stops: named errors") and now run the step again. */
  resumed: Array<{ workflowId: string; what: 'assessment' | 'interview'; stop: StopName }>;
}

const asIs = <T>(call: () => Promise<T>): Promise<T> => call();

/**
 * "Re-sync now" of a candidate (README "Candidate timeline"), for the admin API and the `retry` tag
 * command alike: re-reads the opportunity from Lever (an `ExternalApiError` is the caller's to answer)
 * and sends what Lever shows as the events a webhook would have carried, then has every open assessment
 * and live interview re-read CodeSignal. The keys name Lever's state, so a second re-sync of an
 * unchanged candidate is a duplicate the workflow drops; a flow that stopped for a lost webhook starts.
 * Last, every open assessment and live interview that stopped under a name resumes at the step that stopped.
 */
export async function resyncCandidate(deps: CandidateResyncDeps, target: CandidateTarget): Promise<CandidateResync> {
  const recordInTemporal = deps.recordInTemporal ?? asIs;
  const withinDeadline = deps.withinDeadline ?? asIs;
  const opportunity = await deps.lever.getOpportunity(target.opportunityId);
  await deps.directory?.record({ integrationId: target.integrationId, opportunityId: target.opportunityId, name: opportunity.name, emails: opportunity.emails });

  const stageId = opportunity.stage;
  const enteredAt = (opportunity.stageChanges ?? []).filter((c) => c.toStageId === stageId).reduce((latest, c) => Math.max(latest, c.updatedAt), 0)
    || (opportunity.lastAdvancedAt ?? opportunity.createdAt ?? Date.now());
  const events: LeverCandidateEvent[] = [{ kind: 'stageChange', key: `${resyncKeyPrefix}stage:${stageId}:${enteredAt}`, triggeredAt: enteredAt, fromStageId: null, toStageId: stageId }];
  if (opportunity.archived) {
    const { archivedAt, reason } = opportunity.archived;
    events.push({ kind: 'archiveChange', key: `${resyncKeyPrefix}archive:${archivedAt}`, triggeredAt: archivedAt, toArchived: { archivedAt, reason: reason ?? null } });
  }
  let workflowId = '';
  for (const event of events) {
    workflowId = await recordInTemporal(() => signalLeverEvent(deps.client, deps.taskQueue, target, event));
  }

  // CodeSignal: every open assessment with a session, and every open live interview, re-reads it.
  const reread: CandidateResync['reread'] = [];
  const resumed: CandidateResync['resumed'] = [];
  let codesignal: CandidateResync['codesignal'] = 'checked';
  try {
    const state = await withinDeadline(() => deps.client.workflow.getHandle(workflowId).query(candidateStateQuery));
    const open = [
      ...(state.assessments ?? []).filter((a) => !isTerminalAssessmentStatus(a.status)).map((a) => ({ ...a, what: 'assessment' as const })),
      ...(state.interviews ?? []).filter((i) => !isTerminalInterviewStatus(i.status)).map((i) => ({ ...i, sessionId: null, what: 'interview' as const })),
    ];
    for (const flow of open) {
      const handle = deps.client.workflow.getHandle(flow.workflowId);
      if (flow.what === 'assessment' && !flow.sessionId) continue;
      await withinDeadline(() =>
        flow.what === 'assessment'
          ? handle.signal(sessionEventSignal, { sessionId: flow.sessionId!, event: 'resync', triggeredOn: Date.now() })
          : handle.signal(liveInterviewEventSignal, { event: 'resync' }),
      );
      reread.push({ workflowId: flow.workflowId, what: flow.what });
    }
    for (const flow of open.filter((f) => f.stopped)) {
      // refused by the workflow when it is not stopped (any more): nothing to resume
      const answer = await withinDeadline(() => deps.client.workflow.getHandle(flow.workflowId).executeUpdate(retryStoppedFlowUpdate)).catch(() => undefined);
      if (answer) resumed.push({ workflowId: flow.workflowId, what: flow.what, stop: answer.resumed });
    }
  } catch (err) {
    // the Lever part is in Temporal already; CodeSignal is re-read on the next re-sync or event
    codesignal = 'not_checked';
    deps.logger?.warn({ err: (err as Error).message, integrationId: target.integrationId }, 're-sync: the candidate workflow did not answer; CodeSignal not re-read');
  }
  return { workflowId, lever: { stageId, enteredAt, archived: opportunity.archived !== null }, codesignal, reread, resumed };
}
