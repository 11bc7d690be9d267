import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { CodeSignalClient } from '../../codesignal/client';
import type { CodeSignalLiveInterview, CodeSignalTestSession } from '../../codesignal/types';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import { processMetrics } from '../../observability/metrics';
import { assessmentStateQuery, isTerminalAssessmentStatus, sessionEventSignal, type AssessmentState } from '../../workflows/assessment/messages';
import { interviewStateQuery, isTerminalInterviewStatus, liveInterviewEventSignal, type InterviewState } from '../../workflows/interview/messages';
import type { CodeSignalRepairKind, CodeSignalSweepFindings } from '../../workflows/reconciliation/messages';
import { IntegrationIdKey } from '../../workflows/shared/search-attributes';
import { parseWorkflowId } from '../../workflows/shared/ids';
import { startErasure } from '../../temporal/candidate-client';
import { listedIdsCap } from './lever-sweep';
import { codesignalDeliveryArrived, roomsOfWorkflows, waitingAssessmentSessions } from './runs-repository';

/** Sessions and interviews read per sweep (oldest first); the rest wait for the next sweep. */
export const maxCodeSignalItems = 500;

/**
 * What the sweep sends a waiting workflow: the signal the CodeSignal ingress sends for a webhook
 * (codesignal-routing.ts), named after the webhook that was lost where CodeSignal documents one.
 * Either way the workflow only takes it as the hint to re-read its session or room from the API.
 */
export interface CodeSignalRepair {
  kind: CodeSignalRepairKind;
  event: string;
  /** When it happened in CodeSignal (ms), when CodeSignal says. */
  at: number | null;
  /** A documented webhook should have told the service: its absence counts as a silent webhook. */
  webhookExpected: boolean;
}

/** The event of no documented webhook (a reactivation, a deletion): a plain hint to re-read. */
const RECONCILIATION_EVENT = 'reconciliation';

type SessionReading = Pick<CodeSignalTestSession, 'id' | 'status' | 'verificationStatus' | 'finishDate' | 'expirationDate' | 'reactivatedSession' | 'retakeSession'>;

/**
 * Whether CodeSignal shows the session further along than the assessment workflow waiting on it:
 * finished (a result, a verification pending or refused), expired, declined or removed, or reactivated
 * under a new session the workflow has not followed. Nothing for a session the workflow does not wait
 * on, a verification the workflow already waits on, or a score still being computed.
 */
export function sessionRepair(session: SessionReading, workflow: Pick<AssessmentState, 'status' | 'sessionId'>): CodeSignalRepair | null {
  if (workflow.sessionId !== session.id || isTerminalAssessmentStatus(workflow.status)) return null;
  const continuedAs = session.reactivatedSession?.newSessionId ?? session.retakeSession?.id ?? null;
  if (continuedAs && continuedAs !== session.id) {
    return { kind: 'reactivated', event: RECONCILIATION_EVENT, at: session.reactivatedSession?.reactivationDate ?? null, webhookExpected: false };
  }
  const finished = (event: string): CodeSignalRepair => ({ kind: 'finished', event, at: session.finishDate ?? null, webhookExpected: true });
  switch (session.status) {
    case 'over':
    case 'finalizing':
      if (session.verificationStatus === 'pending') return workflow.status === 'verification_pending' ? null : finished('preScreenResultVerificationPending');
      if (session.verificationStatus === 'notVerified') return finished('preScreenResultNotVerified');
      if (session.status === 'finalizing') return null; // the score is being computed; its webhook comes when it is
      return finished(session.verificationStatus === 'verified' ? 'preScreenResultVerified' : 'companyTestSessionFinished');
    case 'expired':
      return { kind: 'expired', event: 'preScreenExpired', at: session.expirationDate ?? null, webhookExpected: true };
    case 'declined':
      return { kind: 'ended', event: 'preScreenCandidateDeclined', at: null, webhookExpected: true };
    case 'deleted':
    case 'deletedForPii':
    case 'archived':
      return { kind: 'ended', event: RECONCILIATION_EVENT, at: null, webhookExpected: false };
    default:
      return null;
  }
}

/**
 * Whether CodeSignal shows the live interview further along than its waiting workflow: over while the
 * workflow still has it scheduled or in progress, feedback written that the workflow has not read, or
 * gone (deleted, archived, no longer found).
 */
export function roomRepair(room: Pick<CodeSignalLiveInterview, 'status' | 'finishDate' | 'interviewersFeedback'> | null, workflow: Pick<InterviewState, 'status' | 'feedback'>): CodeSignalRepair | null {
  if (isTerminalInterviewStatus(workflow.status) || workflow.status === 'starting') return null;
  if (room === null || room.status === 'deleted' || room.status === 'archived') return { kind: 'ended', event: RECONCILIATION_EVENT, at: null, webhookExpected: false };
  if (room.status !== 'over') return null;
  if (workflow.status !== 'finished') return { kind: 'finished', event: 'liveInterviewFinished', at: room.finishDate ?? null, webhookExpected: true };
  const feedback = (room.interviewersFeedback ?? []).filter((f) => f !== null);
  return feedback.length > 0 && workflow.feedback.length === 0 ? { kind: 'feedback', event: 'liveInterviewFeedbackUpdated', at: null, webhookExpected: false } : null;
}

export interface CodeSignalSweepInput {
  integrationId: string;
  /** What happened in CodeSignal less than this long ago is left to its webhook for now. */
  graceMs: number;
}

export interface CodeSignalSweepDeps {
  db: Db;
  codesignal: CodeSignalClient;
  client: Client;
  /** Where an erasure is started (a session CodeSignal deleted for PII); without it such a session is only ended. */
  taskQueue?: string;
  now?: () => number;
}

/** The running workflows of one type of the integration, from Temporal visibility (every flow carries IntegrationId). */
async function runningWorkflowIds(client: Client, integrationId: string, workflowType: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const query = `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running' AND ${IntegrationIdKey.name} = '${integrationId}'`;
  for await (const run of client.workflow.list({ query, pageSize: 200 })) {
    ids.add(run.workflowId);
    if (ids.size >= maxCodeSignalItems) break;
  }
  return ids;
}

/** The live interview, or null when CodeSignal no longer has it. */
const roomOrGone = (codesignal: CodeSignalClient, roomId: string): Promise<CodeSignalLiveInterview | null> =>
  codesignal.getLiveInterview(roomId).catch((err: unknown) => {
    if (err instanceof ExternalApiError && err.code === 'NotFound') return null;
    throw err;
  });

/** A query to a workflow that has closed since visibility listed it answers null. */
const stateOf = <T>(ask: Promise<T>): Promise<T | null> =>
  ask.catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  });

/**
 * The CodeSignal side of a sweep: the test sessions assessment workflows wait on
 * (assessment_sessions.finished_at is null) and the live interviews of running interview workflows
 * (interview_rooms), each read with the integration's CodeSignal client (paced by its limiter); one
 * CodeSignal shows finished, expired, reactivated or gone while its workflow still waits gets the
 * signal the webhook ingress would have sent. A finish whose webhook never arrived is counted as
 * `webhookMissed`: CodeSignal's webhook has gone silent (disabled after 25 failures, or queued behind one).
 */
export async function sweepCodeSignal(deps: CodeSignalSweepDeps, input: CodeSignalSweepInput): Promise<CodeSignalSweepFindings> {
  const now = deps.now ?? Date.now;
  const metrics = processMetrics();
  const findings: CodeSignalSweepFindings = {
    sessionsChecked: 0,
    interviewsChecked: 0,
    closed: 0,
    repaired: { finished: 0, expired: 0, reactivated: 0, ended: 0, feedback: 0 },
    repairedWorkflowIds: [],
    erasuresStarted: 0,
    webhookMissed: 0,
    failed: 0,
  };

  /**
   * Asks the waiting workflow its state, reads CodeSignal (`read`) and, when CodeSignal shows something
   * the workflow missed that is not too recent, signals it as the webhook ingress would; the finish of a
   * documented webhook that never arrived counts as missed. One that fails is counted; the sweep goes on.
   */
  async function check<S>(
    workflowId: string,
    stateQuery: QueryDefinition<S>,
    read: (state: S) => Promise<CodeSignalRepair | null>,
    signal: (handle: WorkflowHandle, found: CodeSignalRepair) => Promise<void>,
  ): Promise<void> {
    const handle = deps.client.workflow.getHandle(workflowId);
    try {
      const state = await stateOf(handle.query(stateQuery));
      const found = state === null ? null : await read(state);
      if (state === null) findings.closed += 1;
      if (!found || (found.at !== null && now() - found.at < input.graceMs)) return;
      await signal(handle, found);
      findings.repaired[found.kind] += 1;
      if (findings.repairedWorkflowIds.length < listedIdsCap) findings.repairedWorkflowIds.push(workflowId);
      metrics.reconciliationRepaired(input.integrationId, 'codesignal', found.kind);
      if (found.webhookExpected && !(await codesignalDeliveryArrived(deps.db, input.integrationId, workflowId, new Date(found.at ?? 0)))) findings.webhookMissed += 1;
    } catch (err) {
      // closed between the query and the signal: nothing waits any more
      if (err instanceof WorkflowNotFoundError) findings.closed += 1;
      else findings.failed += 1;
    }
  }

  const assessments = await runningWorkflowIds(deps.client, input.integrationId, 'assessmentWorkflow');
  for (const { sessionId, workflowId } of await waitingAssessmentSessions(deps.db, input.integrationId, maxCodeSignalItems)) {
    if (!assessments.has(workflowId)) {
      findings.closed += 1;
      continue;
    }
    findings.sessionsChecked += 1;
    heartbeat({ sessions: findings.sessionsChecked });
    await check(
      workflowId,
      assessmentStateQuery,
      async (state) => {
        const session = await deps.codesignal.getTestSession(sessionId);
        const opportunityId = parseWorkflowId(workflowId)?.opportunityId;
        // CodeSignal erased the candidate's data on a request: the service erases its own too (README "Erasure")
        if (session.status === 'deletedForPii' && deps.taskQueue && opportunityId) {
          await startErasure(deps.client, deps.taskQueue, { integrationId: input.integrationId, opportunityId, trigger: 'codesignalDeletedForPii', sessionId });
          findings.erasuresStarted = (findings.erasuresStarted ?? 0) + 1;
          return null;
        }
        return sessionRepair(session, state);
      },
      (handle, found) => handle.signal(sessionEventSignal, { sessionId, event: found.event, triggeredOn: now() }),
    );
  }

  const interviews = [...(await runningWorkflowIds(deps.client, input.integrationId, 'interviewWorkflow'))];
  for (const [workflowId, roomId] of await roomsOfWorkflows(deps.db, input.integrationId, interviews)) {
    findings.interviewsChecked += 1;
    heartbeat({ interviews: findings.interviewsChecked });
    await check(
      workflowId,
      interviewStateQuery,
      async (state) => roomRepair(await roomOrGone(deps.codesignal, roomId), state),
      (handle, found) => handle.signal(liveInterviewEventSignal, { event: found.event }),
    );
  }
  return findings;
}
