import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AssessmentActivities, AssessmentWriteStep, RecordedSession } from '../../activities/assessment/assessment-activities';
import type { TestChoiceActivities } from '../../activities/assessment/test-choice';
import type { SettingsActivities } from '../../activities/shared/settings-activities';
import type { StopActivities } from '../../activities/shared/stops';
import type { ApprovalSettings, AssessmentRunSettings, AssessmentTagStatus, IntegrityReviewSettings } from '../../integrations/settings';
import {
  assessmentStateQuery,
  assessmentStatusSignal,
  cancelAssessmentSignal,
  decisionKindOf,
  isDecisionAction,
  isTerminalAssessmentStatus,
  recruiterActionUpdate,
  sessionEventSignal,
  testChosenSignal,
  type AssessmentState,
  type AssessmentStatus,
  type AssessmentWorkflowInput,
  type CancelRequest,
  type CandidateContact,
  type DecisionAction,
  type DecisionOutcome,
  type PendingDecision,
  type RecruiterAction,
  type SessionEvent,
  type SessionSnapshot,
} from './messages';
import type { AssessmentNote } from './notes';
import { failureDetail, failureOf } from '../shared/failures';
import { aboutTheLeverUser, createStops, StoppedFlowCancelled, type FlowStop } from '../shared/stops';
import { dryRunResult } from '../shared/dry-run';
import { passedThreshold } from './thresholds';
import { startTimer } from '../shared/timers';
import { chooseTest, fallbackOf, readsPostingTags, usesNewRules, type PostingTagTest } from './test-choice';

const day = 24 * 60 * 60 * 1000;

/**
 * From this version on, the workflow records the session it was given by an invitation or a
 * reactivation itself (`recordSession`) and so takes the CodeSignal events parked for it.
 */
const recordsParkedEventsPatch = 'parked-session-events-v1';

/** From this version on, a session found `finalizing` (submitted, score being computed) counts as started, not still invited. */
const finalizingStartedPatch = 'finalizing-started-v1';

/**
 * From this version on, the workflow keeps the opportunity's status and threshold tags itself, from the
 * one read that named the candidate (the candidate workflow's confirmation, passed in the input, or
 * `getCandidate`): a status change removes only the tags it knows are there and adds only the missing
 * one, unread on a first attempt; the stage move uses the opportunity the tag write before it answered;
 * the report is rendered from the candidate already read. Retries still read before writing.
 */
const fewerLeverCallsPatch = 'fewer-lever-calls-v1';

/**
 * From this version on, the test is chosen by every rule of test-choice.ts: the posting's test sequence
 * and the test its tag names (read by `readPostingTagTest`), a tag not understood reported with a note and
 * a tag. Asked only where those settings apply, so other assessments record no marker.
 */
const testChoicePatch = 'posting-tag-and-sequence-v1';

/**
 * From this version on, a fail threshold's stage move (the rejection) waits for a recruiter's approval
 * where `approval` applies to the posting (README "Assessments"). Asked only there: others record no marker.
 */
const rejectionApprovalPatch = 'rejection-approval-v1';

/**
 * From this version on, a non-proctored result whose integrity CodeSignal questions (or has not reviewed
 * yet) holds its outcome for the review and a recruiter's decision where `integrityReview` is enabled
 * (README "Assessments"). Asked only there: others record no marker.
 */
const integrityReviewPatch = 'integrity-review-v1';

/**
 * From this version on, steps that always follow each other run as one activity (issue #22: fewer history
 * events per candidate): the invitation (or the retake's reactivation) records its session and answers the
 * events parked for it (no `recordSession`); a note and the status tags that follow it, the result note with
 * the report, the "completed" and threshold tags and the threshold's stage move go to Lever in one
 * `writeAssessmentSteps`, in the same order, each looking for its effect on a retry or a run after a stop.
 * Asked once at the start, first: where it is there, `fewerLeverCallsPatch` is not asked (its marker and the
 * search attribute upsert that goes with every marker are left out); histories without it ask that one as before.
 */
const fewerEventsPatch = 'fewer-events-v1';

const hour = 60 * 60 * 1000;

/** The integrity review rule of a result: undefined where it does not apply (off, a proctored session, older settings). */
export function integrityReviewFor(settings: AssessmentRunSettings, session: SessionSnapshot): { timeoutMs: number; review: IntegrityReviewSettings } | undefined {
  const review = (settings as Partial<AssessmentRunSettings>).integrityReview;
  if (!review?.enabled || session.verificationStatus !== null) return undefined;
  return { timeoutMs: review.timeoutHours * hour, review };
}

const decisionOutcomes: Record<DecisionAction['action'], DecisionOutcome> = { approve: 'approved', decline: 'declined', confirmIntegrity: 'confirmed', clearIntegrity: 'cleared' };

/** The approval rule of a posting: its own, else the integration's; undefined where rejections are not approved (or older settings). */
export function approvalFor(settings: AssessmentRunSettings, postingId: string | null | undefined): { timeoutMs: number; approval: ApprovalSettings } | undefined {
  const approval = (settings as Partial<AssessmentRunSettings>).approval;
  if (!approval) return undefined;
  const rule = (postingId ? approval.byPosting[postingId] : undefined) ?? approval;
  return rule.rejections ? { timeoutMs: (rule.timeoutHours ?? approval.timeoutHours) * hour, approval } : undefined;
}

/** Lever and CodeSignal calls: retried with backoff for a day (outages, 429s), but not past a non-retryable answer. */
const callOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
} as const;
/** Unwrapped: every call in the workflow goes through its stops (`stops.wrap`), where a failure stops the flow under a name. */
const assessmentCalls = proxyActivities<AssessmentActivities>(callOptions);
/** The posting's test tag (reads only), with the same retries. */
const choiceCalls = proxyActivities<TestChoiceActivities & Pick<SettingsActivities, 'loadAssessmentSettings'>>(callOptions);
/** Confirms a stop's cause with Lever (src/workflows/shared/stops.ts). */
const stopCalls = proxyActivities<StopActivities>(callOptions);
/**
 * Several Lever writes in one activity (`fewerEventsPatch`): each may wait for the integration's Lever rate
 * limiter, hence the longer start-to-close. Its attempts count the faults of all its steps (a retry finds what
 * the last one wrote and goes on), so the backoff grows by 1.5 instead of 2: four steps that each lose one
 * answer wait 8 s in all instead of 15 s (separate activities: 4 s); it still reaches 5 minutes in an outage.
 */
const writeCalls = proxyActivities<Pick<AssessmentActivities, 'writeAssessmentSteps'>>({
  ...callOptions,
  startToCloseTimeout: '2 minutes',
  retry: { ...callOptions.retry, backoffCoefficient: 1.5 },
});

/** The step a failure of `writeAssessmentSteps` names in its details (the last failure's, once retries ran out). */
function failedStep(err: unknown): string {
  const step = failureDetail(err)?.step;
  return typeof step === 'string' ? step : 'writeAssessmentSteps';
}

const statusTag: Partial<Record<AssessmentStatus, AssessmentTagStatus>> = {
  awaiting_selection: 'awaitingSelection',
  invited: 'invited',
  started: 'started',
  verification_pending: 'verificationPending',
  completed: 'completed',
  not_verified: 'notVerified',
  expired: 'expired',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
};

/**
 * One assessment of one candidate: selection link or default test → invitation → waiting on durable
 * timers (reminders, expiry) and CodeSignal webhooks → result note, PDF report, tags and stage move.
 * A non-retryable error ends it with a Lever note and tag, and fails this workflow so operators see it.
 */
export async function assessmentWorkflow(input: AssessmentWorkflowInput): Promise<AssessmentState> {
  const { settings } = input;
  const ref = { integrationId: input.integrationId, opportunityId: input.opportunityId, assessmentId: input.assessmentId };
  const workflowId = workflowInfo().workflowId;
  const state: AssessmentState = {
    assessmentId: input.assessmentId,
    triggerStageId: input.triggerStageId,
    status: 'starting',
    testId: null,
    testTitle: null,
    sessionId: null,
    sessionIds: [],
    candidateEmail: null,
    expiresAt: null,
    remindersSent: 0,
    score: null,
    maxScore: null,
    passed: null,
    reportUrl: null,
    failure: null,
  };
  const inbox = {
    chosenTestId: undefined as string | undefined,
    sessionEvents: 0,
    cancel: undefined as CancelRequest | undefined,
    actions: [] as RecruiterAction[],
    decision: undefined as DecisionAction | undefined,
  };

  setHandler(testChosenSignal, ({ testId }) => {
    if (state.status === 'awaiting_selection' && inbox.chosenTestId === undefined) inbox.chosenTestId = testId;
  });
  // Any event makes the workflow re-read its session from the API; the event's content is only a hint.
  const onSessionEvent = (_event: SessionEvent): void => {
    inbox.sessionEvents += 1;
  };
  setHandler(sessionEventSignal, onSessionEvent);
  setHandler(cancelAssessmentSignal, (request) => {
    inbox.cancel ??= request;
  });
  setHandler(
    recruiterActionUpdate,
    (action) => {
      if (isDecisionAction(action)) inbox.decision ??= action;
      else inbox.actions.push(action);
      return { accepted: true as const };
    },
    {
      validator: (action) => {
        if (isDecisionAction(action)) {
          if (!state.pendingDecision || inbox.decision || decisionKindOf(action) !== state.pendingDecision.kind) throw new Error('nothing is waiting for a decision');
          return;
        }
        if (isTerminalAssessmentStatus(state.status)) throw new Error(`assessment is already ${state.status}`);
        if (action.action !== 'cancel' && state.sessionId === null) throw new Error(`no invitation has been sent yet; only cancel is possible`);
        if (action.action === 'extend' && !(Number.isInteger(action.days) && action.days >= 1 && action.days <= 180)) {
          throw new Error('days must be an integer from 1 to 180');
        }
      },
    },
  );
  setHandler(assessmentStateQuery, () => state);

  /** Where the flow cannot go on, it stops under a name until a retry (README "When a flow stops: named errors"). */
  const stops = createStops({
    failedTag: () => settings.tags.failed,
    defaultUserDeactivated: () => stopCalls.defaultLeverUserDeactivated({ integrationId: input.integrationId }),
    announce: async (stop) => {
      await writeTags([stop.tag], [], { withoutUser: aboutTheLeverUser(stop) }).catch(() => undefined);
      await note({ kind: 'stopped', stop });
    },
    resumed: async (stop) => void (await writeTags([], [stop.tag], { withoutUser: aboutTheLeverUser(stop) })),
    report: async (stop) => {
      state.stopped = stop;
      await reportDecision();
    },
    cancelled: () => inbox.cancel !== undefined || inbox.actions.some((a) => a.action === 'cancel'),
  });
  const acts = stops.wrap(assessmentCalls);
  const choiceActs = stops.wrap(choiceCalls);

  const candidateWorkflow = getExternalWorkflowHandle(input.candidateWorkflowId);
  /**
   * The status and threshold tags on the opportunity, as this workflow last read or wrote them; null
   * (histories from before `fewerLeverCallsPatch`) when unknown, and each tag write reads them first.
   */
  let tagsOnLever: Set<string> | null = null;
  /** `fewerLeverCallsPatch`, asked once at the start (before the first command) and kept for the whole run. */
  let fewerLeverCalls = false;
  /** `fewerEventsPatch`, asked once at the start; it includes `fewerLeverCallsPatch` (whose known tags it builds on). */
  let fewerEvents = false;
  /** The candidate as read once, at the start; from `fewerLeverCallsPatch` on, its name and e-mail go into the report. */
  let candidate: CandidateContact | undefined;
  const workflowTags = (): string[] => {
    const outcomes = settings.thresholds ? [settings.thresholds.pass.tag, settings.thresholds.fail.tag] : [];
    return [...new Set([...Object.values(settings.tags), ...outcomes])];
  };
  /**
   * One tag write: with the tags known, only what changes is sent (nothing at all when nothing does);
   * otherwise every tag of `remove` that is there. Answers the stage Lever showed, when it did.
   */
  async function writeTags(add: string[], remove: string[], opts: { withoutUser?: boolean } = {}): Promise<string | undefined> {
    const by = opts.withoutUser ? { withoutUser: true } : {};
    if (tagsOnLever === null) return void (await acts.setAssessmentTags({ ...ref, add, remove, ...by }));
    const change = knownTagChange(tagsOnLever, add, remove);
    if (!change) return undefined;
    const written = await acts.setAssessmentTags({ ...ref, ...change.write, ...by });
    change.commit();
    return written?.stageId;
  }

  /** With the tags known: only what changes (none when nothing does), and how the known tags change once it is written. */
  function knownTagChange(known: Set<string>, add: string[], remove: string[]): { write: { add: string[]; remove: string[]; known: true }; commit: () => void } | undefined {
    const adding = add.filter((t) => !known.has(t));
    const removing = remove.filter((t) => known.has(t) && !add.includes(t));
    if (adding.length === 0 && removing.length === 0) return undefined;
    return {
      write: { add: adding, remove: removing, known: true },
      commit: () => {
        for (const t of removing) known.delete(t);
        for (const t of adding) known.add(t);
      },
    };
  }

  /** The tag write of a step list (`fewerEventsPatch`); none when the known tags already are as asked. */
  function tagStep(change: { add: string[]; remove: string[] } | undefined): Array<{ step: AssessmentWriteStep; commit?: () => void }> {
    if (!change) return [];
    if (tagsOnLever === null) return [{ step: { step: 'setAssessmentTags', add: change.add, remove: change.remove } }];
    const known = knownTagChange(tagsOnLever, change.add, change.remove);
    return known ? [{ step: { step: 'setAssessmentTags', ...known.write }, commit: known.commit }] : [];
  }

  /**
   * Lever writes that always follow each other, as one activity (`fewerEventsPatch`). A failure stops the flow
   * under the step that failed, as that step's own activity would; the retry runs the steps again, each looking
   * for its effect first. The known tags are forgotten on a failure (a later step may have failed after the tag
   * write was committed): the writes after it read first. Answers the stage Lever showed, when it did.
   */
  async function writeSteps(steps: Array<{ step: AssessmentWriteStep; commit?: () => void }>): Promise<string | undefined> {
    if (steps.length === 0) return undefined;
    let again = false;
    for (;;) {
      try {
        const written = await writeCalls.writeAssessmentSteps({ ...ref, steps: steps.map((s) => s.step), ...(again ? { again } : {}) });
        for (const s of steps) s.commit?.();
        return written.stageId;
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (steps.some((s) => s.step.step === 'setAssessmentTags')) tagsOnLever = null;
        again = true;
        let stopped = false;
        // stops here under the failed step's name (or throws, where a flow does not stop); the retry runs the steps again
        await stops.untilFixed(failedStep(err), async () => {
          if (stopped) return;
          stopped = true;
          throw err;
        });
      }
    }
  }
  let notes = 0;
  const noteInput = (body: AssessmentNote) => ({ note: body, notifyFollowers: body.kind === 'integrity' ? false : settings.notifyFollowers, noteRef: `${input.assessmentId}/${++notes}/${body.kind}` });
  const note = (body: AssessmentNote) => acts.postAssessmentNote({ ...ref, ...noteInput(body) });
  const noteStep = (body: AssessmentNote) => ({ step: { step: 'postAssessmentNote' as const, ...noteInput(body) } });

  /**
   * A note and the status it leads to: one activity from `fewerEventsPatch` on (`before`: more steps between the
   * note and the tags, as the invitation's removal of the selection link), else the note and `setStatus`.
   */
  async function noteThenStatus(body: AssessmentNote, status: AssessmentStatus, before: Array<{ step: AssessmentWriteStep }> = []): Promise<void> {
    if (!fewerEvents) {
      await note(body);
      for (const { step } of before) if (step.step === 'removeSelectionLink') await acts.removeSelectionLink(ref);
      await setStatus(status);
      return;
    }
    const first = noteStep(body);
    const change = statusChange(status);
    await writeSteps([first, ...before, ...tagStep(change.tags)]);
    change.apply();
    if (change.changed) await announceStatus();
  }

  /**
   * Answers the stage Lever showed in its answer to the tag write, when it did. `also`: more tags written in
   * the same write (the threshold tag with "completed"; only while the tags are known, `fewerLeverCallsPatch`).
   */
  async function setStatus(status: AssessmentStatus, also: { add: string[]; remove: string[] } = { add: [], remove: [] }): Promise<string | undefined> {
    const change = statusChange(status, also);
    change.apply();
    const seenStageId = change.tags ? await writeTags(change.tags.add, change.tags.remove) : undefined;
    if (change.changed) await announceStatus();
    return seenStageId;
  }

  /**
   * The status becoming `status`: the tag change that shows it (with `also`), whether the status changes at all,
   * and `apply` to set it (`setStatus` sets it before its tag write; a step list once all its writes are done).
   */
  function statusChange(status: AssessmentStatus, also: { add: string[]; remove: string[] } = { add: [], remove: [] }): { changed: boolean; tags?: { add: string[]; remove: string[] }; apply: () => void } {
    const extra = also.add.length + also.remove.length > 0;
    if (state.status === status) return extra ? { changed: false, tags: also, apply: () => undefined } : { changed: false, apply: () => undefined };
    const previous = statusTag[state.status];
    const apply = () => void (state.status = status);
    const next = statusTag[status];
    const all = Object.values(settings.tags);
    if (next) return { changed: true, apply, tags: { add: [settings.tags[next], ...also.add], remove: [...all.filter((t) => t !== settings.tags[next]), ...also.remove] } };
    if (previous || extra) return { changed: true, apply, tags: { add: also.add, remove: [...(previous ? all : []), ...also.remove] } };
    return { changed: true, apply };
  }

  /** Tells the candidate workflow (the admin UI's timeline) the status; best effort. */
  async function announceStatus(): Promise<void> {
    const status = state.status;
    await candidateWorkflow
      .signal(assessmentStatusSignal, {
        assessmentId: input.assessmentId,
        status,
        testTitle: state.testTitle,
        sessionId: state.sessionId,
        score: state.score,
        maxScore: state.maxScore,
        passed: state.passed,
        ...(state.sequence ? { sequence: state.sequence } : {}),
        ...(state.testChoiceProblem ? { testChoiceProblem: state.testChoiceProblem } : {}),
      })
      .catch((err: unknown) => log.warn('candidate workflow not reachable for a status update', { error: String(err) }));
  }

  /** The session an invitation or reactivation recorded (`fewerEventsPatch`): the events parked for it are handled as if signalled now. */
  function takeParked({ parked, ...session }: RecordedSession): SessionSnapshot {
    for (const event of parked ?? []) onSessionEvent(event);
    return session;
  }

  /** Records the session for this workflow; the events CodeSignal sent before that are handled as if signalled now. */
  async function recordSession(sessionId: string): Promise<void> {
    const parked = await acts.recordSession({ ...ref, workflowId, sessionId });
    // Histories from before the activity answered parked events hold no result here.
    for (const event of parked ?? []) onSessionEvent(event);
  }

  /**
   * What CodeSignal may leave out (the schema makes a session's test and expiry nullable) is kept from
   * what the workflow already knows; a session whose expiry is never given expires on our own timer
   * after the configured days, as an unstarted invitation does anyway.
   */
  function known(session: SessionSnapshot, isNewSession = false): SessionSnapshot {
    return {
      ...session,
      testId: session.testId ?? state.testId,
      testTitle: session.testTitle ?? state.testTitle,
      expiresAt: session.expiresAt ?? (isNewSession ? null : state.expiresAt) ?? session.readAt + settings.expiryDays * day,
    };
  }

  function follow(session: SessionSnapshot): void {
    state.sessionId = session.id;
    if (!state.sessionIds.includes(session.id)) state.sessionIds.push(session.id);
    state.testId = session.testId;
    state.testTitle = session.testTitle;
    state.expiresAt = session.expiresAt;
  }

  /** The session events taken by the last read of the session: one arriving while the result is written is not lost. */
  let sessionEventsRead = 0;

  // Reminder and expiry timers, computed from the time the activity read the session.
  let cancelTimers: Array<() => void> = [];
  const due = { reminders: 0, expiry: false };
  let scheduledExpiry: number | null = null;
  function scheduleTimers(session: SessionSnapshot): void {
    cancelTimers.forEach((cancel) => cancel());
    cancelTimers = [];
    due.expiry = false;
    scheduledExpiry = session.expiresAt;
    if (session.expiresAt === null) return;
    for (const days of settings.reminderDaysBeforeExpiry) {
      const at = session.expiresAt - days * day;
      if (at > session.readAt) cancelTimers.push(startTimer(at - session.readAt, () => (due.reminders += 1)));
    }
    cancelTimers.push(startTimer(session.expiresAt - session.readAt, () => (due.expiry = true)));
  }

  async function cancelAssessment(request: CancelRequest, session: Pick<SessionSnapshot, 'id'> | null): Promise<AssessmentState> {
    if (session) await acts.cancelSession({ integrationId: input.integrationId, sessionId: session.id });
    else if (state.status === 'awaiting_selection') await acts.removeSelectionLink(ref);
    await noteThenStatus({ kind: 'cancelled', reason: request.reason, testTitle: state.testTitle, archiveReasonId: request.archiveReasonId ?? null }, 'cancelled');
    return state;
  }

  /** Cancelled while stopped (archived, hired, a recruiter's cancel): best effort, the stop may be the very problem. */
  async function cancelStopped(stop: FlowStop): Promise<AssessmentState> {
    await writeTags([], [stop.tag], { withoutUser: aboutTheLeverUser(stop) }).catch(() => undefined);
    const open = state.sessionId !== null && (state.status === 'invited' || state.status === 'started') ? { id: state.sessionId } : null;
    await cancelAssessment(inbox.cancel ?? { reason: 'recruiter' }, open).catch((err: unknown) =>
      log.warn('a stopped assessment could not be cancelled everywhere', { error: String(err) }),
    );
    state.status = 'cancelled';
    state.stopped = null;
    await reportDecision();
    return state;
  }

  async function finishWithResult(session: SessionSnapshot): Promise<AssessmentState> {
    state.score = session.score;
    state.maxScore = session.maxScore;
    state.reportUrl = session.reportUrl;
    state.passed = passedThreshold(session, settings.thresholds);
    const known = fewerLeverCalls && candidate ? { candidate: { name: candidate.name, email: candidate.email } } : {};
    const report = { session, passed: state.passed, ...known };
    // from fewerEventsPatch on, the note and the report go with the outcome's writes (or before the review) in one activity
    const resultSteps = fewerEvents ? [noteStep({ kind: 'result', session, passed: state.passed }), { step: { step: 'uploadAssessmentReport' as const, ...report } }] : [];
    if (!fewerEvents) {
      await note({ kind: 'result', session, passed: state.passed });
      await acts.uploadAssessmentReport({ ...ref, ...report });
    }
    const review = integrityReviewFor(settings, session);
    if (review && patched(integrityReviewPatch)) {
      await writeSteps(resultSteps);
      await reviewedOutcome(session, state.passed, review);
    } else await runOutcome(state.passed, session.readAt, resultSteps);
    await dryRunResult({ integrationId: input.integrationId, opportunityId: input.opportunityId, sessionId: session.id, score: session.score, maxScore: session.maxScore });
    return state;
  }

  /**
   * The result's outcome: "completed" with the threshold tag, and the threshold's stage move (a rejection
   * waits for approval where that applies). Answers the stage the candidate was moved to, if any.
   */
  async function runOutcome(passed: boolean | null, resultReadAt: number, before: Array<{ step: AssessmentWriteStep }> = []): Promise<string | null> {
    state.passed = passed;
    const thresholds = settings.thresholds;
    const outcome = thresholds && passed !== null ? (passed ? thresholds.pass : thresholds.fail) : undefined;
    const outcomeTags = thresholds && outcome ? { add: [outcome.tag], remove: [passed ? thresholds.fail.tag : thresholds.pass.tag] } : undefined;
    if (fewerEvents) return runOutcomeInOne(passed, resultReadAt, before, outcome, outcomeTags);
    // with the tags known (fewerLeverCallsPatch) the threshold tag goes with "completed": one addTags for both
    const together = tagsOnLever !== null ? outcomeTags : undefined;
    let seenStageId = await setStatus('completed', together);
    if (!outcome || !outcomeTags) return null;
    if (!together) seenStageId = (await writeTags(outcomeTags.add, outcomeTags.remove)) ?? seenStageId;
    const seen = tagsOnLever !== null && seenStageId !== undefined ? { seenStageId } : {};
    // a passed step of a sequence with a next test leaves the candidate in the stage for it
    const nextStepFollows = passed === true && state.sequence !== undefined && state.sequence.step + 1 < state.sequence.testIds.length;
    if (!outcome.moveToStageId || nextStepFollows) return null;
    const stageId = outcome.moveToStageId;
    const move = () => acts.moveStage({ integrationId: input.integrationId, opportunityId: input.opportunityId, stageId, ...seen });
    const approval = passed === false ? approvalFor(settings, candidate?.postingId) : undefined;
    if (approval && patched(rejectionApprovalPatch)) return (await awaitDecision(stageId, approval, resultReadAt, move)) === 'approved' ? stageId : null;
    await move();
    return stageId;
  }

  /**
   * `runOutcome` from `fewerEventsPatch` on: `before` (the result note and report), the status and threshold tags
   * and the threshold's stage move in one activity, unless the move waits for a recruiter's approval; the
   * candidate workflow hears "completed" once they are written.
   */
  async function runOutcomeInOne(
    passed: boolean | null,
    resultReadAt: number,
    before: Array<{ step: AssessmentWriteStep }>,
    outcome: { moveToStageId?: string | null } | undefined,
    outcomeTags: { add: string[]; remove: string[] } | undefined,
  ): Promise<string | null> {
    const change = statusChange('completed', outcomeTags);
    // a passed step of a sequence with a next test leaves the candidate in the stage for it
    const nextStepFollows = passed === true && state.sequence !== undefined && state.sequence.step + 1 < state.sequence.testIds.length;
    const stageId = outcome && outcomeTags && outcome.moveToStageId && !nextStepFollows ? outcome.moveToStageId : undefined;
    const approval = stageId !== undefined && passed === false ? approvalFor(settings, candidate?.postingId) : undefined;
    const waits = approval !== undefined && patched(rejectionApprovalPatch);
    const moveNow = stageId !== undefined && !waits ? [{ step: { step: 'moveStage' as const, stageId } }] : [];
    const seenStageId = await writeSteps([...before, ...tagStep(change.tags), ...moveNow]);
    change.apply();
    if (change.changed) await announceStatus();
    if (stageId === undefined || !waits) return stageId ?? null;
    const seen = tagsOnLever !== null && seenStageId !== undefined ? { seenStageId } : {};
    const move = () => acts.moveStage({ integrationId: input.integrationId, opportunityId: input.opportunityId, stageId, ...seen });
    return (await awaitDecision(stageId, approval!, resultReadAt, move)) === 'approved' ? stageId : null;
  }

  /**
   * A result under CodeSignal's integrity review (integrityReviewPatch): nothing moves on a suspicion. While
   * CodeSignal's review is open the outcome waits for it; a problem suggested waits for a recruiter's
   * decision (confirmed: the result counts as failed; cleared: it stands as scored; none: nothing is done).
   * A review still open when its wait ends lets the outcome run; a problem found after that is told, never undone.
   */
  async function reviewedOutcome(result: SessionSnapshot, scored: boolean | null, rule: { timeoutMs: number; review: IntegrityReviewSettings }): Promise<void> {
    const { review, timeoutMs } = rule;
    state.passed = null; // the candidate workflow hears the outcome once it is known
    await setStatus('completed');
    const session = reviewOpen(result) ? await awaitCodeSignalReview(result, timeoutMs) : result;
    if (session.integrityReviewSuggested !== true) {
      const movedTo = await runOutcome(scored, result.readAt);
      await reportDecision();
      if (!reviewOpen(session)) return;
      const late = await awaitCodeSignalReview(session, timeoutMs);
      if (late.integrityReviewSuggested !== true) return;
      await writeTags([review.tag], []);
      await note({ kind: 'integrity', phase: 'afterOutcome', deadline: late.readAt, movedTo });
      return;
    }
    const deadline = session.readAt + timeoutMs;
    const decision = await waitForDecision({ kind: 'integrity', stageId: null, deadline }, timeoutMs, async () => {
      await writeTags([review.tag], []);
      await note({ kind: 'integrity', phase: 'pending', deadline });
    });
    if (decision === 'timedOut') {
      await writeTags(settings.approval ? [settings.approval.noActionTag] : [], []);
      await note({ kind: 'integrity', phase: 'timedOut', deadline });
    } else {
      await writeTags([], [review.tag]);
      await note({ kind: 'integrity', phase: decision === 'confirmed' ? 'confirmed' : 'cleared', deadline });
      await runOutcome(decision === 'confirmed' ? false : scored, result.readAt);
    }
    await reportDecision();
  }

  /** CodeSignal's integrity review has neither finished nor suggested a problem yet. */
  const reviewOpen = (session: SessionSnapshot) => session.integrityReviewFinalized !== true && session.integrityReviewSuggested !== true;

  /** The session once CodeSignal's integrity review is over (`preScreenIntegrityReviewUpdated` re-reads it), or as last read after `timeoutMs`. */
  async function awaitCodeSignalReview(first: SessionSnapshot, timeoutMs: number): Promise<SessionSnapshot> {
    let session = first;
    let expired = false;
    const cancel = startTimer(timeoutMs, () => (expired = true));
    while (reviewOpen(session)) {
      await condition(() => inbox.sessionEvents > sessionEventsRead || expired);
      if (inbox.sessionEvents === sessionEventsRead) break;
      sessionEventsRead = inbox.sessionEvents;
      session = await acts.readSession({ integrationId: input.integrationId, sessionId: session.id });
    }
    cancel();
    return session;
  }

  /** Tells the candidate workflow (the admin UI's timeline) about a waiting decision or a stop; best effort. */
  async function reportDecision(): Promise<void> {
    const stopped = state.stopped !== undefined ? { stopped: state.stopped } : {};
    await candidateWorkflow
      .signal(assessmentStatusSignal, { assessmentId: input.assessmentId, status: state.status, testTitle: state.testTitle, sessionId: state.sessionId, score: state.score, maxScore: state.maxScore, passed: state.passed, pendingDecision: state.pendingDecision ?? null, ...(state.decision ? { decision: state.decision } : {}), ...stopped })
      .catch((err: unknown) => log.warn('candidate workflow not reachable for a decision update', { error: String(err) }));
  }

  /**
   * A decision waiting for a recruiter (recruiterActionUpdate), shared by rejections and integrity reviews:
   * `announce` writes its tag and note, then the decision or, after `timeoutMs`, 'timedOut'.
   */
  async function waitForDecision(pending: PendingDecision, timeoutMs: number, announce: () => Promise<void>): Promise<DecisionOutcome> {
    state.pendingDecision = pending;
    await announce();
    await reportDecision();
    await condition(() => inbox.decision !== undefined, timeoutMs);
    const taken = inbox.decision;
    inbox.decision = undefined;
    state.pendingDecision = null;
    state.decision = taken === undefined ? 'timedOut' : decisionOutcomes[taken.action];
    return state.decision;
  }

  /**
   * A rejection waiting for a recruiter (rejectionApprovalPatch): the pending tag and a note, then the
   * decision (recruiterActionUpdate: approve / decline) or the timeout. Approved: `reject` runs; declined
   * or no decision: nothing is done, a tag and a note say so.
   */
  async function awaitDecision(stageId: string, rule: { timeoutMs: number; approval: ApprovalSettings }, resultReadAt: number, reject: () => Promise<unknown>): Promise<DecisionOutcome> {
    const { approval } = rule;
    // the deadline shown: from when the activity read the result (no clock in workflow code); the timer starts now
    const deadline = resultReadAt + rule.timeoutMs;
    const outcome = await waitForDecision({ kind: 'rejection', stageId, deadline }, rule.timeoutMs, async () => {
      await writeTags([approval.pendingTag], []);
      await note({ kind: 'decision', phase: 'pending', stageId, deadline });
    });
    if (outcome === 'approved') {
      await writeTags([], [approval.pendingTag]);
      await reject();
    } else {
      await writeTags([outcome === 'declined' ? approval.declinedTag : approval.noActionTag], [approval.pendingTag]);
    }
    await note({ kind: 'decision', phase: outcome === 'approved' || outcome === 'declined' ? outcome : 'timedOut', stageId, deadline });
    await reportDecision();
    return outcome;
  }

  /** Applies what the session says; returns the final state once the assessment is over. */
  async function applySession(session: SessionSnapshot): Promise<AssessmentState | undefined> {
    follow(session);
    switch (session.status) {
      case 'pending':
        return undefined;
      case 'active':
      case 'gracePeriod':
        await setStatus('started');
        return undefined;
      case 'finalizing':
      case 'over':
        if (session.verificationStatus === 'pending') {
          if (state.status !== 'verification_pending') await noteThenStatus({ kind: 'provisional', session }, 'verification_pending');
          return undefined;
        }
        if (session.verificationStatus === 'notVerified') {
          state.score = session.score;
          state.maxScore = session.maxScore;
          await noteThenStatus({ kind: 'notVerified', session }, 'not_verified');
          return state;
        }
        if (session.status === 'finalizing') {
          // Score still being computed; the candidate has at least started, whatever events were missed.
          if (patched(finalizingStartedPatch)) await setStatus('started');
          return undefined;
        }
        return finishWithResult(session);
      case 'expired':
        await noteThenStatus({ kind: 'expired', testTitle: state.testTitle }, 'expired');
        return state;
      case 'declined':
        await noteThenStatus({ kind: 'declined', testTitle: session.testTitle }, 'declined');
        return state;
      default:
        // Deleted or archived on CodeSignal's side, not by us.
        await noteThenStatus({ kind: 'cancelled', reason: 'recruiter', testTitle: state.testTitle }, 'cancelled');
        return state;
    }
  }

  async function waitForOutcome(first: SessionSnapshot, email: string): Promise<AssessmentState> {
    let session = first;
    scheduleTimers(session);
    for (;;) {
      if (session.continuedAs && session.continuedAs !== session.id) {
        session = known(await acts.readSession({ integrationId: input.integrationId, sessionId: session.continuedAs }), true);
        await recordSession(session.id);
        scheduleTimers(session);
        await noteThenStatus({ kind: 'retake', testTitle: session.testTitle, email, expiresAt: session.expiresAt }, 'invited');
        continue;
      }
      const finished = await applySession(session);
      if (finished) return finished;

      await condition(() => inbox.sessionEvents > sessionEventsRead || inbox.actions.length > 0 || inbox.cancel !== undefined || due.reminders > 0 || due.expiry);
      if (inbox.cancel) return cancelAssessment(inbox.cancel, session);

      for (const action of inbox.actions.splice(0)) {
        if (action.action === 'cancel') return cancelAssessment({ reason: 'recruiter' }, session);
        if (action.action === 'resend') {
          await acts.resendInvitation({ integrationId: input.integrationId, sessionId: session.id });
          await note({ kind: 'resent', testTitle: session.testTitle, email });
        } else if (action.action === 'extend') {
          const from = Math.max(session.expiresAt ?? session.readAt, session.readAt);
          session = known(await acts.extendSession({ integrationId: input.integrationId, sessionId: session.id, expiresAt: from + action.days * day }));
          scheduleTimers(session);
          await note({ kind: 'extended', testTitle: session.testTitle, expiresAt: session.expiresAt });
        }
      }
      if (due.reminders > 0) {
        due.reminders = 0;
        if (session.status === 'pending') {
          await acts.resendInvitation({ integrationId: input.integrationId, sessionId: session.id });
          state.remindersSent += 1;
        }
      }
      if (inbox.sessionEvents > sessionEventsRead || due.expiry) {
        sessionEventsRead = inbox.sessionEvents;
        const expiryReached = due.expiry;
        due.expiry = false;
        session = known(await acts.readSession({ integrationId: input.integrationId, sessionId: session.id }));
        if (expiryReached && session.expiresAt !== scheduledExpiry) {
          scheduleTimers(session); // extended in CodeSignal itself
        } else if (expiryReached && session.status === 'pending') {
          // Our durable timer is the expiry; CodeSignal's own scheduler may flip the status later.
          session = { ...session, status: 'expired' };
        }
      }
    }
  }

  /**
   * The test sent at once, if any: a sequence's next step carries its own; otherwise the rules of
   * test-choice.ts, where posting tags or a sequence apply (testChoicePatch), else the older two defaults.
   */
  async function chooseDefaultTest(postingId: string | null, settings: AssessmentRunSettings): Promise<string | undefined> {
    if (input.sequence) {
      state.sequence = input.sequence;
      return input.sequence.testIds[input.sequence.step];
    }
    if (!usesNewRules(settings, postingId) || !patched(testChoicePatch)) {
      return (postingId && settings.defaultTestByPosting[postingId]) || settings.defaultTestByStage[input.triggerStageId];
    }
    const tag: PostingTagTest | undefined = readsPostingTags(settings, postingId)
      ? await choiceActs.readPostingTagTest({ integrationId: input.integrationId, postingId, prefix: settings.testByPostingTag.prefix })
      : undefined;
    const choice = chooseTest(settings, input.triggerStageId, postingId, tag);
    if (choice.sequence) state.sequence = { testIds: choice.sequence, step: 0 };
    if (tag?.kind === 'problem') {
      // not guessed: the next rule decides, and the admin sees why (the note, the tag, the assessment's state)
      state.testChoiceProblem = tag.problem;
      log.warn('posting test tag not understood', { postingId, problem: tag.problem });
      await note({ kind: 'testTagNotUnderstood', problem: tag.problem, fallback: fallbackOf(choice) });
      await writeTags([settings.testByPostingTag.problemTag], []);
    }
    return choice.testId ?? undefined;
  }

  try {
    // fewerEventsPatch implies fewerLeverCallsPatch without asking it: one marker (and one search attribute upsert) less per run
    fewerEvents = patched(fewerEventsPatch);
    fewerLeverCalls = fewerEvents || patched(fewerLeverCallsPatch);
    // one step with the e-mail check: after a stop for a missing e-mail, the retry reads the candidate again
    let reads = 0;
    const contact = await stops.untilFixed('getCandidate', async () => {
      const read =
        fewerLeverCalls && input.candidate?.tags && reads++ === 0
          ? input.candidate
          : await assessmentCalls.getCandidate({ integrationId: input.integrationId, opportunityId: input.opportunityId, ...(fewerLeverCalls ? { withTags: true } : {}) });
      if (fewerLeverCalls && read.tags) {
        const ours = [...workflowTags(), ...(tagsOnLever ?? [])];
        tagsOnLever = new Set(read.tags.filter((t) => ours.includes(t)));
      }
      if (!read.email) throw ApplicationFailure.nonRetryable('the candidate has no email address in Lever', 'CandidateWithoutEmail');
      return { ...read, email: read.email };
    });
    candidate = contact;
    state.candidateEmail = contact.email;

    if (input.retakeOfSessionId) {
      const session = known(takeParked(await acts.reactivateSession({ ...ref, workflowId, sessionId: input.retakeOfSessionId, ...(fewerEvents ? { takeParked: true } : {}) })), true);
      // The new session's first events may have reached the service before this answer did.
      if (!fewerEvents && patched(recordsParkedEventsPatch)) await recordSession(session.id);
      follow(session);
      await noteThenStatus({ kind: 'retake', testTitle: session.testTitle, email: contact.email, expiresAt: session.expiresAt }, 'invited');
      return await waitForOutcome(session, contact.email);
    }

    const postingId = contact.postingId;
    const defaultTest = await chooseDefaultTest(postingId, settings);
    let testId = defaultTest;
    if (!testId) {
      await acts.addSelectionLink(ref);
      await setStatus('awaiting_selection');
      await condition(() => inbox.chosenTestId !== undefined || inbox.cancel !== undefined || inbox.actions.some((a) => a.action === 'cancel'));
      if (inbox.chosenTestId === undefined) return await cancelAssessment(inbox.cancel ?? { reason: 'recruiter' }, null);
      testId = inbox.chosenTestId;
    }
    // a retry after a stop chooses a default test again from the settings as they are now (the admin may have fixed them)
    let sends = 0;
    const session = known(await stops.untilFixed('sendInvitation', async () => {
      if (sends++ > 0 && defaultTest) testId = (await chooseDefaultTest(postingId, await choiceActs.loadAssessmentSettings({ integrationId: input.integrationId }))) ?? testId;
      state.testId = testId!;
      return assessmentCalls.sendInvitation({ ...ref, workflowId, testId: testId!, candidate: contact, expireDurationMs: settings.expiryDays * day, ...(fewerEvents ? { takeParked: true } : {}) });
    }).then(takeParked), true);
    if (!fewerEvents && patched(recordsParkedEventsPatch)) await recordSession(session.id);
    follow(session);
    await noteThenStatus({ kind: 'invitation', testTitle: session.testTitle, email: contact.email, expiresAt: session.expiresAt }, 'invited', defaultTest ? [] : [{ step: { step: 'removeSelectionLink' } }]);
    return await waitForOutcome(session, contact.email);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof StoppedFlowCancelled) return await stops.passThrough(() => cancelStopped(err.stop));
    const failure = failureOf(err, 'AssessmentFailed');
    state.failure = failure;
    // Best effort: the error may be the very permission these writes need (histories from before named stops).
    await stops.passThrough(async () => {
      await note({ kind: 'failed', message: failure.message, failureType: failure.type }).catch(() => undefined);
      await setStatus('failed').catch(() => undefined);
    });
    throw ApplicationFailure.nonRetryable(`assessment ${input.assessmentId} failed: ${failure.message}`, failure.type);
  } finally {
    cancelTimers.forEach((cancel) => cancel());
  }
}
