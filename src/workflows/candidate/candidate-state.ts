import type { ArchivedState, CandidateState, LeverCandidateEvent } from './messages';

/** Pure transitions of a candidate's Lever-side state; the workflow applies them, tests call them directly. */

export const recentEventKeysKept = 500;
export const stageHistoryKept = 200;

export function initialCandidateState(integrationId: string, opportunityId: string): CandidateState {
  return {
    integrationId,
    opportunityId,
    stageId: null,
    stageChangedAt: null,
    stageHistory: [],
    hiredAt: null,
    archived: null,
    archivedChangedAt: null,
    eventsReceived: 0,
    duplicatesIgnored: 0,
    refusedEvents: 0,
    recentEventKeys: [],
    runs: 1,
  };
}

/**
 * Applies one Lever event. Duplicates (same key) are ignored; late events are recorded in the
 * history at their place in time but never override a newer current value.
 * Returns false when the event was a duplicate.
 */
export function applyLeverEvent(state: CandidateState, event: LeverCandidateEvent): boolean {
  if (state.recentEventKeys.includes(event.key)) {
    state.duplicatesIgnored += 1;
    return false;
  }
  state.recentEventKeys.push(event.key);
  if (state.recentEventKeys.length > recentEventKeysKept) state.recentEventKeys.shift();
  state.eventsReceived += 1;

  switch (event.kind) {
    case 'stageChange': {
      const entry = { stageId: event.toStageId, fromStageId: event.fromStageId, at: event.triggeredAt };
      const at = state.stageHistory.findIndex((h) => h.at > event.triggeredAt);
      if (at === -1) state.stageHistory.push(entry);
      else state.stageHistory.splice(at, 0, entry);
      if (state.stageHistory.length > stageHistoryKept) state.stageHistory.shift();
      if (state.stageChangedAt === null || event.triggeredAt >= state.stageChangedAt) {
        state.stageId = event.toStageId;
        state.stageChangedAt = event.triggeredAt;
      }
      break;
    }
    case 'hired':
      state.hiredAt = Math.max(state.hiredAt ?? 0, event.triggeredAt);
      break;
    case 'interview':
      break; // forwarded to the candidate's live interview; nothing to record here
    case 'archiveChange':
      if (state.archivedChangedAt === null || event.triggeredAt >= state.archivedChangedAt) {
        state.archived = event.toArchived;
        state.archivedChangedAt = event.triggeredAt;
      }
      break;
  }
  return true;
}

// ---- checking an event against Lever before acting on it

/**
 * How far apart an event's `triggeredAt` and the matching entry in the opportunity's `stageChanges`
 * may be for a stage change the candidate has since left (a late delivery) to count as confirmed.
 * Both are Lever's clock; the margin covers Lever recording the change and queuing the webhook apart.
 */
export const stageEntryToleranceMs = 5 * 60_000;

/** What the check needs of an opportunity as Lever's API shows it; null: Lever has no such opportunity. */
export interface LeverOpportunityReading {
  stageId: string;
  /** Lever's `stageChanges` as entries into stages (empty when Lever sends none). */
  stageEntries: Array<{ stageId: string; at: number }>;
  archived: ArchivedState;
  /** Archived with a reason of type `hired`. */
  hired: boolean;
}

export type LeverEventVerdict = { confirmed: true } | { confirmed: false; reason: string };

const at = (ms: number) => new Date(ms).toISOString();

/**
 * Whether Lever's current record of the opportunity bears the event out. The body of a Lever
 * delivery is not signed, so it is only a claim; what it may cause is decided on what Lever shows:
 * - stage change: the opportunity is in `toStageId` now, or its `stageChanges` record an entry into
 *   it within `stageEntryToleranceMs` of `triggeredAt` (a late delivery of a stage since left);
 * - archive: the opportunity is archived now, for the event's reason when both name one;
 *   unarchive: it is not archived now;
 * - hired: it is archived now with a reason of type `hired`.
 * Interview events are not checked here: the interview workflow reads the Lever interview itself.
 */
export function leverEventVerdict(event: LeverCandidateEvent, reading: LeverOpportunityReading | null): LeverEventVerdict {
  const confirmed = { confirmed: true } as const;
  const refused = (reason: string): LeverEventVerdict => ({ confirmed: false, reason });
  if (reading === null) return refused('Lever has no such opportunity');
  const archivedAs = reading.archived ? `archived (reason ${reading.archived.reason ?? 'none'})` : 'not archived';
  switch (event.kind) {
    case 'stageChange': {
      if (reading.stageId === event.toStageId) return confirmed;
      const entered = reading.stageEntries.some((e) => e.stageId === event.toStageId && Math.abs(e.at - event.triggeredAt) <= stageEntryToleranceMs);
      if (entered) return confirmed;
      return refused(`Lever shows the opportunity in stage ${reading.stageId} and no entry into stage ${event.toStageId} around ${at(event.triggeredAt)}`);
    }
    case 'archiveChange': {
      if (event.toArchived === null) return reading.archived === null ? confirmed : refused(`Lever shows the opportunity ${archivedAs}, not unarchived`);
      if (reading.archived === null) return refused('Lever shows the opportunity not archived');
      const claimed = event.toArchived.reason;
      if (claimed && reading.archived.reason && claimed !== reading.archived.reason) return refused(`Lever shows the opportunity ${archivedAs}, not for reason ${claimed}`);
      return confirmed;
    }
    case 'hired':
      return reading.hired ? confirmed : refused(`Lever shows the opportunity ${archivedAs}, not hired`);
    case 'interview':
      return confirmed;
  }
}

/** The part of the state a Lever event changes, copied so that an event Lever refuses can be undone. */
export type LeverFields = Pick<
  CandidateState,
  'stageId' | 'stageChangedAt' | 'stageHistory' | 'hiredAt' | 'archived' | 'archivedChangedAt' | 'eventsReceived' | 'recentEventKeys'
>;

export function copyLeverFields(state: CandidateState): LeverFields {
  return {
    stageId: state.stageId,
    stageChangedAt: state.stageChangedAt,
    stageHistory: state.stageHistory.map((e) => ({ ...e })),
    hiredAt: state.hiredAt,
    archived: state.archived ? { ...state.archived } : null,
    archivedChangedAt: state.archivedChangedAt,
    eventsReceived: state.eventsReceived,
    recentEventKeys: [...state.recentEventKeys],
  };
}

/**
 * Undoes an event Lever refused: the state is as before it, and the event is counted as refused. Its
 * key is forgotten too, so a later delivery of the same event is checked again rather than dropped.
 */
export function refuseLeverEvent(state: CandidateState, before: LeverFields): void {
  Object.assign(state, before);
  state.refusedEvents = (state.refusedEvents ?? 0) + 1;
}
