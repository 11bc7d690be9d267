import { h } from '../dom.js';

/** A candidate's timeline page (pages/candidates.js; app.js routes `…/candidates/<opportunityId>`). */
export const timelineHref = (id, opportunityId) => `#/integrations/${id}/candidates/${encodeURIComponent(opportunityId)}`;

/**
 * A Lever opportunity as lists show it: the candidate's name from the candidate directory, linked to
 * their timeline, over the opportunity id in small; the id alone while the directory does not know
 * the name; `—` without an opportunity. `more` (e.g. another id) goes under the opportunity id.
 */
export const candidateName = (id, opportunityId, name, ...more) => [
  opportunityId && name ? [h('a', { href: timelineHref(id, opportunityId) }, name), h('br')] : null,
  h('small', { class: 'mono' }, opportunityId ?? '—'),
  more,
];

/** The same in a table cell. */
export const candidateCell = (id, opportunityId, name, ...more) => h('td', {}, candidateName(id, opportunityId, name, ...more));
