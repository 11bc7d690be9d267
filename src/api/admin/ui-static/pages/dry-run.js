import { api, describeError } from '../api.js';
import { confirmDialog, formatTime, h, replace, statusLine } from '../dom.js';

const sections = { assessments: 'Assessments', interviews: 'Live interviews' };

/**
 * What the draft changes, in a few lines: trigger stages added or removed by name, and the other
 * settings that differ by their key (the form shows their values).
 */
function differences(current, draft, stageNames) {
  const same = (x, y) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  const names = (ids) => ids.map((id) => `“${stageNames[id] ?? id}”`).join(', ');
  const lines = [];
  for (const key of ['defaultLeverUserId', 'notifyFollowers']) {
    if (!same(current[key], draft[key])) lines.push(`Changed: ${key}`);
  }
  for (const [section, title] of Object.entries(sections)) {
    const before = current[section] ?? {};
    const after = draft[section] ?? {};
    const beforeIds = before.triggerStageIds ?? [];
    const afterIds = after.triggerStageIds ?? [];
    const added = afterIds.filter((s) => !beforeIds.includes(s));
    const removed = beforeIds.filter((s) => !afterIds.includes(s));
    if (added.length) lines.push(`${title}: ${names(added)} becomes a trigger stage`);
    if (removed.length) lines.push(`${title}: ${names(removed)} is no longer a trigger stage`);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((key) => key !== 'triggerStageIds' && !same(before[key], after[key]));
    if (changed.length) lines.push(`${title}: changed ${changed.join(', ')}`);
  }
  return lines;
}

/**
 * Dry run: a draft of the settings runs in shadow; what it would have done for the
 * candidates who entered stages or got results since it was saved is listed here, newest first, and
 * nothing of it was written. Promoted, the draft becomes the settings (`onPromoted(settings)` then
 * shows the page again); discarded, it is gone. Without a draft, null.
 */
export async function dryRunCard(integrationId, stageNames, onPromoted = () => location.reload()) {
  const base = `/api/integrations/${integrationId}`;
  const card = h('section', { class: 'card wide dry-run', 'aria-label': 'Dry run' });
  const status = statusLine();

  async function load() {
    const [{ draft, decisions }, { settings }] = await Promise.all([api('GET', `${base}/settings/draft`), api('GET', base)]);
    return { draft, decisions, changes: draft ? differences(settings, draft.settings, stageNames) : [] };
  }

  function render({ draft, decisions, changes }) {
    if (!draft) {
      replace(card, h('h2', {}, 'Dry run'), h('p', {}, 'No draft is running.'));
      return;
    }
    const refresh = h('button', { type: 'button', onclick: async () => {
      status.show('busy', 'Refreshing…');
      try {
        render(await load());
        status.show('ok', `Refreshed at ${new Date().toLocaleTimeString()}.`);
      } catch (err) {
        status.show('error', describeError(err));
      }
    } }, 'Refresh');
    const promote = h('button', { type: 'button', class: 'primary', onclick: async () => {
      const yes = await confirmDialog({
        title: 'Promote the draft?',
        message: 'The draft becomes the integration’s settings: from now on candidates get what it would have done.',
        lines: changes,
        confirmLabel: 'Promote',
        cancelLabel: 'Keep the draft',
      });
      if (!yes) return;
      status.show('busy', 'Promoting…');
      try {
        const { settings } = await api('POST', `${base}/settings/draft/promote`);
        status.show('ok', 'Promoted: the draft is now the settings.');
        await onPromoted(settings);
      } catch (err) {
        status.show('error', describeError(err));
      }
    } }, 'Promote the draft');
    const discard = h('button', { type: 'button', onclick: async () => {
      status.show('busy', 'Discarding…');
      try {
        await api('DELETE', `${base}/settings/draft`);
        replace(card, h('h2', {}, 'Dry run'), h('p', {}, 'Draft discarded: the settings are unchanged.'));
      } catch (err) {
        status.show('error', describeError(err));
      }
    } }, 'Discard');

    replace(card,
      h('h2', {}, 'Dry run'),
      h('p', {}, 'A draft is running in shadow since ', h('time', { datetime: draft.savedAt }, formatTime(draft.savedAt)),
        '. It records what it would do when candidates enter stages or get results, and writes nothing to Lever or CodeSignal.'),
      changes.length
        ? [h('h3', {}, 'What the draft changes'), h('ul', { class: 'dry-run-changes' }, changes.map((line) => h('li', {}, line)))]
        : h('p', { class: 'hint' }, 'The draft is the same as the current settings.'),
      h('h3', {}, `What it would have done (${decisions.length})`),
      decisions.length
        ? h('ul', { class: 'dry-run-decisions' }, decisions.map((d) =>
          h('li', { dataset: { opportunity: d.opportunityId, source: d.source } },
            h('time', { datetime: d.at, class: 'hint' }, formatTime(d.at)), ' ',
            h('strong', {}, d.candidateName ?? d.opportunityId), ' — ', d.decision)))
        : h('p', { class: 'hint' }, 'Nothing yet: no candidate has entered a stage or got a result since the draft was saved.'),
      h('div', { class: 'actions' }, refresh, promote, discard),
      status);
  }

  let loaded;
  try {
    loaded = await load();
  } catch (err) {
    if (err.status === 404) return null; // no dry run on this server
    replace(card, h('h2', {}, 'Dry run'), h('p', { class: 'status error' }, describeError(err)));
    return card;
  }
  if (!loaded.draft) return null;
  render(loaded);
  return card;
}
