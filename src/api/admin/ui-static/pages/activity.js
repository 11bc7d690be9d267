import { api } from '../api.js';
import { formatTime, h, replace } from '../dom.js';

const badge = (value) => h('span', { class: `badge ${String(value).toLowerCase()}` }, value);
const temporalLink = (url) => (url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open in Temporal') : '—');
/** The candidate by name, linking to their timeline, over the opportunity id (the id alone when the name is not known yet). */
const candidateCell = (id, item) => h('td', {},
  item.candidateName ? [h('a', { href: `#/integrations/${id}/candidates/${item.opportunityId}` }, item.candidateName), h('br')] : null,
  h('small', { class: 'mono' }, item.opportunityId ?? '—'));

/** Recent webhook deliveries and candidate runs, refreshed every few seconds while the page is open. */
export async function renderActivity(container, id) {
  const base = `/api/integrations/${id}/activity`;
  const deliveries = h('div');
  const runs = h('div');
  const refreshed = h('small', { class: 'hint' });
  // Stage names for the stage ids runs carry; ids alone when Lever cannot be read.
  const stages = await api('GET', `/api/integrations/${id}/lever/options`).then((o) => new Map(o.stages.map((s) => [s.id, s.text])), () => new Map());

  const outcome = h('select', { name: 'outcome', 'aria-label': 'Show deliveries', onchange: () => void refresh() },
    [['', 'All deliveries'], ['accepted', 'Accepted'], ['duplicate', 'Duplicate'], ['ignored', 'Ignored'], ['refused', 'Refused'], ['rejected', 'Rejected'], ['failed', 'Failed']]
      .map(([value, label]) => h('option', { value }, label)));

  async function refresh() {
    const filter = outcome.value ? `&outcome=${outcome.value}` : '';
    const [w, r] = await Promise.all([api('GET', `${base}/webhooks?limit=50${filter}`), api('GET', `${base}/runs?limit=50`)]);
    replace(deliveries, w.deliveries.length === 0 ? h('p', {}, outcome.value ? `No ${outcome.value} delivery among the recent ones.` : 'No webhook delivery yet.') : h('table', { class: 'list', id: 'deliveries' },
      h('thead', {}, h('tr', {}, ['Received', 'From', 'Event', 'Outcome', 'HTTP', 'Why', 'Candidate', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, w.deliveries.map((d) => h('tr', {},
        h('td', {}, formatTime(d.receivedAt)), h('td', {}, d.source), h('td', {}, d.event ?? '—'), h('td', {}, badge(d.outcome)),
        h('td', {}, String(d.httpStatus)), h('td', { class: 'reason' }, d.reason ?? ''), candidateCell(id, d),
        h('td', {}, temporalLink(d.temporalUrl)))))));
    replace(runs, r.runs.length === 0 ? h('p', {}, 'No candidate run yet.') : h('table', { class: 'list', id: 'runs' },
      h('thead', {}, h('tr', {}, ['Started', 'Run', 'Status', 'Candidate', 'Stage', 'Closed', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, r.runs.map((run) => h('tr', {},
        h('td', {}, formatTime(run.startTime)), h('td', {}, run.workflowType, h('br'), h('small', { class: 'mono' }, run.workflowId)),
        h('td', {}, badge(run.status)), candidateCell(id, run), h('td', {}, run.stage ? stages.get(run.stage) ?? run.stage : '—'),
        h('td', {}, formatTime(run.closeTime)), h('td', {}, temporalLink(run.temporalUrl)))))));
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  replace(container,
    h('h1', {}, 'Activity'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh'), refreshed),
    h('section', { class: 'card wide' }, h('h2', {}, 'Candidate runs'), runs),
    h('section', { class: 'card wide' }, h('div', { class: 'actions' }, h('h2', {}, 'Webhook deliveries'), outcome), deliveries));
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  return () => clearInterval(timer);
}
