import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { signalLeverEvent } from '../../src/temporal/candidate-client';
import type { LeverCandidateEvent } from '../../src/workflows/candidate/messages';

/** A short, realistic life of a candidate in Lever, as the ingress would signal it. */
export function sampleLeverEvents(start = 1_700_000_000_000): LeverCandidateEvent[] {
  return [
    { kind: 'stageChange', key: 'e1', triggeredAt: start, fromStageId: null, toStageId: 'lead-new' },
    { kind: 'stageChange', key: 'e2', triggeredAt: start + 1000, fromStageId: 'lead-new', toStageId: 'applicant-screen' },
    { kind: 'stageChange', key: 'e2', triggeredAt: start + 1000, fromStageId: 'lead-new', toStageId: 'applicant-screen' },
    { kind: 'archiveChange', key: 'e3', triggeredAt: start + 2000, toArchived: { archivedAt: start + 2000, reason: 'withdrew' } },
    { kind: 'archiveChange', key: 'e4', triggeredAt: start + 3000, toArchived: null },
    { kind: 'hired', key: 'e5', triggeredAt: start + 4000 },
  ];
}

/**
 * A backlog of `count` candidate workflows for one integration, each started by a stage change through the
 * ingress's own signal-with-start (eight at a time); opportunities `${prefix}-0` … Answers the workflow ids.
 */
export function enqueueCandidates(client: Client, taskQueue: string, integrationId: string, count: number, prefix: string): Promise<string[]> {
  const limit = pLimit(8);
  return Promise.all(
    Array.from({ length: count }, (_, n) =>
      limit(() => signalLeverEvent(client, taskQueue, { integrationId, opportunityId: `${prefix}-${n}` }, { kind: 'stageChange', key: `${prefix}-${n}`, triggeredAt: Date.now(), fromStageId: null, toStageId: 'lead-new' })),
    ),
  );
}
