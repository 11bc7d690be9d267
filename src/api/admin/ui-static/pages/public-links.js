import { api, describeError } from '../api.js';
import { field, formatTime, group, h, replace, statusLine } from '../dom.js';
import { candidateCell, candidateName } from './candidate-name.js';

/**
 * Public-link results (docs/public-links.md): a scan looks for finished sessions of chosen tests
 * taken through their public link, and posts each result to the Lever opportunity with the
 * candidate's e-mail, imports a New Lead, or waits for an admin's decision on the Sourcing page.
 */

const onMatchChoices = [
  ['post', 'Post the result to that opportunity'],
  ['confirm', 'Wait for an admin to confirm (Sourcing page)'],
];
const onNoMatchChoices = [
  ['import', 'Create a New Lead with the result'],
  ['confirm', 'Wait for an admin to decide (Sourcing page)'],
  ['ignore', 'Leave it'],
];
/** What the admin sees for each settings field, to name it in a 400's message. */
const fieldLabels = {
  enabled: 'Look for public-link results',
  testIds: 'Tests',
  intervalMinutes: 'Scan every (minutes)',
  lookBackDays: 'Sessions finished within (days)',
  onMatch: 'When one active opportunity has the e-mail',
  onNoMatch: 'When no active opportunity has the e-mail',
};

/** The Temporal Schedule that runs the scan, as the settings' answer describes it. */
function scheduleText(schedule) {
  if (!schedule) return null;
  switch (schedule.status) {
    case 'active':
      return `The scan runs every ${schedule.intervalMinutes} minutes${schedule.nextRunAt ? `, next at ${formatTime(schedule.nextRunAt)}` : ''}.`;
    case 'paused':
      return 'The scan’s schedule is paused.';
    case 'unknown':
      return 'Temporal did not answer about the scan’s schedule.';
    default:
      return null;
  }
}

/** A scan's summary (`POST …/run`) in a sentence. */
function scanText(answer) {
  if (answer.status !== 'completed' || !answer.summary) return 'The scan is still running: its sessions show on the Sourcing page as they are taken up.';
  const tests = answer.summary.tests ?? [];
  const sum = (key) => tests.reduce((n, t) => n + (t[key] ?? 0), 0);
  const failed = tests.filter((t) => t.error).map((t) => `${t.testId}: ${t.error}`);
  return [`Scan done: ${sum('started')} new session(s) taken up of ${sum('listed')} listed.`, ...failed].join('\n');
}

const settingsPath = (id) => `/api/integrations/${id}/public-links/settings`;

/** A 400's issues with the field's label in front of its name: "Scan every (minutes) (intervalMinutes): …". */
function describeSettingsError(err) {
  const issues = err?.details?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return describeError(err);
  return issues.map((i) => {
    const top = String(i.path).split('.')[0];
    return `${fieldLabels[top] ? `${fieldLabels[top]} (${i.path})` : i.path}: ${i.message}`;
  }).join('\n');
}

/** The Configuration page's "Public-link results" form; `tests` are CodeSignal's tests ({id, label}). */
export async function publicLinkSettingsCard(id, tests) {
  const title = h('h2', { id: `public-links-title-${id}` }, 'Public-link results');
  let settings;
  try {
    settings = await api('GET', settingsPath(id));
  } catch (err) {
    if (err.status === 401) throw err;
    return h('section', { class: 'card wide', id: 'public-link-settings', 'aria-labelledby': title.id }, title,
      h('p', { class: 'status error', role: 'alert' }, `Could not load the public-link settings: ${describeError(err)}`));
  }

  // A chosen test CodeSignal no longer lists stays visible (and chosen) rather than dropped silently.
  const choices = [...tests, ...settings.testIds.filter((t) => !tests.some((x) => x.id === t)).map((t) => ({ id: t, label: `${t} (not in CodeSignal’s list)` }))];
  const controls = {
    enabled: h('input', { type: 'checkbox', name: 'publicLinksEnabled', checked: settings.enabled }),
    testIds: h('fieldset', { class: 'checks', 'data-name': 'publicLinkTest' },
      choices.length === 0 ? h('span', { class: 'hint' }, 'CodeSignal lists no test.') : choices.map((t) =>
        h('label', {}, h('input', { type: 'checkbox', name: 'publicLinkTest', value: t.id, checked: settings.testIds.includes(t.id) }), ' ', t.label))),
    intervalMinutes: h('input', { type: 'number', name: 'publicLinksIntervalMinutes', value: String(settings.intervalMinutes), min: '5', max: '1440', required: true }),
    lookBackDays: h('input', { type: 'number', name: 'publicLinksLookBackDays', value: String(settings.lookBackDays), min: '1', max: '365', required: true }),
    onMatch: h('select', { name: 'publicLinksOnMatch' }, onMatchChoices.map(([value, label]) => h('option', { value, selected: value === settings.onMatch }, label))),
    onNoMatch: h('select', { name: 'publicLinksOnNoMatch' }, onNoMatchChoices.map(([value, label]) => h('option', { value, selected: value === settings.onNoMatch }, label))),
  };
  const saved = h('p', { class: 'hint', id: `public-links-saved-${id}` });
  const scanNow = h('button', { type: 'button', onclick: () => void runScan() }, 'Scan now');
  const showSaved = (s) => {
    saved.textContent = [
      s.updatedAt ? `Last changed ${formatTime(s.updatedAt)}.` : 'Never changed: the defaults are shown.',
      scheduleText(s.schedule),
    ].filter(Boolean).join(' ');
    scanNow.hidden = !s.enabled;
  };
  showSaved(settings);
  const status = statusLine();

  async function runScan() {
    scanNow.disabled = true;
    status.show('busy', 'Scanning CodeSignal for public-link sessions…');
    try {
      const answer = await api('POST', `/api/integrations/${id}/public-links/run`);
      status.show('ok', scanText(answer));
    } catch (err) {
      status.show('error', describeError(err));
    } finally {
      scanNow.disabled = false;
    }
  }

  const form = h('form', { class: 'card wide', id: 'public-link-settings', novalidate: true, 'aria-labelledby': title.id, onsubmit: async (event) => {
    event.preventDefault();
    for (const control of Object.values(controls)) control.removeAttribute('aria-invalid');
    const body = {
      enabled: controls.enabled.checked,
      testIds: [...controls.testIds.querySelectorAll('input:checked')].map((el) => el.value),
      intervalMinutes: Number(controls.intervalMinutes.value),
      lookBackDays: Number(controls.lookBackDays.value),
      onMatch: controls.onMatch.value,
      onNoMatch: controls.onNoMatch.value,
    };
    status.show('busy', 'Checking the tests against CodeSignal…');
    try {
      const answer = await api('PUT', settingsPath(id), body);
      showSaved({ updatedAt: new Date().toISOString(), ...answer });
      status.show('ok', body.enabled ? 'Public-link settings saved: the scan runs on this schedule.' : 'Public-link settings saved: the scan is off.');
    } catch (err) {
      for (const issue of err?.details?.issues ?? []) controls[String(issue.path).split('.')[0]]?.setAttribute('aria-invalid', 'true');
      status.show('error', describeSettingsError(err));
    }
  } },
    title,
    h('p', { class: 'hint' }, 'Results of sessions candidates took through a test’s public link (not invited by this integration) are matched to Lever by e-mail.'),
    saved,
    h('label', { class: 'check' }, controls.enabled, ' ', fieldLabels.enabled),
    group(fieldLabels.testIds, controls.testIds, 'Sessions of these tests are looked for.'),
    h('div', { class: 'row' },
      field(fieldLabels.intervalMinutes, controls.intervalMinutes, '5 to 1440'),
      field(fieldLabels.lookBackDays, controls.lookBackDays, '1 to 365')),
    h('div', { class: 'row' },
      field(fieldLabels.onMatch, controls.onMatch),
      field(fieldLabels.onNoMatch, controls.onNoMatch)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save public-link settings'), scanNow),
    status,
  );
  return form;
}

// ---- sessions, on the Sourcing page

const matchText = {
  single: 'One active opportunity has the e-mail',
  none: 'No active opportunity has the e-mail',
  ambiguous: 'Several active opportunities have the e-mail',
  'no-email': 'The session has no e-mail',
};
const stateBadge = (state) => h('span', { class: `badge ${state}` }, state);
/** Who took the test, as CodeSignal names them. */
const testTakerCell = (s) => h('td', {}, s.candidate?.name ?? '—', h('br'), h('small', {}, s.candidate?.email ?? 'no e-mail'));
const scoreText = (s) => (s.score === null || s.score === undefined ? '—' : s.maxScore ? `${s.score} / ${s.maxScore}` : String(s.score));
const who = (s) => s.candidate?.name ?? s.candidate?.email ?? s.sessionId;

/** The Sourcing page's public-link cards: sessions waiting for a decision, and the recently handled ones. */
export function publicLinkSessionsCards(id) {
  const pending = h('div');
  const handled = h('div');
  const status = statusLine();
  const base = `/api/integrations/${id}/public-links/sessions`;
  let timer = null;
  let stopped = false;

  /**
   * What an admin can do with a session waiting for them (or failed): post the result to a Lever
   * opportunity (the matches are offered), import a New Lead, or dismiss it. `typed` keeps what the
   * admin typed in the opportunity fields across a refresh of the tables.
   */
  function decisionControls(session, typed) {
    const listId = `matches-${session.sessionId}`;
    const matches = session.match?.opportunityIds ?? [];
    const opportunity = h('input', { name: 'opportunityId', class: 'mono', list: listId, value: typed.get(session.sessionId) ?? session.opportunityId ?? matches[0] ?? '',
      placeholder: 'Lever opportunity id', autocomplete: 'off', 'aria-label': `Lever opportunity to post ${who(session)}’s result to` });
    opportunity.dataset.session = session.sessionId;
    const buttons = [];
    const decide = async (decision, busy) => {
      buttons.forEach((b) => (b.disabled = true));
      opportunity.removeAttribute('aria-invalid');
      status.show('busy', `${who(session)}: ${busy}`);
      try {
        const answer = await api('POST', `${base}/${encodeURIComponent(session.sessionId)}/decision`, decision);
        const done = decision.action === 'dismiss' ? 'dismissed' : decision.action === 'post' ? `posting the result to ${decision.opportunityId}` : 'importing as a New Lead';
        const state = answer?.session?.state;
        status.show('ok', `${who(session)}: ${done}${state && state !== 'dismissed' ? ` (${state})` : ''}.`);
        await refresh();
      } catch (err) {
        if (err.status === 400 && (err.details?.issues ?? []).some((i) => i.path === 'opportunityId')) opportunity.setAttribute('aria-invalid', 'true');
        status.show('error', `${who(session)}: ${describeError(err)}`);
        buttons.forEach((b) => (b.disabled = false));
      }
    };
    buttons.push(
      h('button', { type: 'button', class: 'primary', onclick: () => {
        const opportunityId = opportunity.value.trim();
        if (!opportunityId) {
          opportunity.setAttribute('aria-invalid', 'true');
          status.show('error', `${who(session)}: enter the Lever opportunity to post the result to.`);
          return;
        }
        void decide({ action: 'post', opportunityId }, 'posting the result…');
      } }, 'Post to opportunity'),
      h('button', { type: 'button', disabled: !session.candidate?.email, title: session.candidate?.email ? null : 'The session has no e-mail to import by.',
        onclick: () => void decide({ action: 'import' }, 'importing a New Lead…') }, 'Import as New Lead'),
      h('button', { type: 'button', onclick: () => {
        if (confirm(`Dismiss ${who(session)}’s result? Nothing is written to Lever.`)) void decide({ action: 'dismiss' }, 'dismissing…');
      } }, 'Dismiss'),
    );
    return h('div', { class: 'decision' },
      h('datalist', { id: listId }, matches.map((o) => h('option', { value: o }, session.opportunityNames?.[o] ?? null))),
      opportunity, h('div', { class: 'inline' }, buttons));
  }

  async function refresh() {
    clearTimeout(timer);
    const typed = new Map([...pending.querySelectorAll('input[name="opportunityId"]'), ...handled.querySelectorAll('input[name="opportunityId"]')].map((el) => [el.dataset.session, el.value]));
    let waiting;
    let recent;
    try {
      [waiting, recent] = await Promise.all([api('GET', `${base}?state=pending`), api('GET', `${base}?limit=50`)]);
    } catch (err) {
      if (err.status === 401) throw err;
      replace(pending, h('p', { class: 'status error' }, `Could not load the public-link results: ${describeError(err)}`));
      replace(handled);
      return;
    }
    const rows = waiting.sessions ?? [];
    const others = (recent.sessions ?? []).filter((s) => s.state !== 'pending');
    replace(pending, rows.length === 0 ? h('p', {}, 'No public-link result is waiting for a decision.') : h('table', { class: 'list', id: 'public-link-pending' },
      h('thead', {}, h('tr', {}, ['Finished', 'Candidate', 'Test', 'Score', 'Match', 'Decision'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((s) => h('tr', { dataset: { session: s.sessionId } },
        h('td', {}, formatTime(s.finishedAt)), testTakerCell(s), h('td', {}, s.testTitle ?? s.testId), h('td', {}, scoreText(s)),
        h('td', { class: 'matches' }, matchText[s.match?.reason] ?? s.match?.reason ?? '—',
          (s.match?.opportunityIds ?? []).map((o) => h('div', { class: 'match', dataset: { opportunity: o } }, candidateName(id, o, s.opportunityNames?.[o])))),
        h('td', {}, decisionControls(s, typed)))))));
    replace(handled, others.length === 0 ? h('p', {}, 'No public-link result handled yet.') : h('table', { class: 'list', id: 'public-link-handled' },
      h('thead', {}, h('tr', {}, ['Finished', 'Candidate', 'Test', 'Score', 'Outcome', 'Lever opportunity', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, others.map((s) => h('tr', { dataset: { session: s.sessionId } },
        h('td', {}, formatTime(s.finishedAt)), testTakerCell(s), h('td', {}, s.testTitle ?? s.testId), h('td', {}, scoreText(s)),
        h('td', {}, stateBadge(s.state), s.decidedBy ? h('small', { class: 'hint' }, ` by ${s.decidedBy === 'admin' ? 'an admin' : 'the settings'}`) : null),
        candidateCell(id, s.opportunityId, s.opportunityNames?.[s.opportunityId]),
        h('td', { class: 'reason' }, s.state === 'failed'
          ? [h('p', { class: 'status error' }, s.error ?? 'failed'), decisionControls(s, typed)]
          : s.error ?? ''))))));
    // A decided session is processed by its workflow: look again shortly until it is done.
    if (!stopped && others.some((s) => s.state === 'processing')) timer = setTimeout(() => void refresh().catch(() => undefined), 3000);
  }

  const cards = [
    h('section', { class: 'card wide', 'aria-labelledby': `public-link-pending-title-${id}` },
      h('h2', { id: `public-link-pending-title-${id}` }, 'Public-link results waiting for a decision'),
      h('p', { class: 'hint' }, 'Sessions the settings leave to an admin (Configuration → Public-link results).'),
      status, pending),
    h('section', { class: 'card wide', 'aria-labelledby': `public-link-handled-title-${id}` },
      h('h2', { id: `public-link-handled-title-${id}` }, 'Recently handled public-link results'), handled),
  ];
  return { cards, refresh, stop: () => {
    stopped = true;
    clearTimeout(timer);
  } };
}
