import { api } from '../api.js';
import { field, formatTime, h, replace } from '../dom.js';

/** What an entry's details say, in a line or two: settings before → after, changed key names, a created integration's name. */
function describeDetails(details) {
  if (Array.isArray(details?.changes)) {
    return details.changes.length === 0
      ? 'nothing changed'
      : h('ul', { class: 'changes' }, details.changes.map((c) => h('li', {}, h('code', {}, c.path), ': ', JSON.stringify(c.before), ' → ', JSON.stringify(c.after))));
  }
  if (details?.changes && typeof details.changes === 'object') {
    return h('ul', { class: 'changes' }, Object.entries(details.changes).map(([list, { added, removed }]) =>
      h('li', {}, h('code', {}, list), `: ${added.length} added, ${removed.length} removed`)));
  }
  if (Array.isArray(details?.changed)) return `changed: ${details.changed.join(', ')}`;
  if (details?.name) return `name: ${details.name}`;
  const keys = Object.keys(details ?? {});
  return keys.length === 0 ? '' : JSON.stringify(details);
}

/** `datetime-local` (local time) → ISO instant, or undefined. */
const isoOf = (value) => (value ? new Date(value).toISOString() : undefined);

/**
 * The audit log (README "Audit log"): who did what, when, from where, on which integration, with what
 * outcome; filtered, paged, and exported as CSV or JSON lines with the same filter.
 */
export async function renderAudit(container) {
  const { integrations } = await api('GET', '/api/integrations');
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const integration = h('select', { name: 'integrationId' }, h('option', { value: '' }, 'All integrations'), integrations.map((i) => h('option', { value: i.id }, i.name)));
  const action = h('input', { name: 'action', type: 'search', placeholder: 'e.g. settings' });
  const actor = h('input', { name: 'actor', type: 'search', placeholder: 'e-mail or “admin token”' });
  const since = h('input', { name: 'since', type: 'datetime-local' });
  const until = h('input', { name: 'until', type: 'datetime-local' });
  const outcome = h('select', { name: 'outcome' }, h('option', { value: '' }, 'Any outcome'), h('option', { value: 'succeeded' }, 'Succeeded'), h('option', { value: 'failed' }, 'Failed or refused'));
  const list = h('div', { id: 'audit-entries' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older entries');
  const csv = h('a', { class: 'button secondary', id: 'export-csv', download: '' }, 'Export CSV');
  const jsonl = h('a', { class: 'button secondary', id: 'export-jsonl', download: '' }, 'Export JSON lines');
  let rows = [];
  let nextBeforeId = null;

  const query = () => {
    const q = new URLSearchParams();
    for (const [name, value] of [['integrationId', integration.value], ['action', action.value.trim()], ['actor', actor.value.trim()], ['since', isoOf(since.value)], ['until', isoOf(until.value)], ['outcome', outcome.value]]) {
      if (value) q.set(name, value);
    }
    return q;
  };
  const render = () =>
    replace(list, rows.length === 0 ? h('p', {}, 'No audit entry matches.') : h('table', { class: 'list', id: 'audit' },
      h('thead', {}, h('tr', {}, ['When', 'Who', 'From', 'Action', 'Integration', 'Target', 'Outcome', 'Details'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((e) => h('tr', { class: e.outcome >= 400 ? 'failed' : '' },
        h('td', {}, formatTime(e.at)),
        h('td', {}, e.actor),
        h('td', {}, e.sourceIp ?? '—'),
        h('td', {}, e.action),
        h('td', {}, e.integrationId ? names.get(e.integrationId) ?? e.integrationId : '—'),
        h('td', {}, e.target ?? '—'),
        h('td', {}, h('span', { class: `badge ${e.outcome >= 400 ? 'failed' : 'accepted'}` }, String(e.outcome))),
        h('td', {}, describeDetails(e.details)))))));

  async function load(append) {
    const q = query();
    csv.href = `/api/audit/export?${new URLSearchParams([...q, ['format', 'csv']])}`;
    jsonl.href = `/api/audit/export?${new URLSearchParams([...q, ['format', 'jsonl']])}`;
    if (append && nextBeforeId) q.set('beforeId', nextBeforeId);
    q.set('limit', '100');
    const page = await api('GET', `/api/audit?${q}`);
    rows = append ? [...rows, ...page.entries] : page.entries;
    nextBeforeId = page.nextBeforeId;
    more.hidden = !nextBeforeId;
    render();
  }
  more.onclick = () => void load(true);

  const form = h('form', { class: 'filters', id: 'audit-filters', onsubmit: (ev) => { ev.preventDefault(); void load(false); } },
    field('Integration', integration), field('Action', action), field('Who', actor), field('From', since), field('Until', until), field('Outcome', outcome),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), csv, jsonl));
  replace(container,
    h('nav', { class: 'tabs', 'aria-label': 'Audit' }, h('a', { href: '#/' }, '← Integrations')),
    h('section', { class: 'tab-body' },
      h('h2', {}, 'Audit log'),
      h('p', { class: 'hint' }, 'Every admin action: sign-ins, integrations created, keys and secrets changed (never their values), settings and mappings changed (before → after), actions on candidates, replays and backfills. Entries cannot be edited.'),
      form, list, more));
  await load(false);
}
