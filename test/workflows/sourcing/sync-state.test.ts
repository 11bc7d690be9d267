import {
  applyWriteResult,
  changeWins,
  decideSync,
  enqueueSyncTrigger,
  initialSyncState,
  leverSnapshotFrom,
  observeCodeSignal,
  observeLever,
  type LeverSnapshot,
  type SyncMapping,
  type SyncState,
} from '../../../src/workflows/sourcing/sync-state';

/** The pure decisions of the stage sync, without Temporal or sandboxes. */
const mapping: SyncMapping = {
  stages: { 'lead-new': 'contacted', 'lead-reached-out': 'contacted', 'lead-responded': 'replied', phone: 'screening', onsite: 'interviewing' },
  archiveReasons: { hired: 'hired', withdrew: 'archived' },
  statuses: {
    contacted: { stageId: 'lead-reached-out' },
    replied: { stageId: 'lead-responded' },
    screening: { stageId: 'phone' },
    interviewing: { stageId: 'onsite' },
    hired: { archiveReasonId: 'hired' },
    archived: { archiveReasonId: 'withdrew' },
  },
};
const linkedAt = 1_000;
const lever = (stageId: string, stageAt: number, archive?: { reason: string; at: number }): LeverSnapshot => ({
  stageId,
  stageAt,
  archiveReasonId: archive?.reason ?? null,
  archivedAt: archive?.at ?? 0,
});
const fresh = (): SyncState => {
  const sync = initialSyncState();
  sync.candidateIds = ['c1'];
  sync.linkedAt = { c1: linkedAt };
  // the starting state the import left: New lead, `replied`
  observeLever(sync, lever('lead-new', 900), mapping);
  observeCodeSignal(sync, 'c1', { status: 'replied', at: 800, byUserId: null }, mapping);
  return sync;
};

describe('stage sync decisions', () => {
  it('takes what each side showed before the link as its starting state, not as a change', () => {
    const sync = fresh();
    expect(sync.agreed).toBeNull();
    expect(sync.lever).toEqual(lever('lead-new', 900));
    expect(sync.codesignal.c1).toEqual({ status: 'replied', at: 800, byUserId: null });
  });

  it('writes a Lever change to CodeSignal and recognises the echo of that write', () => {
    const sync = fresh();
    const change = observeLever(sync, lever('phone', 2_000), mapping)!;
    expect(change).toMatchObject({ side: 'lever', status: 'screening', at: 2_000 });
    const writes = decideSync(sync, change, mapping);
    expect(writes).toEqual([{ side: 'codesignal', candidateId: 'c1', status: 'screening', eventAt: 2_000, known: { status: 'replied', at: 800, byUserId: null } }]);
    const after = { status: 'screening' as const, at: 2_050, byUserId: null };
    expect(applyWriteResult(sync, writes[0]!, { outcome: 'written', before: { status: 'replied', at: 800, byUserId: null }, after }, mapping)).toBeUndefined();
    // CodeSignal's webhook for our own write: the re-read shows exactly what we wrote
    expect(observeCodeSignal(sync, 'c1', after, mapping)).toBeUndefined();
    // and so does a late or duplicated Lever webhook
    expect(observeLever(sync, lever('phone', 2_000), mapping)).toBeUndefined();
    expect(sync.counts).toMatchObject({ changes: 1, unchanged: 2, codesignalWrites: 1 });
  });

  it('writes a CodeSignal change to Lever as the user who made it', () => {
    const sync = fresh();
    const change = observeCodeSignal(sync, 'c1', { status: 'interviewing', at: 2_000, byUserId: 'cs-sam' }, mapping)!;
    expect(decideSync(sync, change, mapping)).toEqual([
      { side: 'lever', status: 'interviewing', target: { stageId: 'onsite' }, eventAt: 2_000, known: lever('lead-new', 900), byUserId: 'cs-sam' },
    ]);
    expect(sync.agreed).toEqual({ status: 'interviewing', at: 2_000, origin: 'codesignal', byUserId: 'cs-sam' });
  });

  it('lets the later change win and brings the earlier side back', () => {
    const sync = fresh();
    decideSync(sync, observeCodeSignal(sync, 'c1', { status: 'interviewing', at: 3_000, byUserId: 'cs-sam' }, mapping)!, mapping);
    // a Lever move made before it, whose webhook comes late
    const late = observeLever(sync, lever('phone', 2_000), mapping)!;
    expect(decideSync(sync, late, mapping)).toEqual([
      { side: 'lever', status: 'interviewing', target: { stageId: 'onsite' }, eventAt: 3_000, known: lever('phone', 2_000), byUserId: 'cs-sam' },
    ]);
    expect(sync.agreed).toMatchObject({ status: 'interviewing', origin: 'codesignal' });
    expect(sync.counts.superseded).toBe(1);
  });

  it('breaks ties between the sides in Lever’s favour', () => {
    expect(changeWins({ side: 'lever', at: 5 }, { status: 'offer', at: 5, origin: 'codesignal', byUserId: null })).toBe(true);
    expect(changeWins({ side: 'codesignal', at: 5 }, { status: 'offer', at: 5, origin: 'lever', byUserId: null })).toBe(false);
    expect(changeWins({ side: 'codesignal', at: 6 }, { status: 'offer', at: 5, origin: 'lever', byUserId: null })).toBe(true);
  });

  it('reports unmapped stages and statuses and writes nothing for them', () => {
    const sync = fresh();
    expect(decideSync(sync, observeLever(sync, lever('reference-check', 2_000), mapping)!, mapping)).toEqual([]);
    expect(decideSync(sync, observeCodeSignal(sync, 'c1', { status: 'offer', at: 2_100, byUserId: null }, mapping)!, mapping)).toEqual([]);
    expect(sync.unmapped).toEqual([
      { side: 'lever', value: 'stage:reference-check', at: 2_000 },
      { side: 'codesignal', value: 'offer', at: 2_100, candidateId: 'c1' },
    ]);
    expect(sync.agreed).toBeNull();
  });

  it('treats a newer change found by a write as a change of its own, and the older one it overwrote as lost', () => {
    const sync = fresh();
    const [toLever] = decideSync(sync, observeCodeSignal(sync, 'c1', { status: 'interviewing', at: 3_000, byUserId: null }, mapping)!, mapping);
    // Lever was archived after the CodeSignal change; its webhook has not arrived yet
    const archived = lever('lead-new', 900, { reason: 'withdrew', at: 3_500 });
    const fed = applyWriteResult(sync, toLever!, { outcome: 'newer', before: archived, after: archived }, mapping)!;
    expect(fed).toMatchObject({ side: 'lever', status: 'archived', at: 3_500 });
    expect(decideSync(sync, fed, mapping)).toEqual([{ side: 'codesignal', candidateId: 'c1', status: 'archived', eventAt: 3_500, known: { status: 'interviewing', at: 3_000, byUserId: null } }]);
    expect(observeLever(sync, archived, mapping)).toBeUndefined(); // its webhook, later
  });

  it('counts a move away and back as a change at the time of the move back', () => {
    const sync = fresh();
    decideSync(sync, observeLever(sync, lever('phone', 2_000), mapping)!, mapping);
    decideSync(sync, observeCodeSignal(sync, 'c1', { status: 'screening', at: 2_050, byUserId: null }, mapping)!, mapping);
    // Lever: phone → onsite → phone; only the last webhook has arrived so far
    expect(observeLever(sync, lever('phone', 4_000), mapping)).toMatchObject({ status: 'screening', at: 4_000 });
  });

  it('dates an unarchive by the webhook, else by the opportunity’s update time', () => {
    const known = lever('phone', 2_000, { reason: 'withdrew', at: 3_000 });
    const reading = { stageId: 'phone', stageAt: 2_000, archiveReasonId: null, archivedAt: null, updatedAt: 5_000 };
    expect(leverSnapshotFrom(reading, known, 4_000)).toEqual({ stageId: 'phone', stageAt: 2_000, archiveReasonId: null, archivedAt: 4_000 });
    expect(leverSnapshotFrom(reading, known).archivedAt).toBe(5_000);
    expect(leverSnapshotFrom(reading, { ...known, archiveReasonId: null, archivedAt: 3_000 }).archivedAt).toBe(3_000);
    // never seen archived: only the webhook tells an unarchive happened
    expect(leverSnapshotFrom(reading, null).archivedAt).toBe(0);
    expect(leverSnapshotFrom(reading, null, 4_000).archivedAt).toBe(4_000);
    // a late webhook of an unarchive already accounted for changes nothing
    expect(leverSnapshotFrom(reading, { ...known, archiveReasonId: null, archivedAt: 4_500 }, 4_000).archivedAt).toBe(4_500);
  });

  it('keeps one waiting trigger per side and candidate', () => {
    const sync = initialSyncState();
    enqueueSyncTrigger(sync, { side: 'lever' });
    enqueueSyncTrigger(sync, { side: 'lever' });
    enqueueSyncTrigger(sync, { side: 'lever', unarchivedAt: 7 });
    enqueueSyncTrigger(sync, { side: 'codesignal', candidateId: 'c1' });
    enqueueSyncTrigger(sync, { side: 'codesignal', candidateId: 'c1' });
    enqueueSyncTrigger(sync, { side: 'codesignal', candidateId: 'c2' });
    expect(sync.queue).toEqual([
      { side: 'lever' },
      { side: 'lever', unarchivedAt: 7 },
      { side: 'codesignal', candidateId: 'c1' },
      { side: 'codesignal', candidateId: 'c2' },
    ]);
  });
});
