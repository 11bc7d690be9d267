import { applyLeverEvent, initialCandidateState, recentEventKeysKept } from '../../../src/workflows/candidate/candidate-state';
import type { LeverCandidateEvent } from '../../../src/workflows/candidate/messages';

const stage = (key: string, at: number, toStageId: string, fromStageId: string | null = null): LeverCandidateEvent => ({
  kind: 'stageChange', key, triggeredAt: at, toStageId, fromStageId,
});

describe('candidate state transitions', () => {
  it('records stage changes and the current stage', () => {
    const s = initialCandidateState('i', 'o');
    applyLeverEvent(s, stage('a', 100, 'lead-new'));
    applyLeverEvent(s, stage('b', 200, 'applicant-screen', 'lead-new'));
    expect(s.stageId).toBe('applicant-screen');
    expect(s.stageHistory.map((h) => h.stageId)).toEqual(['lead-new', 'applicant-screen']);
  });

  it('ignores a duplicate delivery of the same event', () => {
    const s = initialCandidateState('i', 'o');
    expect(applyLeverEvent(s, stage('a', 100, 'lead-new'))).toBe(true);
    expect(applyLeverEvent(s, stage('a', 100, 'lead-new'))).toBe(false);
    expect(s.stageHistory).toHaveLength(1);
    expect(s.duplicatesIgnored).toBe(1);
  });

  it('converges to the same state whatever the delivery order', () => {
    const events = [stage('a', 100, 's1'), stage('b', 200, 's2', 's1'), stage('c', 300, 's3', 's2')];
    const inOrder = initialCandidateState('i', 'o');
    events.forEach((e) => applyLeverEvent(inOrder, e));
    const shuffled = initialCandidateState('i', 'o');
    [events[2]!, events[0]!, events[1]!, events[0]!].forEach((e) => applyLeverEvent(shuffled, e));
    expect(shuffled.stageId).toBe('s3');
    expect(shuffled.stageHistory).toEqual(inOrder.stageHistory);
  });

  it('keeps the newest archive state when changes arrive late', () => {
    const s = initialCandidateState('i', 'o');
    applyLeverEvent(s, { kind: 'archiveChange', key: 'x', triggeredAt: 300, toArchived: null });
    applyLeverEvent(s, { kind: 'archiveChange', key: 'y', triggeredAt: 200, toArchived: { archivedAt: 200, reason: 'r' } });
    expect(s.archived).toBeNull();
  });

  it('bounds the remembered event keys', () => {
    const s = initialCandidateState('i', 'o');
    for (let i = 0; i < recentEventKeysKept + 10; i++) applyLeverEvent(s, { kind: 'hired', key: `k${i}`, triggeredAt: i });
    expect(s.recentEventKeys).toHaveLength(recentEventKeysKept);
    expect(s.recentEventKeys[0]).toBe('k10');
  });
});
