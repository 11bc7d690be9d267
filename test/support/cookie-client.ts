/**
 * An HTTP client with a browser's cookie jar (one per origin) that follows redirects itself, across
 * origins, as a browser does — enough to walk an OpenID Connect sign-in between the service and a
 * provider without a browser — plus the admin API's JSON calls with the session's CSRF token.
 */
export function cookieClient(baseUrl: string) {
  const jars = new Map<string, Map<string, string>>();
  let csrf: string | undefined;
  const jarOf = (url: URL) => {
    let jar = jars.get(url.origin);
    if (!jar) jars.set(url.origin, (jar = new Map()));
    return jar;
  };
  async function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const target = new URL(url, baseUrl);
    const jar = jarOf(target);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, { method: init.method ?? 'GET', headers: { ...(cookie ? { cookie } : {}), ...init.headers }, body: init.body, redirect: 'manual' });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim()];
      if (/expires=Thu, 01 Jan 1970/i.test(set) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
  const client = {
    /** One request, no redirect followed. */
    raw,
    /** Follows redirects (303/302 turn into GET) and answers the last response with its URL. */
    async follow(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, max = 20): Promise<{ res: Response; url: string }> {
      let current = new URL(url, baseUrl).href;
      let res = await raw(current, init);
      for (let i = 0; i < max && res.status >= 300 && res.status < 400 && res.headers.get('location'); i++) {
        current = new URL(res.headers.get('location')!, current).href;
        res = await raw(current);
      }
      return { res, url: current };
    },
    async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      return raw(path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async logIn(email: string, password: string) {
      const res = await client.request('POST', '/api/session', { email, password });
      if (res.status === 201) csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
      return res;
    },
    /** Reads the session (who am I) and takes its CSRF token, as the web UI does after an SSO sign-in. */
    async session() {
      const res = await client.request('GET', '/api/session');
      const body = (await res.json()) as { email: string; role: string; integrationIds: string[] | null; csrfToken: string };
      if (res.status === 200) csrf = body.csrfToken;
      return { status: res.status, body };
    },
    useCsrf(token: string) {
      csrf = token;
    },
    get hasSession() {
      return jarOf(new URL(baseUrl)).has('lcs.sid');
    },
  };
  return client;
}

/** Signs in on the test provider's development log-in page (any name; see oidc-provider.ts) from the page a redirect ended on. */
export async function submitProviderLogin(client: ReturnType<typeof cookieClient>, page: { res: Response; url: string }, login: string) {
  const html = await page.res.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no log-in form at ${page.url} (${page.res.status}): ${html.slice(0, 300)}`);
  // the form's hidden fields go along, as a browser sends them
  const hidden = Object.fromEntries([...html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map(([input]) => [/name="([^"]*)"/.exec(input)?.[1] ?? '', /value="([^"]*)"/.exec(input)?.[1] ?? '']));
  return client.follow(new URL(action, page.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, login, password: 'any password' }).toString(),
  });
}
