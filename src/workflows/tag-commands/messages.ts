/** Types and ids of the tag commands (README "Assessments"), shared by the workflow, its activities and the Schedule. */

/** The Temporal Schedule of an integration's tag commands. */
export const tagCommandsScheduleId = (integrationId: string): string => `tag-commands/${integrationId}`;

/** The workflow each run starts (the Schedule's runs get Temporal's `-<timestamp>` suffix). */
export const tagCommandsWorkflowId = (integrationId: string): string => `tag-commands-scan/${integrationId}`;

export type TagCommandName = 'resend' | 'extend' | 'retake' | 'cancel' | 'retry' | 'approve' | 'decline' | 'confirmIntegrity' | 'clearIntegrity';

/** A command tag read: a command, or a look-alike that does not parse (`CodeSignal: extend 99d`). */
export type ParsedTagCommand = { command: 'resend' | 'retake' | 'cancel' | 'retry' | 'approve' | 'decline' | 'confirmIntegrity' | 'clearIntegrity' } | { command: 'extend'; days: number } | { command: 'unknown'; problem: string };

export interface TagCommandsInput {
  integrationId: string;
}

/** One command tag on one opportunity, as the scan found it (in Lever, or still open in PostgreSQL). */
export interface FoundTagCommand {
  opportunityId: string;
  tag: string;
}

export interface TagCommandsScan {
  /** False: tag commands are disabled in the integration's settings; nothing was listed. */
  enabled: boolean;
  /** The command tags (and look-alikes) of the account that Lever shows on some opportunity. */
  commandTags: string[];
  commands: FoundTagCommand[];
  /** Stopped at the page cap: the rest waits for the next run. */
  truncated: boolean;
}

/**
 * What became of one command: `done` / `refused` / `not_understood` (a note says so and the tag is
 * removed); `gone` (the opportunity no longer exists); `absent` (the tag was no longer there and no
 * command of it was open: nothing to do).
 */
export type TagCommandOutcome = 'done' | 'refused' | 'not_understood' | 'gone' | 'absent';

export interface TagCommandResult {
  opportunityId: string;
  tag: string;
  outcome: TagCommandOutcome;
  message: string | null;
}

export interface TagCommandsSummary {
  integrationId: string;
  enabled: boolean;
  found: number;
  results: TagCommandResult[];
  /** Commands whose processing failed this run; they stay open and the next run takes them up again. */
  failed: number;
  errors: string[];
  truncated: boolean;
}
