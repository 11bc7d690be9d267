import { api, describeError } from '../api.js';
import { field, group, h, replace, statusLine } from '../dom.js';
import { publicLinkSettingsCard } from './public-links.js';
import { backfillCard } from './backfill.js';
import { dryRunCard } from './dry-run.js';

const options = (items, selected, empty) => [
  empty === undefined ? null : h('option', { value: '' }, empty),
  items.map((item) => h('option', { value: item.id, selected: item.id === selected }, item.label)),
];
const select = (name, items, selected, empty) => h('select', { name }, options(items, selected, empty));
const number = (name, value, min, max) => h('input', { type: 'number', name, value: String(value), min: String(min), max: String(max), required: true });

/**
 * Hours of a decision's wait: any fraction over 0 up to 720. No min/max in the browser: the API is the
 * judge and its 400 is shown next to the field (showIssues), as for every setting it refuses.
 */
const hours = (name, value, path, required) =>
  h('input', { type: 'number', name, value: value === undefined ? '' : String(value), step: 'any', required, dataset: { path } });
/** A number, or undefined for an empty optional field (the integration's default applies). */
const hoursValue = (input) => (input.value.trim() === '' ? undefined : Number(input.value));
const tagInput = (name, value, path) => h('input', { name, value, required: true, maxlength: '100', dataset: { path } });

/** The defaults of `assessments.approval` and `assessments.integrityReview` (src/integrations/settings.ts), for settings saved before they existed. */
const approvalDefaults = { rejections: false, timeoutHours: 72, pendingTag: 'CodeSignal: rejection pending approval', declinedTag: 'CodeSignal: rejection declined', noActionTag: 'CodeSignal: no decision, no action' };
const integrityDefaults = { enabled: false, tag: 'CodeSignal: needs integrity review', timeoutHours: 168 };

/**
 * Approval of rejections per job posting (`approval.byPosting`): each posting follows the integration's
 * default, or has its own rule with optional hours. Postings Lever no longer lists keep their rule as a row.
 */
function approvalPostingTable(postings, byPosting) {
  const known = new Set(postings.map((p) => p.id));
  const rows = [...postings.map((p) => ({ id: p.id, text: p.text })), ...Object.keys(byPosting).filter((id) => !known.has(id)).map((id) => ({ id, text: id }))];
  const rule = (r) => (r === undefined ? '' : r.rejections ? 'on' : 'off');
  const body = rows.map((p) => {
    const own = byPosting[p.id];
    const choice = h('select', { name: 'approvalPosting', 'aria-label': `Approval rule for ${p.text}`, dataset: { posting: p.id, path: `assessments.approval.byPosting.${p.id}.rejections` } },
      options([{ id: 'on', label: 'Approve rejections' }, { id: 'off', label: 'Reject at once (no approval)' }], rule(own), '— the integration’s default —'));
    const wait = hours('approvalPostingHours', own?.timeoutHours, `assessments.approval.byPosting.${p.id}.timeoutHours`, false);
    wait.setAttribute('aria-label', `Approval deadline for ${p.text} (hours)`);
    wait.placeholder = 'the default';
    return h('tr', { dataset: { posting: p.id } }, h('td', {}, p.text, h('br'), h('small', { class: 'hint mono' }, p.id)), h('td', {}, choice), h('td', {}, wait));
  });
  const element = h('details', { class: 'posting-tests approval-by-posting' },
    h('summary', {}, `Approval per job posting (${Object.keys(byPosting).length} set)`),
    h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Posting'), h('th', {}, 'Rejections'), h('th', {}, 'Deadline (hours)'))), h('tbody', {}, body)));
  const value = () => Object.fromEntries(body.flatMap((row) => {
    const [choice, wait] = row.querySelectorAll('select, input');
    if (!choice.value) return [];
    const timeoutHours = hoursValue(wait);
    return [[row.dataset.posting, { rejections: choice.value === 'on', ...(timeoutHours === undefined ? {} : { timeoutHours }) }]];
  }));
  return { element, value };
}

/**
 * A 400's issues next to their fields: each control that names its settings path (`data-path`) and has an
 * issue is marked invalid with the API's message under it; `[]` clears them. The status line says it all too.
 */
function showIssues(form, issues) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const issue of issues) {
    const control = [...form.querySelectorAll('[data-path]')].find((el) => el.dataset.path === issue.path);
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    control.after(h('small', { class: 'field-error', role: 'alert' }, issue.message));
  }
}

/** Stage checkboxes in Lever's pipeline order. */
function stagePicker(name, stages, chosen, onChange) {
  return h('fieldset', { class: 'checks', 'data-name': name },
    stages.map((s) => h('label', {}, h('input', { type: 'checkbox', name, value: s.id, checked: chosen.includes(s.id), onchange: onChange }), ' ', s.text)));
}
const checkedValues = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((el) => el.value);

/** Offers the backfill (pages/backfill.js) for the trigger stages a save added, under the form. */
async function offerBackfill(container, id, before, settings, names) {
  const had = new Set([...before.assessments.triggerStageIds, ...before.interviews.triggerStageIds]);
  const added = [...new Set([...settings.assessments.triggerStageIds, ...settings.interviews.triggerStageIds])].filter((s) => !had.has(s));
  if (!added.length) return;
  container.querySelector('section.backfill')?.remove();
  container.querySelector('form.card.wide')?.after(await backfillCard(id, added, names));
}

/**
 * Configuration: trigger stages from the account's real Lever stages, the notification setting, the
 * default Lever user, default tests, thresholds, reminders and expiry; interviews alike; and, saved
 * on their own, the public-link results. The same form saves a draft instead (pages/dry-run.js): it
 * runs in shadow, recording what it would do, until it is promoted or discarded.
 */
export async function renderConfiguration(container, id) {
  const base = `/api/integrations/${id}`;
  const [integration, lever, codesignal, catalog] = await Promise.all([
    api('GET', base),
    api('GET', `${base}/lever/options`),
    api('GET', `${base}/codesignal/options`),
    api('GET', `${base}/mappings/catalog`).catch(() => ({ codesignalUsers: [] })),
  ]);
  const { assessments: a, interviews: iv, tagCommands: tc } = integration.settings;
  // integration-wide: every flow writes as the default Lever user and notifies followers or not
  const { defaultLeverUserId, notifyFollowers } = integration.settings;
  const stages = lever.stages.map((s) => ({ id: s.id, label: s.text, text: s.text }));
  const users = lever.users.map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` }));
  const tests = codesignal.tests.map((t) => ({ id: t.id, label: t.title }));
  const interviewers = (catalog.codesignalUsers ?? []).map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` }));

  const form = h('form', { class: 'card wide' });
  const defaultTests = h('div', { class: 'default-tests' });
  const renderDefaultTests = () => {
    const current = Object.fromEntries([...defaultTests.querySelectorAll('select')].map((el) => [el.dataset.stage, el.value]));
    replace(defaultTests, checkedValues(form, 'assessmentTriggerStage').map((stageId) => {
      const chosen = current[stageId] ?? a.defaultTestByStage[stageId] ?? '';
      const control = select('defaultTest', tests, chosen, 'Candidate picks a test (selection link)');
      control.dataset.stage = stageId;
      return field(`Default test for “${stages.find((s) => s.id === stageId)?.text ?? stageId}”`, control);
    }));
  };
  // Posting defaults win over stage defaults; the list stays folded until opened, accounts have many postings.
  const postingTests = h('details', { class: 'posting-tests' },
    h('summary', {}, `Default test per job posting (${Object.keys(a.defaultTestByPosting).length} set)`),
    lever.postings.map((p) => {
      const control = select('defaultTestByPosting', tests, a.defaultTestByPosting[p.id], '— the stage’s default —');
      control.dataset.posting = p.id;
      return field(p.text, control);
    }));
  // A posting's tests in order, each sent once the one before passed the threshold (up to 3 steps here; the API takes 10).
  const sequenceSteps = 3;
  const sequences = a.testSequenceByPosting ?? {};
  const postingSequences = h('details', { class: 'posting-tests' },
    h('summary', {}, `Test sequence per job posting (${Object.keys(sequences).length} set)`),
    lever.postings.map((p) => group(p.text, h('div', { class: 'row' }, Array.from({ length: sequenceSteps }, (_, step) => {
      const control = select('testSequence', tests, sequences[p.id]?.[step], step === 0 ? '— no sequence —' : '— no further test —');
      control.dataset.posting = p.id;
      return control;
    })), 'Needs thresholds and at least two tests; the posting then has no default test.')));
  const tagRule = a.testByPostingTag ?? { enabled: false, prefix: 'CodeSignal: ', problemTag: 'CodeSignal: test tag not understood' };
  const postingTagOn = h('input', { type: 'checkbox', name: 'testByPostingTag', checked: tagRule.enabled });
  const thresholdOn = h('input', { type: 'checkbox', name: 'thresholdOn', checked: Boolean(a.thresholds) });
  const t = a.thresholds ?? { passPercent: 70, pass: { tag: 'CodeSignal: passed' }, fail: { tag: 'CodeSignal: below threshold' } };
  const status = statusLine();
  const names = Object.fromEntries(stages.map((s) => [s.id, s.text]));
  const approval = { ...approvalDefaults, ...a.approval, byPosting: a.approval?.byPosting ?? {} };
  const integrity = { ...integrityDefaults, ...a.integrityReview };

  const controls = {
    defaultLeverUser: select('defaultLeverUserId', users, defaultLeverUserId, '— choose the Lever user the integration writes as —'),
    notifyFollowers: h('input', { type: 'checkbox', name: 'notifyFollowers', checked: notifyFollowers }),
    resultsAs: select('resultsAs', [
      { id: 'note', label: 'A note (default)' },
      { id: 'feedback', label: 'A feedback form (“CodeSignal assessment result”)' },
      { id: 'both', label: 'Both: a note and a feedback form' },
    ], a.resultsAs ?? 'note'),
    expiryDays: number('expiryDays', a.expiryDays, 1, 180),
    reminders: h('input', { name: 'reminderDaysBeforeExpiry', value: a.reminderDaysBeforeExpiry.join(', '), pattern: '^\\s*(\\d+\\s*(,\\s*\\d+\\s*)*)?$' }),
    passPercent: number('passPercent', t.passPercent, 0, 100),
    passTag: h('input', { name: 'passTag', value: t.pass.tag }),
    passStage: select('passStage', stages, t.pass.moveToStageId, '— leave the stage as it is —'),
    failTag: h('input', { name: 'failTag', value: t.fail.tag }),
    failStage: select('failStage', stages, t.fail.moveToStageId, '— leave the stage as it is —'),
    interviewer: select('interviewer', [{ id: 'owner', label: "The opportunity owner's mapped CodeSignal user" }, { id: 'default', label: 'Always the default interviewer' }], iv.interviewer),
    defaultInterviewer: select('defaultCodeSignalUserId', interviewers, iv.defaultCodeSignalUserId, '— none —'),
    roomExpiryHours: number('interviewExpiryHours', iv.expiryHours, 1, 336),
    feedbackWaitHours: number('feedbackWaitHours', iv.feedbackWaitHours, 1, 720),
    tagCommandsOn: h('input', { type: 'checkbox', name: 'tagCommandsEnabled', checked: tc.enabled }),
    tagCommandsInterval: number('tagCommandsIntervalMinutes', tc.intervalMinutes, 1, 60),
    tagCommandsPrefix: h('input', { name: 'tagCommandsPrefix', value: tc.prefix, required: true, maxlength: '60' }),
    testTagPrefix: h('input', { name: 'testTagPrefix', value: tagRule.prefix, required: true }),
    testTagProblemTag: h('input', { name: 'testTagProblemTag', value: tagRule.problemTag, required: true }),
    approvalOn: h('input', { type: 'checkbox', name: 'approvalRejections', checked: approval.rejections }),
    approvalHours: hours('approvalTimeoutHours', approval.timeoutHours, 'assessments.approval.timeoutHours', true),
    pendingTag: tagInput('approvalPendingTag', approval.pendingTag, 'assessments.approval.pendingTag'),
    declinedTag: tagInput('approvalDeclinedTag', approval.declinedTag, 'assessments.approval.declinedTag'),
    noActionTag: tagInput('approvalNoActionTag', approval.noActionTag, 'assessments.approval.noActionTag'),
    integrityOn: h('input', { type: 'checkbox', name: 'integrityReview', checked: integrity.enabled }),
    integrityTag: tagInput('integrityTag', integrity.tag, 'assessments.integrityReview.tag'),
    integrityHours: hours('integrityTimeoutHours', integrity.timeoutHours, 'assessments.integrityReview.timeoutHours', true),
  };
  const approvalByPosting = approvalPostingTable(lever.postings, approval.byPosting);

  // the tag commands' words, folded: most teams keep the defaults
  const tagCommandNames = h('details', { class: 'tag-command-names' }, h('summary', {}, 'Command names'),
    h('div', { class: 'row' }, Object.entries(tc.names).map(([command, name]) =>
      field(command, h('input', { name: 'tagCommandName', 'data-command': command, value: name, required: true, maxlength: '40' })))));

  replace(form,
    h('h2', {}, 'Assessments'),
    group('Trigger stages', stagePicker('assessmentTriggerStage', stages, a.triggerStageIds, renderDefaultTests), 'A candidate entering one of these stages gets an assessment.'),
    defaultTests,
    postingTests,
    h('label', { class: 'check' }, postingTagOn, ' Send the test a job posting’s tag names in Lever (after the posting’s default, before the stage’s)'),
    h('div', { class: 'row' },
      field('Posting tag prefix', controls.testTagPrefix, 'e.g. “CodeSignal: Backend Engineer screen”: the exact test title after the prefix'),
      field('Tag when a posting’s tag is not understood', controls.testTagProblemTag)),
    postingSequences,
    field('Default Lever user', controls.defaultLeverUser, 'Notes, files, tags and stage moves are made as this user.'),
    h('label', { class: 'check' }, controls.notifyFollowers, ' Notify the opportunity’s followers when results are posted'),
    field('Post the final result as', controls.resultsAs, 'A feedback form needs the Lever key’s feedback and feedback templates permissions: TEST the key after changing this.'),
    h('div', { class: 'row' },
      field('Invitation expires after (days)', controls.expiryDays),
      field('Reminders (days before expiry)', controls.reminders, 'comma-separated, e.g. 3, 1')),
    h('label', { class: 'check' }, thresholdOn, ' Tag and move candidates by score'),
    h('div', { class: 'row' },
      field('Pass at or above (% of max score)', controls.passPercent),
      field('Pass tag', controls.passTag), field('Then move to', controls.passStage)),
    h('div', { class: 'row' }, field('Below threshold tag', controls.failTag), field('Then move to', controls.failStage)),
    h('div', { class: 'review-settings' },
      h('h3', {}, 'Approval of rejections'),
      h('label', { class: 'check' }, controls.approvalOn, ' Hold the below-threshold move (a rejection) until a recruiter approves it (the approve / decline tag commands, or the candidate’s timeline)'),
      h('div', { class: 'row' },
        field('Approval deadline (hours)', controls.approvalHours, 'Over 0, up to 720 (fractions allowed). No decision by then: nothing is done.'),
        field('Pending tag', controls.pendingTag),
        field('Declined tag', controls.declinedTag),
        field('No decision tag', controls.noActionTag, 'Also written when an integrity review gets no decision.')),
      approvalByPosting.element,
      h('h3', {}, 'Integrity review'),
      h('label', { class: 'check' }, controls.integrityOn, ' Hold a non-proctored result’s outcome while CodeSignal’s integrity review is open; a suggested problem waits for a recruiter to confirm or clear it'),
      h('div', { class: 'row' },
        field('Integrity review tag', controls.integrityTag),
        field('Integrity deadline (hours)', controls.integrityHours, 'Over 0, up to 720: the wait for CodeSignal’s review, then for a decision; none by then: nothing is done.'))),
    h('h2', {}, 'Live interviews'),
    group('Trigger stages', stagePicker('interviewTriggerStage', stages, iv.triggerStageIds), 'Entering one of these stages creates a CodeSignal live interview.'),
    h('div', { class: 'row' }, field('Interviewer', controls.interviewer), field('Default interviewer', controls.defaultInterviewer)),
    h('div', { class: 'row' },
      field('Room open without a schedule (hours)', controls.roomExpiryHours),
      field('Wait for feedback (hours)', controls.feedbackWaitHours)),
    h('h2', {}, 'Tag commands'),
    h('label', { class: 'check' }, controls.tagCommandsOn, ' Act on tags recruiters add in Lever: resend, extend 7d, retake, cancel, retry'),
    h('div', { class: 'row' },
      field('Look for command tags every (minutes)', controls.tagCommandsInterval, 'Lever sends no webhook for tags: a command waits up to this long.'),
      field('Tag prefix', controls.tagCommandsPrefix, 'e.g. “CodeSignal: ” for the tag “CodeSignal: resend”')),
    tagCommandNames,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'SAVE'),
      h('button', { type: 'button', onclick: saveDraft }, 'SAVE AS DRAFT (DRY RUN)')),
    status,
  );
  // a promoted draft is the settings: the page again, with the backfill offer for the stages it added
  const onPromoted = async (settings) => {
    await renderConfiguration(container, id);
    await offerBackfill(container, id, integration.settings, settings, names);
  };
  const showDryRun = async () => {
    const card = await dryRunCard(id, names, onPromoted);
    container.querySelector('section.dry-run')?.remove();
    if (card) form.after(card);
  };
  // before the form is on the page: a SAVE while the rest of the page loads must not submit it as a plain GET
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const settings = formSettings();
    status.show('busy', 'Checking the settings against Lever…');
    showIssues(form, []);
    try {
      await api('PUT', `${base}/settings`, settings);
      status.show('ok', 'Saved.');
    } catch (err) {
      showIssues(form, err?.details?.issues ?? []);
      status.show('error', describeError(err));
      return;
    }
    // trigger stages added: offer to run the flow for the candidates already in them
    const before = { assessments: { ...a }, interviews: { ...iv } };
    a.triggerStageIds = settings.assessments.triggerStageIds;
    iv.triggerStageIds = settings.interviews.triggerStageIds;
    await offerBackfill(container, id, before, settings, names);
  });
  replace(container, h('h1', {}, `${integration.name}: configuration`), form, await publicLinkSettingsCard(id, tests));
  renderDefaultTests();
  await showDryRun();

  /** The settings as the form shows them, for `PUT …/settings` and its draft alike. */
  function formSettings() {
    const triggerStageIds = checkedValues(form, 'assessmentTriggerStage');
    const defaultTestByStage = Object.fromEntries(
      [...defaultTests.querySelectorAll('select')].filter((el) => el.value).map((el) => [el.dataset.stage, el.value]),
    );
    return {
      defaultLeverUserId: controls.defaultLeverUser.value || undefined,
      notifyFollowers: controls.notifyFollowers.checked,
      assessments: {
        ...a,
        triggerStageIds,
        defaultTestByStage,
        defaultTestByPosting: Object.fromEntries(
          [...postingTests.querySelectorAll('select')].filter((el) => el.value).map((el) => [el.dataset.posting, el.value]),
        ),
        testByPostingTag: { enabled: postingTagOn.checked, prefix: controls.testTagPrefix.value, problemTag: controls.testTagProblemTag.value },
        testSequenceByPosting: postingSequencesOf(postingSequences),
        expiryDays: Number(controls.expiryDays.value),
        reminderDaysBeforeExpiry: controls.reminders.value.split(',').map((d) => d.trim()).filter(Boolean).map(Number),
        resultsAs: controls.resultsAs.value,
        approval: {
          rejections: controls.approvalOn.checked,
          timeoutHours: hoursValue(controls.approvalHours),
          byPosting: approvalByPosting.value(),
          pendingTag: controls.pendingTag.value,
          declinedTag: controls.declinedTag.value,
          noActionTag: controls.noActionTag.value,
        },
        integrityReview: { enabled: controls.integrityOn.checked, tag: controls.integrityTag.value, timeoutHours: hoursValue(controls.integrityHours) },
        thresholds: thresholdOn.checked
          ? {
              passPercent: Number(controls.passPercent.value),
              pass: { tag: controls.passTag.value, moveToStageId: controls.passStage.value || undefined },
              fail: { tag: controls.failTag.value, moveToStageId: controls.failStage.value || undefined },
            }
          : undefined,
      },
      interviews: {
        ...iv,
        triggerStageIds: checkedValues(form, 'interviewTriggerStage'),
        interviewer: controls.interviewer.value,
        defaultCodeSignalUserId: controls.defaultInterviewer.value || undefined,
        expiryHours: Number(controls.roomExpiryHours.value),
        feedbackWaitHours: Number(controls.feedbackWaitHours.value),
      },
      tagCommands: {
        enabled: controls.tagCommandsOn.checked,
        intervalMinutes: Number(controls.tagCommandsInterval.value),
        prefix: controls.tagCommandsPrefix.value,
        names: Object.fromEntries([...tagCommandNames.querySelectorAll('input')].map((el) => [el.dataset.command, el.value])),
      },
    };
  }

  /** The sequences chosen, each posting's steps in order without the empty ones (a single test is refused by the API, with the field named). */
  function postingSequencesOf(root) {
    const byPosting = {};
    for (const el of root.querySelectorAll('select')) if (el.value) (byPosting[el.dataset.posting] ??= []).push(el.value);
    return byPosting;
  }

  async function saveDraft() {
    if (!form.reportValidity()) return;
    status.show('busy', 'Checking the draft against Lever…');
    try {
      showIssues(form, []);
      await api('PUT', `${base}/settings/draft`, formSettings());
      status.show('ok', 'Draft saved: it runs in shadow, the settings are unchanged.');
      await showDryRun();
    } catch (err) {
      showIssues(form, err?.details?.issues ?? []);
      status.show('error', describeError(err));
    }
  }
}
