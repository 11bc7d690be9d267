/** Types and ids of the reconciliation sweep, shared by the workflow, its activities, the Schedule and the admin API. */

/** The Temporal Schedule of an integration's reconciliation sweep. */
export const reconciliationScheduleId = (integrationId: string): string => `reconciliation/${integrationId}`;

/** The sweep workflow (the Schedule's runs get Temporal's `-<timestamp>` suffix). */
export const reconciliationWorkflowId = (integrationId: string): string => `reconciliation-sweep/${integrationId}`;

export interface ReconciliationInput {
  integrationId: string;
  /**
   * How long after a stage entry or a CodeSignal finish the sweep leaves it to the webhook (default
   * 2 minutes): what happened more recently is swept by the next run. Tests pass 0.
   */
  graceMs?: number;
}

/** What the Lever sweep found: opportunities Lever shows in a trigger stage that the candidate workflow never saw enter it. */
export interface LeverSweepFindings {
  /** The window: opportunities Lever shows updated at or after `since` (ms), entries before `until` (ms). */
  since: number;
  until: number;
  /** Opportunities listed (in a trigger stage, not archived, updated in the window). */
  listed: number;
  /** Their workflow already knows them in that stage. */
  alreadySeen: number;
  /** Entered the stage before the window or before the integration existed (never a webhook's to act on now). */
  outsideWindow: number;
  /** Lever shows no time of entry into the stage. */
  entryUnknown: number;
  /** Signalled as the webhook would have been (`stageChange`). */
  repaired: number;
  /** Repaired opportunity ids (first 50). */
  repairedOpportunityIds: string[];
  /** Opportunities whose workflow could not be asked or signalled. */
  failed: number;
  /** Stopped at the page cap: the rest is left for the next sweep (the window is not advanced). */
  truncated: boolean;
  /**
   * Lever's deleted list for the window and the opportunities updated in it with their contact anonymized,
   * and the erasures started for the candidates among them the service knew (absent in runs from before erasure).
   */
  deletions?: { listed: number; anonymized: number; erasuresStarted: number; failed: number; truncated: boolean };
}

export type CodeSignalRepairKind = 'finished' | 'expired' | 'reactivated' | 'ended' | 'feedback';

/** What the CodeSignal sweep found: sessions and live interviews CodeSignal shows further along than their waiting workflow. */
export interface CodeSignalSweepFindings {
  sessionsChecked: number;
  interviewsChecked: number;
  /** Their workflow is no longer running (nothing waits on them). */
  closed: number;
  repaired: Record<CodeSignalRepairKind, number>;
  /** Repaired workflow ids (first 50). */
  repairedWorkflowIds: string[];
  /** Repairs of finishes whose webhook never reached the service: CodeSignal's webhook is silent. */
  webhookMissed: number;
  failed: number;
  /** Sessions CodeSignal deleted for PII: an erasure was started for each (absent in runs from before erasure). */
  erasuresStarted?: number;
}

export interface ReconciliationFindings {
  lever: LeverSweepFindings | null;
  codesignal: CodeSignalSweepFindings | null;
}

export interface ReconciliationSummary extends ReconciliationFindings {
  integrationId: string;
  /** False: reconciliation is disabled in the integration's settings; nothing was swept. */
  enabled: boolean;
  outcome: 'completed' | 'partial' | 'failed' | 'disabled';
  repairs: number;
  codesignalWebhookSilent: boolean;
  errors: string[];
}
