import { ExternalApiError } from '../../external-api-error';
import type { LeverClient, PanelInput } from '../../lever/client';
import type { LeverPanel } from '../../lever/schemas';
import type { WriteAttempt } from '../../lever/writes';

/** The slot the service writes into Lever as an externally managed panel with one interview (lever-api.md §3.7). */
export interface PanelSlot {
  opportunityId: string;
  /** The CodeSignal room: the interview's location and the panel's `externalUrl`, which identifies the panel. */
  roomUrl: string;
  startsAt: number;
  timezone: string;
  durationMinutes: number;
  interviewerIds: string[];
  /** Who the panel is written as (`perform_as`). */
  performAs: string;
}

export interface PanelRef {
  panelId: string;
  leverInterviewId: string;
}

const isNotFound = (err: unknown) => err instanceof ExternalApiError && err.status === 404;

function panelBody(slot: PanelSlot, leverInterviewId?: string): PanelInput {
  return {
    timezone: slot.timezone,
    externalUrl: slot.roomUrl,
    interviews: [
      {
        ...(leverInterviewId ? { id: leverInterviewId } : {}),
        subject: 'CodeSignal live interview',
        note: `Join the CodeSignal live interview room at the time of the interview: ${slot.roomUrl}\nYour feedback goes into CodeSignal; the integration posts it to this opportunity.`,
        location: slot.roomUrl,
        interviewers: slot.interviewerIds.map((id) => ({ id })),
        date: slot.startsAt,
        duration: slot.durationMinutes,
      },
    ],
  };
}

function refOf(panel: LeverPanel): PanelRef {
  const interview = panel.interviews.find((i) => !i.canceledAt) ?? panel.interviews[0];
  if (!interview) throw new ExternalApiError(`Lever panel ${panel.id} came back without its interview`, { service: 'lever', code: 'UnexpectedResponse', retryable: true });
  return { panelId: panel.id, leverInterviewId: interview.id };
}

/** The panel an earlier attempt created for this room, found by its `externalUrl`. */
async function panelOfRoom(lever: LeverClient, opportunityId: string, roomUrl: string): Promise<LeverPanel | undefined> {
  return (await lever.listAllPanels(opportunityId)).find((p) => p.externallyManaged && p.externalUrl === roomUrl && !p.canceledAt);
}

/**
 * Creates the slot's panel, or replaces the one the service already manages (`current`). Idempotent:
 * a create that may have been committed before its answer was lost (a retry) looks for the room's panel
 * first and replaces it instead of creating a second; a replace is the same full body each time. A
 * managed panel deleted in Lever meanwhile is created again.
 */
export async function writeSchedulePanel(lever: LeverClient, slot: PanelSlot, current: PanelRef | null, attempt: WriteAttempt): Promise<PanelRef> {
  let existing = current;
  if (!existing && attempt.mayHaveWritten) {
    const found = await panelOfRoom(lever, slot.opportunityId, slot.roomUrl);
    if (found) existing = refOf(found);
  }
  if (existing) {
    try {
      return refOf(await lever.updatePanel(slot.opportunityId, existing.panelId, panelBody(slot, existing.leverInterviewId), slot.performAs));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return refOf(await lever.createPanel(slot.opportunityId, panelBody(slot), slot.performAs));
}

/** Deletes the service's panel; one already gone (deleted in Lever, or by an earlier attempt) is fine. */
export async function deleteSchedulePanel(lever: LeverClient, opportunityId: string, panelId: string, performAs: string): Promise<void> {
  try {
    await lever.deletePanel(opportunityId, panelId, performAs);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
