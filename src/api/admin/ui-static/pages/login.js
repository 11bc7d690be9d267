import { acceptInvitation, describeError, logIn, ssoOptions } from '../api.js';
import { field, h, replace, statusLine } from '../dom.js';

/** "Sign in with <name>" when single sign-on is configured: a plain link, the sign-in is a full-page round trip to the provider. */
async function ssoButton(label) {
  const sso = await ssoOptions();
  if (!sso.enabled) return null;
  return h('div', { class: 'sso' },
    h('p', { class: 'hint or' }, 'or'),
    h('a', { class: 'button secondary sso-button', href: sso.startUrl, id: 'sso-sign-in' }, `${label} ${sso.name}`));
}

export function renderLogin(container, onLoggedIn) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = statusLine();
  const sso = h('div');
  const form = h('form', { class: 'card narrow', onsubmit: async (event) => {
    event.preventDefault();
    status.show('busy', 'Logging in…');
    try {
      onLoggedIn(await logIn(email.value, password.value));
    } catch (err) {
      password.value = '';
      status.show('error', describeError(err));
    }
  } },
    h('h1', {}, 'Admin log-in'),
    field('E-mail', email),
    field('Password', password),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'),
    status,
    sso,
  );
  replace(container, form);
  email.focus();
  void ssoButton('Sign in with').then((button) => button && replace(sso, button));
}

/**
 * The invitation link (`#/invitation/<token>`): the invitee chooses a password (or signs in with SSO with
 * the invited e-mail) and is logged in with the role the owner gave.
 */
export function renderInvitation(container, token, onLoggedIn) {
  const password = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true, minLength: 12 });
  const again = h('input', { type: 'password', name: 'new-password-again', autocomplete: 'new-password', required: true, minLength: 12 });
  const status = statusLine();
  const sso = h('div');
  const form = h('form', { class: 'card narrow', onsubmit: async (event) => {
    event.preventDefault();
    if (password.value !== again.value) {
      status.show('error', 'The two passwords differ.');
      return;
    }
    status.show('busy', 'Accepting…');
    try {
      const me = await acceptInvitation(token, password.value);
      history.replaceState(null, '', '#/');
      onLoggedIn(me);
    } catch (err) {
      status.show('error', describeError(err));
    }
  } },
    h('h1', {}, 'Accept your invitation'),
    h('p', { class: 'hint' }, 'Choose a password for your admin account (at least 12 characters). The link works once.'),
    field('Password', password),
    field('Password again', again),
    h('button', { type: 'submit', class: 'primary' }, 'Accept and log in'),
    status,
    sso,
  );
  replace(container, form);
  password.focus();
  void ssoButton('Sign in with').then((button) => button && replace(sso, h('p', { class: 'hint' }, 'Signing in with single sign-on as the invited e-mail accepts the invitation too.'), button));
}
