import express, { type Response, type Router } from 'express';
import type { WorkflowHandle } from '@temporalio/client';
import type { Integration } from '../../integrations/repository';
import type { SelectionRoutesDeps } from '../assessment/assessment-selection';
import { scheduleSignatureIsValid, type ScheduleLinkRef } from '../../activities/interview/schedule-link';
import type { InterviewState, ScheduledInterview } from '../../workflows/interview/messages';
import { idCheckedRouter } from '../ids';
import { cancelInterview, interviewHandle, interviewStateOf, notOpenReason, scheduleInterview, type Outcome } from './interview-calls';
import { DEFAULT_DURATION, DEFAULT_ZONE, renderDonePage, renderMessagePage, renderSchedulePage, type FormValues, type UserOption } from './schedule-page';
import { localInputs, localStart, scheduleBodySchema, timeZones } from './schedule-request';

/** What the link's routes need: the same as the assessment selection link's (app.ts gives both the same). */
export type ScheduleLinkRoutesDeps = SelectionRoutesDeps;

/** How long the page waits for Lever to name the candidate; without an answer in time it names no one. */
const candidateNameWithinMs = 3_000;

/** The form's fields as the page names them to the recruiter, by the field of the request they fill. */
const fieldLabels: Record<string, string> = {
  start: 'Date and time',
  timezone: 'Time zone',
  durationMinutes: 'Duration',
  interviewerIds: 'Interviewers',
  templateId: 'Interview template',
};

/** Rejects when `read` has not answered within `ms`. */
async function within<T>(ms: number, read: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([read, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

/**
 * The "Schedule CodeSignal interview" link on the Lever opportunity (interviewScheduleUrl): GET shows a
 * form for the slot — date, time and zone, duration, interviewers from the Lever account, the CodeSignal
 * template — filled with the current slot when there is one, with a "Cancel interview" button then;
 * POST schedules (or reschedules) or cancels through the interview workflow's updates and says what was
 * done. The link does not say which recruiter uses it: the panel is the integration's default user's.
 */
export function interviewScheduleLinkRoutes(deps: ScheduleLinkRoutesDeps): Router {
  const page = (res: Response, status: number, title: string, message: string) => res.status(status).type('html').send(renderMessagePage(title, message));
  const linkNotValid = (res: Response) => page(res, 403, 'Link not valid', 'This scheduling link is not valid. Use the link on the candidate’s Lever profile.');
  // The service signs only ids as it writes them: a link with any other spelling of one is not a valid link.
  const router = idCheckedRouter({ answer: (res) => void linkNotValid(res) });
  const path = '/interviews/schedule/:integrationId/:opportunityId/:interviewId';
  const notFound = (res: Response) => page(res, 404, 'Not found', 'This interview does not exist.');

  /** Verifies the link and reads the interview's state; answers the page itself when the link or the interview is not found. */
  async function openInterview(ref: ScheduleLinkRef, sig: unknown, res: Response): Promise<{ integration: Integration; handle: WorkflowHandle; state: InterviewState } | undefined> {
    if (!scheduleSignatureIsValid(deps.linkSigningSecret, ref, typeof sig === 'string' ? sig : undefined)) {
      linkNotValid(res);
      return undefined;
    }
    const integration = await deps.findIntegration(ref.integrationId);
    const handle = integration && interviewHandle(deps.temporal, ref);
    const state = handle && (await interviewStateOf(handle));
    if (!integration || !handle || !state) {
      notFound(res);
      return undefined;
    }
    return { integration, handle, state };
  }

  /** The account's active Lever users, the interviewers the page offers. */
  async function usersOf(integration: Integration): Promise<UserOption[]> {
    const users = await deps.clients.lever(integration).listAllUsers();
    return users.filter((u) => !u.deactivatedAt).map((u) => ({ id: u.id, name: u.name, email: u.email }));
  }

  /** The candidate's name from the opportunity in Lever, or null when Lever does not answer in time. Never logged. */
  async function candidateNameOf(integration: Integration, ref: ScheduleLinkRef): Promise<string | null> {
    try {
      return (await within(candidateNameWithinMs, deps.clients.lever(integration).getOpportunity(ref.opportunityId))).name.trim() || null;
    } catch (err) {
      deps.logger.info(
        { integrationId: ref.integrationId, opportunityId: ref.opportunityId, reason: err instanceof Error ? err.message : String(err) },
        'schedule page: candidate name not read from Lever, the page names no one',
      );
      return null;
    }
  }

  /** `Thursday 10 December 2026, 14:00 (Europe/Paris), 60 min with Ann, Bob`. */
  const slotInWords = (s: Pick<ScheduledInterview, 'startsAt' | 'timezone' | 'durationMinutes' | 'interviewerIds'>, users: UserOption[]) => {
    const names = s.interviewerIds.map((id) => users.find((u) => u.id === id)?.name ?? 'a former Lever user');
    return `${localStart(s.startsAt, s.timezone)}, ${s.durationMinutes} min with ${names.join(', ')}`;
  };

  /** Answers an update's outcome that is not `done` (`title`: what was not done); true when it did. */
  function answeredOutcome(res: Response, outcome: Outcome<unknown>, title: string): boolean {
    switch (outcome.kind) {
      case 'done':
        return false;
      case 'refused':
        // the workflow's reasons are phrases (`the start is in the past`): said as a sentence
        page(res, 409, title, `${outcome.message.charAt(0).toUpperCase()}${outcome.message.slice(1)}${/[.!?]$/.test(outcome.message) ? '' : '.'}`);
        return true;
      case 'failed':
        page(res, 502, title, 'The change could not be made in Lever or CodeSignal just now. Try again in a moment.');
        return true;
      case 'unknown':
        notFound(res);
        return true;
    }
  }

  router.get(path, async (req, res) => {
    const ref = req.params as unknown as ScheduleLinkRef;
    const open = await openInterview(ref, req.query.sig, res);
    if (!open) return;
    const closed = notOpenReason(open.state.status);
    if (closed) return void page(res, 409, 'Not open for scheduling', closed);
    const [users, candidateName] = await Promise.all([usersOf(open.integration), candidateNameOf(open.integration, ref)]);
    const schedule = open.state.schedule ?? null;
    const values: FormValues = schedule
      ? { ...localInputs(schedule.startsAt, schedule.timezone), timezone: schedule.timezone, durationMinutes: schedule.durationMinutes, interviewerIds: schedule.interviewerIds, templateId: schedule.templateId }
      : { date: '', time: '', timezone: DEFAULT_ZONE, durationMinutes: DEFAULT_DURATION, interviewerIds: [], templateId: null };
    res.type('html').send(
      renderSchedulePage({
        candidateName,
        current: schedule && slotInWords(schedule, users),
        values,
        users,
        timeZones: timeZones(),
        action: req.originalUrl,
      }),
    );
  });

  router.post(path, express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 50 }), async (req, res) => {
    const ref = req.params as unknown as ScheduleLinkRef;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const action = text(form.action);
    if (action !== 'schedule' && action !== 'cancel') return void page(res, 400, 'Nothing to do', 'Use the buttons on the scheduling page.');
    const open = await openInterview(ref, req.query.sig, res);
    if (!open) return;
    const closed = notOpenReason(open.state.status);
    if (closed) return void page(res, 409, 'Not open for scheduling', closed);
    const log = { integrationId: ref.integrationId, opportunityId: ref.opportunityId, interviewId: ref.interviewId, action };

    if (action === 'cancel') {
      const outcome = await cancelInterview(open.handle);
      deps.logger.info({ ...log, outcome: outcome.kind }, 'interview cancellation asked on the scheduling page');
      if (answeredOutcome(res, outcome, 'Not cancelled')) return;
      return void res.type('html').send(renderDonePage('Cancelled', 'The CodeSignal interview is cancelled: its Lever interview and its room are deleted.', null));
    }

    const parsed = scheduleBodySchema.safeParse({
      start: `${text(form.date)}T${text(form.time)}`,
      timezone: text(form.timezone),
      durationMinutes: Number(text(form.durationMinutes) || NaN),
      interviewerIds: texts(form.interviewerIds),
      templateId: text(form.templateId) || null,
      scheduledBy: null,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = fieldLabels[String(issue.path[0])] ?? 'The form';
      return void page(res, 400, 'Check the form', `${field}: ${issue.message}.`);
    }
    const users = await usersOf(open.integration);
    if (parsed.data.interviewerIds.some((id) => !users.some((u) => u.id === id))) {
      return void page(res, 400, 'Check the form', 'Interviewers: choose active users of this Lever account.');
    }
    const outcome = await scheduleInterview(open.handle, parsed.data);
    deps.logger.info({ ...log, outcome: outcome.kind }, 'interview schedule asked on the scheduling page');
    if (answeredOutcome(res, outcome, 'Not scheduled') || outcome.kind !== 'done') return;
    res.type('html').send(renderDonePage('Scheduled', `Scheduled for ${slotInWords(outcome.value, users)}.`, req.originalUrl));
  });
  return router;
}
