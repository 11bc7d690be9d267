import { api, describeError } from '../api.js';
import { formatTime, h, replace, statusLine } from '../dom.js';

const badge = (value) => h('span', { class: `badge ${String(value).toLowerCase()}` }, String(value).replace(/_/g, ' '));
const temporalLink = (url) => (url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open in Temporal') : null);
const kinds = { webhook: 'Webhook', workflow: 'Workflow', 'lever-event': 'Lever event', 're-sync': 'Re-sync', lever: 'Lever', codesignal: 'CodeSignal', status: 'Status', failure: 'Failure' };
const pages = { credentials: 'Credentials', configuration: 'Configuration' };

/** The last search, so that coming back from a timeline shows its results again. */
let lastSearch = { integrationId: null, q: '' };

/**
 * Candidates: a search by name, e-mail or Lever opportunity id (names are opened server-side), and one
 * candidate's timeline (`#/integrations/<id>/candidates/<opportunityId>`).
 */
export async function renderCandidates(container, id, opportunityId) {
  if (opportunityId) return renderTimeline(container, id, opportunityId);
  const input = h('input', { type: 'search', name: 'q', required: true, minLength: 2, placeholder: 'Ada Lovelace, ada@example.com or an opportunity id', 'aria-label': 'Search candidates' });
  const results = h('div', { id: 'candidate-results' });
  const status = statusLine();

  async function search() {
    const q = input.value.trim();
    if (q.length < 2) {
      status.show('error', 'Type at least 2 characters of a name, an e-mail address or a Lever opportunity id.');
      return;
    }
    lastSearch = { integrationId: id, q };
    status.show('busy', 'Searching…');
    try {
      const found = await api('GET', `/api/integrations/${id}/candidates?q=${encodeURIComponent(q)}`);
      status.show('ok', found.candidates.length ? `${found.candidates.length} candidate(s) found by ${found.match === 'opportunityId' ? 'opportunity id' : found.match}${found.truncated ? ' among the most recently seen ones' : ''}.` : `No candidate found by ${found.match === 'opportunityId' ? 'opportunity id' : found.match}.`);
      replace(results, found.candidates.length === 0 ? null : h('table', { class: 'list', id: 'candidates' },
        h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Last seen', 'Lever opportunity'].map((c) => h('th', {}, c)))),
        h('tbody', {}, found.candidates.map((c) => h('tr', { dataset: { opportunity: c.opportunityId } },
          h('td', {}, h('a', { href: `#/integrations/${id}/candidates/${c.opportunityId}` }, c.name || '(no name in Lever)')),
          h('td', {}, c.emails.join(', ') || '—'),
          h('td', {}, formatTime(c.lastSeenAt)),
          h('td', {}, h('small', { class: 'mono' }, c.opportunityId)))))));
    } catch (err) {
      status.show('error', describeError(err));
    }
  }

  replace(container,
    h('h1', {}, 'Candidates'),
    h('section', { class: 'card wide' },
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); void search(); } }, input, h('button', { type: 'submit', class: 'primary' }, 'Search')),
      h('p', { class: 'hint' }, 'A part of the name (as Lever shows it), an exact e-mail address, or the Lever opportunity id. Candidates are known once the service has read them from Lever (an event it acted on, or a re-sync).'),
      status,
      results));
  if (lastSearch.integrationId === id && lastSearch.q) {
    input.value = lastSearch.q;
    await search();
  }
  return null;
}

async function renderTimeline(container, id, opportunityId) {
  const base = `/api/integrations/${id}/candidates/${opportunityId}`;
  const heading = h('h1', {}, 'Candidate');
  const who = h('p', { class: 'hint' });
  const workflows = h('div');
  const entries = h('div');
  const decisions = h('section', { class: 'card wide', id: 'pending-decisions', hidden: true });
  const stops = h('section', { class: 'card wide', id: 'stopped-flows', hidden: true });
  const status = statusLine();
  const refreshed = h('small', { class: 'hint' });
  const stages = await api('GET', `/api/integrations/${id}/lever/options`).then((o) => new Map(o.stages.map((s) => [s.id, s.text])), () => new Map());
  const stageName = (stageId) => (stageId ? stages.get(stageId) ?? stageId : null);

  /** What each decision says while it runs and once done. */
  const decisionTexts = {
    approve: ['Approving the rejection…', (n) => `Rejection of assessment ${n} approved: the candidate is moved.`],
    decline: ['Declining the rejection…', (n) => `Rejection of assessment ${n} declined: nothing is done.`],
    confirmIntegrity: ['Confirming the integrity problem…', (n) => `Integrity problem of assessment ${n} confirmed: the result counts as failed.`],
    clearIntegrity: ['Clearing the integrity review…', (n) => `Integrity review of assessment ${n} cleared: the result stands as scored.`],
  };

  /** Approve / Decline of a rejection, Confirm / Clear of an integrity review, waiting for a recruiter (README "Assessments"); the audit log records who. */
  async function decide(assessmentId, action) {
    status.show('busy', decisionTexts[action][0]);
    try {
      await api('POST', `/api/integrations/${id}/opportunities/${opportunityId}/assessments/${assessmentId}/actions`, { action });
      status.show('ok', decisionTexts[action][1](assessmentId));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await refresh();
    } catch (err) {
      status.show('error', describeError(err));
    }
  }

  async function refreshDecisions() {
    const { assessments } = await api('GET', `/api/integrations/${id}/opportunities/${opportunityId}/assessments`).catch(() => ({ assessments: [] }));
    const stopped = assessments.filter((a) => a.stopped);
    stops.hidden = stopped.length === 0;
    replace(stops, h('h2', {}, 'Stopped: waiting for a fix'),
      h('p', { class: 'hint' }, 'The flow stopped at a step it could not run and waits. Fix the cause, then Re-sync now (or the tag “CodeSignal: retry” in Lever): the step runs again and the flow goes on from there.'),
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Assessment', 'Stopped as', 'At', 'What to fix', 'Answer'].map((c) => h('th', {}, c)))),
        h('tbody', {}, stopped.map((a) => h('tr', { dataset: { assessment: a.assessmentId } },
          h('td', {}, `${a.assessmentId}: ${a.testTitle ?? 'CodeSignal test'}`),
          h('td', {}, badge(a.stopped.name), a.stopped.count > 1 ? h('small', { class: 'hint' }, ` ${a.stopped.count} times`) : null),
          h('td', { class: 'mono' }, a.stopped.step),
          h('td', { class: 'reason' }, a.stopped.fix ?? ''),
          h('td', { class: 'reason' }, h('small', {}, a.stopped.message)))))));
    const pending = assessments.filter((a) => a.pendingDecision);
    decisions.hidden = pending.length === 0;
    replace(decisions, h('h2', {}, 'Waiting for your decision'),
      h('p', { class: 'hint' }, 'A result below the threshold rejects the candidate only once a recruiter approves; a result whose integrity CodeSignal questioned moves no one until a recruiter confirms the problem (failed) or clears it (as scored). Without a decision by the deadline nothing is done.'),
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['Assessment', 'Result', 'Waiting', 'Decide by', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, pending.map((a) => h('tr', { dataset: { assessment: a.assessmentId } },
          h('td', {}, `${a.assessmentId}: ${a.testTitle ?? 'CodeSignal test'}`),
          h('td', {}, a.score === null ? '—' : `${a.score} / ${a.maxScore}`),
          h('td', {}, a.pendingDecision.kind === 'integrity' ? 'integrity review' : `rejection: move to ${stageName(a.pendingDecision.stageId)}`),
          h('td', {}, formatTime(a.pendingDecision.deadline)),
          h('td', {}, h('div', { class: 'actions' },
            ...(a.pendingDecision.kind === 'integrity'
              ? [h('button', { type: 'button', class: 'primary', onclick: () => void decide(a.assessmentId, 'confirmIntegrity') }, 'Confirm'),
                h('button', { type: 'button', onclick: () => void decide(a.assessmentId, 'clearIntegrity') }, 'Clear')]
              : [h('button', { type: 'button', class: 'primary', onclick: () => void decide(a.assessmentId, 'approve') }, 'Approve'),
                h('button', { type: 'button', onclick: () => void decide(a.assessmentId, 'decline') }, 'Decline')]))))))));
  }

  async function refresh() {
    await refreshDecisions();
    const t = await api('GET', `${base}/timeline`);
    heading.textContent = t.candidate?.name || 'Candidate not in the directory yet';
    replace(who, t.candidate ? [t.candidate.emails.join(', ') || 'no e-mail in Lever', ' · '] : null, 'Lever opportunity ', h('span', { class: 'mono' }, opportunityId));
    replace(workflows, t.workflows.length === 0 ? h('p', {}, 'No workflow for this candidate yet.') : h('table', { class: 'list', id: 'candidate-workflows' },
      h('thead', {}, h('tr', {}, ['Workflow', 'Status', 'Started', 'Closed', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, t.workflows.map((w) => h('tr', {},
        h('td', {}, w.workflowType, h('br'), h('small', { class: 'mono' }, w.workflowId), w.truncated ? h('small', { class: 'hint' }, ' (latest events not listed)') : null),
        h('td', {}, badge(w.status)), h('td', {}, formatTime(w.startTime)), h('td', {}, formatTime(w.closeTime)), h('td', {}, temporalLink(w.temporalUrl) ?? '—'))))));
    replace(entries, t.entries.length === 0 ? h('p', {}, 'Nothing recorded for this candidate yet.') : h('table', { class: 'list', id: 'timeline' },
      h('thead', {}, h('tr', {}, ['When', 'What', '', 'Outcome', 'Details', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, t.entries.map((e) => h('tr', { dataset: { kind: e.kind } },
        h('td', {}, formatTime(e.at)),
        h('td', {}, badge(kinds[e.kind] ?? e.kind), e.call ? h('small', { class: 'hint' }, ` ${e.call}`) : null),
        h('td', {}, e.title, e.stageId ? ` → ${stageName(e.stageId)}` : ''),
        h('td', {}, badge(e.outcome)),
        h('td', { class: 'reason' }, e.detail ?? '', e.failure ? h('div', { class: 'hint' }, 'What to do: ', e.failure.action,
          e.failure.page ? [' ', h('a', { href: `#/integrations/${id}/${e.failure.page}` }, `Open ${pages[e.failure.page]}`)] : null) : null),
        h('td', {}, temporalLink(e.temporalUrl)))))));
    refreshed.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  async function resync() {
    status.show('busy', 'Re-reading Lever and CodeSignal…');
    try {
      const answer = await api('POST', `${base}/resync`);
      const sessions = answer.codesignal === 'checked'
        ? `${answer.reread.length} open CodeSignal session(s) or interview(s) re-read`
        : 'CodeSignal not re-read (the candidate workflow did not answer in time)';
      const resumed = (answer.resumed ?? []).map((r) => `the stopped ${r.what === 'assessment' ? 'assessment' : 'live interview'} (${r.stop}) resumed`);
      status.show('ok', `Re-sync sent: Lever shows the candidate in ${stageName(answer.lever.stageId)}${answer.lever.archived ? ', archived' : ''}; ${sessions}${resumed.length ? `; ${resumed.join('; ')}` : ''}. The timeline shows what the workflow did.`);
      // the workflow acts within moments: show it
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await refresh();
      }
    } catch (err) {
      status.show('error', `Re-sync failed: ${describeError(err)}`);
    }
  }

  replace(container,
    h('p', {}, h('a', { href: `#/integrations/${id}/candidates` }, '← All candidates')),
    heading, who,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => void resync() }, 'Re-sync now'),
      h('button', { type: 'button', onclick: () => void refresh().catch((err) => status.show('error', describeError(err))) }, 'Refresh'),
      refreshed),
    h('p', { class: 'hint' }, 'Re-sync re-reads the candidate in Lever (and their open CodeSignal test sessions and interviews) and repairs what a missed webhook left undone; running it twice does nothing more.'),
    status,
    stops,
    decisions,
    h('section', { class: 'card wide' }, h('h2', {}, 'Workflows'), workflows),
    h('section', { class: 'card wide' }, h('h2', {}, 'Timeline'), h('p', { class: 'hint' }, 'Oldest first: webhooks received, the workflows, and every Lever and CodeSignal call with its outcome.'), entries));
  await refresh();
  return null;
}
