import { roomRepair, sessionRepair } from '../../../src/activities/reconciliation/codesignal-sweep';
import { currentStageEntry, repairEvent, stageEntrySeen } from '../../../src/activities/reconciliation/lever-sweep';
import { applyLeverEvent, initialCandidateState } from '../../../src/workflows/candidate/candidate-state';

/** What the sweeps decide from what Lever, CodeSignal and the waiting workflow show; no servers. */
describe('reconciliation decisions', () => {
  const minute = 60_000;

  describe('Lever: the stage entry and whether the candidate workflow saw it', () => {
    it('takes the last entry into the current stage, and the stage before it', () => {
      const o = {
        stage: 's2',
        lastAdvancedAt: 5_000,
        stageChanges: [
          { toStageId: 's1', updatedAt: 1_000 },
          { toStageId: 's2', updatedAt: 2_000 },
          { toStageId: 's3', updatedAt: 3_000 },
          { toStageId: 's2', updatedAt: 4_000 },
        ],
      };
      expect(currentStageEntry(o)).toEqual({ at: 4_000, fromStageId: 's3' });
      expect(currentStageEntry({ stage: 's1', stageChanges: [{ toStageId: 's1', updatedAt: 1_000 }] })).toEqual({ at: 1_000, fromStageId: null });
      // no history from Lever: lastAdvancedAt, or nothing to go by
      expect(currentStageEntry({ stage: 's9', stageChanges: [], lastAdvancedAt: 7_000 })).toEqual({ at: 7_000, fromStageId: null });
      expect(currentStageEntry({ stage: 's9', lastAdvancedAt: null })).toBeNull();
    });

    it('counts an entry as seen when the workflow is in that stage or recorded entering it around then', () => {
      expect(stageEntrySeen(null, 's2', 10 * minute)).toBe(false);
      const state = initialCandidateState('i', 'o');
      expect(stageEntrySeen(state, 's2', 10 * minute)).toBe(false);
      applyLeverEvent(state, { kind: 'stageChange', key: 'a', triggeredAt: 10 * minute, fromStageId: null, toStageId: 's2' });
      expect(stageEntrySeen(state, 's2', 10 * minute)).toBe(true);
      applyLeverEvent(state, { kind: 'stageChange', key: 'b', triggeredAt: 20 * minute, fromStageId: 's2', toStageId: 's3' });
      // left s2 since: the entry at 10 min was seen, a later one was not
      expect(stageEntrySeen(state, 's2', 12 * minute)).toBe(true);
      expect(stageEntrySeen(state, 's2', 30 * minute)).toBe(false);
    });

    it('names the repair after the entry, so every sweep sends the same event and the workflow drops repeats', () => {
      const e1 = repairEvent('s2', { at: 4_000, fromStageId: 's1' });
      expect(e1).toEqual({ kind: 'stageChange', key: 'reconciliation:s2:4000', triggeredAt: 4_000, fromStageId: 's1', toStageId: 's2' });
      const state = initialCandidateState('i', 'o');
      expect(applyLeverEvent(state, e1)).toBe(true);
      expect(applyLeverEvent(state, repairEvent('s2', { at: 4_000, fromStageId: 's1' }))).toBe(false);
      // the late webhook has its own key: taken in, but the candidate is already in that stage
      expect(applyLeverEvent(state, { kind: 'stageChange', key: 'stage:o:4000:s2', triggeredAt: 4_000, fromStageId: 's1', toStageId: 's2' })).toBe(true);
      expect(state).toMatchObject({ stageId: 's2', stageChangedAt: 4_000 });
    });
  });

  describe('CodeSignal: sessions and rooms further along than their workflow', () => {
    const session = (over: Partial<Parameters<typeof sessionRepair>[0]>): Parameters<typeof sessionRepair>[0] => ({
      id: 'ses1', status: 'pending', verificationStatus: null, finishDate: null, expirationDate: null, reactivatedSession: null, retakeSession: null, ...over,
    });
    const waiting = { status: 'invited' as const, sessionId: 'ses1' };

    it('finds finished, expired, declined, removed and reactivated sessions', () => {
      expect(sessionRepair(session({ status: 'over', finishDate: 5 }), waiting)).toEqual({ kind: 'finished', event: 'companyTestSessionFinished', at: 5, webhookExpected: true });
      expect(sessionRepair(session({ status: 'over', verificationStatus: 'verified' }), waiting)?.event).toBe('preScreenResultVerified');
      expect(sessionRepair(session({ status: 'finalizing', verificationStatus: 'notVerified' }), waiting)?.event).toBe('preScreenResultNotVerified');
      expect(sessionRepair(session({ status: 'expired', expirationDate: 9 }), waiting)).toMatchObject({ kind: 'expired', at: 9 });
      expect(sessionRepair(session({ status: 'declined' }), waiting)?.kind).toBe('ended');
      expect(sessionRepair(session({ status: 'deleted' }), waiting)).toMatchObject({ kind: 'ended', webhookExpected: false });
      expect(sessionRepair(session({ status: 'over', reactivatedSession: { newSessionId: 'ses2', reactivationDate: 7 } }), waiting)).toMatchObject({ kind: 'reactivated', at: 7 });
    });

    it('leaves alone what the workflow already knows or CodeSignal has not finished', () => {
      for (const status of ['pending', 'active', 'gracePeriod', 'finalizing'] as const) expect(sessionRepair(session({ status }), waiting)).toBeNull();
      expect(sessionRepair(session({ status: 'over', verificationStatus: 'pending' }), { status: 'verification_pending', sessionId: 'ses1' })).toBeNull();
      expect(sessionRepair(session({ status: 'over', verificationStatus: 'pending' }), waiting)?.event).toBe('preScreenResultVerificationPending');
      // a session the workflow no longer waits on, or a workflow already ending
      expect(sessionRepair(session({ status: 'over' }), { status: 'invited', sessionId: 'ses2' })).toBeNull();
      expect(sessionRepair(session({ status: 'over' }), { status: 'completed', sessionId: 'ses1' })).toBeNull();
    });

    it('finds rooms over, gone, or with feedback the workflow has not read', () => {
      const room = (status: 'pending' | 'active' | 'over' | 'deleted' | 'archived', feedback = 0) => ({
        status, finishDate: 3, interviewersFeedback: Array.from({ length: feedback }, () => ({ author: null, notes: 'n', recommendedLevel: null, evaluation: null, categories: null })),
      });
      expect(roomRepair(room('over'), { status: 'scheduled', feedback: [] })).toEqual({ kind: 'finished', event: 'liveInterviewFinished', at: 3, webhookExpected: true });
      expect(roomRepair(room('over'), { status: 'finished', feedback: [] })).toBeNull();
      expect(roomRepair(room('over', 1), { status: 'finished', feedback: [] })?.kind).toBe('feedback');
      expect(roomRepair(room('over', 1), { status: 'finished', feedback: [{ author: null, evaluation: null, recommendedLevel: null, notes: 'n' }] })).toBeNull();
      expect(roomRepair(null, { status: 'scheduled', feedback: [] })?.kind).toBe('ended');
      expect(roomRepair(room('archived'), { status: 'in_progress', feedback: [] })?.kind).toBe('ended');
      expect(roomRepair(room('active'), { status: 'scheduled', feedback: [] })).toBeNull();
      expect(roomRepair(room('over'), { status: 'completed', feedback: [] })).toBeNull();
    });
  });
});
