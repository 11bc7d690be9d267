import { describeError, logIn } from '../api.js';
import { field, h, replace, statusLine } from '../dom.js';

export function renderLogin(container, onLoggedIn) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = statusLine();
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
  );
  replace(container, form);
  email.focus();
}
