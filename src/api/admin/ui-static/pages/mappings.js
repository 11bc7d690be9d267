import { api, describeError } from '../api.js';
import { formatTime, h, replace, statusLine } from '../dom.js';

/** The stored mapping, computed from both accounts on the first visit ("pre-filled automatically"). */
async function load(id) {
  const base = `/api/integrations/${id}/mappings`;
  const catalog = await api('GET', `${base}/catalog`);
  let mapping;
  try {
    mapping = await api('GET', base);
  } catch (err) {
    if (err.code !== 'no_mapping') throw err;
    mapping = await api('POST', `${base}/auto`);
  }
  return { base, catalog, mapping };
}

const ruleBadge = (entry) => (entry ? h('span', { class: `badge ${entry.rule ? 'auto' : 'admin'}` }, entry.rule ? `auto: ${entry.rule}` : 'set by admin') : h('span', { class: 'badge unmapped' }, 'not mapped'));
const choice = (name, items, selected, empty) =>
  h('select', { name }, h('option', { value: '' }, empty), items.map((i) => h('option', { value: i.value, selected: i.value === selected }, i.label)));

/** Header, table, and the buttons to re-run auto-fill or save; `collect` returns the changed part of the mapping. */
function mappingPage(container, id, { title, intro, mapping, table, collect, rerender }) {
  const status = statusLine();
  const save = async () => {
    status.show('busy', 'Checking against Lever and CodeSignal…');
    try {
      await api('PUT', `/api/integrations/${id}/mappings`, { ...mapping, ...collect() });
      status.show('ok', 'Saved.');
    } catch (err) {
      status.show('error', describeError(err));
    }
  };
  const autoFill = async () => {
    status.show('busy', 'Reading both accounts…');
    try {
      await api('POST', `/api/integrations/${id}/mappings/auto`);
      await rerender();
    } catch (err) {
      status.show('error', describeError(err));
    }
  };
  replace(container,
    h('h1', {}, title),
    h('p', { class: 'hint' }, intro, ` Last ${mapping.source === 'auto' ? 'filled automatically' : 'saved by an admin'}: ${formatTime(mapping.updatedAt)}.`),
    h('div', { class: 'card wide' }, table,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: save }, 'SAVE'),
        h('button', { type: 'button', onclick: autoFill }, 'Re-run auto-fill')),
      status));
}

export async function renderUserMapping(container, id) {
  const { catalog, mapping } = await load(id);
  const leverUsers = catalog.leverUsers.map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }));
  const rows = catalog.codesignalUsers.map((cs) => {
    const entry = mapping.users.find((u) => u.codesignalUserId === cs.id);
    const control = choice('leverUser', leverUsers, entry?.leverUserId, '— not mapped —');
    control.dataset.codesignalUser = cs.id;
    return h('tr', {}, h('td', {}, cs.name, h('br'), h('small', {}, cs.email)), h('td', {}, control), h('td', {}, ruleBadge(entry)));
  });
  const table = h('table', { class: 'list mapping' },
    h('thead', {}, h('tr', {}, h('th', {}, 'CodeSignal user'), h('th', {}, 'Lever user'), h('th', {}, ''))),
    h('tbody', {}, rows));
  mappingPage(container, id, {
    title: 'User Account Mapping',
    intro: 'Candidates a CodeSignal user imports are created in Lever as the mapped Lever user; their interviews use them as interviewer.',
    mapping, table,
    collect: () => ({
      users: [...table.querySelectorAll('select')].filter((el) => el.value).map((el) => ({ codesignalUserId: el.dataset.codesignalUser, leverUserId: el.value })),
    }),
    rerender: () => renderUserMapping(container, id),
  });
}

export async function renderStageMapping(container, id) {
  const { catalog, mapping } = await load(id);
  const statuses = catalog.codesignalStatuses.map((s) => ({ value: s, label: s }));
  const toStatus = (kind, key, items, label) => h('table', { class: 'list mapping', 'data-kind': kind },
    h('thead', {}, h('tr', {}, h('th', {}, label), h('th', {}, 'CodeSignal status'), h('th', {}, ''))),
    h('tbody', {}, items.map((item) => {
      const entry = mapping[kind].find((m) => m[key] === item.id);
      const control = choice(kind, statuses, entry?.codesignalStatus, '— not synced —');
      control.dataset.id = item.id;
      return h('tr', {}, h('td', {}, item.text), h('td', {}, control), h('td', {}, ruleBadge(entry)));
    })));
  const leverTargets = [
    ...catalog.leverStages.map((s) => ({ value: `stage:${s.id}`, label: `Move to stage: ${s.text}` })),
    ...catalog.leverArchiveReasons.filter((r) => r.active).map((r) => ({ value: `archive:${r.id}`, label: `Archive: ${r.text}` })),
  ];
  const fromStatus = h('table', { class: 'list mapping', 'data-kind': 'statuses' },
    h('thead', {}, h('tr', {}, h('th', {}, 'CodeSignal status'), h('th', {}, 'In Lever'), h('th', {}, ''))),
    h('tbody', {}, catalog.codesignalStatuses.map((status) => {
      const entry = mapping.statuses.find((m) => m.codesignalStatus === status);
      const current = entry ? (entry.leverStageId ? `stage:${entry.leverStageId}` : `archive:${entry.leverArchiveReasonId}`) : '';
      const control = choice('statuses', leverTargets, current, '— not synced —');
      control.dataset.status = status;
      return h('tr', {}, h('td', {}, status), h('td', {}, control), h('td', {}, ruleBadge(entry)));
    })));
  const stagesTable = toStatus('stages', 'leverStageId', catalog.leverStages, 'Lever stage entered');
  const reasonsTable = toStatus('archiveReasons', 'leverArchiveReasonId', catalog.leverArchiveReasons, 'Lever archive reason');
  const picked = (table) => [...table.querySelectorAll('select')].filter((el) => el.value);
  mappingPage(container, id, {
    title: 'Job Stage Mapping',
    intro: 'How Lever stages and archive reasons become CodeSignal statuses, and CodeSignal statuses move Lever opportunities. Unmapped entries are left alone.',
    mapping,
    table: h('div', {}, h('h2', {}, 'Lever → CodeSignal'), stagesTable, reasonsTable, h('h2', {}, 'CodeSignal → Lever'), fromStatus),
    collect: () => ({
      stages: picked(stagesTable).map((el) => ({ leverStageId: el.dataset.id, codesignalStatus: el.value })),
      archiveReasons: picked(reasonsTable).map((el) => ({ leverArchiveReasonId: el.dataset.id, codesignalStatus: el.value })),
      statuses: picked(fromStatus).map((el) => {
        const [kind, target] = [el.value.slice(0, el.value.indexOf(':')), el.value.slice(el.value.indexOf(':') + 1)];
        return kind === 'stage' ? { codesignalStatus: el.dataset.status, leverStageId: target } : { codesignalStatus: el.dataset.status, leverArchiveReasonId: target };
      }),
    }),
    rerender: () => renderStageMapping(container, id),
  });
}
