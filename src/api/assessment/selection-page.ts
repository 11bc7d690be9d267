/** Server-rendered pages of the assessment selection link: a list of tests, then a confirmation. */

import { escapeHtml as escape, htmlPage as layout, renderMessagePage } from '../html-page';

export { renderMessagePage };

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
