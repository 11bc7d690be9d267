import type { Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/pool';
import { idCheckedRouter } from '../api/ids';
import { parseQuery } from '../api/validate';
import { requireAdmin } from '../api/admin/admin-auth';
import { visibleIntegrations } from '../api/admin/roles';
import { listAudit, type AuditEntry, type AuditFilter } from './audit-log';

/** Entries an export holds at most (newest first); narrow the filter for more. */
export const maxAuditExported = 100_000;

const filterSchema = z.object({
  integrationId: z.uuid().optional(),
  action: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(320).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  outcome: z.enum(['succeeded', 'failed']).optional(),
});
const listSchema = filterSchema.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  beforeId: z.string().regex(/^\d{1,18}$/, 'must be an entry id').optional(),
});
const exportSchema = filterSchema.extend({ format: z.enum(['csv', 'jsonl']) });

const filterOf = (q: z.infer<typeof filterSchema>): Omit<AuditFilter, 'limit'> => ({
  integrationId: q.integrationId,
  action: q.action,
  actor: q.actor,
  since: q.since ? new Date(q.since) : undefined,
  until: q.until ? new Date(q.until) : undefined,
  outcome: q.outcome,
});

export const auditView = (e: AuditEntry) => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  actorKind: e.actorKind,
  sourceIp: e.sourceIp,
  action: e.action,
  integrationId: e.integrationId,
  target: e.target,
  outcome: e.outcome,
  details: e.details,
});

const csvColumns = ['id', 'at', 'actor', 'actorKind', 'sourceIp', 'action', 'integrationId', 'target', 'outcome', 'details'] as const;
/** RFC 4180 field; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula. */
const csvField = (value: unknown): string => {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function sendExport(res: Response, format: 'csv' | 'jsonl', entries: AuditEntry[]): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.set('content-disposition', `attachment; filename="audit-log-${stamp}.${format}"`);
  if (format === 'jsonl') {
    res.type('application/x-ndjson').send(entries.map((e) => JSON.stringify(auditView(e))).join('\n') + (entries.length > 0 ? '\n' : ''));
    return;
  }
  const lines = [csvColumns.join(','), ...entries.map((e) => csvColumns.map((c) => csvField(auditView(e)[c])).join(','))];
  res.type('text/csv').send(lines.join('\r\n') + '\r\n');
}

/** The audit log for admins: GET /api/audit (filtered, newest first, paged by `beforeId`) and GET /api/audit/export (CSV or JSON lines). */
export function auditRoutes(deps: { db: Db; adminToken: string | undefined }): Router {
  const router = idCheckedRouter();
  router.use('/api/audit', requireAdmin(deps.adminToken));

  router.get('/api/audit', async (req, res) => {
    const q = parseQuery(listSchema, req.query);
    // an admin or viewer sees the entries of the integrations given to them (src/api/admin/roles.ts)
    const entries = await listAudit(deps.db, { ...filterOf(q), integrationIds: visibleIntegrations(res), beforeId: q.beforeId, limit: q.limit + 1 });
    const page = entries.slice(0, q.limit);
    res.json({ entries: page.map(auditView), nextBeforeId: entries.length > q.limit ? page.at(-1)!.id : null });
  });

  router.get('/api/audit/export', async (req, res) => {
    const q = parseQuery(exportSchema, req.query);
    sendExport(res, q.format, await listAudit(deps.db, { ...filterOf(q), integrationIds: visibleIntegrations(res), limit: maxAuditExported }));
  });
  return router;
}
