import { Context } from '@temporalio/activity';
import type { WriteAttempt } from '../../lever/writes';

/**
 * Workflows that may run again under the same id and repeat the writes of a run that ended part-way:
 * a public-link session is resumed by the next scan, or decided again after it failed, in a new run
 * whose activities start again at attempt 1.
 */
const workflowsThatRepeatRuns: ReadonlySet<string> = new Set(['publicLinkSessionWorkflow']);

/**
 * May an earlier attempt of the write this activity makes have been committed? Yes on a retry
 * (attempt ≥ 2: the last one may have written before its answer or heartbeat was lost) and for a
 * workflow that repeats runs; no on the first attempt of any other workflow's activity, which then
 * writes without looking for its effect first. Outside an activity (a direct call) it answers yes.
 */
export function earlierAttemptMayHaveWritten(): boolean {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return true;
  }
  return info.attempt > 1 || workflowsThatRepeatRuns.has(info.workflowType ?? '');
}

/** The `WriteAttempt` for the src/lever/writes.ts helpers, from the current activity's attempt. */
export const writeAttempt = (): WriteAttempt => ({ mayHaveWritten: earlierAttemptMayHaveWritten() });
