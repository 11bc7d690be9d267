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
          h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Trigger stages'), h('th', {}, 'Created'))),
          h('tbody', {}, integrations.map((i) => h('tr', {},
            h('td', {}, h('a', { href: `#/integrations/${i.id}/credentials` }, i.name)),
            h('td', {}, String(i.settings.assessments.triggerStageIds.length + i.settings.interviews.triggerStageIds.length)),
            h('td', {}, formatTime(i.createdAt)))))),
    newIntegrationForm(),
  );
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
