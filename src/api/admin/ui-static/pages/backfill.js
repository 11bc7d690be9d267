import { api, describeError } from '../api.js';
import { h, replace, statusLine } from '../dom.js';

/**
 * Backfill (README "Backfill"): after trigger stages are added, how many candidates sit in them now,
 * and an offer to run the flow for them. Confirmed, a backfill workflow runs it under the rate limit
 * and its progress is shown; refused ("Leave them"), nothing happens to them.
 */
export async function backfillCard(integrationId, stageIds, stageNames) {
  const base = `/api/integrations/${integrationId}/backfill`;
  const card = h('section', { class: 'card wide backfill', 'aria-label': 'Candidates already in trigger stages' });
  const status = statusLine();

  const progressText = (p) =>
    `${p.status === 'running' ? 'Running' : p.status === 'completed' ? 'Done' : 'Stopped'}: ${p.listed} candidates read from Lever, ` +
    `${p.started + p.alreadySeen} handed to their flow (${p.started} new to the integration)` +
    `${p.failed ? `, ${p.failed} could not be handed over` : ''}${p.error ? ` — ${p.error}` : ''}.`;

  async function follow() {
    for (;;) {
      const { progress } = await api('GET', base);
      status.show(progress.status === 'failed' ? 'error' : progress.status === 'running' ? 'busy' : 'ok', progressText(progress));
      if (progress.status !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  let preview;
  try {
    preview = await api('GET', `${base}/preview?stageIds=${stageIds.map(encodeURIComponent).join(',')}`);
  } catch (err) {
    replace(card, h('h2', {}, 'Candidates already in trigger stages'), h('p', { class: 'status error' }, describeError(err)));
    return card;
  }
  const waiting = preview.stages.filter((s) => s.candidates > 0);
  const total = waiting.reduce((sum, s) => sum + s.candidates, 0);
  const atLeast = preview.complete ? '' : 'at least ';
  if (total === 0) {
    replace(card, h('h2', {}, 'Candidates already in trigger stages'), h('p', {}, 'No candidate is in a trigger stage right now.'));
    return card;
  }
  const run = h('button', { type: 'button', class: 'primary', onclick: async () => {
    run.disabled = true;
    leave.disabled = true;
    status.show('busy', 'Starting…');
    try {
      await api('POST', base, { stageIds: waiting.map((s) => s.stageId) });
      await follow();
    } catch (err) {
      status.show('error', describeError(err));
      run.disabled = false;
    }
  } }, `Run the flow for ${atLeast}${total} candidates`);
  const leave = h('button', { type: 'button', onclick: () => {
    run.disabled = true;
    leave.disabled = true;
    status.show('ok', 'Left alone: only candidates who enter these stages from now on get the flow.');
  } }, 'Leave them');
  replace(card,
    h('h2', {}, 'Candidates already in trigger stages'),
    h('ul', { class: 'backfill-stages' }, waiting.map((s) =>
      h('li', {}, `${atLeast}${s.candidates} candidate${s.candidates === 1 ? ' is' : 's are'} in ${stageNames[s.stageId] ?? s.stageId}`))),
    h('p', { class: 'hint' }, 'They entered before the stage was a trigger, so nothing was started for them. Each one whose flow already ran for their current stage is left as it is.'),
    h('div', { class: 'inline' }, run, leave),
    status);
  return card;
}
