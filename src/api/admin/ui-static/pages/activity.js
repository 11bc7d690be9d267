import { api } from '../api.js';
import { confirmDialog, formatTime, h, replace, statusLine } from '../dom.js';
import { candidateCell } from './candidate-name.js';

const badge = (value) => h('span', { class: `badge ${String(value).toLowerCase()}` }, value);
const temporalLink = (url) => (url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open in Temporal') : '—');
/** Deliveries that were not acted on, which an admin may replay from the webhook inbox (README "Webhook inbox and replay"). */
const replayable = new Set(['failed', 'rejected', 'refused']);
/** `datetime-local` input value (local time) for an instant. */
const localInputValue = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

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
  const sweeps = h('div');
  const refreshed = h('small', { class: 'hint' });
  const replayStatus = statusLine();
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
    const [w, r, rec] = await Promise.all([
      api('GET', `${base}/webhooks?limit=50${filter}`),
      api('GET', `${base}/runs?limit=50`),
      // the sweeps are shown when they can be read; the rest of the page never waits on them failing
      api('GET', `${base}/reconciliation?limit=10`).catch(() => null),
    ]);
    renderSweeps(rec);
    replace(deliveries, w.deliveries.length === 0 ? h('p', {}, emptyText) : h('table', { class: 'list', id: 'deliveries' },
      h('thead', {}, h('tr', {}, ['Received', 'From', 'Event', 'Outcome', 'HTTP', 'Why', 'Candidate', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, w.deliveries.map((d) => h('tr', {},
        h('td', {}, formatTime(d.receivedAt)), h('td', {}, d.source), h('td', {}, d.event ?? '—'), h('td', {}, badge(d.outcome)),
        h('td', {}, String(d.httpStatus)), h('td', { class: 'reason' }, d.reason ?? ''), candidateCell(id, d.opportunityId, d.candidateName),
        h('td', {}, temporalLink(d.temporalUrl), d.replayOf ? h('small', { class: 'hint' }, ` replay of #${d.replayOf}`) : null,
          replayable.has(d.outcome) && (d.bodyKept || d.replayOf)
            ? h('button', { type: 'button', class: 'replay', 'data-delivery': d.id, onclick: () => void replayOne(d) }, 'Replay')
            : null))))));
    replace(runs, r.runs.length === 0 ? h('p', {}, 'No candidate run yet.') : h('table', { class: 'list', id: 'runs' },
      h('thead', {}, h('tr', {}, ['Started', 'Run', 'Status', 'Candidate', 'Stage', 'Closed', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, r.runs.map((run) => h('tr', {},
        h('td', {}, formatTime(run.startTime)), h('td', {}, run.workflowType, h('br'), h('small', { class: 'mono' }, run.workflowId)),
        h('td', {}, badge(run.status)), candidateCell(id, run.opportunityId, run.candidateName), h('td', {}, run.stage ? stages.get(run.stage) ?? run.stage : '—'),
        h('td', {}, formatTime(run.closeTime)), h('td', {}, temporalLink(run.temporalUrl)))))));
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  /** The reconciliation sweeps (README "Reconciliation"): the Schedule, and each recent run's repairs. */
  function renderSweeps(rec) {
    if (!rec) return void replace(sweeps, h('p', { class: 'hint' }, 'The sweeps could not be read just now.'));
    const sc = rec.schedule;
    const when = !sc || sc.status === 'absent' ? 'No sweep is scheduled (no trigger stage yet, or reconciliation is off).'
      : sc.status === 'paused' ? 'The sweep’s schedule is paused.'
        : sc.status === 'unknown' ? 'Temporal did not answer about the sweep’s schedule.'
          : `A sweep runs every ${sc.intervalMinutes} minutes${sc.nextRunAt ? `, next at ${formatTime(sc.nextRunAt)}` : ''}.`;
    const total = (f) => (f?.lever?.repaired ?? 0) + Object.values(f?.codesignal?.repaired ?? {}).reduce((a, b) => a + b, 0);
    replace(sweeps, h('p', {}, when), rec.runs.length === 0 ? h('p', {}, 'No sweep has run yet.') : h('table', { class: 'list', id: 'sweeps' },
      h('thead', {}, h('tr', {}, ['Started', 'Outcome', 'Repaired', 'Found', 'CodeSignal webhook', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rec.runs.map((run) => h('tr', {},
        h('td', {}, formatTime(run.startedAt)), h('td', {}, badge(run.outcome)), h('td', {}, String(run.repairs ?? total(run.findings))),
        h('td', { class: 'reason' }, `Lever: ${run.findings?.lever?.listed ?? 0} in trigger stages, ${run.findings?.lever?.repaired ?? 0} missed; CodeSignal: ${(run.findings?.codesignal?.sessionsChecked ?? 0) + (run.findings?.codesignal?.interviewsChecked ?? 0)} waits checked${run.errors?.length ? `; ${run.errors.join('; ')}` : ''}`),
        h('td', {}, run.codesignalWebhookSilent ? badge('silent') : 'ok'),
        h('td', {}, temporalLink(run.temporalUrl)))))));
  }

  /** Resends one delivery's kept body; the replay's own row (and outcome) shows in the list. */
  async function replayOne(d) {
    replayStatus.show('busy', `Replaying delivery #${d.id}…`);
    try {
      const { replay } = await api('POST', `/api/integrations/${id}/deliveries/${d.id}/replay`);
      replayStatus.show(replay.outcome === 'accepted' || replay.outcome === 'duplicate' || replay.outcome === 'ignored' ? 'ok' : 'error',
        `Delivery #${d.id} replayed: ${replay.outcome}${replay.reason ? ` (${replay.reason})` : ''}.`);
    } catch (err) {
      replayStatus.show('error', `Delivery #${d.id} was not replayed: ${err.message}`);
    }
    await refresh().catch(() => undefined);
  }

  // "Resend failed deliveries since…": a preview of how many, a confirmation, then the bulk replay.
  const since = h('input', { type: 'datetime-local', name: 'replay-since', 'aria-label': 'Resend failed deliveries since', value: localInputValue(new Date(Date.now() - 86_400_000)) });
  const withRefused = h('input', { type: 'checkbox', name: 'replay-rejected', checked: true });
  async function resendSince() {
    if (!since.value) return replayStatus.show('error', 'Choose since when to resend.');
    const sinceIso = new Date(since.value).toISOString();
    const outcomes = withRefused.checked ? ['failed', 'rejected'] : ['failed'];
    try {
      const preview = await api('GET', `/api/integrations/${id}/deliveries/replay-preview?since=${encodeURIComponent(sinceIso)}&outcomes=${outcomes.join(',')}`);
      if (preview.count === 0) {
        replayStatus.show('ok', `Nothing to resend since ${formatTime(sinceIso)}${preview.notKept ? ` (${preview.notKept} without a kept body cannot be resent)` : ''}.`);
        return;
      }
      const ok = await confirmDialog({
        title: 'Resend deliveries?',
        message: `${preview.count} ${outcomes.join(' or ')} deliver${preview.count === 1 ? 'y' : 'ies'} since ${formatTime(sinceIso)} will be resent, oldest first, through the same checks as when they arrived.`,
        lines: preview.bySourceAndEvent.map((g) => `${g.count} × ${g.source} ${g.event ?? '(no event)'}`),
        note: [preview.count > preview.batchLimit ? `Only the oldest ${preview.batchLimit} are resent now; resend again for the rest.` : '', preview.notKept ? `${preview.notKept} more cannot be resent: their body is not kept.` : '', 'What was already done is not done twice.'].filter(Boolean).join(' '),
        confirmLabel: `Resend ${Math.min(preview.count, preview.batchLimit)}`,
        cancelLabel: 'Cancel',
      });
      if (!ok) return;
      replayStatus.show('busy', 'Resending…');
      const r = await api('POST', `/api/integrations/${id}/deliveries/replay`, { since: sinceIso, outcomes });
      replayStatus.show(r.stopped || r.failed ? 'error' : 'ok',
        `Resent ${r.resent}: ${r.accepted} accepted, ${r.duplicate} duplicate, ${r.ignored} ignored, ${r.refused} refused, ${r.failed} failed${r.unreadable ? `, ${r.unreadable} unreadable` : ''}.${r.stopped ? ` Stopped: ${r.stopped}.` : ''}${r.remaining ? ` ${r.remaining} remain.` : ''}`);
    } catch (err) {
      replayStatus.show('error', `Not resent: ${err.message}`);
    }
    await refresh().catch(() => undefined);
  }
  const resend = h('div', { class: 'actions', id: 'replay-since' },
    h('label', {}, 'Resend failed deliveries since ', since), h('label', {}, withRefused, ' and refused ones'),
    h('button', { type: 'button', onclick: () => void resendSince() }, 'Resend…'));

  replace(container,
    h('h1', {}, 'Activity'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh'), refreshed),
    h('section', { class: 'card wide' }, h('h2', {}, 'Candidate runs'), runs),
    h('section', { class: 'card wide', 'aria-label': 'Reconciliation sweeps' }, h('h2', {}, 'Reconciliation sweeps'), sweeps),
    h('section', { class: 'card wide' }, h('div', { class: 'actions' }, h('h2', {}, 'Webhook deliveries'), outcome), resend, replayStatus, filterLine, deliveries));
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 5000);
  return () => clearInterval(timer);
}
