import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer ADMIN_TOKEN; compared as digests so length differences leak nothing. */
export function requireAdmin(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!expected || !match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      next(new HttpError(401, 'unauthorized', 'a valid admin bearer token is required'));
      return;
    }
    next();
  };
}
