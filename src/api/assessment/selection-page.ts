/** Server-rendered pages of the assessment selection link: a list of tests, then a confirmation. */

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; }
  h1 { font-size: 1.4rem; } label { display: block; padding: .6rem .8rem; border: 1px solid #d1d5db; border-radius: .5rem; margin: .5rem 0; cursor: pointer; }
  label:hover { border-color: #2563eb; } .muted { color: #6b7280; font-size: .9rem; }
  button { margin-top: 1rem; padding: .6rem 1.2rem; border: 0; border-radius: .5rem; background: #2563eb; color: white; font-size: 1rem; cursor: pointer; }
</style></head><body>${body}</body></html>`;

export interface TestOption {
  id: string;
  title: string;
  durationMinutes: number | null;
}

/** `candidateName`: the opportunity's name in Lever, or null when it could not be read (the page then names no one). */
export function renderSelectionPage(opts: { candidateName: string | null; tests: TestOption[]; action: string }): string {
  const options = opts.tests
    .map(
      (t, i) => `<label><input type="radio" name="testId" value="${escape(t.id)}"${i === 0 ? ' required' : ''}> ${escape(t.title)}` +
        `${t.durationMinutes ? ` <span class="muted">· ${t.durationMinutes} min</span>` : ''}</label>`,
    )
    .join('\n');
  return layout(
    'Choose a CodeSignal assessment',
    `<h1>Choose a CodeSignal assessment</h1>
<p>${opts.candidateName ? `For <strong class="candidate">${escape(opts.candidateName)}</strong>. ` : ''}CodeSignal e-mails the invitation to the candidate as soon as you choose.</p>
<form method="post" action="${escape(opts.action)}">${options || '<p>No tests are available in this CodeSignal account.</p>'}
${opts.tests.length ? '<button type="submit">Send invitation</button>' : ''}</form>`,
  );
}

export const renderMessagePage = (title: string, message: string) => layout(title, `<h1>${escape(title)}</h1><p>${escape(message)}</p>`);
