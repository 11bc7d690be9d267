import { defineQuery } from '@temporalio/workflow';

/** One backfill at a time per integration: a second is refused while this id runs. */
export const backfillWorkflowId = (integrationId: string): string => `backfill/${integrationId}`;

export interface BackfillInput {
  integrationId: string;
  /** Trigger stages whose current candidates get the flow, as if each had just entered. */
  stageIds: string[];
  /** Who asked (the admin's e-mail or `admin-token`), for the Activity trail. */
  requestedBy: string;
}

export interface BackfillProgress {
  integrationId: string;
  stageIds: string[];
  status: 'running' | 'completed' | 'failed';
  /** Lever pages read so far. */
  pages: number;
  /** Candidates Lever listed in the stages (active, not archived). */
  listed: number;
  /** New to the service in that stage: their candidate workflow takes them as having entered it. */
  started: number;
  /**
   * Their workflow had them in that stage already (entered before it was a trigger, or a webhook, the
   * sweep or an earlier backfill): asked to run the stage's flows, which start unless they ran for this entry.
   */
  alreadySeen: number;
  /** Could not be asked or signalled (counted, not retried by this run). */
  failed: number;
  startedAt: number;
  error: string | null;
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

/** What one activity did with one Lever page. */
export interface BackfillPage {
  listed: number;
  started: number;
  alreadySeen: number;
  failed: number;
  /** Lever's `next` token; undefined on the last page. */
  next: string | undefined;
}
