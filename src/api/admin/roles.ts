import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../../db/pool';
import { HttpError } from '../errors';
import { findAdminById, integrationsOf, type AdminRole } from './admin-users';

/**
 * Who may do what (README "Team and single sign-on"), decided in this one place for every admin request —
 * /api, /codec and /temporal — from the method and the path alone, before any route runs:
 *
 * - owner (the bearer ADMIN_TOKEN, the ADMIN_EMAIL admin, and admins made owners): everything;
 * - admin: reads and changes the integrations given to them (`/api/integrations/<id>/…`), and sees only
 *   those in the integrations list and the audit log;
 * - viewer: the same reads, and no request but GET/HEAD/OPTIONS (403), except logging in and out.
 *
 * A path this file does not classify is owner-only, so a new route is closed to admins and viewers until
 * it is added here. Unauthenticated requests pass on: each route answers them (401) as before.
 */

/** What the logged-in admin may reach: every integration (owner) or the ones given. */
export interface AdminAccess {
  role: AdminRole;
  /** undefined for an owner: all of them. */
  integrationIds?: string[];
}

type PathRule =
  /** logging in and out, accepting an invitation, SSO: anyone, any method */
  | { kind: 'self' }
  /** not the admin API (the sourcing API answers CodeSignal with its own token) */
  | { kind: 'not-admin' }
  /** GET /api/integrations: the list, narrowed to the integrations given */
  | { kind: 'integration-list' }
  /** one integration and everything under it */
  | { kind: 'integration'; integrationId: string }
  /** GET /api/audit…: the entries of the integrations given */
  | { kind: 'audit' }
  | { kind: 'owner' };

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const selfPaths = new Set(['/api/session', '/api/invitations/accept']);

/** Every path under /api, /codec and /temporal, as the rule that applies to it. */
export function ruleFor(method: string, path: string): PathRule {
  if (selfPaths.has(path) || path.startsWith('/api/session/')) return { kind: 'self' };
  if (path.startsWith('/api/sourcing/')) return { kind: 'not-admin' };
  if (path === '/api/integrations' || path === '/api/integrations/') return safeMethods.has(method) ? { kind: 'integration-list' } : { kind: 'owner' };
  const scoped = /^\/api\/integrations\/([^/]+)(?:\/|$)/.exec(path);
  if (scoped) return { kind: 'integration', integrationId: scoped[1]! };
  if ((path === '/api/audit' || path.startsWith('/api/audit/')) && safeMethods.has(method)) return { kind: 'audit' };
  // /api/setup (key tests before an integration exists: creating one), /api/team, /codec, /temporal, anything new
  return { kind: 'owner' };
}

const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/** The access the central middleware found for this request (undefined: the bearer token or no admin). */
export const accessOf = (res: Response): AdminAccess | undefined => res.locals.adminAccess as AdminAccess | undefined;

/** The integrations a request may see, or undefined for all of them (an owner, the bearer token). */
export const visibleIntegrations = (res: Response): string[] | undefined => accessOf(res)?.integrationIds;

/** Narrows `{ integrations: [...] }` answers to the integrations given. */
function narrowIntegrationList(res: Response, allowed: readonly string[]): void {
  const json = res.json.bind(res);
  res.json = ((body: unknown) => {
    const list = (body as { integrations?: unknown } | null)?.integrations;
    if (Array.isArray(list)) return json({ ...(body as object), integrations: list.filter((i: { id?: unknown }) => typeof i?.id === 'string' && allowed.includes(i.id)) });
    return json(body);
  }) as Response['json'];
}

/** The session's admin, read fresh on every request (a role change or a disabling applies at once). */
async function sessionAccess(db: Db, req: Request): Promise<AdminAccess | undefined> {
  const id = req.session?.adminUserId;
  if (!id) return undefined;
  const admin = await findAdminById(db, id);
  if (!admin || admin.disabledAt) {
    // disabling deletes the sessions; this is for a request already under way
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    throw new HttpError(401, 'unauthorized', 'this admin is disabled or no longer exists; log in again');
  }
  return admin.role === 'owner' ? { role: 'owner' } : { role: admin.role, integrationIds: await integrationsOf(db, admin.id) };
}

export function adminAccess(deps: { db: Db }): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0]!;
    const rule = ruleFor(req.method, path);
    if (rule.kind === 'self' || rule.kind === 'not-admin') return next();
    // The bearer token is an owner's; the route's requireAdmin checks it is the right one.
    if (req.get('authorization')) return next();
    sessionAccess(deps.db, req).then((access) => {
      if (!access) return next(); // not logged in: the route answers 401
      res.locals.adminAccess = access;
      if (access.role === 'owner') return next();
      if (access.role === 'viewer' && !safeMethods.has(req.method)) {
        return next(forbidden('viewers have read-only access: ask an owner for the admin role to change anything'));
      }
      const allowed = access.integrationIds ?? [];
      switch (rule.kind) {
        case 'integration':
          if (!allowed.includes(rule.integrationId)) return next(forbidden(`this integration is not one of the integrations given to you (${access.role}); ask an owner for access`));
          return next();
        case 'integration-list':
          narrowIntegrationList(res, allowed);
          return next();
        case 'audit': {
          const asked = typeof req.query.integrationId === 'string' ? req.query.integrationId : undefined;
          if (asked && !allowed.includes(asked)) return next(forbidden('this integration is not one of the integrations given to you; its audit entries are for its admins and the owners'));
          return next();
        }
        default:
          return next(forbidden(`only owners may do this (you are ${access.role === 'admin' ? 'an admin' : 'a viewer'}): team management, new integrations and the service-wide tools are for owners`));
      }
    }, next);
  };
}
