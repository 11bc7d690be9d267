import { api, describeError } from '../api.js';
import { confirmDialog, copyable, h, replace, statusLine } from '../dom.js';

const statusText = {
  registered: 'registered',
  missing: 'missing',
  wrong_url: 'wrong URL',
  not_ours: 'not made by the service',
};

const tokenText = (row) => {
  if (row.tokenStored === true) return row.tokenHint ? `stored, ends in …${row.tokenHint}` : 'stored';
  if (row.tokenStored === false) return row.status === 'missing' ? '—' : 'not stored';
  return 'pasted by hand, if at all';
};

const rowOf = (row) => h('tr', { dataset: { event: row.event } },
  h('td', {}, h('code', {}, row.event)),
  h('td', {}, h('span', { class: `badge ${row.status}` }, statusText[row.status] ?? row.status),
    row.createdByService === false ? h('small', { class: 'hint' }, ' made in Lever\'s settings page') : null),
  h('td', {}, tokenText(row)),
  h('td', { class: 'reason' }, row.url ? h('small', { class: 'mono' }, row.url) : '—'));

function statusTable(status) {
  const rows = [...status.subscriptions, ...status.extra];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'list', id: 'lever-webhooks' },
    h('thead', {}, h('tr', {}, ['Event', 'Lever subscription', 'Signing token', 'URL'].map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map(rowOf))));
}

/**
 * The integration's Lever subscriptions made through Lever's webhooks API: their status, REGISTER and
 * REMOVE, and the one step Lever still wants from a Super Admin. With a key that may not manage
 * webhooks, the manual flow (URL above, tokens pasted below) is shown instead. `onChanged(message)`
 * re-renders the page (the saved token count changes).
 */
export function leverWebhooksSection(id, { onChanged, flash } = {}) {
  const base = `/api/integrations/${id}/lever-webhooks`;
  const body = h('div', {}, h('p', { class: 'status busy' }, 'Asking Lever for its webhook subscriptions…'));
  const status = statusLine();
  if (flash) status.show('ok', flash);
  const register = h('button', { type: 'button', class: 'primary', onclick: () => act('POST', `${base}/register`, 'Registering with Lever…') }, 'Register webhooks with Lever');
  const remove = h('button', { type: 'button', onclick: confirmRemove }, 'Remove');

  async function act(method, path, busy) {
    register.disabled = remove.disabled = true;
    status.show('busy', busy);
    try {
      const result = await api(method, path, method === 'POST' ? {} : undefined);
      const message = `${result.created} created, ${result.deleted} deleted.${result.complete ? ' Every event is registered.' : ''}`;
      if (onChanged) await onChanged(message);
      else status.show('ok', message);
    } catch (err) {
      status.show('error', describeError(err));
      register.disabled = remove.disabled = false;
    }
  }

  async function confirmRemove() {
    const ok = await confirmDialog({
      title: 'Remove the Lever webhooks?',
      message: 'The subscriptions the service made through Lever\'s API are deleted in Lever, and their signing tokens here. Lever then sends this integration nothing for those events.',
      note: 'Subscriptions made in Lever\'s settings page, and tokens pasted for them, stay.',
      confirmLabel: 'Remove',
      cancelLabel: 'Keep them',
    });
    if (ok) await act('DELETE', base, 'Removing from Lever…');
  }

  async function load() {
    try {
      const s = await api('GET', base);
      if (!s.canRegister) {
        register.disabled = remove.disabled = true;
        replace(body,
          h('p', { class: 'status error' }, s.problem ?? 'The Lever key may not manage webhooks (webhooks:read:admin and webhooks:write:admin), so the manual flow applies.'),
          h('p', { class: 'hint' }, s.manualFlow),
          s.subscriptions ? statusTable(s) : null);
        return;
      }
      replace(body,
        statusTable(s),
        h('div', { class: 'one-time-secret manual-step' }, h('p', {}, h('strong', {}, 'One step in Lever remains: '), s.manualStep)));
    } catch (err) {
      replace(body, h('p', { class: 'status error' }, `Could not read Lever's webhook subscriptions: ${describeError(err)}`));
    }
  }
  void load();

  return h('section', { class: 'card', id: 'lever-webhook-registration' },
    h('h2', {}, 'Lever webhooks through Lever\'s API'),
    h('p', { class: 'hint' }, 'With a Lever key holding webhooks:write:admin, the service makes one subscription per event it needs at the Lever webhook URL above and stores each signing token itself: nothing to copy. Registering again repairs what is missing or wrong.'),
    body,
    h('div', { class: 'actions' }, register, remove),
    status);
}

/** What to paste into CodeSignal's "Manage Webhooks", which CodeSignal offers no API for. */
export function codesignalWebhookGuide(id) {
  const body = h('div', {}, h('p', { class: 'status busy' }, 'Loading…'));
  (async () => {
    try {
      const g = await api('GET', `/api/integrations/${id}/codesignal-webhook`);
      replace(body,
        copyable('Endpoint URL to paste in CodeSignal', g.url, 'codesignalGuideUrl'),
        copyable('Events to tick', g.events.join(', '), 'codesignalGuideEvents'),
        h('p', {}, 'Secret key: ', g.secretConfigured ? `saved here, ends in …${g.secretHint ?? '(short)'} — it must be the one CodeSignal shows.` : 'not saved here yet — copy the one CodeSignal shows into "CodeSignal webhook secret" below.'),
        h('ol', { class: 'guide-steps' }, g.steps.map((step) => h('li', {}, step))));
    } catch (err) {
      replace(body, h('p', { class: 'status error' }, describeError(err)));
    }
  })();
  return h('section', { class: 'card', id: 'codesignal-webhook-guide' }, h('h2', {}, 'CodeSignal webhook: what to paste'), body);
}
