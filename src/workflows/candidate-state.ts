import type { CandidateState, LeverCandidateEvent } from './messages';

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
