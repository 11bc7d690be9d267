import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LeverEventActivities } from '../../activities/candidate/lever-events';
import type { SettingsActivities } from '../../activities/shared/settings-activities';
import type { SyncActivities } from '../../activities/sourcing/sync-activities';
import type { AssessmentSettings } from '../../integrations/settings';
import {
  assessmentStatusSignal,
  cancelAssessmentSignal,
  isTerminalAssessmentStatus,
  retakeAssessmentUpdate,
  type AssessmentSummary,
  type CancelRequest,
} from '../assessment/messages';
import { assessmentWorkflow } from '../assessment/assessment-workflow';
import { applyLeverEvent, copyLeverFields, initialCandidateState, refuseLeverEvent } from './candidate-state';
import { assessmentWorkflowId, interviewWorkflowId } from '../shared/ids';
import {
  cancelInterviewSignal,
  interviewStatusSignal,
  isTerminalInterviewStatus,
  leverInterviewChangeSignal,
  type InterviewCancelReason,
  type InterviewSummary,
} from '../interview/messages';
import { interviewWorkflow } from '../interview/interview-workflow';
import {
  assessmentsQuery,
  candidateStateQuery,
  codesignalStatusSignal,
  leverEventSignal,
  type CandidateState,
  type CandidateWorkflowInput,
  type LeverCandidateEvent,
  type LeverEventConfirmation,
} from './messages';
import { LeverStageKey } from '../shared/search-attributes';
import {
  applyWriteResult,
  decideSync,
  enqueueSyncTrigger,
  initialSyncState,
  leverSnapshotFrom,
  maxSyncRounds,
  observeCodeSignal,
  observeLever,
  recordSyncError,
  type SyncChange,
  type SyncMapping,
  type SyncState,
  type SyncTrigger,
  type SyncWrite,
} from '../sourcing/sync-state';

const defaultHistoryLimit = 5_000;

const { loadAssessmentSettings, loadInterviewSettings } = proxyActivities<SettingsActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * From this version on, a Lever event is confirmed with Lever's API before anything follows from it
 * (an assessment or interview started or cancelled); histories from before acted on the body alone.
 */
const confirmLeverEventsPatch = 'confirm-lever-events-v1';

/** A Lever read like the assessment flow's: outages and 429s are waited out for a day. */
const { confirmLeverEvent } = proxyActivities<LeverEventActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * One Lever event's check against Lever's API. A delivery's body is not signed (lever-api.md §2.3):
 * the opportunity, stage, archive or hire it names is a claim until Lever's record of the opportunity
 * bears it out. The check is made at most once per event, and only when the workflow is about to act
 * on it; an event that leads to nothing costs no Lever call.
 */
interface LeverEventCheck {
  /** Lever's answer; null in histories from before the check, where the event's own values were trusted. */
  confirm(): Promise<LeverEventConfirmation | null>;
  /** Lever contradicts the event (or could not be read): nothing may follow from it. */
  readonly refused: boolean;
}

function leverEventCheck(state: CandidateState, event: LeverCandidateEvent): LeverEventCheck {
  let answer: Promise<LeverEventConfirmation | null> | undefined;
  let refused = false;
  const ask = async (): Promise<LeverEventConfirmation | null> => {
    if (!patched(confirmLeverEventsPatch)) return null;
    const confirmation = await confirmLeverEvent({ integrationId: state.integrationId, opportunityId: state.opportunityId, event }).catch(
      (err: unknown): LeverEventConfirmation => {
        log.warn('Lever event could not be confirmed; not acted on', { key: event.key, kind: event.kind, error: String(err) });
        return { confirmed: false, reason: 'Lever could not be read', exists: false, stageId: null, archived: null, hired: false };
      },
    );
    if (!confirmation.confirmed) {
      refused = true;
      log.warn('Lever event refused: Lever does not bear it out', { key: event.key, kind: event.kind, reason: confirmation.reason });
    }
    return confirmation;
  };
  return {
    confirm: () => (answer ??= ask()),
    get refused() {
      return refused;
    },
  };
}

/**
 * Whether the workflow may start something for the event: Lever confirms it and shows the
 * opportunity active (in histories from before the check: the archive state the events said).
 */
async function mayStart(check: LeverEventCheck, state: CandidateState): Promise<boolean> {
  const confirmation = await check.confirm();
  if (confirmation === null) return state.archived === null;
  return confirmation.confirmed && confirmation.archived === null;
}

/** Whether the workflow may cancel something for the event: Lever confirms it. */
async function mayCancel(check: LeverEventCheck): Promise<boolean> {
  const confirmation = await check.confirm();
  return confirmation === null || confirmation.confirmed;
}

/**
 * The long-lived workflow of one Lever opportunity in one integration. Lever events arrive as
 * signals (signal-with-start from the ingress); the workflow owns the candidate's state and starts
 * an assessment or live-interview child workflow when the candidate enters a trigger stage.
 */
export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const state: CandidateState = input.carried ?? initialCandidateState(input.integrationId, input.opportunityId);
  const assessments: AssessmentSummary[] = (state.assessments ??= []);
  const interviews: InterviewSummary[] = (state.interviews ??= []);
  const inbox: LeverCandidateEvent[] = [];
  const retakes: Array<{ summary: AssessmentSummary; sessionId: string }> = [];

  setHandler(leverEventSignal, (event) => {
    inbox.push(event);
  });
  setHandler(assessmentStatusSignal, (update) => {
    const summary = assessments.find((a) => a.assessmentId === update.assessmentId);
    if (summary) Object.assign(summary, update);
  });
  setHandler(
    retakeAssessmentUpdate,
    ({ assessmentId }) => {
      const previous = assessments.find((a) => a.assessmentId === assessmentId)!;
      const summary = reserveAssessment(state, assessments, previous.triggerStageId, previous);
      retakes.push({ summary, sessionId: previous.sessionId! });
      return { assessmentId: summary.assessmentId };
    },
    {
      validator: ({ assessmentId }) => {
        const previous = assessments.find((a) => a.assessmentId === assessmentId);
        if (!previous) throw new Error(`no assessment ${assessmentId}`);
        if (!['completed', 'not_verified', 'expired', 'declined'].includes(previous.status) || !previous.sessionId) {
          throw new Error(`assessment ${assessmentId} is ${previous.status}; only a finished, expired or declined assessment can be retaken`);
        }
        if (assessments.some((a) => a.retakeOf === assessmentId)) throw new Error(`assessment ${assessmentId} already has a retake`);
      },
    },
  );
  setHandler(interviewStatusSignal, ({ interviewId, status }) => {
    const summary = interviews.find((i) => i.interviewId === interviewId);
    if (summary) summary.status = status;
  });
  setHandler(codesignalStatusSignal, (report) => {
    // a report of the sourcing API carries the status itself; a hint from before it (a webhook) only named the candidate to re-read
    const reported = 'changedAt' in report ? { status: report.status, at: report.changedAt, byUserId: report.changedByUserId } : undefined;
    enqueueSyncTrigger((state.sync ??= initialSyncState()), { side: 'codesignal', candidateId: report.candidateId, ...(reported ? { reported } : {}) });
  });
  setHandler(candidateStateQuery, () => state);
  setHandler(assessmentsQuery, () => assessments);

  let publishedStage = workflowInfo().typedSearchAttributes.get(LeverStageKey) ?? null;
  const historyLimit = input.historyLimit ?? defaultHistoryLimit;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  void runStageSync(state);

  for (;;) {
    await condition(() => inbox.length > 0 || retakes.length > 0 || shouldContinueAsNew());
    while (retakes.length > 0) {
      const { summary, sessionId } = retakes.shift()!;
      await loadAssessmentSettings({ integrationId: state.integrationId })
        .then((settings) => launchAssessment(state, summary, settings, sessionId))
        .catch((err: unknown) => {
          summary.status = 'failed';
          log.error('could not start a retake', { assessmentId: summary.assessmentId, error: String(err) });
        });
    }
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      const stageBefore = state.stageId;
      const archivedBefore = state.archived;
      const hiredBefore = state.hiredAt;
      const before = copyLeverFields(state);
      if (!applyLeverEvent(state, event)) {
        log.info('duplicate Lever event ignored', { key: event.key });
        continue;
      }
      if (!patched('assessments-v1')) continue;
      // Lever confirms the event before anything follows from it; one it contradicts is undone and counted.
      const check = leverEventCheck(state, event);
      const stageEntered = event.kind === 'stageChange' && state.stageId !== stageBefore && state.stageId !== null;
      const closed = (event.kind === 'archiveChange' && state.archived && !archivedBefore) || (event.kind === 'hired' && hiredBefore === null);
      if (stageEntered) {
        // The candidate's record must outlive a broken integration (deleted, misconfigured): log, don't fail.
        await startAssessmentIfTriggered(state, assessments, state.stageId!, check).catch((err: unknown) =>
          log.error('could not start an assessment', { stageId: state.stageId, error: String(err) }),
        );
      } else if (closed) {
        await cancelOpenAssessments(assessments, event.kind === 'hired' ? { reason: 'hired' } : { reason: 'archived', archiveReasonId: state.archived?.reason ?? null }, check);
      } else if (event.kind === 'stageChange' && event.triggeredAt < (state.stageChangedAt ?? 0) && patched('late-trigger-v1')) {
        // Entered before the current stage but delivered late: in Lever's order it would have started an assessment.
        await startAssessmentIfTriggered(state, assessments, event.toStageId, check, event.triggeredAt).catch((err: unknown) =>
          log.error('could not start an assessment', { stageId: event.toStageId, error: String(err) }),
        );
      }
      if (check.refused) {
        refuseLeverEvent(state, before);
        continue;
      }
      if (!patched('interviews-v1')) continue;
      if (stageEntered) {
        await cancelOpenInterviews(interviews, 'left_stage', (i) => i.triggerStageId !== state.stageId, check);
        if (!check.refused) {
          await startInterviewIfTriggered(state, interviews, state.stageId!, check).catch((err: unknown) =>
            log.error('could not start a live interview', { stageId: state.stageId, error: String(err) }),
          );
        }
      } else if (closed) {
        await cancelOpenInterviews(interviews, event.kind === 'hired' ? 'hired' : 'archived', () => true, check);
      } else if (event.kind === 'interview') {
        const open = interviews.filter((i) => !isTerminalInterviewStatus(i.status)).at(-1);
        if (open) await signalQuietly(open.workflowId, () => getExternalWorkflowHandle(open.workflowId).signal(leverInterviewChangeSignal, { leverInterviewId: event.interviewId, change: event.change }));
      }
      if (check.refused) {
        refuseLeverEvent(state, before);
        continue;
      }
      if (event.kind !== 'interview' && patched('sync-v1')) {
        const unarchivedAt = event.kind === 'archiveChange' && event.toArchived === null ? event.triggeredAt : undefined;
        enqueueSyncTrigger((state.sync ??= initialSyncState()), { side: 'lever', ...(unarchivedAt !== undefined ? { unarchivedAt } : {}) });
      }
    }
    if (state.stageId !== publishedStage) {
      upsertSearchAttributes([{ key: LeverStageKey, value: state.stageId }]);
      publishedStage = state.stageId;
    }
    if (shouldContinueAsNew() && inbox.length === 0 && retakes.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof candidateWorkflow>({ ...input, carried: { ...state, runs: state.runs + 1 } });
    }
  }
}

/**
 * Entering a trigger stage starts an assessment, unless one for that stage is still open or started
 * at or after this entry (a late delivery of an entry already acted on).
 */
async function startAssessmentIfTriggered(
  state: CandidateState,
  assessments: AssessmentSummary[],
  stageId: string,
  check: LeverEventCheck,
  enteredAt: number = state.stageChangedAt ?? 0,
): Promise<void> {
  const settings = await loadAssessmentSettings({ integrationId: state.integrationId });
  if (!settings.triggerStageIds.includes(stageId)) return;
  if (assessments.some((a) => a.triggerStageId === stageId && (!isTerminalAssessmentStatus(a.status) || a.startedAt >= enteredAt))) return;
  if (!(await mayStart(check, state))) return;
  await launchAssessment(state, reserveAssessment(state, assessments, stageId, undefined, enteredAt), settings);
}

/** Takes the next assessment number at once (no await), so concurrent starts never share one. */
function reserveAssessment(
  state: CandidateState,
  assessments: AssessmentSummary[],
  stageId: string,
  retakeOf?: AssessmentSummary,
  startedAt: number = state.stageChangedAt ?? 0,
): AssessmentSummary {
  const sequence = assessments.length + 1;
  const summary: AssessmentSummary = {
    assessmentId: String(sequence),
    workflowId: assessmentWorkflowId(state.integrationId, state.opportunityId, sequence),
    triggerStageId: stageId,
    status: 'starting',
    testTitle: retakeOf?.testTitle ?? null,
    sessionId: null,
    score: null,
    maxScore: null,
    passed: null,
    startedAt,
    ...(retakeOf ? { retakeOf: retakeOf.assessmentId } : {}),
  };
  assessments.push(summary);
  return summary;
}

/** Starts the assessment as a child workflow; a retake reactivates the earlier session. */
async function launchAssessment(state: CandidateState, summary: AssessmentSummary, settings: AssessmentSettings, retakeOfSessionId?: string): Promise<void> {
  await startChild(assessmentWorkflow, {
    workflowId: summary.workflowId,
    args: [
      {
        integrationId: state.integrationId,
        opportunityId: state.opportunityId,
        assessmentId: summary.assessmentId,
        candidateWorkflowId: workflowInfo().workflowId,
        triggerStageId: summary.triggerStageId,
        settings,
        ...(retakeOfSessionId ? { retakeOfSessionId } : {}),
      },
    ],
    // Assessments outlive a continue-as-new of this workflow.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
}

async function cancelOpenAssessments(assessments: AssessmentSummary[], request: CancelRequest, check: LeverEventCheck): Promise<void> {
  const open = assessments.filter((x) => !isTerminalAssessmentStatus(x.status));
  if (open.length === 0 || !(await mayCancel(check))) return;
  for (const a of open) {
    await signalQuietly(a.workflowId, () => getExternalWorkflowHandle(a.workflowId).signal(cancelAssessmentSignal, request));
  }
}

/** Entering an interview trigger stage creates a live interview, unless one is still open (or Lever does not confirm the entry). */
async function startInterviewIfTriggered(state: CandidateState, interviews: InterviewSummary[], stageId: string, check: LeverEventCheck): Promise<void> {
  const { interviews: settings, notifyFollowers } = await loadInterviewSettings({ integrationId: state.integrationId });
  if (!settings.triggerStageIds.includes(stageId)) return;
  if (interviews.some((i) => !isTerminalInterviewStatus(i.status))) return;
  if (!(await mayStart(check, state))) return;
  const sequence = interviews.length + 1;
  const summary: InterviewSummary = {
    interviewId: String(sequence),
    workflowId: interviewWorkflowId(state.integrationId, state.opportunityId, sequence),
    triggerStageId: stageId,
    status: 'starting',
  };
  interviews.push(summary);
  await startChild(interviewWorkflow, {
    workflowId: summary.workflowId,
    args: [
      {
        integrationId: state.integrationId,
        opportunityId: state.opportunityId,
        interviewId: summary.interviewId,
        candidateWorkflowId: workflowInfo().workflowId,
        triggerStageId: stageId,
        settings,
        notifyFollowers,
      },
    ],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
}

async function cancelOpenInterviews(interviews: InterviewSummary[], reason: InterviewCancelReason, which: (i: InterviewSummary) => boolean, check: LeverEventCheck): Promise<void> {
  const open = interviews.filter((x) => !isTerminalInterviewStatus(x.status) && which(x));
  if (open.length === 0 || !(await mayCancel(check))) return;
  for (const i of open) {
    await signalQuietly(i.workflowId, () => getExternalWorkflowHandle(i.workflowId).signal(cancelInterviewSignal, { reason }));
  }
}

/** A child that has already closed cannot be signalled; that is expected, not an error. */
async function signalQuietly(workflowId: string, send: () => Promise<void>): Promise<void> {
  await send().catch((err: unknown) => log.warn('workflow already closed', { workflowId, error: String(err) }));
}

// ---- two-way stage sync with linked CodeSignal sourcing candidates (docs/sync.md, "Stage sync")

/** What an admin reads about a failed sync step: the activity's own failure (e.g. "no status feed URL is configured"), not the wrapper. */
const syncErrorMessage = (err: unknown): string => (err instanceof ActivityFailure && err.cause ? err.cause.message : String(err));

const syncActivities = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 seconds',
  // outages are waited out; meanwhile only the sync waits, assessments and interviews go on
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The status feed (docs/sync.md): a receiver that is down is waited out for a day, as CodeSignal waits out ours. */
const feedActivities = proxyActivities<Pick<SyncActivities, 'writeCodeSignalStatus'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Acts on queued webhooks one at a time, beside the main loop, so a slow or unavailable API holds up
 * only the sync. Each trigger works on a copy of the sync state that is kept, and the trigger taken
 * off the queue, once it is done: a continue-as-new in between (it never waits for the sync) carries
 * the state from before the trigger and the trigger itself, and the next run acts on it again — the
 * writes read first, so repeating one writes nothing twice.
 */
async function runStageSync(state: CandidateState): Promise<void> {
  for (;;) {
    await condition(() => (state.sync?.queue.length ?? 0) > 0);
    const committed = state.sync!;
    const working: SyncState = JSON.parse(JSON.stringify({ ...committed, queue: [] }));
    try {
      if (patched('sync-v1')) await syncOnce(state, working, committed.queue[0]!);
    } catch (err) {
      log.error('stage sync failed', { error: String(err) });
    } finally {
      Object.assign(committed, { ...working, queue: committed.queue });
      committed.queue.shift();
    }
  }
}

/** Reads Lever (a Lever webhook) or takes the reported CodeSignal status, then writes until both sides show the agreed state. */
async function syncOnce(state: CandidateState, sync: SyncState, trigger: SyncTrigger): Promise<void> {
  const { integrationId, opportunityId } = state;
  const read = trigger.side === 'lever' ? 'lever' : trigger.reported ? 'links' : { codesignalCandidateId: trigger.candidateId };
  const context = await syncActivities
    .loadSyncContext({ integrationId, opportunityId, read })
    .catch((err: unknown) => {
      recordSyncError(sync, { side: trigger.side, message: syncErrorMessage(err) });
      log.warn('stage sync could not read its context', { error: String(err) });
      return undefined;
    });
  if (!context || context.candidateIds.length === 0) return;
  sync.candidateIds = context.candidateIds;
  sync.linkedAt = context.linkedAt;
  sync.counts.triggers += 1;
  let change: SyncChange | undefined;
  if (trigger.side === 'lever' && context.lever) {
    change = observeLever(sync, leverSnapshotFrom(context.lever, sync.lever, trigger.unarchivedAt), context.mapping);
  } else if (trigger.side === 'codesignal' && context.candidateIds.includes(trigger.candidateId)) {
    const reported = trigger.reported ?? context.codesignal;
    if (reported) change = observeCodeSignal(sync, trigger.candidateId, reported, context.mapping);
  }
  const changes = change ? [change] : [];
  for (let round = 0; changes.length > 0; round++) {
    if (round >= maxSyncRounds) {
      log.error('stage sync did not settle; the next webhook continues', { pending: changes.length });
      return;
    }
    const next = changes.shift()!;
    if (next.status === null) log.warn('unmapped change not synced', { side: next.side, value: next.value });
    for (const write of decideSync(sync, next, context.mapping)) {
      const fed = await performSyncWrite(state, sync, write, context.mapping);
      if (fed) changes.push(fed);
    }
  }
}

async function performSyncWrite(state: CandidateState, sync: SyncState, write: SyncWrite, mapping: SyncMapping): Promise<SyncChange | undefined> {
  const { integrationId, opportunityId } = state;
  try {
    const result =
      write.side === 'lever'
        ? await syncActivities.writeLeverForStatus({ integrationId, opportunityId, write })
        : await feedActivities.writeCodeSignalStatus({ integrationId, opportunityId, write });
    if (result.outcome === 'written') log.info('stage sync wrote', { side: write.side, status: write.status });
    return applyWriteResult(sync, write, result, mapping);
  } catch (err) {
    // a write that failed for good (4xx, no default user): reported; the next change tries again
    recordSyncError(sync, { side: write.side, message: syncErrorMessage(err), ...(write.side === 'codesignal' ? { candidateId: write.candidateId } : {}) });
    log.warn('stage sync write failed', { side: write.side, error: String(err) });
    return undefined;
  }
}
