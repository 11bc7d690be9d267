import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AssessmentSummary, CandidateContact } from '../assessment/messages';
import type { InterviewSummary } from '../interview/messages';
import type { SourcingStatus } from '../../api/sourcing/contract';
import type { SyncState } from '../sourcing/sync-state';

/** Shared by the ingress (which sends) and the candidate workflow (which receives). */

export type ArchivedState = { archivedAt: number; reason: string | null } | null;

export type LeverCandidateEvent =
  | {
      kind: 'stageChange';
      key: string;
      triggeredAt: number;
      fromStageId: string | null;
      toStageId: string;
      /**
       * Set by the ingress when its copy of the integration's settings has `toStageId` among the trigger
       * stages: `assessment` (an assessment may start; perhaps an interview too) or `interview` (only a live
       * interview). The workflow then asks Lever to confirm the event beside its context read instead of
       * after it (./lever-confirmation.ts, `earlyConfirmationPatch`). A hint only: what starts is decided on
       * the context the workflow reads; absent in histories from before it.
       */
      triggerStage?: 'assessment' | 'interview';
    }
  | { kind: 'hired'; key: string; triggeredAt: number }
  | { kind: 'archiveChange'; key: string; triggeredAt: number; toArchived: ArchivedState }
  | { kind: 'interview'; key: string; triggeredAt: number; interviewId: string; change: 'created' | 'updated' | 'deleted' };

export interface CandidateWorkflowInput {
  integrationId: string;
  opportunityId: string;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: CandidateState;
  /** Continue as new after this many history events even if the server has not suggested it. */
  historyLimit?: number;
}

export interface StageHistoryEntry {
  stageId: string;
  fromStageId: string | null;
  at: number;
}

export interface CandidateState {
  integrationId: string;
  opportunityId: string;
  stageId: string | null;
  stageChangedAt: number | null;
  stageHistory: StageHistoryEntry[];
  hiredAt: number | null;
  archived: ArchivedState;
  archivedChangedAt: number | null;
  eventsReceived: number;
  duplicatesIgnored: number;
  /**
   * Events not acted on because Lever's API contradicts them (a delivery whose body names another
   * opportunity or a stage it never entered) or could not confirm them; they left the state unchanged.
   * Absent in runs from before events were confirmed.
   */
  refusedEvents?: number;
  /** Keys of recently seen Lever events, newest last, for dropping duplicate deliveries. */
  recentEventKeys: string[];
  runs: number;
  /** Every assessment this candidate has had, oldest first (absent in runs started before assessments existed). */
  assessments?: AssessmentSummary[];
  /** Every live interview this candidate has had, oldest first. */
  interviews?: InterviewSummary[];
  /** The two-way stage sync with linked CodeSignal sourcing candidates (docs/sync.md). */
  sync?: SyncState;
}

/**
 * What Lever's API shows of the opportunity when the workflow checks an event before acting on it
 * (activity `confirmLeverEvent`): the event is acted on only when `confirmed`.
 */
export interface LeverEventConfirmation {
  confirmed: boolean;
  /** Why the event is not acted on (identifiers only); null when confirmed. */
  reason: string | null;
  /** False when Lever has no such opportunity. */
  exists: boolean;
  /** The opportunity's current stage. */
  stageId: string | null;
  /** The opportunity's current archive state (reason id and time), null when active. */
  archived: ArchivedState;
  /** Archived with a reason of type `hired`. */
  hired: boolean;
  /**
   * The candidate (name, first e-mail, applied posting, tags) from the same read, when asked for
   * (`withContact`) and Lever showed the applications: handed to the assessment it starts, which then
   * does not read the opportunity again. Absent otherwise and in older histories.
   */
  contact?: CandidateContact;
}

/**
 * A status change CodeSignal's sourcing side reported through the sourcing API (docs/sync.md), routed
 * through the candidate link. The call is authenticated by the integration's sourcing token, so the
 * report is the status: nothing is re-read.
 */
export interface CodeSignalStatusReport {
  candidateId: string;
  status: SourcingStatus;
  /** When the status changed in CodeSignal (ms). */
  changedAt: number;
  changedByUserId: string | null;
}

/** What the same signal carried before the sourcing API: a webhook naming a candidate to re-read (replayed histories only). */
export interface LegacyCodeSignalStatusHint {
  candidateId: string;
  triggeredOn: number;
  toStatus: string;
  changeSource: 'api' | 'ui';
  changedByUserId: string | null;
}

export const leverEventSignal = defineSignal<[LeverCandidateEvent]>('leverEvent');
/**
 * A backfill asks the workflow to run the flows of the trigger stage the candidate is in already (the
 * stage became a trigger after they entered it): what entering it would have started, unless it ran
 * for this entry. Confirmed with Lever first, like every event.
 */
export const runStageTriggersSignal = defineSignal<[{ stageId: string }]>('runStageTriggers');
export const codesignalStatusSignal = defineSignal<[CodeSignalStatusReport | LegacyCodeSignalStatusHint]>('codesignalStatus');
export const candidateStateQuery = defineQuery<CandidateState>('candidateState');
export const assessmentsQuery = defineQuery<AssessmentSummary[]>('assessments');
