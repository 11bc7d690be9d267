import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { candidateCell } from './candidate-name.js';

const badge = (value) => h('span', { class: `badge ${String(value).toLowerCase()}` }, value);
const temporalLink = (url) => (url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open in Temporal') : '—');

/**
 * The deliveries' filters, by the name a route gives them (`#/integrations/<id>/activity/<name>`; the
 * integrations list's health line links to `failures`): [name, label, outcomes asked for, what the empty list says].
 */
const filters = [
  ['', 'All deliveries', null, 'No webhook delivery yet.'],
  ['failures', 'Failed and rejected', 'failed,rejected', 'No failed or rejected delivery among the recent ones.'],
  ...['accepted', 'duplicate', 'ignored', 'refused', 'rejected', 'failed'].map((o) => [o, o[0].toUpperCase() + o.slice(1), o, `No ${o} delivery among the recent ones.`]),
];

/**
 * Recent webhook deliveries and candidate runs, refreshed every few seconds while the page is open;
 * `filterName` (the route's item) shows only some deliveries, said above the list with a way back to all.
 */
export async function renderActivity(container, id, filterName) {
  const base = `/api/integrations/${id}/activity`;
  const page = `#/integrations/${id}/activity`;
  const deliveries = h('div');
  const runs = h('div');
  const refreshed = h('small', { class: 'hint' });
  // Stage names for the stage ids runs carry; ids alone when Lever cannot be read.
  const stages = await api('GET', `/api/integrations/${id}/lever/options`).then((o) => new Map(o.stages.map((s) => [s.id, s.text])), () => new Map());

  const known = filters.find(([name]) => name === (filterName ?? ''));
  const [name, label, outcomes, emptyText] = known ?? filters[0];
  // a filter is chosen by its route, so it can be linked to and survives a reload
  const outcome = h('select', { name: 'outcome', 'aria-label': 'Show deliveries', onchange: () => (location.hash = outcome.value ? `${page}/${outcome.value}` : page) },
    filters.map(([value, text]) => h('option', { value, selected: value === name }, text)));
  const filterLine = name
    ? h('p', { class: 'status filter-on', id: 'deliveries-filter' }, `Showing ${label.toLowerCase()} deliveries only. `, h('a', { href: page }, 'Show all deliveries'))
    : filterName
      ? h('p', { class: 'status error', id: 'deliveries-filter' }, `No filter is called “${filterName}”: all deliveries are shown. `, h('a', { href: page }, 'Clear'))
      : null;

  async function refresh() {
    const filter = outcomes ? `&outcome=${outcomes}` : '';
    const [w, r] = await Promise.all([api('GET', `${base}/webhooks?limit=50${filter}`), api('GET', `${base}/runs?limit=50`)]);
    replace(deliveries, w.deliveries.length === 0 ? h('p', {}, emptyText) : h('table', { class: 'list', id: 'deliveries' },
      h('thead', {}, h('tr', {}, ['Received', 'From', 'Event', 'Outcome', 'HTTP', 'Why', 'Candidate', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, w.deliveries.map((d) => h('tr', {},
        h('td', {}, formatTime(d.receivedAt)), h('td', {}, d.source), h('td', {}, d.event ?? '—'), h('td', {}, badge(d.outcome)),
        h('td', {}, String(d.httpStatus)), h('td', { class: 'reason' }, d.reason ?? ''), candidateCell(id, d.opportunityId, d.candidateName),
        h('td', {}, temporalLink(d.temporalUrl)))))));
    replace(runs, r.runs.length === 0 ? h('p', {}, 'No candidate run yet.') : h('table', { class: 'list', id: 'runs' },
      h('thead', {}, h('tr', {}, ['Started', 'Run', 'Status', 'Candidate', 'Stage', 'Closed', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, r.runs.map((run) => h('tr', {},
        h('td', {}, formatTime(run.startTime)), h('td', {}, run.workflowType, h('br'), h('small', { class: 'mono' }, run.workflowId)),
        h('td', {}, badge(run.status)), candidateCell(id, run.opportunityId, run.candidateName), h('td', {}, run.stage ? stages.get(run.stage) ?? run.stage : '—'),
        h('td', {}, formatTime(run.closeTime)), h('td', {}, temporalLink(run.temporalUrl)))))));
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  replace(container,
    h('h1', {}, 'Activity'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh'), refreshed),
    h('section', { class: 'card wide' }, h('h2', {}, 'Candidate runs'), runs),
    h('section', { class: 'card wide' }, h('div', { class: 'actions' }, h('h2', {}, 'Webhook deliveries'), outcome), filterLine, deliveries));
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  return () => clearInterval(timer);
}
