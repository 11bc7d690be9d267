import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Activities } from '../../activities';
import type { Db } from '../../db/pool';
import { listOpportunityDeliveries } from '../../db/webhook-deliveries';
import { candidateWorkflowId } from '../../workflows/shared/ids';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../../workflows/shared/search-attributes';
import { runView, temporalUiLink } from './activity';
import { resyncKeyPrefix } from '../../temporal/candidate-resync';
import { HANDED_BACK } from '../../activities/shared/attempt';
import { serviceName, type ExternalService } from '../../external-api-error';

/**
 * The per-candidate timeline of the admin UI (README "Candidate timeline"): the webhook deliveries
 * for the opportunity, its workflows from Temporal visibility, and from their event histories what
 * the service did — every Lever and CodeSignal call by activity type with its outcome, the signals
 * that drove it (Lever events, CodeSignal hints, re-syncs) and failures with what an admin can do.
 * Payloads are encrypted; the client's data converter decodes the few fields an entry names (an
 * event's kind and stage, a note's kind, a status), and nothing else of a payload is shown.
 */

export const timelineLimits = {
  /** Webhook deliveries of the opportunity, newest kept. */
  deliveries: 200,
  /** Workflow runs read (candidate runs across continue-as-new, assessments, interviews). */
  runs: 20,
  /** History events read per run, oldest first. */
  eventsPerRun: 1_000,
};

export type TimelineKind = 'webhook' | 'workflow' | 'lever-event' | 're-sync' | 'lever' | 'codesignal' | 'status' | 'failure';

export interface TimelineFailure {
  type: string | null;
  message: string;
  /** What an admin can do about it. */
  action: string;
  /** The set-up page that fixes it, when one does. */
  page: 'credentials' | 'configuration' | null;
}

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  title: string;
  /** webhook: the delivery's outcome; calls: ok, failed, timed_out, cancelled, pending; workflows: their status. */
  outcome: string;
  detail: string | null;
  /** A Lever stage the entry names (the UI shows its name). */
  stageId?: string | null;
  /** Lever and CodeSignal calls: whether the call changes something there. */
  call?: 'read' | 'write';
  workflowId: string | null;
  temporalUrl: string | null;
  failure?: TimelineFailure;
}

export interface TimelineWorkflow extends ReturnType<typeof runView> {
  /** More events than timelineLimits.eventsPerRun: the latest are not listed. */
  truncated: boolean;
}

export interface TimelineDeps {
  db: Db;
  temporal: Client;
  namespace: string;
  temporalUiUrl: string | undefined;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** What each activity does, as the timeline names it; `internal` ones (settings, the service's own tables) are listed only when they fail. */
type ActivityEntry = { kind: 'lever' | 'codesignal' | 'internal'; title: string; read?: boolean };
// keyed by the worker's activity names: a renamed or removed activity fails type-check here instead of vanishing from the timeline
const activityCatalogue: Record<string, ActivityEntry> = {
  confirmLeverEvent: { kind: 'lever', title: 'Lever event checked with Lever', read: true },
  getCandidate: { kind: 'lever', title: 'Candidate read from Lever', read: true },
  addSelectionLink: { kind: 'lever', title: 'Test selection link added to the opportunity' },
  removeSelectionLink: { kind: 'lever', title: 'Test selection link removed from the opportunity' },
  postAssessmentNote: { kind: 'lever', title: 'Note posted' },
  setAssessmentTags: { kind: 'lever', title: 'Tags set' },
  uploadAssessmentReport: { kind: 'lever', title: 'PDF report uploaded' },
  moveStage: { kind: 'lever', title: 'Stage changed in Lever' },
  sendInvitation: { kind: 'codesignal', title: 'CodeSignal invitation sent' },
  readSession: { kind: 'codesignal', title: 'CodeSignal test session read', read: true },
  resendInvitation: { kind: 'codesignal', title: 'CodeSignal invitation sent again' },
  extendSession: { kind: 'codesignal', title: 'CodeSignal test session extended' },
  reactivateSession: { kind: 'codesignal', title: 'CodeSignal test session reactivated (retake)' },
  cancelSession: { kind: 'codesignal', title: 'CodeSignal test session cancelled' },
  getInterviewCandidate: { kind: 'lever', title: 'Candidate read from Lever', read: true },
  resolveInterviewer: { kind: 'codesignal', title: 'Interviewer chosen', read: true },
  createRoom: { kind: 'codesignal', title: 'CodeSignal live interview created' },
  readRoom: { kind: 'codesignal', title: 'CodeSignal live interview read', read: true },
  updateRoomExpiry: { kind: 'codesignal', title: 'CodeSignal live interview expiry changed' },
  cancelRoom: { kind: 'codesignal', title: 'CodeSignal live interview cancelled' },
  readLeverInterview: { kind: 'lever', title: 'Lever interview read', read: true },
  setRoomLink: { kind: 'lever', title: 'Interview link set on the opportunity' },
  postInterviewNote: { kind: 'lever', title: 'Note posted' },
  setInterviewTags: { kind: 'lever', title: 'Tags set' },
  loadSyncContext: { kind: 'internal', title: 'Stage sync: linked CodeSignal candidates read', read: true },
  loadAssessmentSettings: { kind: 'internal', title: 'Integration settings read', read: true },
  defaultLeverUserDeactivated: { kind: 'lever', title: 'Default Lever user checked (active or not)', read: true },
  loadInterviewSettings: { kind: 'internal', title: 'Integration settings read', read: true },
  recordSession: { kind: 'internal', title: 'Test session recorded', read: true },
  writeCodeSignalStatus: { kind: 'codesignal', title: 'Status sent to CodeSignal (status feed)' },
  writeLeverForStatus: { kind: 'lever', title: 'Lever updated for a CodeSignal status' },
} satisfies Partial<Record<keyof Activities, ActivityEntry>>;

/**
 * The assessment flow's Lever writes in one activity (`writeAssessmentSteps`, src/activities/assessment): its
 * input lists the steps, each named as the activity that made it before (postAssessmentNote, setAssessmentTags,
 * uploadAssessmentReport, removeSelectionLink, moveStage), so the timeline shows them as those.
 */
const stepsActivity = 'writeAssessmentSteps';
const stepsOf = (input: unknown): Array<Record<string, unknown> & { step: string }> => {
  const steps = record(input).steps;
  return Array.isArray(steps) ? steps.map(record).filter((x): x is Record<string, unknown> & { step: string } => typeof x.step === 'string') : [];
};

const noteKinds: Record<string, string> = {
  invitation: 'invitation sent',
  retake: 'retake sent',
  resent: 'invitation sent again',
  extended: 'expiry extended',
  provisional: 'provisional result',
  result: 'result',
  notVerified: 'result not verified',
  expired: 'invitation expired',
  declined: 'invitation declined',
  cancelled: 'assessment cancelled',
  failed: 'assessment failed',
  stopped: 'assessment stopped (private note)',
  testTagNotUnderstood: 'posting test tag not understood',
};

const workflowTitles: Record<string, string> = {
  candidateWorkflow: 'Candidate workflow',
  assessmentWorkflow: 'Assessment',
  interviewWorkflow: 'Live interview',
};

const leverEventTitles: Record<string, string> = {
  stageChange: 'Lever: stage change',
  hired: 'Lever: hired',
  archiveChange: 'Lever: archive change',
  interview: 'Lever: interview change',
};

/**
 * What an admin can do about a failed call, from the failure types the activities throw
 * (`Lever.<code>`/`CodeSignal.<code>` from src/activities/shared/failures.ts, or the activities' own).
 */
export function adviceFor(type: string | null, message: string, timedOut = false): Pick<TimelineFailure, 'action' | 'page'> {
  const t = type ?? '';
  const retried = 'Temporal retries it on its own; once it succeeds nothing else is needed. If it keeps failing, check the service\'s status, then use "Re-sync now".';
  if (timedOut) return { action: `It ran out of time. ${retried}`, page: null };
  if (/Unauthori[sz]ed|Forbidden|AccessDenied|InvalidApiKey/i.test(t) || /\b40[13]\b/.test(message)) {
    const side = t.startsWith('CodeSignal') ? 'CodeSignal' : 'Lever';
    return { action: `The ${side} API key was refused or lacks a permission: fix it on Credentials (TEST names what is missing), then use "Re-sync now".`, page: 'credentials' };
  }
  if (t === 'NoDefaultLeverUser') return { action: 'Choose the default Lever user on Configuration, then use "Re-sync now".', page: 'configuration' };
  if (t === 'CandidateWithoutEmail') return { action: 'Add an e-mail address to the candidate in Lever, then move them to the trigger stage again (or use "Re-sync now").', page: null };
  if (t === 'FeedNotConfigured' || t === 'FeedRejected') return { action: 'Set up the status feed in Credentials → Sourcing API.', page: 'credentials' };
  if (/NotFound$/.test(t)) return { action: 'The record no longer exists on that side (deleted there). Nothing to repair unless it was deleted by mistake; "Re-sync now" re-reads both sides.', page: null };
  if (/RateLimited|ServerError|Timeout|NetworkError|UnexpectedResponse|HttpError|Unavailable/.test(t)) return { action: retried, page: null };
  return { action: 'Open the run in the Temporal Web UI for the details; fix the cause, then use "Re-sync now", or cancel the assessment from Lever (archive the candidate).', page: null };
}

const iso = (ms: number | undefined): string => new Date(ms ?? 0).toISOString();
const eventTime = (e: HistoryEvent): number => optionalTsToMs(e.eventTime) ?? 0;
const idOf = (value: unknown): string => String(value ?? '');
const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Decodes a payload list; an undecodable one (a key no longer configured) reads as nothing. */
async function decodeArgs(converter: LoadedDataConverter, payloads: temporal.api.common.v1.IPayload[] | null | undefined): Promise<unknown[]> {
  if (!payloads?.length) return [];
  return decodeArrayFromPayloads(converter, payloads).catch(() => []);
}

/** A failure's type and message as the timeline shows them, and its details (a hand-back names the service it waits for). */
async function decodeFailure(converter: LoadedDataConverter, failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<{ type: string | null; message: string; details: unknown }> {
  const error = await decodeOptionalFailureToOptionalError(converter, failure).catch(() => undefined);
  // an activity's failure arrives wrapped (ActivityFailure) around the ApplicationFailure it threw
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const type = str(record(cause).type);
  const message = cause instanceof Error ? cause.message : (failure?.message ?? 'failed');
  return { type, message: message.slice(0, 1000), details: record(cause).details };
}

/** A decoded failure as a timeline entry shows it: its type, message and the advice for it (never its details). */
const failureShown = (f: { type: string | null; message: string }, timedOut = false): TimelineFailure => ({ type: f.type, message: f.message, ...adviceFor(f.type, f.message, timedOut) });

/** Whose budget a handed-back attempt waits for (its failure's details, src/activities/shared/attempt.ts); Lever's for one handed back before CodeSignal's could be. */
const handedBackService = (details: unknown): ExternalService => (Array.isArray(details) && details[0] === 'codesignal' ? 'codesignal' : 'lever');

/** The history of one run, oldest first, at most `limit` events. */
async function readHistory(deps: TimelineDeps, workflowId: string, runId: string, limit: number): Promise<{ events: HistoryEvent[]; truncated: boolean }> {
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const page = await deps.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: deps.namespace,
      execution: { workflowId, runId },
      maximumPageSize: Math.min(500, limit - events.length),
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    if (!nextPageToken) return { events: events.slice(0, limit), truncated: events.length > limit };
    if (events.length >= limit) return { events: events.slice(0, limit), truncated: true };
  }
}

/** What the timeline needs of a run, from visibility or a describe. */
type Run = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'type' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>;

/** The candidate's workflow runs: visibility by LeverOpportunityId (children inherit it), plus the candidate workflow itself (visibility lags a moment). */
export async function candidateRuns(deps: TimelineDeps, integrationId: string, opportunityId: string): Promise<Run[]> {
  const runs: Run[] = [];
  const query = `${IntegrationIdKey.name} = '${integrationId}' AND ${LeverOpportunityIdKey.name} = '${opportunityId}'`;
  for await (const run of deps.temporal.workflow.list({ query, pageSize: timelineLimits.runs })) {
    runs.push(run);
    if (runs.length >= timelineLimits.runs) break;
  }
  const candidateId = candidateWorkflowId(integrationId, opportunityId);
  if (!runs.some((r) => r.workflowId === candidateId)) {
    const described = await deps.temporal.workflow.getHandle(candidateId).describe().catch(() => undefined);
    if (described) runs.unshift(described);
  }
  return runs;
}

/** The entries of one run's history, and the pending activities of an open one with their last failure. */
async function runEntries(deps: TimelineDeps, run: Run): Promise<{ entries: TimelineEntry[]; truncated: boolean }> {
  const converter = deps.temporal.options.loadedDataConverter;
  const link = temporalUiLink(deps.temporalUiUrl, deps.namespace, run.workflowId, run.runId);
  const base = { workflowId: run.workflowId, temporalUrl: link };
  const what = workflowTitles[run.type] ?? run.type;
  const entries: TimelineEntry[] = [];
  const { events, truncated } = await readHistory(deps, run.workflowId, run.runId, timelineLimits.eventsPerRun);
  const scheduled = new Map<string, { type: string; args: unknown[]; at: number; activityId: string }>();
  const finished = new Set<string>();

  const call = async (scheduledId: unknown, at: number, outcome: string, result: unknown, failure?: temporal.api.failure.v1.IFailure | null) => {
    const key = idOf(scheduledId);
    finished.add(key);
    const s = scheduled.get(key);
    if (!s) return;
    // decoded once, whichever entry shows it
    const f = failure !== undefined ? await decodeFailure(converter, failure) : undefined;
    if (s.type !== stepsActivity) return callEntry(s.type, record(s.args[0]), at, outcome, result, f);
    // the assessment's Lever writes in one activity: an entry per step; a failure under the step it names
    const steps = stepsOf(s.args[0]);
    if (f === undefined) {
      for (const step of steps) await callEntry(step.step, step, at, outcome, result);
      return;
    }
    const failedStep = str(record(Array.isArray(f.details) ? f.details[0] : undefined).step) ?? steps[0]?.step ?? s.type;
    await callEntry(failedStep, steps.find((x) => x.step === failedStep) ?? {}, at, outcome, result, f);
  };
  const callEntry = async (type: string, input: Record<string, unknown>, at: number, outcome: string, result: unknown, f?: Awaited<ReturnType<typeof decodeFailure>>) => {
    const known = activityCatalogue[type] ?? { kind: 'internal', title: type, read: true };
    if (known.kind === 'internal' && outcome === 'ok') return;
    let title = known.title;
    let detail: string | null = null;
    let stageId: string | null | undefined;
    const note = str(record(input.note).kind);
    if (note) title = `${title}: ${noteKinds[note] ?? note}`;
    if (type === 'setAssessmentTags' || type === 'setInterviewTags') {
      const add = Array.isArray(input.add) ? input.add.map(String) : [];
      detail = add.length ? `added ${add.join(', ')}` : 'status tags removed';
    }
    if (type === 'moveStage') stageId = str(input.stageId);
    if (type === 'confirmLeverEvent' && outcome === 'ok') {
      const answer = record(result);
      if (answer.confirmed === false) {
        outcome = 'refused';
        detail = `not acted on: ${str(answer.reason) ?? 'Lever does not bear it out'}`;
      } else detail = 'Lever bears the event out';
    }
    const entry: TimelineEntry = { at: iso(at), kind: known.kind === 'internal' ? 'failure' : known.kind, title, outcome, detail, call: known.read ? 'read' : 'write', ...(stageId !== undefined ? { stageId } : {}), ...base };
    if (f !== undefined) {
      entry.failure = failureShown(f, outcome === 'timed_out');
      entry.detail = f.message;
    }
    entries.push(entry);
  };

  for (const event of events) {
    const at = eventTime(event);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        entries.push({ at: iso(at), kind: 'workflow', title: `${what} started`, outcome: 'started', detail: null, ...base });
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = event.activityTaskScheduledEventAttributes!;
        const type = a.activityType?.name ?? '';
        // inputs are decoded only where an entry names something of them
        const wanted = ['postAssessmentNote', 'postInterviewNote', 'setAssessmentTags', 'setInterviewTags', 'moveStage', stepsActivity].includes(type);
        scheduled.set(idOf(event.eventId), { type, args: wanted ? await decodeArgs(converter, a.input?.payloads) : [], at, activityId: a.activityId ?? '' });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const a = event.activityTaskCompletedEventAttributes!;
        const type = scheduled.get(idOf(a.scheduledEventId))?.type;
        const result = type === 'confirmLeverEvent' ? (await decodeArgs(converter, a.result?.payloads))[0] : undefined;
        await call(a.scheduledEventId, at, 'ok', result);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        await call(event.activityTaskFailedEventAttributes!.scheduledEventId, at, 'failed', undefined, event.activityTaskFailedEventAttributes!.failure);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        await call(event.activityTaskTimedOutEventAttributes!.scheduledEventId, at, 'timed_out', undefined, event.activityTaskTimedOutEventAttributes!.failure);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        await call(event.activityTaskCanceledEventAttributes!.scheduledEventId, at, 'cancelled', undefined);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const entry = await signalEntry(converter, event.workflowExecutionSignaledEventAttributes!, at);
        if (entry) entries.push({ ...entry, ...base });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        entries.push({ at: iso(at), kind: 'workflow', title: `${what} completed`, outcome: 'completed', detail: null, ...base });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        entries.push({ at: iso(at), kind: 'workflow', title: `${what} continued as a new run`, outcome: 'continued_as_new', detail: 'its state carried over', ...base });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
        const f = await decodeFailure(converter, event.workflowExecutionFailedEventAttributes!.failure);
        entries.push({ at: iso(at), kind: 'failure', title: `${what} failed`, outcome: 'failed', detail: f.message, failure: failureShown(f), ...base });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        entries.push({ at: iso(at), kind: 'workflow', title: `${what} terminated`, outcome: 'terminated', detail: event.workflowExecutionTerminatedEventAttributes?.reason ?? null, ...base });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        entries.push({ at: iso(at), kind: 'workflow', title: `${what} ${event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED ? 'cancelled' : 'timed out'}`, outcome: 'closed', detail: null, ...base });
        break;
      default:
        break;
    }
  }
  // calls still running (a retried outage shows here with its last failure)
  if (run.status.name === 'RUNNING' && [...scheduled.keys()].some((k) => !finished.has(k))) {
    const described = await deps.temporal.workflow.getHandle(run.workflowId, run.runId).describe().catch(() => undefined);
    for (const pending of described?.raw.pendingActivities ?? []) {
      const type = pending.activityType?.name ?? '';
      // the assessment's Lever writes in one activity: named by its steps
      const steps = type === stepsActivity ? stepsOf([...scheduled.values()].find((x) => x.activityId === pending.activityId)?.args[0]) : [];
      const known: ActivityEntry =
        type === stepsActivity
          ? { kind: 'lever', title: steps.map((x) => activityCatalogue[x.step]?.title ?? x.step).join(', ') || 'Lever written' }
          : (activityCatalogue[type] ?? { kind: 'internal', title: type, read: true });
      if (known.kind === 'internal' && !pending.lastFailure) continue;
      const entry: TimelineEntry = {
        at: iso(optionalTsToMs(pending.lastStartedTime) ?? optionalTsToMs(pending.lastAttemptCompleteTime) ?? Date.now()),
        kind: known.kind === 'internal' ? 'failure' : known.kind,
        title: known.title,
        call: known.read ? 'read' : 'write',
        outcome: 'pending',
        detail: `attempt ${pending.attempt ?? 1}`,
        ...base,
      };
      if (pending.lastFailure) {
        const f = await decodeFailure(converter, pending.lastFailure);
        if (f.type === HANDED_BACK) {
          // not a fault: the attempt gave its worker slot back to wait for the organization's Lever or CodeSignal budget in Temporal
          if (known.kind === 'internal') continue;
          const api = serviceName[handedBackService(f.details)];
          entry.detail = `attempt ${pending.attempt ?? 1}, waiting for the integration's ${api} budget (its ${api} requests are queued)`;
        } else {
          entry.failure = failureShown(f);
          entry.detail = `attempt ${pending.attempt ?? 1}, last failure: ${f.message}`;
        }
      }
      entries.push(entry);
    }
  }
  return { entries, truncated };
}

/** Signals as the timeline names them: Lever events (and re-syncs), CodeSignal hints, status reports of children. */
async function signalEntry(
  converter: LoadedDataConverter,
  a: temporal.api.history.v1.IWorkflowExecutionSignaledEventAttributes,
  at: number,
): Promise<Omit<TimelineEntry, 'workflowId' | 'temporalUrl'> | null> {
  const name = a.signalName ?? '';
  const at_ = iso(at);
  switch (name) {
    case 'leverEvent': {
      const event = record((await decodeArgs(converter, a.input?.payloads))[0]);
      const kind = str(event.kind) ?? '';
      const resync = (str(event.key) ?? '').startsWith(resyncKeyPrefix);
      const stageId = str(event.toStageId);
      const archived = event.kind === 'archiveChange' ? (event.toArchived ? 'archived' : 'unarchived') : null;
      return {
        at: at_,
        kind: resync ? 're-sync' : 'lever-event',
        title: resync ? `Re-sync: Lever re-read (${kind === 'stageChange' ? 'current stage' : 'archive state'})` : (leverEventTitles[kind] ?? `Lever: ${kind}`),
        outcome: 'received',
        detail: archived,
        ...(stageId ? { stageId } : {}),
      };
    }
    case 'sessionEvent': {
      const event = record((await decodeArgs(converter, a.input?.payloads))[0]);
      const resync = event.event === 'resync';
      return { at: at_, kind: resync ? 're-sync' : 'codesignal', title: resync ? 'Re-sync: CodeSignal session re-read' : `CodeSignal: ${str(event.event) ?? 'event'}`, outcome: 'received', detail: null };
    }
    case 'liveInterviewEvent': {
      const event = record((await decodeArgs(converter, a.input?.payloads))[0]);
      const resync = event.event === 'resync';
      return { at: at_, kind: resync ? 're-sync' : 'codesignal', title: resync ? 'Re-sync: CodeSignal live interview re-read' : `CodeSignal: ${str(event.event) ?? 'event'}`, outcome: 'received', detail: null };
    }
    case 'assessmentStatus':
    case 'interviewStatus': {
      const update = record((await decodeArgs(converter, a.input?.payloads))[0]);
      const which = name === 'assessmentStatus' ? `Assessment ${str(update.assessmentId) ?? ''}` : `Live interview ${str(update.interviewId) ?? ''}`;
      // a named stop (README "When a flow stops: named errors"): its name, and what to fix
      const stopped = update.stopped ? record(update.stopped) : undefined;
      if (stopped) return { at: at_, kind: 'status', title: `${which.trim()}: stopped as ${str(stopped.name) ?? '?'}`, outcome: 'stopped', detail: str(stopped.fix) ?? null };
      return { at: at_, kind: 'status', title: `${which.trim()}: ${String(update.status ?? '?').replace(/_/g, ' ')}`, outcome: String(update.status ?? ''), detail: null };
    }
    case 'testChosen':
      return { at: at_, kind: 'status', title: 'Test chosen on the selection page', outcome: 'received', detail: null };
    case 'cancelAssessment':
    case 'cancelInterview':
      return { at: at_, kind: 'status', title: name === 'cancelAssessment' ? 'Assessment cancellation requested' : 'Live interview cancellation requested', outcome: 'received', detail: null };
    case 'codesignalStatus':
      return { at: at_, kind: 'codesignal', title: 'CodeSignal sourcing status reported', outcome: 'received', detail: null };
    default:
      return { at: at_, kind: 'status', title: `Signal ${name}`, outcome: 'received', detail: null };
  }
}

const deliveryTitles: Record<string, string> = {
  candidateStageChange: 'stage change',
  candidateHired: 'hired',
  candidateArchiveChange: 'archive change',
  interviewCreated: 'interview created',
  interviewUpdated: 'interview updated',
  interviewDeleted: 'interview deleted',
};

/** The opportunity's webhook deliveries, newest `timelineLimits.deliveries`, as entries. */
export async function deliveryEntries(deps: TimelineDeps, integrationId: string, opportunityId: string): Promise<TimelineEntry[]> {
  const deliveries = await listOpportunityDeliveries(deps.db, integrationId, opportunityId, timelineLimits.deliveries);
  return deliveries.map((d) => {
    const from = d.source === 'lever' ? 'Lever' : d.source === 'codesignal' ? 'CodeSignal' : d.source;
    const what = d.event ? (deliveryTitles[d.event] ?? d.event) : 'unreadable body';
    const refused = d.outcome === 'refused' || d.outcome === 'rejected' || d.outcome === 'failed';
    return {
      at: d.receivedAt.toISOString(),
      kind: 'webhook' as const,
      title: `Webhook from ${from}: ${what}`,
      outcome: d.outcome,
      detail: `HTTP ${d.httpStatus}${d.reason ? ` — ${d.reason}` : ''}`,
      workflowId: d.workflowId,
      temporalUrl: d.workflowId ? temporalUiLink(deps.temporalUiUrl, deps.namespace, d.workflowId) : null,
      ...(refused && d.reason
        ? {
            failure: {
              type: d.reason.split(':')[0] ?? null,
              message: d.reason,
              ...(d.outcome === 'refused'
                ? { action: 'Lever contradicts the event, so nothing followed from it. If Lever is right, nothing to do; "Re-sync now" acts on what Lever shows.', page: null }
                : /signature/.test(d.reason)
                  ? { action: 'Check the webhook signing token on Credentials (it must be the one Lever shows for this webhook).', page: 'credentials' as const }
                  : { action: 'The sender retries failed deliveries; "Re-sync now" acts on what Lever shows meanwhile.', page: null }),
            },
          }
        : {}),
    };
  });
}

/** Every entry, oldest first; the workflows with their status and deep links. */
export async function candidateTimeline(deps: TimelineDeps, integrationId: string, opportunityId: string): Promise<{ workflows: TimelineWorkflow[]; entries: TimelineEntry[] }> {
  const [deliveries, runs] = await Promise.all([deliveryEntries(deps, integrationId, opportunityId), candidateRuns(deps, integrationId, opportunityId)]);
  const perRun = await Promise.all(runs.map((run) => runEntries(deps, run)));
  const workflows = runs.map((r, i) => ({ ...runView(deps, r), truncated: perRun[i]!.truncated }));
  const entries = [...deliveries, ...perRun.flatMap((r) => r.entries)];
  // stable by time; at the same millisecond a webhook comes before what it caused
  const order: Record<string, number> = { webhook: 0, 'lever-event': 1, 're-sync': 1 };
  entries.sort((a, b) => a.at.localeCompare(b.at) || (order[a.kind] ?? 2) - (order[b.kind] ?? 2));
  return { workflows, entries };
}
