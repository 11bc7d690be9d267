import { api, describeError } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import { candidateCell } from './candidate-name.js';
import { publicLinkSessionsCards } from './public-links.js';

const syncClass = { 'no changes yet': 'sync-none', 'in sync': 'sync-ok', syncing: 'sync-busy', errors: 'sync-errors', unknown: 'sync-unknown' };
const sideName = { lever: 'Lever', codesignal: 'CodeSignal' };

/** The stage sync of an imported candidate's opportunity: its state, what both sides agreed on, the last error. */
function syncCell(sync) {
  if (!sync) return h('td', {}, '—');
  const counts = sync.counts;
  return h('td', { class: 'reason' },
    h('span', { class: `badge ${syncClass[sync.state] ?? 'sync-unknown'}` }, sync.state),
    sync.agreed ? h('div', {}, `Agreed: ${sync.agreed.status}`, h('br'), h('small', { class: 'hint' }, `from ${sideName[sync.agreed.origin] ?? sync.agreed.origin}, ${formatTime(sync.agreed.at)}`)) : null,
    sync.lastError ? h('div', { class: 'status error' }, `Last error: ${sync.lastError}`) : null,
    sync.unmapped ? h('div', { class: 'hint' }, `${sync.unmapped} recent change(s) the stage mapping leaves out`) : null,
    counts ? h('small', { class: 'hint' }, `${counts.changes} change(s), ${counts.leverWrites} Lever write(s), ${counts.codesignalWrites} CodeSignal write(s)`) : null,
    sync.state === 'unknown' ? h('small', { class: 'hint' }, ' Not known: no sync has run for the opportunity yet, or Temporal did not answer.') : null,
  );
}

/**
 * Sourcing: candidates CodeSignal's sourcing side imported (who created each in Lever, and how the
 * stage sync of its opportunity stands), and the public-link results waiting for an admin.
 */
export async function renderSourcing(container, id) {
  const base = `/api/integrations/${id}`;
  // Names for the ids the rows carry; ids alone when an account cannot be read.
  const [leverUsers, codesignalUsers] = await Promise.all([
    api('GET', `${base}/lever/options`).then((o) => new Map(o.users.map((u) => [u.id, u.name])), () => new Map()),
    api('GET', `${base}/mappings/catalog`).then((c) => new Map((c.codesignalUsers ?? []).map((u) => [u.id, u.name])), () => new Map()),
  ]);
  const candidates = h('div');
  const refreshed = h('small', { class: 'hint' });
  const publicLinks = publicLinkSessionsCards(id);

  async function refreshCandidates() {
    const { candidates: rows } = await api('GET', `${base}/sourcing/candidates?limit=50`);
    replace(candidates, rows.length === 0 ? h('p', {}, 'No candidate imported yet: CodeSignal’s sourcing side imports them with the sourcing token (Credentials → Sourcing API).') : h('table', { class: 'list', id: 'sourcing-candidates' },
      h('thead', {}, h('tr', {}, ['Imported', 'Candidate', 'Outcome', 'Created in Lever by', 'Sourced by', 'Stage sync'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((c) => h('tr', { dataset: { candidate: c.codesignalCandidateId } },
        h('td', {}, formatTime(c.importedAt)),
        // the name (linked to the timeline) over the Lever opportunity id and the CodeSignal candidate id
        candidateCell(id, c.leverOpportunityId, c.candidateName, h('br'), h('small', { class: 'mono', title: 'CodeSignal candidate' }, `CodeSignal ${c.codesignalCandidateId}`)),
        h('td', {}, h('span', { class: `badge ${c.outcome}` }, c.outcome)),
        h('td', {}, leverUsers.get(c.createdByLeverUserId) ?? h('span', { class: 'mono' }, c.createdByLeverUserId),
          c.creatorFallback ? [h('br'), h('span', { class: 'badge unmapped', title: 'The sourcer has no mapped Lever user; a note on the opportunity says so.' }, 'default user (unmapped)')] : null),
        h('td', {}, c.requestedByCodesignalUserId ? codesignalUsers.get(c.requestedByCodesignalUserId) ?? h('span', { class: 'mono' }, c.requestedByCodesignalUserId) : '—'),
        syncCell(c.sync))))));
  }

  async function refresh() {
    await Promise.all([refreshCandidates(), publicLinks.refresh()]);
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  replace(container,
    h('h1', {}, 'Sourcing'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void refresh().catch((err) => (refreshed.textContent = `Could not refresh: ${describeError(err)}`)) }, 'Refresh'), refreshed),
    h('section', { class: 'card wide', 'aria-labelledby': `imported-title-${id}` }, h('h2', { id: `imported-title-${id}` }, 'Imported candidates'), candidates),
    publicLinks.cards,
  );
  await refresh();
  return () => publicLinks.stop();
}
