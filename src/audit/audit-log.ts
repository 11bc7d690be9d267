import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { matchedRoute } from '../api/errors';

/**
 * The audit log (README "Audit log"): every admin action — a state-changing request to the admin API,
 * and every sign-in attempt — with who, when, from where, what, on which integration and the outcome.
 * One middleware records them all; a route adds what only it knows (settings before → after, the names of
 * changed keys) with `auditDetails(res, …)`. Rows are append-only (a trigger refuses UPDATE and DELETE,
 * except the retention prune below); nothing in the service edits them.
 */

export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  actorKind: 'session' | 'token' | 'anonymous' | 'service';
  sourceIp: string | null;
  action: string;
  integrationId: string | null;
  target: string | null;
  outcome: number;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  integrationId?: string;
  /** Substring of the action's name, case-insensitive. */
  action?: string;
  /** Substring of the actor, case-insensitive. */
  actor?: string;
  /** Only entries of these integrations (an admin's or viewer's integrations; README "Team and single sign-on"). */
  integrationIds?: readonly string[];
  since?: Date;
  until?: Date;
  /** Entries older than this one (paging: the last id of the previous page). */
  beforeId?: string;
  /** `failed`: outcome ≥ 400; `succeeded`: below. */
  outcome?: 'succeeded' | 'failed';
  limit: number;
}

/** Readable names of the admin API's state-changing routes (method and Express route template). */
const actionNames: Record<string, string> = {
  'POST /api/session': 'sign-in',
  'DELETE /api/session': 'sign-out',
  'POST /api/integrations': 'integration created',
  'PATCH /api/integrations/:integrationId': 'keys or secrets changed',
  'PUT /api/integrations/:integrationId/settings': 'settings changed',
  'PUT /api/integrations/:integrationId/settings/draft': 'settings draft saved',
  'POST /api/integrations/:integrationId/settings/draft/promote': 'settings draft promoted',
  'DELETE /api/integrations/:integrationId/settings/draft': 'settings draft discarded',
  'POST /api/setup/lever/test': 'Lever key tested (set-up)',
  'POST /api/setup/codesignal/test': 'CodeSignal key tested (set-up)',
  'POST /api/integrations/:integrationId/lever/test': 'Lever key tested',
  'POST /api/integrations/:integrationId/codesignal/test': 'CodeSignal key tested',
  'POST /api/integrations/:integrationId/mappings/auto': 'mappings filled automatically',
  'PUT /api/integrations/:integrationId/mappings': 'mappings changed',
  'POST /api/integrations/:integrationId/deliveries/:deliveryId/replay': 'delivery replayed',
  'POST /api/integrations/:integrationId/deliveries/replay': 'deliveries replayed',
  'POST /api/integrations/:integrationId/candidates/:opportunityId/resync': 'candidate re-synced',
  'POST /api/integrations/:integrationId/backfill': 'backfill started',
  'POST /api/integrations/:integrationId/lever-webhooks/register': 'Lever webhooks registered',
  'DELETE /api/integrations/:integrationId/lever-webhooks': 'Lever webhooks removed',
  'POST /api/integrations/:integrationId/opportunities/:opportunityId/assessments/:assessmentId/actions': 'assessment action',
  'POST /api/integrations/:integrationId/opportunities/:opportunityId/interviews/:interviewId/schedule': 'interview scheduled',
  'DELETE /api/integrations/:integrationId/opportunities/:opportunityId/interviews/:interviewId/schedule': 'interview schedule cancelled',
  'POST /api/integrations/:integrationId/sourcing/token': 'sourcing token issued',
  'PUT /api/integrations/:integrationId/sourcing/feed': 'sourcing feed changed',
  'PUT /api/integrations/:integrationId/public-links/settings': 'public links settings changed',
  'POST /api/integrations/:integrationId/public-links/sessions/:sessionId/decision': 'public link session decided',
  'POST /api/integrations/:integrationId/public-links/run': 'public links scan started',
  'POST /api/invitations/accept': 'invitation accepted',
  'POST /api/team/invitations': 'admin invited',
  'POST /api/team/invitations/revoke': 'invitation revoked',
  'PUT /api/team/admins/access': 'admin role changed',
  'POST /api/team/admins/disable': 'admin disabled',
  'POST /api/team/admins/enable': 'admin enabled',
};

/** The action of an SSO sign-in (a GET callback, recorded by the route itself with `recordAudit`). */
export const ssoSignInAction = 'sign-in (SSO)';

/** `auditDetails(res, { before, after })`: what the route adds to its audit entry. */
export function auditDetails(res: Response, details: Record<string, unknown>): void {
  res.locals.auditDetails = { ...(res.locals.auditDetails as Record<string, unknown> | undefined), ...details };
}

/** The entry's target when the path names none (the team's routes: the admin's e-mail). */
export function auditTarget(res: Response, target: string): void {
  res.locals.auditTarget = target;
}

/** The integration an action created (its id is not in the path yet). */
export function auditIntegration(res: Response, integrationId: string): void {
  res.locals.auditIntegrationId = integrationId;
}

/** What changed between two JSON values: each changed leaf path with its value before and after. */
export function changesBetween(before: unknown, after: unknown, path = ''): Array<{ path: string; before: unknown; after: unknown }> {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changesBetween(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '.', before: before ?? null, after: after ?? null }];
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The ids in the path other than the integration's, as `name=value` pairs (opportunity, delivery, …). */
function targetOf(template: string | undefined, path: string): string | null {
  if (!template) return null;
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z]+)/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
  const match = pattern.exec(path);
  if (!match) return null;
  const pairs = names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)] as const).filter(([name]) => name !== 'integrationId');
  return pairs.length > 0 ? pairs.map(([n, v]) => `${n}=${v}`).join(' ') : null;
}

/** The route template of `actionNames` that a method and path are for, when no route matched them. */
const actionTemplates = Object.keys(actionNames).map((key) => {
  const [method, template] = key.split(' ') as [string, string];
  return { method, template, pattern: new RegExp(`^${template.replace(/:[A-Za-z]+/g, '[^/]+')}$`) };
});
const knownTemplate = (method: string, path: string): string | undefined => actionTemplates.find((t) => t.method === method && t.pattern.test(path))?.template;

function actorOf(req: Request): Pick<AuditEntry, 'actor' | 'actorKind'> {
  if (req.get('authorization')) return { actor: 'admin token', actorKind: 'token' };
  const email = req.session?.adminEmail;
  if (email) return { actor: email, actorKind: 'session' };
  // a failed sign-in: who it claimed to be
  const claimed = (req.body as { email?: unknown } | undefined)?.email;
  return { actor: typeof claimed === 'string' ? claimed.slice(0, 320) : 'anonymous', actorKind: 'anonymous' };
}

/**
 * Records every state-changing admin request under /api (not the sourcing API, whose caller is CodeSignal)
 * once its answer is decided, and before the answer leaves: the caller never sees a success whose entry
 * is not written. Unauthenticated requests other than sign-in attempts are not admin actions.
 */
export function auditTrail(deps: { db: Db; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0]!;
    if (safeMethods.has(req.method) || !path.startsWith('/api/') || path.startsWith('/api/sourcing/')) {
      next();
      return;
    }
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let recorded = false;
    res.end = ((...args: unknown[]) => {
      if (recorded) return end(...args);
      recorded = true;
      // a request refused before its route ran (a role's 403, a CSRF check) is still named by the route it was for
      const template = matchedRoute(req) ?? knownTemplate(req.method, path);
      const signIn = path === '/api/session' && req.method === 'POST';
      if (res.statusCode === 401 && !signIn) return end(...args);
      const key = template ? `${req.method} ${template}` : undefined;
      const entry = {
        ...actorOf(req),
        sourceIp: req.ip ?? null,
        action: (key && actionNames[key]) ?? key ?? `${req.method} ${path}`,
        integrationId: (res.locals.auditIntegrationId as string | undefined) ?? /^\/api\/integrations\/([^/]+)/.exec(path)?.[1]?.match(uuid)?.[0] ?? null,
        target: (res.locals.auditTarget as string | undefined) ?? targetOf(template, path),
        outcome: res.statusCode,
        details: (res.locals.auditDetails as Record<string, unknown> | undefined) ?? {},
      };
      recordAudit(deps.db, entry)
        .catch((err: Error) => deps.logger.error({ err: err.message, action: entry.action }, 'audit entry not written'))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}

export async function recordAudit(db: Db, e: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_kind, source_ip, action, integration_id, target, outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.actorKind, e.sourceIp, e.action, e.integrationId, e.target, e.outcome, JSON.stringify(e.details)],
  );
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_kind: AuditEntry['actorKind'];
  source_ip: string | null;
  action: string;
  integration_id: string | null;
  target: string | null;
  outcome: number;
  details: Record<string, unknown>;
}

/** Newest first, filtered; `limit` rows at most. */
export async function listAudit(db: Db, f: AuditFilter): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => (params.push(value), `$${params.length}`);
  if (f.integrationId) where.push(`integration_id = ${param(f.integrationId)}`);
  if (f.integrationIds) where.push(`integration_id = ANY(${param(f.integrationIds)}::uuid[])`);
  if (f.action) where.push(`action ILIKE ${param(`%${escapeLike(f.action)}%`)}`);
  if (f.actor) where.push(`actor ILIKE ${param(`%${escapeLike(f.actor)}%`)}`);
  if (f.since) where.push(`at >= ${param(f.since)}`);
  if (f.until) where.push(`at < ${param(f.until)}`);
  if (f.beforeId) where.push(`id < ${param(f.beforeId)}`);
  if (f.outcome) where.push(f.outcome === 'failed' ? 'outcome >= 400' : 'outcome < 400');
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, actor_kind, source_ip, action, integration_id, target, outcome, details FROM audit_log
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${param(f.limit)}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    actorKind: r.actor_kind,
    sourceIp: r.source_ip,
    action: r.action,
    integrationId: r.integration_id,
    target: r.target,
    outcome: r.outcome,
    details: r.details,
  }));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Deletes entries older than the retention (AUDIT_LOG_RETENTION_DAYS): the one DELETE the table's trigger lets through. */
export async function pruneAuditLog(db: Db, days: number): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('lcs.audit_prune', 'on', true)`);
    const { rowCount } = await client.query(`DELETE FROM audit_log WHERE at < now() - $1 * interval '1 day'`, [days]);
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
