import type { SourcingStatus } from '../../api/sourcing/contract';

/**
 * Pure decisions of the two-way stage sync (docs/sync.md, "Stage sync"). The candidate workflow
 * feeds it what it reads from Lever and CodeSignal and performs the writes it answers; tests call
 * it directly. Everything here is deterministic.
 *
 * Echoes: each side has a register — the last state the sync saw there, *including its own
 * writes*. A Lever webhook only triggers a re-read; a side still showing exactly its register (same
 * value, same change time) has not changed, whatever the webhook or report said — so CodeSignal
 * reporting back what the status feed told it, dated as the feed dated it, is no change. The same
 * status at a later time is a change (a recruiter re-asserting it after a newer Lever change); a
 * candidate whose register already shows a status is not sent it again.
 *
 * Convergence: the last change wins by the time the side recorded it (Lever's stage or archive
 * time, the `changedAt` CodeSignal reports); on equal times Lever wins.
 */

export type SyncSide = 'lever' | 'codesignal';
export type LeverTarget = { stageId: string } | { archiveReasonId: string };

/** An integration's mapping, as the sync needs it (from `mapping_sets` and its tables). */
export interface SyncMapping {
  /** Lever stage → status. */
  stages: Record<string, SourcingStatus>;
  /** Lever archive reason (hired or not) → status. */
  archiveReasons: Record<string, SourcingStatus>;
  /** Status → where it puts the opportunity. */
  statuses: Partial<Record<SourcingStatus, LeverTarget>>;
}

/** An opportunity as read from Lever's API. */
export interface LeverReading {
  stageId: string;
  /** When the opportunity entered its current stage (`stageChanges`). */
  stageAt: number;
  archiveReasonId: string | null;
  archivedAt: number | null;
  updatedAt: number;
}

/** The part of an opportunity the sync follows, with the time each part last changed. */
export interface LeverSnapshot {
  stageId: string;
  stageAt: number;
  archiveReasonId: string | null;
  /** When it was archived; when not archived, when it was last unarchived (0: never seen archived). */
  archivedAt: number;
}

export interface CodeSignalSnapshot {
  status: SourcingStatus;
  /** When the status changed: the reported `changedAt`, or for a status the feed sent, the time of the change it mirrors. */
  at: number;
  /** The CodeSignal user who set the status; null when the feed set it. */
  byUserId: string | null;
}

/** A side now shows something the sync had not seen; `status` is null when it maps to nothing. */
export interface SyncChange {
  side: SyncSide;
  /** Lever: `stage:<id>` / `archived:<reasonId>`; CodeSignal: the status. */
  value: string;
  status: SourcingStatus | null;
  at: number;
  candidateId?: string;
  byUserId: string | null;
}

export type SyncWrite =
  | { side: 'lever'; status: SourcingStatus; target: LeverTarget; eventAt: number; known: LeverSnapshot | null; byUserId: string | null }
  | { side: 'codesignal'; candidateId: string; status: SourcingStatus; eventAt: number; known: CodeSignalSnapshot | null };

/**
 * Something to act on: a Lever webhook says to re-read Lever (and when an unarchive happened); a
 * CodeSignal report carries the status (without `reported`: a hint from before the sourcing API, in
 * replayed histories, whose status was read from CodeSignal).
 */
export type SyncTrigger = { side: 'lever'; unarchivedAt?: number } | { side: 'codesignal'; candidateId: string; reported?: CodeSignalSnapshot };

export interface UnmappedReport {
  side: SyncSide;
  value: string;
  at: number;
  candidateId?: string;
}

export interface SyncError {
  side: SyncSide;
  message: string;
  candidateId?: string;
}

export interface SyncState {
  /** Webhooks waiting to be acted on; the head is the one in progress (removed once done). */
  queue: SyncTrigger[];
  /** CodeSignal sourcing candidates linked to this opportunity (candidate_links). */
  candidateIds: string[];
  /**
   * When each candidate was linked (the import). What a side showed before is its starting state,
   * not a change: the import pushes no status (see "Import"), the first change after it does.
   */
  linkedAt: Record<string, number>;
  /** The state both sides are brought to: the last change by the convergence rule. */
  agreed: { status: SourcingStatus; at: number; origin: SyncSide; byUserId: string | null } | null;
  lever: LeverSnapshot | null;
  /** Per linked candidate. */
  codesignal: Record<string, CodeSignalSnapshot>;
  /** Recent changes to a stage, archive reason or status the mapping leaves out: not synced. */
  unmapped: UnmappedReport[];
  /** Recent writes that failed for good; the next change retries. */
  errors: SyncError[];
  counts: {
    /** Webhooks handled (Lever events of a linked opportunity, CodeSignal status hints). */
    triggers: number;
    /** Re-reads that showed nothing new: echoes of our writes, duplicates, late deliveries. */
    unchanged: number;
    changes: number;
    /** Changes older than the agreed state: that side was brought back. */
    superseded: number;
    leverWrites: number;
    codesignalWrites: number;
  };
}

export const unmappedKept = 20;
export const errorsKept = 20;
/** A bound on write → newer change → write chains within one trigger; each step needs a newer recruiter change. */
export const maxSyncRounds = 16;

export function initialSyncState(): SyncState {
  return {
    queue: [],
    candidateIds: [],
    linkedAt: {},
    agreed: null,
    lever: null,
    codesignal: {},
    unmapped: [],
    errors: [],
    counts: { triggers: 0, unchanged: 0, changes: 0, superseded: 0, leverWrites: 0, codesignalWrites: 0 },
  };
}

export const leverValue = (s: LeverSnapshot): string => (s.archiveReasonId !== null ? `archived:${s.archiveReasonId}` : `stage:${s.stageId}`);

/** When the followed value last changed: archiving, or the later of entering the stage and unarchiving. */
export const leverValueAt = (s: LeverSnapshot): number => (s.archiveReasonId !== null ? s.archivedAt : Math.max(s.stageAt, s.archivedAt));

export function leverStatus(s: LeverSnapshot, mapping: SyncMapping): SourcingStatus | null {
  return (s.archiveReasonId !== null ? mapping.archiveReasons[s.archiveReasonId] : mapping.stages[s.stageId]) ?? null;
}

/**
 * A reading as a snapshot. Lever's API gives no unarchive time: a Lever `candidateArchiveChange` to
 * "not archived" gives it (`unarchivedAt`); without one, an opportunity last known archived was
 * unarchived by its `updatedAt` at the latest; else the last unarchive the sync knows of stands.
 */
export function leverSnapshotFrom(reading: LeverReading, known: LeverSnapshot | null, unarchivedAt?: number): LeverSnapshot {
  const base = { stageId: reading.stageId, stageAt: reading.stageAt };
  if (reading.archiveReasonId !== null) return { ...base, archiveReasonId: reading.archiveReasonId, archivedAt: reading.archivedAt ?? reading.updatedAt };
  const knownUnarchive = known !== null && known.archiveReasonId === null ? known.archivedAt : 0;
  const archivedAt =
    unarchivedAt !== undefined
      ? Math.max(knownUnarchive, Math.min(unarchivedAt, reading.updatedAt))
      : known !== null && known.archiveReasonId !== null
        ? reading.updatedAt
        : knownUnarchive;
  return { ...base, archiveReasonId: null, archivedAt };
}

export const sameLeverSnapshot = (a: LeverSnapshot | null, b: LeverSnapshot | null): boolean =>
  a !== null && b !== null && leverValue(a) === leverValue(b) && leverValueAt(a) === leverValueAt(b);

export const sameCodeSignalSnapshot = (a: CodeSignalSnapshot | null | undefined, b: CodeSignalSnapshot | null | undefined): boolean =>
  !!a && !!b && a.status === b.status && a.at === b.at;

/**
 * What a write activity does with a side it finds in a state the workflow does not know (a change
 * whose webhook has not arrived): when that change is newer than the one being synced, it wins and
 * nothing is written. Lever wins ties.
 */
export function unknownChangeIsNewer(write: Pick<SyncWrite, 'side' | 'eventAt'>, unknownAt: number): boolean {
  return write.side === 'lever' ? unknownAt >= write.eventAt : unknownAt > write.eventAt;
}

/**
 * Queues a webhook. Acting on one re-reads its side, so a trigger already waiting for the same side
 * (and candidate) covers a new one: the queue stays short however many webhooks arrive. The head
 * may be in progress and is never merged into.
 */
export function enqueueSyncTrigger(sync: SyncState, trigger: SyncTrigger): void {
  const waiting = sync.queue.findIndex(
    (t, i) => i > 0 && t.side === trigger.side && (t.side === 'lever' || (trigger.side === 'codesignal' && t.candidateId === trigger.candidateId)),
  );
  if (waiting === -1) {
    sync.queue.push(trigger);
    return;
  }
  const queued = sync.queue[waiting]!;
  if (queued.side === 'lever' && trigger.side === 'lever' && trigger.unarchivedAt !== undefined) {
    queued.unarchivedAt = Math.max(queued.unarchivedAt ?? 0, trigger.unarchivedAt);
  }
  // of two reports of one candidate waiting, the later change is the candidate's status
  if (queued.side === 'codesignal' && trigger.side === 'codesignal' && trigger.reported && (!queued.reported || trigger.reported.at >= queued.reported.at)) {
    queued.reported = trigger.reported;
  }
}

function pushCapped<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

const firstLinkedAt = (sync: SyncState): number => Math.min(...Object.values(sync.linkedAt), Number.MAX_SAFE_INTEGER);

/** Records Lever's state; answers the change it shows, or undefined when it shows nothing new. */
export function observeLever(sync: SyncState, snapshot: LeverSnapshot, mapping: SyncMapping): SyncChange | undefined {
  const known = sync.lever;
  if (known !== null && (sameLeverSnapshot(known, snapshot) || leverValueAt(snapshot) < leverValueAt(known))) {
    // our own write as Lever answered it, a duplicate, or a late delivery; keep the stage part fresh
    if (leverValue(known) === leverValue(snapshot) && snapshot.stageAt >= known.stageAt) sync.lever = { ...known, stageId: snapshot.stageId, stageAt: snapshot.stageAt };
    sync.counts.unchanged += 1;
    return undefined;
  }
  sync.lever = snapshot;
  if (known === null && leverValueAt(snapshot) <= firstLinkedAt(sync)) return undefined; // the starting state
  return { side: 'lever', value: leverValue(snapshot), status: leverStatus(snapshot, mapping), at: leverValueAt(snapshot), byUserId: null };
}

/** Records one CodeSignal candidate's status; answers the change it shows, if any. */
export function observeCodeSignal(sync: SyncState, candidateId: string, snapshot: CodeSignalSnapshot, mapping: SyncMapping): SyncChange | undefined {
  const known = sync.codesignal[candidateId];
  if (known && (sameCodeSignalSnapshot(known, snapshot) || snapshot.at < known.at)) {
    sync.counts.unchanged += 1;
    return undefined;
  }
  sync.codesignal[candidateId] = snapshot;
  if (!known && snapshot.at <= (sync.linkedAt[candidateId] ?? Number.MAX_SAFE_INTEGER)) return undefined; // the starting state
  const status = mapping.statuses[snapshot.status] ? snapshot.status : null;
  return { side: 'codesignal', value: snapshot.status, status, at: snapshot.at, candidateId, byUserId: snapshot.byUserId };
}

/** Last writer wins by the time each side recorded its change; a tie goes to Lever. */
export function changeWins(change: Pick<SyncChange, 'side' | 'at'>, agreed: SyncState['agreed']): boolean {
  if (agreed === null || change.at > agreed.at) return true;
  return change.at === agreed.at && (change.side === 'lever' || agreed.origin === 'codesignal');
}

/**
 * Applies one change to the agreed state and answers the writes that bring every side to it.
 * Unmapped changes are reported and write nothing. A winning change is written to the other sides
 * (the activities skip sides already there); a superseded one brings its own side back.
 */
export function decideSync(sync: SyncState, change: SyncChange, mapping: SyncMapping): SyncWrite[] {
  if (change.status === null) {
    pushCapped(sync.unmapped, { side: change.side, value: change.value, at: change.at, ...(change.candidateId ? { candidateId: change.candidateId } : {}) }, unmappedKept);
    return [];
  }
  sync.counts.changes += 1;
  const writes: SyncWrite[] = [];
  const toLever = (status: SourcingStatus, eventAt: number, byUserId: string | null) => {
    const target = mapping.statuses[status];
    if (target) writes.push({ side: 'lever', status, target, eventAt, known: sync.lever, byUserId });
    else pushCapped(sync.unmapped, { side: 'codesignal', value: status, at: eventAt }, unmappedKept);
  };
  const toCodeSignal = (candidateId: string, status: SourcingStatus, eventAt: number) =>
    writes.push({ side: 'codesignal', candidateId, status, eventAt, known: sync.codesignal[candidateId] ?? null });

  if (changeWins(change, sync.agreed)) {
    sync.agreed = { status: change.status, at: change.at, origin: change.side, byUserId: change.byUserId };
    if (change.side === 'codesignal') toLever(change.status, change.at, change.byUserId);
    // a candidate whose register already shows the status is not sent it again: no feed ping-pong between candidates
    for (const id of sync.candidateIds) if (id !== change.candidateId && sync.codesignal[id]?.status !== change.status) toCodeSignal(id, change.status, change.at);
    return writes;
  }
  sync.counts.superseded += 1;
  const agreed = sync.agreed!;
  if (agreed.status === change.status) return writes;
  if (change.side === 'lever') toLever(agreed.status, agreed.at, agreed.byUserId);
  else toCodeSignal(change.candidateId!, agreed.status, agreed.at);
  return writes;
}

/** What a write activity answers: the side before (as a snapshot against `known`) and after. */
export type WriteResult<S> = { outcome: 'written' | 'unchanged' | 'newer'; before: S; after: S };

/**
 * Records a write's outcome. A side found in a state the workflow did not know holds a change of its
 * own (its webhook is on the way): unless the write replaced it as older, it is answered as a change.
 */
export function applyWriteResult(
  sync: SyncState,
  write: SyncWrite,
  result: WriteResult<LeverSnapshot> | WriteResult<CodeSignalSnapshot>,
  mapping: SyncMapping,
): SyncChange | undefined {
  if (write.side === 'lever') {
    const { outcome, before, after } = result as WriteResult<LeverSnapshot>;
    if (outcome === 'written') sync.counts.leverWrites += 1;
    const unknown = !sameLeverSnapshot(before, write.known);
    if (outcome === 'written' || !unknown) {
      sync.lever = after;
      return undefined;
    }
    sync.lever = null; // observeLever compares against what the workflow knew before
    return observeLever(sync, before, mapping);
  }
  const { outcome, before, after } = result as WriteResult<CodeSignalSnapshot>;
  if (outcome === 'written') sync.counts.codesignalWrites += 1;
  const unknown = !sameCodeSignalSnapshot(before, write.known);
  if (outcome === 'written' || !unknown) {
    sync.codesignal[write.candidateId] = after;
    return undefined;
  }
  delete sync.codesignal[write.candidateId];
  return observeCodeSignal(sync, write.candidateId, before, mapping);
}

export function recordSyncError(sync: SyncState, error: SyncError): void {
  pushCapped(sync.errors, error, errorsKept);
}
