import { api, describeError } from '../api.js';
import { copyable, field, formatTime, h, replace, statusLine } from '../dom.js';

/**
 * A token or secret the service made, shown this once: the server keeps only what it needs to check
 * it, so it cannot be shown again. "Hide it" takes it out of the page once it is copied.
 */
export function oneTimeSecret({ label, name, value, note }) {
  const box = h('div', { class: 'one-time-secret', role: 'alert' });
  replace(box,
    h('p', {}, h('strong', {}, 'Copy it now: it is not shown again.'), note ? ` ${note}` : null),
    copyable(label, value, name),
    h('button', { type: 'button', onclick: () => box.remove() }, 'I have copied it, hide it'));
  return box;
}

/**
 * The sourcing API on the Credentials page (docs/sync.md): the endpoints CodeSignal's sourcing side
 * calls, the token it calls them with, and the status feed the service sends it (URL and signing secret).
 */
export function sourcingApiSection(id, initial) {
  const base = `/api/integrations/${id}/sourcing`;
  let view = initial;

  const tokenSummary = h('p', { class: 'token-summary' });
  const tokenButton = h('button', { type: 'button', class: 'primary', onclick: () => void createToken() });
  const tokenReveal = h('div');
  const tokenStatus = statusLine();

  const feedUrl = h('input', { type: 'url', name: 'sourcingFeedUrl', autocomplete: 'off', class: 'mono', placeholder: 'https://…', 'aria-describedby': `feed-status-${id}` });
  const feedSummary = h('p', { class: 'feed-summary' });
  const feedStatus = statusLine();
  feedStatus.id = `feed-status-${id}`;
  const feedReveal = h('div');
  const stopButton = h('button', { type: 'button', onclick: () => void stopFeed() }, 'Stop the feed');
  const rotateButton = h('button', { type: 'button', onclick: () => void rotateSecret() }, 'Replace signing secret');

  /** The parts that follow the saved state; a one-time reveal stays where it is. */
  function render() {
    tokenSummary.textContent = view.tokenConfigured
      ? `A token was created ${formatTime(view.tokenCreatedAt)}. Only its hash is kept: a lost token is replaced, not shown again.`
      : 'No sourcing token yet: CodeSignal’s calls are refused until one is created.';
    tokenButton.textContent = view.tokenConfigured ? 'Replace sourcing token' : 'Create sourcing token';
    feedUrl.value = view.feedUrl ?? '';
    feedSummary.textContent = view.feedUrl
      ? `Status changes are sent to ${view.feedUrl}, ${view.feedSecretConfigured ? 'signed with the saved secret' : 'unsigned: replace the signing secret'}.`
      : 'The feed is off: status changes made in Lever are not sent to CodeSignal.';
    stopButton.hidden = !view.feedUrl;
    rotateButton.hidden = !view.feedUrl;
  }

  async function createToken() {
    const replacing = view.tokenConfigured;
    if (replacing && !confirm('Replace the sourcing token? The current token stops working at once: CodeSignal’s calls are refused until it has the new one.')) return;
    tokenButton.disabled = true;
    tokenStatus.show('busy', 'Creating a token…');
    try {
      const { token, ...rest } = await api('POST', `${base}/token`);
      view = rest;
      replace(tokenReveal, oneTimeSecret({
        label: 'Sourcing token',
        name: 'sourcingToken',
        value: token,
        note: 'CodeSignal’s sourcing side sends it as “Authorization: Bearer <token>” on every call.',
      }));
      tokenStatus.show('ok', replacing ? 'Token replaced: the earlier one no longer works.' : 'Token created.');
      render();
    } catch (err) {
      tokenStatus.show('error', describeError(err));
    } finally {
      tokenButton.disabled = false;
    }
  }

  async function putFeed(body, busy, done) {
    feedStatus.show('busy', busy);
    feedUrl.removeAttribute('aria-invalid');
    try {
      const { secret, ...rest } = await api('PUT', `${base}/feed`, body);
      view = rest;
      render();
      if (secret) {
        replace(feedReveal, oneTimeSecret({
          label: 'Feed signing secret',
          name: 'sourcingFeedSecret',
          value: secret,
          note: 'CodeSignal checks each delivery’s signature with it (HMAC-SHA256, see the OpenAPI document). Any earlier secret no longer verifies.',
        }));
      } else if (body.url === null) {
        feedReveal.replaceChildren();
      }
      feedStatus.show('ok', secret ? `${done} A new signing secret was made.` : done);
    } catch (err) {
      if (err.status === 400) feedUrl.setAttribute('aria-invalid', 'true');
      feedStatus.show('error', describeError(err));
    }
  }

  function saveFeed(event) {
    event.preventDefault();
    const url = feedUrl.value.trim();
    if (!url) {
      feedUrl.setAttribute('aria-invalid', 'true');
      feedStatus.show('error', 'Enter the feed URL CodeSignal gave you, or use “Stop the feed”.');
      return;
    }
    void putFeed({ url }, 'Saving the feed URL…', 'Feed URL saved.');
  }

  async function stopFeed() {
    if (!confirm(`Stop the status feed? Nothing more is sent to ${view.feedUrl}, and its signing secret is deleted.`)) return;
    await putFeed({ url: null }, 'Stopping the feed…', 'The feed is stopped.');
  }

  async function rotateSecret() {
    if (!confirm('Replace the feed’s signing secret? Deliveries are signed with the new one at once: CodeSignal must have it to accept them.')) return;
    await putFeed({ url: view.feedUrl, rotateSecret: true }, 'Making a new signing secret…', 'Signing secret replaced.');
  }

  const { endpoints } = view;
  const section = h('section', { class: 'card', id: 'sourcing-api', 'aria-labelledby': `sourcing-api-title-${id}` },
    h('h2', { id: `sourcing-api-title-${id}` }, 'Sourcing API'),
    h('p', { class: 'hint' }, 'CodeSignal’s sourcing side imports candidates into Lever and reports their status changes through these endpoints; the service sends Lever’s changes back on the status feed.'),
    copyable('Import endpoint (POST)', endpoints.import, 'sourcingImportUrl'),
    copyable('Status endpoint (POST)', endpoints.status, 'sourcingStatusUrl'),
    h('p', {}, h('a', { href: endpoints.openapi, target: '_blank', rel: 'noopener' }, 'OpenAPI document of the sourcing API')),
    h('h3', {}, 'Token'),
    tokenSummary,
    h('div', { class: 'actions' }, tokenButton),
    tokenReveal,
    tokenStatus,
    h('h3', {}, 'Status feed'),
    feedSummary,
    h('form', { class: 'feed', novalidate: true, 'aria-label': 'Status feed', onsubmit: saveFeed },
      field('Status feed URL', feedUrl, 'The URL CodeSignal’s sourcing side receives status changes on. The first URL makes a signing secret.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save feed URL'), rotateButton, stopButton)),
    feedReveal,
    feedStatus,
  );
  render();
  return section;
}
