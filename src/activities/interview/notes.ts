import type { InterviewNote } from '../../workflows/interview/notes';
import { stopNoteText } from '../shared/stops';

const date = (ms: number | null) => (ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');

const cancelReasons = {
  archived: 'the candidate was archived in Lever',
  hired: 'the candidate was hired',
  left_stage: 'the candidate left the interview stage',
  lever_interview_deleted: 'the interview was deleted in Lever',
  recruiter: 'it was cancelled in CodeSignal',
  recruiter_request: 'a recruiter cancelled it through the integration',
} as const;

/** `at` in the zone it was scheduled in, e.g. "Thu 10 Dec 2026, 14:00 (Europe/Paris)"; UTC when the zone is unknown. */
function localDate(ms: number, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  try {
    return `${format(timeZone)} (${timeZone})`;
  } catch {
    return date(ms);
  }
}

/** Plain-text Lever notes for a CodeSignal live interview. */
export function renderInterviewNote(note: InterviewNote, commands?: { prefix: string; names: { retry: string } }): string {
  switch (note.kind) {
    case 'created':
      return `CodeSignal live interview room created: ${note.roomUrl}\nThe room stays open until ${date(note.expiresAt)} (longer once the interview is scheduled in Lever).`;
    case 'rescheduled':
      return `CodeSignal live interview follows the Lever schedule: ${date(note.at)}. The room stays open until ${date(note.expiresAt)}.`;
    case 'scheduled':
      return `CodeSignal live interview ${note.again ? 'rescheduled' : 'scheduled'}: ${localDate(note.at, note.timezone)}, ${note.durationMinutes} minutes. It is on the opportunity's interview schedule; the room stays open until ${date(note.expiresAt)}.`;
    case 'outcome': {
      const feedback = note.feedback.length
        ? note.feedback
            .map((f) =>
              [
                `Interviewer: ${f.author ?? 'not named by CodeSignal'}`,
                `Evaluation: ${f.evaluation ?? '—'}`,
                ...(f.recommendedLevel ? [`Recommended level: ${f.recommendedLevel}`] : []),
                ...(f.notes ? [`Notes: ${f.notes}`] : []),
              ].join('\n'),
            )
            .join('\n\n')
        : 'No interviewer feedback was submitted in CodeSignal.';
      return [
        'CodeSignal live interview finished',
        `Held: ${date(note.room.startedAt)} – ${date(note.room.finishedAt)}`,
        `Recording and code playback: ${note.room.url}`,
        '',
        feedback,
      ].join('\n');
    }
    case 'expired':
      return 'The CodeSignal live interview room expired before the interview took place.';
    case 'cancelled':
      return `CodeSignal live interview cancelled: ${cancelReasons[note.reason]}.`;
    case 'stopped':
      return stopNoteText(note.stop, 'live interview', commands);
    case 'failed':
      if (note.failureType?.endsWith('.UnexpectedResponse')) {
        return `The CodeSignal integration could not read an answer it needs for this live interview (${note.message}). This says nothing about the candidate: an administrator can see the details in the integration's Temporal Web UI.`;
      }
      return `${note.roomCreated ? 'CodeSignal live interview stopped because of an error' : 'CodeSignal live interview could not be set up'}: ${note.message}\nAn administrator can see the details in the integration's Temporal Web UI.`;
  }
}
