import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { ensureAdmin } from '../../src/api/admin/admin-users';
import { readJson } from '../support/lever-webhook';
import { settle, startCapturedApi, type CapturedApi } from './hardening-support';

/**
 * Log-in throttling counts failed attempts only, and a success clears the count of its account and
 * address; behind a reverse proxy named in TRUST_PROXY each client has its own address budget.
 */
const password = 'correct horse battery staple';

async function logIn(api: CapturedApi, email: string, pass: string, forwardedFor?: string) {
  const res = await fetch(`${api.baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ email, password: pass }),
  });
  if (res.status !== 201) expect(res.headers.getSetCookie()).toEqual([]);
  return { status: res.status, body: await readJson(res) };
}

async function newAdmin(api: CapturedApi) {
  const email = `admin-${randomUUID().slice(0, 8)}@example.com`;
  await ensureAdmin(api.db, email, password);
  return email;
}

const statusesOf = async (n: number, attempt: (i: number) => Promise<{ status: number }>) => {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await attempt(i)).status);
  return statuses;
};
const times = (n: number, status: number) => Array.from({ length: n }, () => status);

describe('log-in throttling behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let api: CapturedApi;
  // each test is a different client behind the proxy, so the tests do not share an address budget
  const client = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

  beforeAll(async () => {
    api = await startCapturedApi({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => api.stop());
  afterEach(async () => {
    await settle();
    expect(api.loud()).toEqual([]);
  });

  it('does not count successful log-ins: 4 good and 6 wrong still let the right password in', async () => {
    const email = await newAdmin(api);
    const ip = client();
    expect(await statusesOf(4, () => logIn(api, email, password, ip))).toEqual(times(4, 201));
    expect(await statusesOf(6, (i) => logIn(api, email, `wrong-${i}`, ip))).toEqual(times(6, 401));
    expect((await logIn(api, email, password, ip)).status).toBe(201);
  });

  it('clears the failures of the account at a successful log-in', async () => {
    const email = await newAdmin(api);
    const ip = client();
    expect(await statusesOf(9, (i) => logIn(api, email, `wrong-${i}`, ip))).toEqual(times(9, 401));
    expect((await logIn(api, email, password, ip)).status).toBe(201);
    expect(await statusesOf(9, (i) => logIn(api, email, `again-${i}`, ip))).toEqual(times(9, 401));
    expect((await logIn(api, email, password, ip)).status).toBe(201);
  });

  it('refuses the 11th failed attempt on an account, and then even the right password, with 429', async () => {
    const email = await newAdmin(api);
    const ip = client();
    expect(await statusesOf(10, (i) => logIn(api, email, `wrong-${i}`, ip))).toEqual(times(10, 401));
    const refused = await logIn(api, email, 'wrong-again', ip);
    expect(refused).toEqual({ status: 429, body: { error: 'too_many_attempts', message: expect.stringMatching(/too many failed log-in attempts; try again in 1[45] minute\(s\)/) } });
    expect((await logIn(api, email, password, ip)).status).toBe(429);
    // the same admin from another client of the proxy is not locked out
    expect((await logIn(api, email, password, client())).status).toBe(201);
    const { rows } = await api.db.query('SELECT count(*)::int AS n FROM admin_sessions WHERE sess::text LIKE $1', [`%${email}%`]);
    expect(rows[0].n).toBe(1);
  });

  it('gives each client behind the proxy its own address budget, cleared by a success', async () => {
    const email = await newAdmin(api);
    const [a, b] = ['203.0.113.10', '203.0.113.20'];
    const started = Date.now();
    // 99 failures across many accounts from client a, then a success resets a's address budget
    expect(await statusesOf(99, (i) => logIn(api, `nobody-${i}-${randomUUID().slice(0, 4)}@example.com`, password, a))).toEqual(times(99, 401));
    expect((await logIn(api, email, password, a)).status).toBe(201);
    expect(await statusesOf(100, (i) => logIn(api, `nobody-${i}-${randomUUID().slice(0, 4)}@example.com`, password, a))).toEqual(times(100, 401));
    // a's budget is spent: any account, right password or not
    expect((await logIn(api, email, password, a)).status).toBe(429);
    // b, another admin's browser behind the same proxy, is unaffected
    expect((await logIn(api, email, password, b)).status).toBe(201);
    // the log names the client's address, not the proxy's (and holds back most lines of a flood)
    const refusals = api.lines.filter((l) => l.code === 'invalid_credentials');
    expect(refusals.length).toBeGreaterThan(0);
    // 10 lines and one "suppressed" summary per minute (clientErrorLog); a loaded host may take more than one minute for the 200 attempts
    const minutes = Math.ceil((Date.now() - started) / 60_000);
    expect(refusals.length).toBeLessThanOrEqual(11 * minutes);
    expect(refusals.length).toBeLessThan(200 / 4);
    // each line names the client's address (a minute's "suppressed" summary names none: it stands for many)
    for (const line of refusals) if (line.suppressed === undefined) expect(line.ip).toMatch(/^(198\.51\.100|203\.0\.113)\./);
  }, 120_000);
});

describe('log-in throttling without a trusted proxy (the default)', () => {
  let api: CapturedApi;

  beforeAll(async () => {
    api = await startCapturedApi();
  });
  afterAll(() => api.stop());

  it('ignores X-Forwarded-For, so a forged one buys no fresh budget', async () => {
    const email = await newAdmin(api);
    expect(await statusesOf(10, (i) => logIn(api, email, `wrong-${i}`, `192.0.2.${i + 1}`))).toEqual(times(10, 401));
    expect((await logIn(api, email, password, '192.0.2.200')).status).toBe(429);
    await settle();
    expect(api.loud()).toEqual([]);
    expect(api.lines.filter((l) => l.code === 'invalid_credentials').every((l) => l.ip === '127.0.0.1')).toBe(true);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8,fd00::/8, 192.168.1.1, 172.16.0.0/255.240.0.0, uniquelocal', ['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.1', '172.16.0.0/255.240.0.0', 'uniquelocal']],
  ])('parses %p', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/33', 'loopback,proxy.example.com', '::1/129', ','])('refuses %p naming the variable, not the value', (value) => {
    let error: unknown;
    try {
      loadConfig({ TRUST_PROXY: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('TRUST_PROXY');
    if (value.length > 3) expect((error as Error).message).not.toContain(value);
  });
});
