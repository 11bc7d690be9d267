import express, { Router, type Request } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { decoyPasswordHash, verifyPassword } from '../crypto/passwords';
import { findAdminByEmail, findAdminById, recordLogin } from '../db/admin-users';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { assertCsrfToken, csrf } from './admin-auth';
import { HttpError } from './errors';
import { parseBody } from './validate';

const loginSchema = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

/** Guessing is slowed per e-mail and address, and per address overall. */
const perAccount = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
const perAddress = new RateLimiterMemory({ points: 100, duration: 15 * 60 });

const promisify = (fn: (cb: (err: unknown) => void) => void) => new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

async function throttle(req: Request, email: string): Promise<void> {
  try {
    await perAddress.consume(req.ip ?? 'unknown');
    await perAccount.consume(`${req.ip}|${email.toLowerCase()}`);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new HttpError(429, 'too_many_attempts', `too many log-in attempts; try again in ${Math.ceil(err.msBeforeNext / 60_000)} minute(s)`);
  }
}

/** The web UI's log-in: POST /api/session, GET /api/session (who am I + CSRF token), DELETE /api/session. */
export function adminSessionRoutes(deps: { db: Db; logger: Logger }): Router {
  const router = Router();

  router.post('/api/session', express.json({ limit: '4kb' }), async (req, res) => {
    const { email, password } = parseBody(loginSchema, req.body);
    await throttle(req, email);
    const admin = await findAdminByEmail(deps.db, email);
    const valid = await verifyPassword(password, admin?.passwordHash ?? (await decoyPasswordHash()));
    if (!admin || !valid) {
      deps.logger.warn({ ip: req.ip }, 'admin log-in refused');
      throw new HttpError(401, 'invalid_credentials', 'the e-mail or password is not correct');
    }
    // A new session id at log-in, so a session planted before it is worth nothing.
    await promisify((cb) => req.session.regenerate(cb));
    req.session.adminUserId = admin.id;
    req.session.adminEmail = admin.email;
    const csrfToken = csrf.generateToken(req, true);
    await promisify((cb) => req.session.save(cb));
    await recordLogin(deps.db, admin.id);
    deps.logger.info({ admin: admin.id }, 'admin logged in');
    res.status(201).json({ email: admin.email, csrfToken });
  });

  router.get('/api/session', async (req, res) => {
    const id = req.session.adminUserId;
    const admin = id ? await findAdminById(deps.db, id) : undefined;
    if (!admin) throw new HttpError(401, 'unauthorized', 'not logged in');
    res.json({ email: admin.email, csrfToken: csrf.generateToken(req) });
  });

  router.delete('/api/session', async (req, res) => {
    if (req.session.adminUserId) assertCsrfToken(req);
    await promisify((cb) => req.session.destroy(cb));
    res.clearCookie('lcs.sid', { path: '/' });
    res.status(204).end();
  });
  return router;
}
