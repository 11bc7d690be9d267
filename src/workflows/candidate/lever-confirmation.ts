/** Confirming a Lever event with Lever's API before the candidate workflow acts on it. */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { LeverEventActivities } from '../../activities/candidate/lever-events';
import type { CandidateState, LeverCandidateEvent, LeverEventConfirmation } from './messages';

/**
 * From this version on, a Lever event is confirmed with Lever's API before anything follows from it
 * (an assessment or interview started or cancelled); histories from before acted on the body alone.
 */
export const confirmLeverEventsPatch = 'confirm-lever-events-v1';

/**
 * From this version on, a stage change the ingress marked as entering a trigger stage (`triggerStage`) is
 * confirmed with Lever at once, beside the event's context read, and the workflow acts on it once both
 * are in: one activity and one workflow task fewer on the way to an invitation. The event is confirmed
 * whatever the context then says, as it would have been for a trigger stage; histories from before, and
 * events without the mark, ask Lever after the context read, only when something is about to follow.
 */
export const earlyConfirmationPatch = 'early-lever-confirmation-v1';

/** A Lever read like the assessment flow's: outages and 429s are waited out for a day. */
const { confirmLeverEvent } = proxyActivities<LeverEventActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * One Lever event's check against Lever's API. A delivery's body is not signed (lever-api.md §2.3):
 * the opportunity, stage, archive or hire it names is a claim until Lever's record of the opportunity
 * bears it out. The check is made at most once per event, and only when the workflow is about to act
 * on it; an event that leads to nothing costs no Lever call.
 */
export interface LeverEventCheck {
  /**
   * Lever's answer; null in histories from before the check, where the event's own values were trusted.
   * `withContact` (an assessment may start): the check's one read names the candidate too, when it is
   * the first to ask (the answer is shared by every later ask).
   */
  confirm(opts?: { withContact?: boolean }): Promise<LeverEventConfirmation | null>;
  /** Lever contradicts the event (or could not be read): nothing may follow from it. */
  readonly refused: boolean;
}

export function leverEventCheck(state: CandidateState, event: LeverCandidateEvent): LeverEventCheck {
  let answer: Promise<LeverEventConfirmation | null> | undefined;
  let refused = false;
  const ask = async (withContact: boolean): Promise<LeverEventConfirmation | null> => {
    if (!patched(confirmLeverEventsPatch)) return null;
    const request = { integrationId: state.integrationId, opportunityId: state.opportunityId, event, ...(withContact ? { withContact } : {}) };
    const confirmation = await confirmLeverEvent(request).catch(
      (err: unknown): LeverEventConfirmation => {
        log.warn('Lever event could not be confirmed; not acted on', { key: event.key, kind: event.kind, error: String(err) });
        return { confirmed: false, reason: 'Lever could not be read', exists: false, stageId: null, archived: null, hired: false };
      },
    );
    if (!confirmation.confirmed) {
      refused = true;
      log.warn('Lever event refused: Lever does not bear it out', { key: event.key, kind: event.kind, reason: confirmation.reason });
    }
    return confirmation;
  };
  return {
    confirm: (opts) => (answer ??= ask(opts?.withContact === true)),
    get refused() {
      return refused;
    },
  };
}

/**
 * Starts the check at once when the ingress marked the event as entering a trigger stage (see
 * earlyConfirmationPatch); the caller awaits the answer before acting on the event. Undefined otherwise.
 */
export function confirmEarly(check: LeverEventCheck, event: LeverCandidateEvent): Promise<unknown> | undefined {
  if (event.kind !== 'stageChange' || event.triggerStage === undefined || !patched(earlyConfirmationPatch)) return undefined;
  // every later ask of this event shares this read; it names the candidate only where an assessment may start
  // (should the context say otherwise, an assessment started without the contact reads the opportunity itself)
  return check.confirm({ withContact: event.triggerStage === 'assessment' });
}

/**
 * Whether the workflow may start something for the event: Lever confirms it and shows the
 * opportunity active (in histories from before the check: the archive state the events said).
 */
export async function mayStart(check: LeverEventCheck, state: CandidateState, opts?: { withContact?: boolean }): Promise<boolean> {
  const confirmation = await check.confirm(opts);
  if (confirmation === null) return state.archived === null;
  return confirmation.confirmed && confirmation.archived === null;
}

/** Whether the workflow may cancel something for the event: Lever confirms it. */
export async function mayCancel(check: LeverEventCheck): Promise<boolean> {
  const confirmation = await check.confirm();
  return confirmation === null || confirmation.confirmed;
}

