import { currentAdmin, describeError, logOut } from './api.js';
import { h, replace } from './dom.js';
import { renderLogin } from './pages/login.js';
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
  replace(who, h('a', { href: '#/audit', id: 'audit-link' }, 'Audit log'), ' · ', admin.email, ' ', h('button', { class: 'link', type: 'button', onclick: signOut }, 'Log out'));
  if (path === '/audit') {
    await renderAudit(app);
    return;
  }

  // a tab, or one item of it (`…/candidates/<opportunityId>`: a candidate's timeline)
  const match = /^\/integrations\/([^/]+)\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  if (!match) {
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
  cleanup = (await tab[2](body, id, item)) ?? null;
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
