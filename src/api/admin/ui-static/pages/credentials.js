import { api, describeError } from '../api.js';
import { copyable, field, h, replace, statusLine } from '../dom.js';
import { keyTest } from './key-test.js';
import { sourcingApiSection } from './sourcing-api.js';
import { codesignalWebhookGuide, leverWebhooksSection } from './webhook-registration.js';

const stored = (hint) => (hint ? `saved, ends in …${hint}` : 'saved');

/**
 * Credentials: both API keys with TEST, the webhook secrets, the webhook URLs to copy, and the sourcing
 * API's token and status feed. Secrets are write-only; a token or secret the service makes is shown once.
 */
export const renderCredentials = (container, id) => render(container, id);

/** `flash`: what the last webhook REGISTER or REMOVE did, shown in its section after the page is read again. */
async function render(container, id, flash) {
  const integration = await api('GET', `/api/integrations/${id}`);
  const base = `/api/integrations/${id}`;

  /** One save button per secret, so an admin changes one thing at a time. */
  const saveSection = (title, controls, toPatch, hint) => {
    const status = statusLine();
    return h('form', { class: 'card', onsubmit: async (event) => {
      event.preventDefault();
      const patch = toPatch();
      if (!patch) return status.show('error', 'Nothing to save: fill the field first.');
      status.show('busy', 'Saving…');
      try {
        await api('PATCH', base, patch);
        status.show('ok', 'Saved.');
        await render(container, id);
      } catch (err) {
        status.show('error', describeError(err));
      }
    } }, h('h2', {}, title), hint ? h('p', { class: 'hint' }, hint) : null, controls, h('button', { type: 'submit', class: 'primary' }, 'SAVE'), status);
  };

  const leverKey = h('input', { name: 'leverApiKey', type: 'password', autocomplete: 'off', placeholder: stored(integration.lever.apiKeyHint) });
  const leverTest = keyTest({ service: 'Lever', input: leverKey, newKeyPath: '/api/setup/lever/test', storedPath: `${base}/lever/test` });
  const tokens = h('textarea', { name: 'leverSigningTokens', rows: 3, placeholder: 'one signing token per line' });
  const tokenHints = integration.lever.webhookSigningTokenHints ?? [];
  const codesignalKey = h('input', { name: 'codesignalApiKey', type: 'password', autocomplete: 'off', placeholder: stored(integration.codesignal.apiKeyHint) });
  const codesignalTest = keyTest({ service: 'CodeSignal', input: codesignalKey, newKeyPath: '/api/setup/codesignal/test', storedPath: `${base}/codesignal/test` });
  const codesignalSecret = h('input', { name: 'codesignalWebhookSecret', type: 'password', autocomplete: 'off',
    placeholder: integration.codesignal.webhookSecretConfigured ? stored(integration.codesignal.webhookSecretHint) : 'not set' });

  container.classList.add('credentials-page');
  replace(container,
    h('h1', {}, integration.name),
    h('section', { class: 'card' },
      h('h2', {}, 'Webhook URLs'),
      h('p', { class: 'hint' }, 'Lever: register the webhooks with Lever\'s API below, or by hand — Settings → Integrations and API → Webhooks: add this URL under Candidate Stage Change (and Hired, Archive State Change, Interview events for interviews and sync), VERIFY CONNECTION, then copy each signature token below.'),
      copyable('Lever webhook URL', integration.webhooks.lever, 'leverWebhookUrl'),
      copyable('CodeSignal webhook URL', integration.webhooks.codesignal, 'codesignalWebhookUrl'),
    ),
    leverWebhooksSection(id, { flash, onChanged: (message) => render(container, id, message) }),
    saveSection('Lever API key',
      [field('API key', h('div', { class: 'inline' }, leverKey, leverTest.button), 'Leave empty and TEST to check the saved key.'), leverTest.result],
      () => (leverKey.value.trim() ? { lever: { apiKey: leverKey.value.trim() } } : null)),
    saveSection('Lever webhook signing tokens',
      [
        h('p', {}, tokenHints.length === 0 ? 'None saved: Lever deliveries are refused until one is.' : `${tokenHints.length} saved: ${tokenHints.map((t) => (t ? `…${t}` : '(short)')).join(', ')}`),
        field('Signing tokens', tokens, 'Saving replaces every saved token with the ones listed here.'),
      ],
      () => {
        const list = tokens.value.split(/\s+/).filter(Boolean);
        return list.length ? { lever: { webhookSigningTokens: list } } : null;
      }),
    saveSection('CodeSignal API key',
      [field('API key', h('div', { class: 'inline' }, codesignalKey, codesignalTest.button), 'Leave empty and TEST to check the saved key.'), codesignalTest.result],
      () => (codesignalKey.value.trim() ? { codesignal: { apiKey: codesignalKey.value.trim() } } : null)),
    saveSection('CodeSignal webhook secret',
      [field('Webhook secret', codesignalSecret)],
      () => (codesignalSecret.value.trim() ? { codesignal: { webhookSecret: codesignalSecret.value.trim() } } : null),
      'The secret CodeSignal signs its webhooks with.'),
    codesignalWebhookGuide(id),
    sourcingApiSection(id, integration.sourcing),
  );
}
