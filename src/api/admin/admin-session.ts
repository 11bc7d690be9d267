import express, { type Router, type Request } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { decoyPasswordHash, verifyPassword } from '../../crypto/passwords';
import { acceptInvitation, findAdminByEmail, findAdminById, integrationsOf, recordLogin, type AdminUser } from './admin-users';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { assertCsrfToken, csrf } from './admin-auth';
import { HttpError } from '../errors';
import { auditDetails } from '../../audit/audit-log';
import { idCheckedRouter } from '../ids';
import { parseBody } from '../validate';

const loginSchema = z.strictObject({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });
const acceptSchema = z.strictObject({ token: z.string().min(20).max(200), password: z.string().min(12, 'must be at least 12 characters').max(1024) });

const promisify = (fn: (cb: (err: unknown) => void) => void) => new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

const tooMany = (res: RateLimiterRes) =>
  new HttpError(429, 'too_many_attempts', `too many failed log-in attempts; try again in ${Math.max(1, Math.ceil(res.msBeforeNext / 60_000))} minute(s)`);

/**
 * Password guessing is slowed by counting failed log-ins only: 10 per account (from one address) and
 * 100 per address in 15 minutes, after which that account or address is refused with 429 until the
 * window ends — the right password included. A successful log-in clears both counts. `req.ip` is the
 * client's address as TRUST_PROXY lets Express read it; behind a proxy that is not trusted, every admin
 * shares the proxy's one address budget.
 *
 * Each attempt takes its point before the password is checked (so concurrent guesses cannot all pass
 * one check) and gives it back when the password was right or the check itself failed.
 */
function loginThrottle() {
  const perAccount = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
  const perAddress = new RateLimiterMemory({ points: 100, duration: 15 * 60 });
  const keys = (req: Request, email: string) => ({ address: req.ip ?? 'unknown', account: `${req.ip ?? 'unknown'}|${email.toLowerCase()}` });

  return async function attempt<T>(req: Request, email: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    const { address, account } = keys(req, email);
    try {
      await perAddress.consume(address);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err);
      throw err;
    }
    try {
      await perAccount.consume(account);
    } catch (err) {
      await perAddress.reward(address);
      if (err instanceof RateLimiterRes) throw tooMany(err);
      throw err;
    }
    let outcome: T | undefined;
    try {
      outcome = await check();
    } catch (err) {
      // not a wrong password: nothing to count
      await Promise.all([perAddress.reward(address), perAccount.reward(account)]);
      throw err;
    }
    if (outcome !== undefined) await Promise.all([perAddress.delete(address), perAccount.delete(account)]);
    return outcome;
  };
}

/** 403 for an admin an owner disabled: they keep no session and get none (password and SSO alike). */
export const disabledAdmin = () => new HttpError(403, 'admin_disabled', 'this admin is disabled; ask an owner of the team to enable you again');

/**
 * Logs an admin in on this request, the one way for every sign-in (password, invitation, SSO): a new
 * session id (so a session planted before it is worth nothing), the admin in it, and a new CSRF token.
 */
export async function startAdminSession(req: Request, db: Db, admin: Pick<AdminUser, 'id' | 'email'>): Promise<{ csrfToken: string }> {
  await promisify((cb) => req.session.regenerate(cb));
  req.session.adminUserId = admin.id;
  req.session.adminEmail = admin.email;
  const csrfToken = csrf.generateToken(req, true);
  await promisify((cb) => req.session.save(cb));
  await recordLogin(db, admin.id);
  return { csrfToken };
}

/** Who is logged in, as GET /api/session and every sign-in answer it: the role and the integrations given (owners: all, `null`). */
async function whoAmI(db: Db, admin: AdminUser, csrfToken: string) {
  return { email: admin.email, role: admin.role, integrationIds: admin.role === 'owner' ? null : await integrationsOf(db, admin.id), csrfToken };
}

/** The web UI's log-in: POST /api/session, GET /api/session (who am I + CSRF token), DELETE /api/session; and accepting an invitation. */
export function adminSessionRoutes(deps: { db: Db; logger: Logger }): Router {
  const router = idCheckedRouter();
  const throttled = loginThrottle();

  router.post('/api/session', express.json({ limit: '4kb' }), async (req, res) => {
    const { email, password } = parseBody(loginSchema, req.body);
    const admin = await throttled(req, email, async () => {
      const found = await findAdminByEmail(deps.db, email);
      const valid = await verifyPassword(password, found?.passwordHash ?? (await decoyPasswordHash()));
      return found && valid ? found : undefined;
    });
    // logged by the error handler, at info and rate-limited, with the address
    if (!admin) throw new HttpError(401, 'invalid_credentials', 'the e-mail or password is not correct');
    if (admin.disabledAt) throw disabledAdmin();
    const { csrfToken } = await startAdminSession(req, deps.db, admin);
    deps.logger.info({ admin: admin.id }, 'admin logged in');
    res.status(201).json(await whoAmI(deps.db, admin, csrfToken));
  });

  router.get('/api/session', async (req, res) => {
    const id = req.session.adminUserId;
    const admin = id ? await findAdminById(deps.db, id) : undefined;
    if (!admin || admin.disabledAt) throw new HttpError(401, 'unauthorized', 'not logged in');
    res.json(await whoAmI(deps.db, admin, csrf.generateToken(req)));
  });

  router.delete('/api/session', async (req, res) => {
    if (req.session.adminUserId) assertCsrfToken(req);
    await promisify((cb) => req.session.destroy(cb));
    res.clearCookie('lcs.sid', { path: '/' });
    res.status(204).end();
  });

  // The invitation link (`/admin/#/invitation/<token>`: the token stays in the fragment, out of every
  // request line and Referer) posts its token here with the password the invitee chose; they are logged in.
  router.post('/api/invitations/accept', express.json({ limit: '4kb' }), async (req, res) => {
    const { token, password } = parseBody(acceptSchema, req.body);
    const admin = await acceptInvitation(deps.db, { token }, password);
    if (!admin) throw new HttpError(404, 'unknown_invitation', 'this invitation link is unknown, used, revoked or expired; ask an owner for a new one');
    const { csrfToken } = await startAdminSession(req, deps.db, admin);
    auditDetails(res, { admin: admin.email, role: admin.role });
    deps.logger.info({ admin: admin.id }, 'admin invitation accepted');
    res.status(201).json(await whoAmI(deps.db, admin, csrfToken));
  });
  return router;
}
