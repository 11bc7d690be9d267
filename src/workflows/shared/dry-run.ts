import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { DryRunActivities } from '../../activities/dry-run/dry-run-activities';

/** From this version on, the flows tell the dry run (README "Dry run") where the settings decide. */
const dryRunPatch = 'dry-run-v1';

const { recordDryRunStageEntry, recordDryRunResult } = proxyActivities<DryRunActivities>({
  // a shadow: it never holds a flow up for long
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** The dry run never changes what a flow does: a failure to record is logged and the flow goes on. */
async function shadow(what: string, record: () => Promise<void>): Promise<void> {
  if (!patched(dryRunPatch)) return;
  await record().catch((err: unknown) => log.warn('dry-run decision not recorded', { what, error: String(err) }));
}

export const dryRunStageEntry = (input: Parameters<typeof recordDryRunStageEntry>[0]) => shadow('stage entry', () => recordDryRunStageEntry(input));
export const dryRunResult = (input: Parameters<typeof recordDryRunResult>[0]) => shadow('result', () => recordDryRunResult(input));
