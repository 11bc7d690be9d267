/**
 * The Lever sandbox has no UI: for the README's pictures of what a recruiter sees in Lever, these render an
 * opportunity's feedback forms and notes, as the sandbox holds them, in a small page shaped like Lever's
 * Feedback and Notes tabs. Every text is escaped; nothing is made up but the layout.
 */

export interface RenderedFeedback {
  template: { text: string };
  authorName: string | null;
  completedAt: number | null;
  fields: Array<{ type: string; text: string; value: unknown }>;
}
export interface RenderedNote {
  authorName: string | null;
  createdAt: number;
  text: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function fieldValue(field: RenderedFeedback['fields'][number]): string {
  if (field.value === null || field.value === undefined || field.value === '') return '<span class="empty">—</span>';
  if (field.type === 'date' && typeof field.value === 'number') return escape(when(field.value).slice(0, 10));
  if (field.type === 'score-system') return `<span class="score">${escape(String(field.value))}</span>`;
  const text = escape(String(field.value));
  return /^https?:\/\//.test(String(field.value)) ? `<a href="#">${text}</a>` : text;
}

const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>
  body { font: 14px/1.45 system-ui, sans-serif; color: #1d2433; background: #f4f5f7; margin: 0; padding: 24px; }
  .card { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; max-width: 760px; padding: 18px 22px; margin: 0 0 16px; }
  .tab { color: #5b6478; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; margin: 0 0 6px; }
  h1 { font-size: 17px; margin: 0 0 2px; } .meta { color: #5b6478; font-size: 13px; margin: 0 0 14px; }
  dl { margin: 0; } dt { font-weight: 600; font-size: 13px; color: #3a4254; margin-top: 10px; } dd { margin: 2px 0 0; overflow-wrap: anywhere; }
  .score { display: inline-block; background: #e3f4ea; color: #1f7a4d; border-radius: 4px; padding: 1px 8px; font-weight: 600; }
  .empty { color: #9aa1b0; } .note { white-space: pre-wrap; overflow-wrap: anywhere; } a { color: #3355d1; }
</style></head><body>${body}</body></html>`;

/** One feedback form as Lever's Feedback tab lists it: template, author and date, each field's label and value. */
export const feedbackPage = (candidate: string, f: RenderedFeedback): string =>
  page(`${candidate}: feedback`, `<div class="card" id="feedback"><p class="tab">Feedback · ${escape(candidate)}</p><h1>${escape(f.template.text)}</h1>
  <p class="meta">${escape(f.authorName ?? 'unknown user')}${f.completedAt ? ` · submitted ${escape(when(f.completedAt))}` : ''}</p>
  <dl>${f.fields.map((x) => `<dt>${escape(x.text)}</dt><dd>${fieldValue(x)}</dd>`).join('')}</dl></div>`);

/** Notes as Lever's Notes tab shows them: author, date, the text with its line breaks. */
export const notesPage = (candidate: string, notes: RenderedNote[]): string =>
  page(`${candidate}: notes`, notes.map((n, i) => `<div class="card" id="note-${i}"><p class="tab">Note · ${escape(candidate)}</p>
  <p class="meta">${escape(n.authorName ?? 'unknown user')} · ${escape(when(n.createdAt))}</p><div class="note">${escape(n.text)}</div></div>`).join(''));
