import { auditDetails } from '../../audit/audit-log';
import express, { type Router } from 'express';
import { ExternalApiError } from '../../external-api-error';
import { autoFillMapping, mappingReview as review } from '../../integrations/mappings/auto-fill';
import { loadMappingCatalog } from '../../integrations/mappings/catalog';
import { loadMapping, saveMapping, type StoredMapping } from '../../integrations/mappings/repository';
import { integrationMappingSchema, SOURCING_STATUSES, type IntegrationMapping, type MappingCatalog } from '../../integrations/mappings/schema';
import { mappingIssues } from '../../integrations/mappings/validate';
import { type Integration } from '../../integrations/repository';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseBody } from '../validate';
import { requireAdmin } from './admin-auth';
import type { SetupRoutesDeps } from './setup';

/** An entry's identity, without the rule that produced it. */
const mappingEntryKey = (entry: object) =>
  JSON.stringify(Object.entries(entry).filter(([k, v]) => k !== 'rule' && v !== undefined).sort(([a], [b]) => a.localeCompare(b)));

/** For the audit log: per list, the entries added and removed (before → after). */
function mappingChanges(before: IntegrationMapping | undefined | null, after: IntegrationMapping, keyOf: (entry: object) => string) {
  const lists = ['users', 'stages', 'archiveReasons', 'statuses'] as const;
  return Object.fromEntries(
    lists.flatMap((list) => {
      const was = new Map((before?.[list] ?? []).map((e) => [keyOf(e), e] as const));
      const now = new Map(after[list].map((e) => [keyOf(e), e] as const));
      const added = [...now].filter(([k]) => !was.has(k)).map(([, e]) => ({ ...e, rule: undefined }));
      const removed = [...was].filter(([k]) => !now.has(k)).map(([, e]) => ({ ...e, rule: undefined }));
      return added.length + removed.length > 0 ? [[list, { added, removed }]] : [];
    }),
  );
}

/** Like the set-up routes, the mapping routes read an integration and both of its accounts. */
export type MappingRoutesDeps = SetupRoutesDeps;

/** The stored mapping with the names seen when it was written, and what was left unmapped then. */
function mappingView(m: StoredMapping) {
  const { labels } = m.review;
  return {
    integrationId: m.integrationId,
    source: m.source,
    updatedAt: m.updatedAt.toISOString(),
    users: m.users.map((u) => ({ ...u, codesignalUser: labels.codesignalUsers[u.codesignalUserId] ?? null, leverUser: labels.leverUsers[u.leverUserId] ?? null })),
    stages: m.stages.map((s) => ({ ...s, leverStage: labels.leverStages[s.leverStageId] ?? null })),
    archiveReasons: m.archiveReasons.map((r) => ({ ...r, leverArchiveReason: labels.leverArchiveReasons[r.leverArchiveReasonId] ?? null })),
    statuses: m.statuses.map((s) => ({
      ...s,
      ...(s.leverStageId !== undefined
        ? { leverStage: labels.leverStages[s.leverStageId] ?? null }
        : { leverArchiveReason: labels.leverArchiveReasons[s.leverArchiveReasonId!] ?? null }),
    })),
    unmapped: m.review.unmapped,
    checkedAt: m.review.checkedAt,
  };
}

/**
 * The read-only fields of `mappingView`, per level. The set-up UI sends back what GET answered with its
 * changes, so PUT removes exactly these before the strict schema refuses every other unknown field.
 */
const viewOnlyFields: Record<'top' | 'users' | 'stages' | 'archiveReasons' | 'statuses', readonly string[]> = {
  top: ['integrationId', 'source', 'updatedAt', 'unmapped', 'checkedAt'],
  users: ['rule', 'codesignalUser', 'leverUser'],
  stages: ['rule', 'leverStage'],
  archiveReasons: ['rule', 'leverArchiveReason'],
  statuses: ['rule', 'leverStage', 'leverArchiveReason'],
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const omit = (value: Record<string, unknown>, fields: readonly string[]) => Object.fromEntries(Object.entries(value).filter(([k]) => !fields.includes(k)));

function withoutViewFields(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const mapping = omit(body, viewOnlyFields.top);
  for (const list of ['users', 'stages', 'archiveReasons', 'statuses'] as const) {
    const entries = mapping[list];
    if (Array.isArray(entries)) mapping[list] = entries.map((e: unknown) => (isRecord(e) ? omit(e, viewOnlyFields[list]) : e));
  }
  return mapping;
}

/**
 * Admin API for an integration's user and stage mappings (docs/sync.md): compute them from both
 * APIs, read them, replace them. Every write is checked against both accounts first.
 */
export function mappingRoutes(deps: MappingRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/mappings';
  router.use(base, requireAdmin(deps.adminToken), express.json({ limit: '512kb' }));

  const integrationOf = (id: string) => integrationOr404(deps.db, deps.box, id);

  async function catalogOf(integration: Integration): Promise<MappingCatalog> {
    try {
      return await loadMappingCatalog(deps.clients.lever(integration), deps.clients.codesignal(integration));
    } catch (err) {
      if (err instanceof ExternalApiError) {
        const service = err.service === 'lever' ? 'Lever' : 'CodeSignal';
        throw new HttpError(502, `${err.service}_unavailable`, `could not read users and stages from ${service}: ${err.message}`);
      }
      throw err;
    }
  }

  // Replaces the mapping with what the rule table makes of both accounts as they are now.
  router.post(`${base}/auto`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const catalog = await catalogOf(integration);
    const mapping = autoFillMapping(catalog);
    const stored = await loadMapping(deps.db, integration.id);
    const saved = await saveMapping(deps.db, integration.id, mapping, 'auto', review(mapping, catalog));
    auditDetails(res, { changes: mappingChanges(stored, mapping, mappingEntryKey) });
    res.json(mappingView(saved));
  });

  // Everything both accounts hold that a mapping can name, for the set-up UI's choices.
  router.get(`${base}/catalog`, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    res.json({ ...(await catalogOf(integration)), codesignalStatuses: SOURCING_STATUSES });
  });

  router.get(base, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const mapping = await loadMapping(deps.db, integration.id);
    if (!mapping) throw new HttpError(404, 'no_mapping', `integration ${integration.id} has no mapping yet; POST ${req.baseUrl}${req.path}/auto computes one`);
    res.json(mappingView(mapping));
  });

  router.put(base, async (req, res) => {
    const integration = await integrationOf(req.params.integrationId!);
    const body = parseBody(integrationMappingSchema, withoutViewFields(req.body));
    // An entry the admin left as it was keeps the rule that produced it; a changed or new one is theirs.
    const stored = await loadMapping(deps.db, integration.id);
    const keyOf = mappingEntryKey;
    const keepRule = <T extends object>(entries: T[], before: Array<T & { rule: string | null }> | undefined) =>
      entries.map((entry) => ({ ...entry, rule: before?.find((b) => keyOf(b) === keyOf(entry))?.rule ?? null }));
    const mapping: IntegrationMapping = {
      users: keepRule(body.users, stored?.users),
      stages: keepRule(body.stages, stored?.stages),
      archiveReasons: keepRule(body.archiveReasons, stored?.archiveReasons),
      statuses: keepRule(body.statuses, stored?.statuses),
    };
    const catalog = await catalogOf(integration);
    const issues = mappingIssues(mapping, catalog);
    if (issues.length > 0) throw new HttpError(400, 'invalid_mapping', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
    const saved = await saveMapping(deps.db, integration.id, mapping, 'admin', review(mapping, catalog));
    auditDetails(res, { changes: mappingChanges(stored, mapping, keyOf) });
    res.json(mappingView(saved));
  });
  return router;
}
