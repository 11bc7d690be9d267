import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BackfillActivities } from '../../activities/backfill/backfill-activities';
import { backfillProgressQuery, type BackfillInput, type BackfillProgress } from './messages';
import { failureOf } from '../shared/failures';

/** One Lever page each: its reads wait on the integration's shared Lever budget, so they may take a while. */
const acts = proxyActivities<BackfillActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Runs the flow for the candidates already sitting in trigger stages when an admin confirms it: page
 * by page through Lever, each candidate's workflow is signalled as a webhook for their entry would
 * have (a candidate whose workflow has them in the stage already is left alone), so assessments and
 * interviews start under the rate limits every flow shares. The progress is a query; the run shows in
 * Activity with the integration's other workflows (IntegrationId search attribute).
 */
export async function backfillWorkflow(input: BackfillInput): Promise<BackfillProgress> {
  const progress: BackfillProgress = {
    integrationId: input.integrationId,
    stageIds: input.stageIds,
    status: 'running',
    pages: 0,
    listed: 0,
    started: 0,
    alreadySeen: 0,
    failed: 0,
    startedAt: workflowInfo().startTime.getTime(),
    error: null,
  };
  setHandler(backfillProgressQuery, () => progress);
  let next: string | undefined;
  try {
    do {
      const page = await acts.backfillStagesPage({ integrationId: input.integrationId, stageIds: input.stageIds, offset: next });
      progress.pages += 1;
      progress.listed += page.listed;
      progress.started += page.started;
      progress.alreadySeen += page.alreadySeen;
      progress.failed += page.failed;
      next = page.next;
    } while (next !== undefined);
    progress.status = 'completed';
  } catch (err) {
    progress.status = 'failed';
    progress.error = failureOf(err, 'BackfillFailed').message;
  }
  return progress;
}
