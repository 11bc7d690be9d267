import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { MAX_INTERVIEW_MINUTES, type ScheduleInterviewRequest } from '../../workflows/interview/messages';

/** Most interviewers one scheduled interview takes (the workflow's bound too). */
export const MAX_INTERVIEWERS = 10;

/** A local date and time as the page's inputs and the admin API write it: `2026-12-10T14:00` (seconds optional), no offset. */
const localDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

const leverId = z.string().min(1).max(200);

/** A time zone luxon (and so the workflow and Lever) knows by its IANA name. */
export const isKnownTimeZone = (zone: string): boolean => zone.length <= 100 && IANAZone.isValidZone(zone);

/**
 * The slot as the admin API takes it (and the signed page, once its form is read): strict, so an
 * unknown field is a 400 naming it. The local start is turned into ms since the epoch in its zone;
 * a date that does not exist (`2026-02-30`) or a time skipped by a daylight-saving change is refused
 * naming `start`, never moved silently.
 */
export const scheduleBodySchema = z
  .strictObject({
    start: z.string().regex(localDateTime, 'must be a local date and time, YYYY-MM-DDTHH:mm, without an offset'),
    timezone: z.string().refine(isKnownTimeZone, 'must be an IANA time zone, e.g. Europe/Paris'),
    durationMinutes: z.number().int('must be a whole number of minutes').min(1).max(MAX_INTERVIEW_MINUTES),
    interviewerIds: z
      .array(leverId)
      .min(1, 'must name at least one interviewer')
      .max(MAX_INTERVIEWERS, `must name at most ${MAX_INTERVIEWERS} interviewers`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name an interviewer twice'),
    templateId: leverId.nullable().optional(),
    scheduledBy: leverId.nullable().optional(),
  })
  .transform((body, ctx): ScheduleInterviewRequest => {
    const startsAt = startOf(body.start, body.timezone);
    if (startsAt === undefined) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `is not a date and time that exists in ${body.timezone}` });
      return z.NEVER;
    }
    return {
      startsAt,
      timezone: body.timezone,
      durationMinutes: body.durationMinutes,
      interviewerIds: body.interviewerIds,
      templateId: body.templateId ?? null,
      scheduledBy: body.scheduledBy ?? null,
    };
  });

export type ScheduleBody = z.input<typeof scheduleBodySchema>;

/** `2026-12-10T14:00` in `zone` as ms since the epoch; undefined when that local time does not exist there. */
function startOf(start: string, zone: string): number | undefined {
  const at = DateTime.fromISO(start, { zone });
  if (!at.isValid) return undefined;
  // luxon moves a time inside a daylight-saving gap forward: that is not the time asked for
  const back = at.toFormat(start.length > 16 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm");
  return back === start ? at.toMillis() : undefined;
}

/** The slot's start as a recruiter reads it in its zone: `Thursday 10 December 2026, 14:00 (Europe/Paris)`. */
export const localStart = (startsAt: number, zone: string): string =>
  `${DateTime.fromMillis(startsAt, { zone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm')} (${zone})`;

/** The slot's start as the page's date and time inputs take it. */
export const localInputs = (startsAt: number, zone: string): { date: string; time: string } => {
  const at = DateTime.fromMillis(startsAt, { zone });
  return { date: at.toFormat('yyyy-MM-dd'), time: at.toFormat('HH:mm') };
};

/**
 * The recruiter-facing reason the interview workflow refused a schedule or a cancellation
 * (ApplicationFailure of type `ScheduleRefused`); undefined for any other failure of the update,
 * whose message is not meant for a recruiter.
 */
export function refusalOf(err: unknown): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  return cause instanceof ApplicationFailure && cause.type === 'ScheduleRefused' ? cause.message : undefined;
}

/** Every IANA time zone the runtime knows, UTC first (the page's default; not in the runtime's list). */
export function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC');
  return ['UTC', ...zones];
}
