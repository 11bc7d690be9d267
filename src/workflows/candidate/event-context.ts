/** The candidate workflow's one read of the service's own data per Lever event. */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { CandidateEventContext, EventContextActivities } from '../../activities/candidate/event-context';
import type { CandidateState } from './messages';

/**
 * From this version on, the settings, the dry run's draft and the sourcing links a Lever event may need are
 * read in one activity when the event arrives (`loadEventContext`), instead of one activity each where they
 * are used; histories from before replay their reads as they ran.
 */
export const eventContextPatch = 'event-context-v1';

/** A database read, retried as the settings reads it replaces. */
const { loadEventContext } = proxyActivities<EventContextActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The event's context, or undefined in histories from before this version and when it cannot be read (an
 * integration that no longer exists): then each step reads what it needs itself, as before, and its own
 * failure is what is logged.
 */
export async function readEventContext(state: CandidateState): Promise<CandidateEventContext | undefined> {
  if (!patched(eventContextPatch)) return undefined;
  return loadEventContext({ integrationId: state.integrationId, opportunityId: state.opportunityId }).catch((err: unknown) => {
    log.warn('event context not read; each step reads its own', { error: String(err) });
    return undefined;
  });
}

/** Whether the stage sync can have anything to do for a Lever event: not for a candidate never linked to CodeSignal candidates. */
export const mayNeedSync = (state: CandidateState, context: CandidateEventContext | undefined): boolean =>
  context === undefined || context.sourcingLinks || (state.sync?.candidateIds.length ?? 0) > 0;
