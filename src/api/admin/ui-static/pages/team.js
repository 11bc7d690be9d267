import { api, describeError } from '../api.js';
import { copyable, field, formatTime, group, h, replace, statusLine } from '../dom.js';

const roleHints = {
  owner: 'everything: every integration, new integrations, the team',
  admin: 'configures the integrations given',
  viewer: 'reads the integrations given, changes nothing',
};

/** A role select and the integrations' check boxes, shown for admin and viewer only. */
function accessControls(integrations, { role = 'viewer', integrationIds = [] } = {}, name = 'role') {
  const select = h('select', { name }, Object.keys(roleHints).map((r) => h('option', { value: r, selected: r === role }, r)));
  const boxes = integrations.map((i) => h('input', { type: 'checkbox', value: i.id, checked: integrationIds.includes(i.id), 'aria-label': i.name }));
  const list = h('div', { class: 'integration-checks' }, integrations.length === 0
    ? h('span', { class: 'hint' }, 'no integration yet')
    : integrations.map((i, n) => h('label', { class: 'check' }, boxes[n], ' ', i.name)));
  const sync = () => (list.hidden = select.value === 'owner');
  select.addEventListener('change', sync);
  sync();
  return {
    select,
    list,
    value: () => ({ role: select.value, ...(select.value === 'owner' ? {} : { integrationIds: boxes.filter((b) => b.checked).map((b) => b.value) }) }),
  };
}

/**
 * The team (owners only; README "Team and single sign-on"): admins with their role, integrations and
 * state, pending invitations, and the invitation form, which answers the one-time link to pass on.
 */
export async function renderTeam(container, me, flash) {
  const [{ admins, invitations, invitationValidDays }, { integrations }] = await Promise.all([api('GET', '/api/team'), api('GET', '/api/integrations')]);
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const status = statusLine();
  const reload = () => renderTeam(container, me);
  const act = async (doing, method, path, body) => {
    status.show('busy', `${doing}…`);
    try {
      await api(method, path, body);
      await reload();
    } catch (err) {
      status.show('error', describeError(err));
    }
  };

  const adminRows = admins.map((a) => {
    const access = accessControls(integrations, a, `role-${a.email}`);
    access.select.setAttribute('aria-label', `Role of ${a.email}`);
    return h('tr', { class: a.disabled ? 'disabled' : '', dataset: { email: a.email } },
      h('td', {}, a.email, a.email === me.email ? h('span', { class: 'hint' }, ' (you)') : null),
      h('td', {}, access.select, h('small', { class: 'hint block' }, a.password ? 'password' : 'SSO only')),
      h('td', {}, access.list, a.role === 'owner' ? h('span', { class: 'hint' }, 'all') : null),
      h('td', {}, h('span', { class: `badge ${a.disabled ? 'failed' : 'accepted'}` }, a.disabled ? 'disabled' : 'active')),
      h('td', {}, formatTime(a.lastLoginAt)),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', onclick: () => void act('Saving', 'PUT', '/api/team/admins/access', { adminId: a.id, ...access.value() }) }, 'Save access'),
        a.disabled
          ? h('button', { type: 'button', onclick: () => void act('Enabling', 'POST', '/api/team/admins/enable', { adminId: a.id }) }, 'Enable')
          : h('button', { type: 'button', class: 'danger', onclick: () => void act('Disabling', 'POST', '/api/team/admins/disable', { adminId: a.id }) }, 'Disable')));
  });

  const invitationRows = invitations.map((i) => h('tr', {},
    h('td', {}, i.email),
    h('td', {}, i.role),
    h('td', {}, i.role === 'owner' ? 'all' : i.integrationIds.map((id) => names.get(id) ?? id).join(', ') || '—'),
    h('td', {}, i.invitedBy),
    h('td', {}, formatTime(i.expiresAt)),
    h('td', {}, h('button', { type: 'button', onclick: () => void act('Revoking', 'POST', '/api/team/invitations/revoke', { invitationId: i.id }) }, 'Revoke'))));

  const email = h('input', { type: 'email', name: 'invite-email', required: true, autocomplete: 'off' });
  const access = accessControls(integrations, { role: 'viewer' }, 'invite-role');
  const link = h('div', { id: 'invitation-link' });
  const inviteStatus = statusLine();
  if (flash) {
    inviteStatus.show('ok', `Invited ${flash.invited}. Send them this link; it works once, for ${invitationValidDays} days.`);
    replace(link, copyable('Invitation link', flash.link, 'invitation-link'));
  }
  const invite = h('form', { class: 'card', id: 'invite', onsubmit: async (event) => {
    event.preventDefault();
    inviteStatus.show('busy', 'Inviting…');
    try {
      const answer = await api('POST', '/api/team/invitations', { email: email.value.trim(), ...access.value() });
      await renderTeam(container, me, { invited: answer.invitation.email, link: answer.link });
    } catch (err) {
      inviteStatus.show('error', describeError(err));
    }
  } },
    h('h2', {}, 'Invite an admin'),
    h('div', { class: 'row' }, field('E-mail', email), field('Role', access.select, Object.entries(roleHints).map(([r, t]) => `${r}: ${t}`).join('; '))),
    group('Integrations', access.list, 'An admin or viewer sees and works on these only.'),
    h('button', { type: 'submit', class: 'primary' }, 'Invite'),
    inviteStatus,
    link);

  replace(container,
    h('nav', { class: 'tabs', 'aria-label': 'Team' }, h('a', { href: '#/' }, '← Integrations')),
    h('section', { class: 'tab-body team-page' },
      h('h2', {}, 'Team'),
      h('p', { class: 'hint' }, 'Owners manage the team and create integrations; admins configure the integrations given to them; viewers read them. Disabling an admin ends their sessions at once. The team always keeps one enabled owner.'),
      status,
      h('table', { class: 'list', id: 'team' },
        h('thead', {}, h('tr', {}, ['E-mail', 'Role', 'Integrations', 'State', 'Last log-in', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, adminRows)),
      h('h3', {}, 'Pending invitations'),
      invitationRows.length === 0
        ? h('p', { class: 'hint', id: 'no-invitations' }, 'None.')
        : h('table', { class: 'list', id: 'invitations' },
          h('thead', {}, h('tr', {}, ['E-mail', 'Role', 'Integrations', 'Invited by', 'Expires', ''].map((c) => h('th', {}, c)))),
          h('tbody', {}, invitationRows)),
      invite));
}
