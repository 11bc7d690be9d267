import { currentAdmin, describeError, logOut } from './api.js';
import { h, replace } from './dom.js';
import { renderInvitation, renderLogin } from './pages/login.js';
import { renderTeam } from './pages/team.js';
import { renderIntegrations } from './pages/integrations.js';
import { renderCredentials } from './pages/credentials.js';
import { renderConfiguration } from './pages/configuration.js';
import { renderUserMapping, renderStageMapping } from './pages/mappings.js';
import { renderActivity } from './pages/activity.js';
import { renderSourcing } from './pages/sourcing.js';
import { renderCandidates } from './pages/candidates.js';
import { renderAudit } from './pages/audit.js';

const tabs = [
  ['credentials', 'Credentials', renderCredentials],
  ['configuration', 'Configuration', renderConfiguration],
  ['users', 'User Account Mapping', renderUserMapping],
  ['stages', 'Job Stage Mapping', renderStageMapping],
  ['sourcing', 'Sourcing', renderSourcing],
  ['activity', 'Activity', renderActivity],
  ['candidates', 'Candidates', renderCandidates],
];

const app = document.getElementById('app');
const who = document.getElementById('who');
let admin = null;
let cleanup = null;

async function route() {
  cleanup?.();
  cleanup = null;
  const path = location.hash.replace(/^#/, '') || '/';
  // the invitation link (`#/invitation/<token>`: the token never leaves the browser but in the accept request)
  const invitation = /^\/invitation\/([A-Za-z0-9_-]+)$/.exec(path);
  if (invitation) {
    who.replaceChildren();
    renderInvitation(app, invitation[1], (me) => {
      admin = me;
      location.hash = '#/';
    });
    return;
  }
  if (path === '/login') {
    who.replaceChildren();
    renderLogin(app, (me) => {
      admin = me;
      location.hash = '#/';
    });
    return;
  }
  admin ??= await currentAdmin();
  if (!admin) {
    location.hash = '#/login';
    return;
  }
  // Team is for owners; the API refuses the rest anyway (403), this only keeps the page tidy.
  const owner = admin.role === 'owner';
  document.body.dataset.role = admin.role;
  replace(who,
    owner ? [h('a', { href: '#/team', id: 'team-link' }, 'Team'), ' · '] : null,
    h('a', { href: '#/audit', id: 'audit-link' }, 'Audit log'), ' · ', admin.email, admin.role === 'owner' ? null : h('span', { class: 'badge role' }, admin.role), ' ',
    h('button', { class: 'link', type: 'button', onclick: signOut }, 'Log out'));
  if (path === '/audit') {
    await renderAudit(app);
    return;
  }
  if (path === '/team' && owner) {
    await renderTeam(app, admin);
    return;
  }

  // a tab, or one item of it (`…/candidates/<opportunityId>`: a candidate's timeline)
  const match = /^\/integrations\/([^/]+)\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  if (!match) {
    // the courtesy watches before the page renders: a control that would be refused is never shown, not even for a moment
    if (!owner) cleanup = readOnlyCourtesy(app, admin.role);
    await renderIntegrations(app);
    return;
  }
  const [, id, tabName, item] = match;
  const tab = tabs.find(([name]) => name === tabName) ?? tabs[0];
  const body = h('section', { class: 'tab-body' });
  replace(
    app,
    h('nav', { class: 'tabs', 'aria-label': 'Integration' },
      h('a', { href: '#/' }, '← Integrations'),
      tabs.map(([name, label]) => h('a', { href: `#/integrations/${id}/${name}`, class: name === tab[0] ? 'active' : '', 'aria-current': name === tab[0] ? 'page' : null }, label))),
    body,
  );
  const courtesy = admin.role === 'viewer' ? readOnlyCourtesy(body, admin.role) : null;
  const pageCleanup = (await tab[2](body, id, item)) ?? null;
  cleanup = () => {
    pageCleanup?.();
    courtesy?.();
  };
}

/** Buttons that only read (they stay for a viewer); every other button changes something. */
const readingButtons = /^(Copy|copied|Refresh|Search|Filter|Older entries|Show more|Load more|Close|Cancel|Go back)$/;

/**
 * Courtesy for who may not change something (README "Team and single sign-on"): for a viewer, every
 * button that changes something is hidden and every form control but a search or filter is disabled, on
 * whatever the page renders now or later; for an admin, the list's "New integration" form (owners only).
 * The API's 403 is the guarantee; this only keeps controls that would be refused out of sight.
 */
function readOnlyCourtesy(root, role) {
  const apply = () => {
    for (const heading of root.querySelectorAll('h2')) {
      if (heading.textContent === 'New integration') heading.closest('form, .card')?.setAttribute('hidden', '');
    }
    if (role !== 'viewer') return;
    for (const button of root.querySelectorAll('button:not([hidden])')) {
      if (!readingButtons.test(button.textContent.trim())) button.hidden = true;
    }
    for (const control of root.querySelectorAll('input:not([disabled]), select:not([disabled]), textarea:not([readonly])')) {
      const form = control.closest('form');
      const searching = control.type === 'search' || [...(form?.querySelectorAll('button') ?? [])].some((b) => /^(Search|Filter)$/.test(b.textContent.trim()));
      if (!searching) {
        if (control.tagName === 'TEXTAREA') control.readOnly = true;
        else control.disabled = true;
      }
    }
  };
  apply();
  const observer = new MutationObserver(apply);
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}

async function signOut() {
  await logOut();
  admin = null;
  location.hash = '#/login';
}

/** A page that cannot load says why, instead of staying blank. */
const show = () =>
  route().catch((err) => {
    if (err.status === 401) return;
    app.append(h('p', { class: 'status error', role: 'alert' }, `Could not load this page: ${describeError(err)}`));
  });

window.addEventListener('hashchange', show);
void show();
