/** Server-rendered pages of the interview scheduling link: the slot form, then what was done. No script: CSP-friendly. */

import { escapeHtml as escape, htmlPage } from '../html-page';

export { renderMessagePage } from '../html-page';

/** The durations the page offers, minutes (a schedule of another length keeps its own as an extra option). */
export const PAGE_DURATIONS = [30, 45, 60, 90, 120] as const;
export const DEFAULT_DURATION = 60;
export const DEFAULT_ZONE = 'UTC';

export interface UserOption {
  id: string;
  name: string;
  email: string;
}

/** What the form shows filled in: the current schedule (rescheduling), else the defaults. */
export interface FormValues {
  date: string;
  time: string;
  timezone: string;
  durationMinutes: number;
  interviewerIds: string[];
  templateId: string | null;
}

export interface SchedulePageOptions {
  /** The opportunity's name in Lever, or null when it could not be read (the page then names no one). */
  candidateName: string | null;
  /** The current slot, said in words (`Thursday 10 December 2026, 14:00 (Europe/Paris), 60 min with …`); null: not scheduled yet. */
  current: string | null;
  values: FormValues;
  users: UserOption[];
  timeZones: string[];
  /** The signed link itself: both forms post back to it. */
  action: string;
}

const style = `  label { cursor: default; } label:hover { border-color: #d1d5db; }
  .field { display: grid; gap: .3rem; } .field span { font-weight: 600; }
  input, select { font: inherit; padding: .35rem .5rem; border: 1px solid #9ca3af; border-radius: .35rem; max-width: 100%; box-sizing: border-box; }
  fieldset { border: 1px solid #d1d5db; border-radius: .5rem; margin: .5rem 0; padding: .4rem .8rem; }
  fieldset label { border: 0; padding: .2rem 0; margin: 0; cursor: pointer; }
  .row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 .8rem; }
  .current { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: .5rem; padding: .6rem .8rem; }
  button.danger { background: #b91c1c; }
`;

const option = (value: string, label: string, selected: boolean) => `<option value="${escape(value)}"${selected ? ' selected' : ''}>${escape(label)}</option>`;
const durationLabel = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} h` : minutes > 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`);

export function renderSchedulePage(opts: SchedulePageOptions): string {
  const v = opts.values;
  const durations: number[] = PAGE_DURATIONS.includes(v.durationMinutes as (typeof PAGE_DURATIONS)[number]) ? [...PAGE_DURATIONS] : [...PAGE_DURATIONS, v.durationMinutes].sort((a, b) => a - b);
  const zones = opts.timeZones.includes(v.timezone) ? opts.timeZones : [v.timezone, ...opts.timeZones];
  const interviewers = opts.users
    .map(
      (u) => `<label><input type="checkbox" name="interviewerIds" value="${escape(u.id)}"${v.interviewerIds.includes(u.id) ? ' checked' : ''}> ${escape(u.name)} ` +
        `<span class="muted">${escape(u.email)}</span></label>`,
    )
    .join('\n');
  const heading = opts.current ? 'Reschedule the CodeSignal interview' : 'Schedule the CodeSignal interview';
  return htmlPage(
    heading,
    `<main><h1>${heading}</h1>
<p>${opts.candidateName ? `For <strong class="candidate">${escape(opts.candidateName)}</strong>. ` : ''}The interview goes on the candidate’s Lever interview schedule with the CodeSignal room as its link; the room stays open until a day after it ends.</p>
${opts.current ? `<p class="current" id="current-schedule">Scheduled for ${escape(opts.current)}.</p>` : ''}
<form method="post" action="${escape(opts.action)}" id="schedule-form">
<input type="hidden" name="action" value="schedule">
<div class="row">
<label class="field" for="date"><span>Date</span><input type="date" id="date" name="date" value="${escape(v.date)}" required></label>
<label class="field" for="time"><span>Time</span><input type="time" id="time" name="time" value="${escape(v.time)}" required></label>
</div>
<div class="row">
<label class="field" for="timezone"><span>Time zone</span><select id="timezone" name="timezone">${zones.map((z) => option(z, z, z === v.timezone)).join('')}</select></label>
<label class="field" for="durationMinutes"><span>Duration</span><select id="durationMinutes" name="durationMinutes">${durations
      .map((d) => option(String(d), durationLabel(d), d === v.durationMinutes))
      .join('')}</select></label>
</div>
<fieldset id="interviewers"><legend>Interviewers</legend>
${interviewers || '<p>No active users in this Lever account.</p>'}
</fieldset>
<label class="field" for="templateId"><span>CodeSignal interview template id</span><input type="text" id="templateId" name="templateId" value="${escape(v.templateId ?? '')}" placeholder="empty: the stage’s template" maxlength="200"></label>
<p class="muted">CodeSignal’s API documents no fields of its interview templates, so they are not listed here: paste a template’s id from CodeSignal, or leave it empty.</p>
<button type="submit">${opts.current ? 'Reschedule interview' : 'Schedule interview'}</button>
</form>
${
  opts.current
    ? `<form method="post" action="${escape(opts.action)}" id="cancel-form"><input type="hidden" name="action" value="cancel"><button type="submit" class="danger">Cancel interview</button></form>`
    : ''
}</main>`,
    style,
  );
}

/** The answer to a schedule or a cancellation, with a way back to the form. */
export const renderDonePage = (title: string, message: string, back: string | null) =>
  htmlPage(title, `<main><h1>${escape(title)}</h1><p id="outcome">${escape(message)}</p>${back ? `<p><a href="${escape(back)}">Back to the scheduling page</a></p>` : ''}</main>`);
