/** The admin API as the logged-in admin: the session cookie goes along, and the CSRF token in a header. */
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `request failed (${status})`);
    this.status = status;
    this.code = body?.error;
    this.details = body?.details;
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && path !== '/api/session') {
    csrfToken = null;
    location.hash = '#/login';
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export async function currentAdmin() {
  try {
    const me = await api('GET', '/api/session');
    csrfToken = me.csrfToken;
    return me;
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

export async function logIn(email, password) {
  const me = await api('POST', '/api/session', { email, password });
  csrfToken = me.csrfToken;
  return me;
}

/** Accepts an invitation with the password chosen: logged in as the new admin. */
export async function acceptInvitation(token, password) {
  const me = await api('POST', '/api/invitations/accept', { token, password });
  csrfToken = me.csrfToken;
  return me;
}

/** Whether single sign-on is configured, and the provider's name for the button. */
export const ssoOptions = () => api('GET', '/api/session/sso').catch(() => ({ enabled: false }));

export async function logOut() {
  await api('DELETE', '/api/session');
  csrfToken = null;
}

/** "path: message" lines of a 400's details, or the message itself. */
export function describeError(err) {
  const issues = err?.details?.issues;
  if (Array.isArray(issues) && issues.length > 0) return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  return err?.message ?? String(err);
}
