import type { WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { findAssessmentWorkflowId, parkSessionEvent } from '../../activities/assessment/sessions-repository';
import { findInterviewWorkflowId } from '../../activities/interview/rooms-repository';
import { codesignalEventSchema, type CodeSignalWebhook } from '../../codesignal/webhook-events';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { sessionEventSignal } from '../../workflows/assessment/messages';
import { liveInterviewEventSignal } from '../../workflows/interview/messages';
import { workflowIdFromExternalId } from '../../workflows/shared/ids';

/** Where a verified CodeSignal event goes: one signal to one workflow, or an answer without one. */
export type CodeSignalRoute =
  | { kind: 'signal'; workflowId: string; send: (handle: WorkflowHandle) => Promise<void> }
  | { kind: 'answer'; answer: { status: 'ignored' | 'parked'; reason?: string; event?: string } };

/**
 * The ids an event carries, read the same way for every event, documented or not (an undocumented
 * event about a recorded session still makes its workflow re-read): each a string or absent.
 */
const hintSchema = z.looseObject({
  testSessionId: z.string().optional().catch(undefined),
  interviewId: z.string().optional().catch(undefined),
  externalId: z.string().optional().catch(undefined),
});

/** The documented events about a test session (their payload names a `testSessionId`): the only ones parked. */
const testSessionEvents: ReadonlySet<string> = new Set(
  codesignalEventSchema.options.filter((o) => 'testSessionId' in o.shape.payload.shape).map((o) => o.shape.event.value),
);

const unknownTarget: CodeSignalRoute = { kind: 'answer', answer: { status: 'ignored', reason: 'unknown session or interview' } };

/**
 * Routes a verified event by what the service recorded, never by the unsigned body's `externalId`
 * alone (a reactivated session may carry the old session's externalId, reference §5, unconfirmed):
 * live-interview events by the recorded room, test-session events by the recorded session; an event of
 * a session not recorded yet is parked until the workflow that records it takes it.
 */
export async function routeCodeSignalEvent(db: Db, integrationId: string, body: CodeSignalWebhook & { triggeredOn: number }, log: Logger): Promise<CodeSignalRoute> {
  const { testSessionId: sessionId, interviewId, externalId } = hintSchema.parse(body.payload);
  if (!sessionId && interviewId !== undefined) {
    // Live-interview events carry no externalId: the room was recorded when it was created.
    const workflowId = await findInterviewWorkflowId(db, integrationId, interviewId);
    return workflowId ? { kind: 'signal', workflowId, send: (handle) => handle.signal(liveInterviewEventSignal, { event: body.event }) } : unknownTarget;
  }
  if (!sessionId) {
    log.info('CodeSignal event without a test session; ignored');
    return { kind: 'answer', answer: { status: 'ignored', event: body.event } };
  }
  const send = (handle: WorkflowHandle) => handle.signal(sessionEventSignal, { sessionId, event: body.event, triggeredOn: body.triggeredOn });
  let workflowId = await findAssessmentWorkflowId(db, integrationId, sessionId);
  if (!workflowId) {
    // Only documented test-session events are kept for later; anything else of an unknown session is dropped.
    if (!testSessionEvents.has(body.event)) return unknownTarget;
    const parked = await parkSessionEvent(db, { integrationId, sessionId, event: body.event, triggeredOn: body.triggeredOn });
    if (parked.kind === 'full') {
      log.warn('too many parked CodeSignal events for this integration; event dropped');
      return { kind: 'answer', answer: { status: 'ignored', reason: 'too many parked events' } };
    }
    if (parked.kind === 'parked') {
      // A retake whose reactivation answer is still on its way, or a session this service never created.
      log.info({ sessionId }, 'CodeSignal event for a session not recorded yet; parked');
      return { kind: 'answer', answer: { status: 'parked', reason: 'session not recorded yet; kept for its workflow' } };
    }
    workflowId = parked.workflowId; // recorded while we looked
  }
  const named = workflowIdFromExternalId(externalId);
  if (externalId !== undefined && named !== workflowId) {
    log.info({ workflowId, externalIdWorkflowId: named?.slice(0, 200) ?? null }, 'externalId disagrees with the recorded session; routed by the record');
  }
  return { kind: 'signal', workflowId, send };
}
