import { createHash, timingSafeEqual } from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Config } from '../../config';
import { keyRingFrom } from '../../crypto/keys';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { HttpError } from '../errors';

declare module 'express-session' {
  interface SessionData {
    adminUserId: string;
    adminEmail: string;
    /** An SSO sign-in under way (oidc.ts): what the callback must match; gone once the session is regenerated. */
    oidc: { state: string; nonce: string; codeVerifier: string; startedAt: number };
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Synchronizer tokens kept in the session; the web UI sends its token back in X-CSRF-Token. */
export const csrf = csrfSync({ getTokenFromRequest: (req) => req.get('x-csrf-token') });

export function assertCsrfToken(req: Request): void {
  if (!csrf.isRequestValid(req)) throw new HttpError(403, 'invalid_csrf_token', 'the X-CSRF-Token header is missing or does not match this session');
}

/**
 * Admin sessions: an HttpOnly, SameSite=Lax cookie naming a row in admin_sessions (PostgreSQL, so every
 * API replica sees it). The cookie is signed with a key derived from ENCRYPTION_KEY; Secure behind https.
 */
export function adminSessions(deps: { db: Db; config: Config; logger: Logger }): RequestHandler {
  const PgStore = connectPgSimple(session);
  const secure = deps.config.publicUrl.startsWith('https://');
  const ring = keyRingFrom(deps.config, 'admin-sessions');
  return session({
    name: 'lcs.sid',
    store: new PgStore({
      pool: deps.db,
      tableName: 'admin_sessions',
      pruneSessionInterval: 3600,
      errorLog: (...args: unknown[]) => deps.logger.warn({ detail: String(args[1] ?? args[0]) }, 'admin session store'),
    }),
    // The ring lists the current key first, which signs; earlier ones still verify cookies issued before a rotation.
    secret: [...ring.byId.values()].map((k) => k.key.toString('hex')),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: secure,
    cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: deps.config.ADMIN_SESSION_HOURS * 3_600_000 },
  });
}

/**
 * Admin API access: a bearer ADMIN_TOKEN (scripts; compared as digests so length differences leak
 * nothing), or a logged-in admin session (the web UI), whose state-changing requests must carry the
 * session's CSRF token. `csrfCheck: false` is for read-only POSTs whose cross-origin use CORS already limits.
 */
export function requireAdmin(adminToken: string | undefined, opts: { csrfCheck?: boolean } = {}): RequestHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header) {
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!expected || !match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
        next(new HttpError(401, 'unauthorized', 'the bearer token is not a valid admin token'));
        return;
      }
      next();
      return;
    }
    if (req.session?.adminUserId) {
      try {
        if (opts.csrfCheck !== false && !safeMethods.has(req.method)) assertCsrfToken(req);
      } catch (err) {
        next(err);
        return;
      }
      next();
      return;
    }
    next(new HttpError(401, 'unauthorized', 'log in as an admin or send a valid admin bearer token'));
  };
}
