import { api, describeError } from '../api.js';
import { confirmDialog, field, formatTime, h, replace, statusLine } from '../dom.js';
import { keyTest } from './key-test.js';

/** The integrations list, and the form that starts a new one with its two API keys. */
export async function renderIntegrations(container) {
  const { integrations } = await api('GET', '/api/integrations');
  replace(container,
    h('h1', {}, 'Integrations'),
    integrations.length === 0
      ? h('p', {}, 'No integration yet: create the first one below.')
      : h('table', { class: 'list' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Health'), h('th', {}, 'Trigger stages'), h('th', {}, 'Created'))),
          h('tbody', {}, integrations.map((i) => h('tr', {},
            h('td', {}, h('a', { href: `#/integrations/${i.id}/credentials` }, i.name)),
            h('td', {}, healthSummary(i)),
            h('td', {}, String(i.settings.assessments.triggerStageIds.length + i.settings.interviews.triggerStageIds.length)),
            h('td', {}, formatTime(i.createdAt)))))),
    newIntegrationForm(),
  );
}

/** "3 min ago" for an ISO time, for on-call reading the list at a glance; the exact time is the element's title. */
function ago(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  const [minutes, hours, days] = [seconds / 60, seconds / 3600, seconds / 86400].map(Math.floor);
  if (minutes < 60) return `${minutes} min ago`;
  if (hours < 48) return `${hours} h ago`;
  return `${days} days ago`;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A part of the health line: its text, coloured by how it stands ('ok', 'warn', 'error'), the exact time on hover. */
const part = (state, text, iso) => h('span', { class: `health-part ${state}`, title: iso ? formatTime(iso) : null }, text);

/** Where deliveries come from, as the admin knows them; Sourcing and the status feed only once they have had one. */
const deliverySources = [['lever', 'Lever', true], ['codesignal', 'CodeSignal', true], ['sourcing', 'Sourcing API', false], ['feed', 'Status feed', false]];

function deliveryPart(label, d) {
  if (!d) return part('warn', `${label}: no delivery yet`);
  if (d.outcome === 'accepted') return part('ok', `${label}: last delivery ${ago(d.at)} (accepted)`, d.at);
  const accepted = d.lastAcceptedAt ? `last accepted ${ago(d.lastAcceptedAt)}` : 'none accepted yet';
  const state = { failed: 'error', rejected: 'error', refused: 'warn' }[d.outcome] ?? 'neutral'; // ignored, duplicate: nothing wrong
  return part(state, `${label}: last delivery ${ago(d.at)} (${d.outcome}; ${accepted})`, d.at);
}

function keyPart(label, t) {
  if (!t) return part('warn', `${label} not tested`);
  const when = `(tested ${ago(t.checkedAt)})`;
  if (t.ok) return part('ok', `${label} OK ${when}`, t.checkedAt);
  if (!t.keyValid) return part('error', `${label} key refused ${when}`, t.checkedAt);
  return h('span', { class: 'health-part error', title: `Missing: ${t.missing.join(', ')}` }, `${label} missing ${plural(t.missing.length, 'permission')} ${when}`);
}

function failuresPart(f) {
  const unknown = f.workflows === null ? 'runs unknown: Temporal did not answer' : null;
  const total = f.deliveries + (f.workflows ?? 0);
  if (total === 0) return unknown ? part('warn', `No failed delivery in 24 h; ${unknown}`) : part('ok', 'No failures in 24 h');
  const counted = [f.deliveries ? plural(f.deliveries, 'delivery', 'deliveries') : null, f.workflows ? plural(f.workflows, 'run') : null].filter(Boolean).join(', ');
  return part('error', `${plural(total, 'failure')} in 24 h (${[counted, unknown].filter(Boolean).join('; ')})`);
}

/**
 * One integration's health on the list (GET /api/integrations `health`): the last delivery per
 * source, the last TEST of each stored key, failures of the last 24 hours with a link to Activity's failures.
 */
function healthSummary(i) {
  const { lastDelivery, keyTests, failures24h } = i.health;
  const dot = () => h('span', { class: 'hint' }, ' · ');
  const deliveries = deliverySources.filter(([source, , always]) => always || lastDelivery[source]).map(([source, label]) => deliveryPart(label, lastDelivery[source]));
  const keys = h('span', {}, 'Keys: ', keyPart('Lever', keyTests.lever), '; ', keyPart('CodeSignal', keyTests.codesignal));
  const quiet = failures24h.deliveries === 0 && failures24h.workflows === 0;
  // Activity filtered to the deliveries counted here (failed and rejected); its runs list shows the failed runs
  const activity = quiet ? null : [' — ', h('a', { href: `#/integrations/${i.id}/activity/failures` }, 'see Activity')];
  return h('div', { class: 'health' }, [...deliveries, keys, h('span', {}, failuresPart(failures24h), activity)].flatMap((p, n) => (n === 0 ? [p] : [dot(), p])));
}

function newIntegrationForm() {
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Acme production' });
  const leverKey = h('input', { name: 'leverApiKey', type: 'password', autocomplete: 'off', required: true });
  const codesignalKey = h('input', { name: 'codesignalApiKey', type: 'password', autocomplete: 'off', required: true });
  const leverTest = keyTest({ service: 'Lever', input: leverKey, newKeyPath: '/api/setup/lever/test' });
  const codesignalTest = keyTest({ service: 'CodeSignal', input: codesignalKey, newKeyPath: '/api/setup/codesignal/test' });
  const status = statusLine();
  return h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    // A key whose TEST failed makes an integration that cannot work: ask before saving it.
    const problems = [leverTest, codesignalTest].map((t) => t.verdict()).filter((v) => v.state === 'failed').map((v) => v.problem);
    if (problems.length > 0) {
      const createAnyway = await confirmDialog({
        title: 'Create the integration anyway?',
        message: problems.length === 1 ? 'A key’s TEST failed:' : 'Both keys’ TESTs failed:',
        lines: problems,
        note: 'Until the keys are fixed (on the integration’s Credentials page), nothing it does will work.',
        confirmLabel: 'Create anyway',
        cancelLabel: 'Go back',
      });
      if (!createAnyway) {
        status.show('error', 'Not created: fix the keys and TEST them again.');
        return;
      }
    }
    status.show('busy', 'Creating…');
    try {
      const created = await api('POST', '/api/integrations', {
        name: name.value,
        lever: { apiKey: leverKey.value.trim(), webhookSigningTokens: [] },
        codesignal: { apiKey: codesignalKey.value.trim() },
      });
      location.hash = `#/integrations/${created.id}/credentials`;
    } catch (err) {
      status.show('error', describeError(err));
    }
  } },
    h('h2', {}, 'New integration'),
    field('Name', name),
    field('Lever API key', h('div', { class: 'inline' }, leverKey, leverTest.button), 'Lever: Settings → Integrations and API → API Credentials. TEST checks every permission the integration needs.'),
    leverTest.result,
    field('CodeSignal API key', h('div', { class: 'inline' }, codesignalKey, codesignalTest.button)),
    codesignalTest.result,
    h('button', { type: 'submit', class: 'primary' }, 'Create integration'),
    status,
  );
}
