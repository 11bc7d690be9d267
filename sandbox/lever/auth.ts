import type { RequestHandler } from 'express';
import { authed, traceOf } from './context';
import { forbidden, unauthorized } from './errors';
import { grants, type Permission } from './permissions';
import type { LeverStore } from './state';

/** API key from `Basic base64(key:)` (key as username, password ignored) or `Bearer key`. */
export function credentialFrom(header: string | undefined): string | null {
  const match = /^(Basic|Bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  if (match[1].toLowerCase() === 'bearer') return match[2];
  const decoded = Buffer.from(match[2], 'base64').toString('utf8');
  const username = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return username === '' ? null : username;
}

export function authenticate(store: LeverStore): RequestHandler {
  return (req, _res, next) => {
    const key = credentialFrom(req.headers.authorization);
    if (key === null) throw unauthorized('No API key given: use HTTP Basic auth with the key as username and an empty password');
    const apiKey = store.keys.get(key);
    const account = apiKey && store.accounts.get(apiKey.accountId);
    if (!apiKey || !account) throw unauthorized('Invalid API key');
    const trace = traceOf(req);
    trace.apiKey = apiKey;
    trace.account = account;
    next();
  };
}

/** Typed with plain string params so route handlers after it read `req.params.x` as a string. */
export type PermissionGuard = (permission: Permission) => RequestHandler<Record<string, string>>;

export function permissionGuard(writeImpliesRead: boolean): PermissionGuard {
  return (permission) => (req, _res, next) => {
    const { apiKey } = authed(req);
    if (!grants(apiKey.permissions, permission, writeImpliesRead)) {
      throw forbidden(`This API key does not have the permission ${permission}`);
    }
    next();
  };
}
