import { matchArchiveReasonRule, matchStageRule, normalizeEmail } from './rules';
import {
  SOURCING_STATUSES,
  type ArchiveReasonMapping, type IntegrationMapping, type MappingCatalog, type MappingLabels, type StageMapping, type StatusMapping,
  type MappingReview, type UnmappedEntries, type UserMapping,
} from './schema';

/** CodeSignal users ↔ active Lever users with the same e-mail; an e-mail two Lever users share maps to neither. */
export function autoMapUsers(catalog: MappingCatalog): UserMapping[] {
  const byEmail = new Map<string, string[]>();
  for (const u of catalog.leverUsers.filter((u) => u.active)) {
    const key = normalizeEmail(u.email);
    byEmail.set(key, [...(byEmail.get(key) ?? []), u.id]);
  }
  return catalog.codesignalUsers.flatMap((cs) => {
    const matches = byEmail.get(normalizeEmail(cs.email)) ?? [];
    return matches.length === 1 ? [{ codesignalUserId: cs.id, leverUserId: matches[0]!, rule: 'email' }] : [];
  });
}

/**
 * Stages and archive reasons by the rule table, then for each status the Lever target: the first
 * stage (pipeline order) or active reason matched by the status's `reverse` rule, else the first
 * one mapped to the status. Every target maps back to its status, as validation demands.
 */
export function autoMapStages(catalog: MappingCatalog): Pick<IntegrationMapping, 'stages' | 'archiveReasons' | 'statuses'> {
  const stageRules = catalog.leverStages.map((s) => ({ stage: s, rule: matchStageRule(s) }));
  const reasonRules = catalog.leverArchiveReasons.map((r) => ({ reason: r, rule: matchArchiveReasonRule(r) }));
  const stages: StageMapping[] = stageRules.flatMap(({ stage, rule }) =>
    rule ? [{ leverStageId: stage.id, codesignalStatus: rule.status, rule: rule.id }] : [],
  );
  const archiveReasons: ArchiveReasonMapping[] = reasonRules.flatMap(({ reason, rule }) =>
    rule ? [{ leverArchiveReasonId: reason.id, codesignalStatus: rule.status, rule: rule.id }] : [],
  );

  const statuses: StatusMapping[] = [];
  for (const status of SOURCING_STATUSES) {
    const toStatus = stageRules.filter((s) => s.rule?.status === status);
    const stage = toStatus.find((s) => s.rule!.reverse) ?? toStatus[0];
    if (stage) {
      statuses.push({ codesignalStatus: status, leverStageId: stage.stage.id, rule: stage.rule!.id });
      continue;
    }
    const reasons = reasonRules.filter((r) => r.reason.active && r.rule?.status === status);
    const reason = reasons.find((r) => r.rule!.reverse) ?? reasons[0];
    if (reason) statuses.push({ codesignalStatus: status, leverArchiveReasonId: reason.reason.id, rule: reason.rule!.id });
  }
  return { stages, archiveReasons, statuses };
}

export function autoFillMapping(catalog: MappingCatalog): IntegrationMapping {
  return { users: autoMapUsers(catalog), ...autoMapStages(catalog) };
}

/** What the mapping leaves out, against what exists now. */
export function unmappedEntries(mapping: IntegrationMapping, catalog: MappingCatalog): UnmappedEntries {
  const mappedCs = new Set(mapping.users.map((u) => u.codesignalUserId));
  const mappedLever = new Set(mapping.users.map((u) => u.leverUserId));
  const mappedStages = new Set(mapping.stages.map((s) => s.leverStageId));
  const mappedReasons = new Set(mapping.archiveReasons.map((r) => r.leverArchiveReasonId));
  const mappedStatuses = new Set(mapping.statuses.map((s) => s.codesignalStatus));
  return {
    leverUsers: catalog.leverUsers.filter((u) => u.active && !mappedLever.has(u.id)).map(({ id, name, email }) => ({ id, name, email })),
    codesignalUsers: catalog.codesignalUsers.filter((u) => !mappedCs.has(u.id)),
    leverStages: catalog.leverStages.filter((s) => !mappedStages.has(s.id)),
    leverArchiveReasons: catalog.leverArchiveReasons.filter((r) => r.active && !mappedReasons.has(r.id)).map(({ id, text, type }) => ({ id, text, type })),
    codesignalStatuses: SOURCING_STATUSES.filter((s) => !mappedStatuses.has(s)),
  };
}

/** Names of everything in the catalog, kept with the mapping for reviews. */
export function catalogLabels(catalog: MappingCatalog): MappingLabels {
  return {
    leverUsers: Object.fromEntries(catalog.leverUsers.map((u) => [u.id, { name: u.name, email: u.email }])),
    codesignalUsers: Object.fromEntries(catalog.codesignalUsers.map((u) => [u.id, { name: u.name, email: u.email }])),
    leverStages: Object.fromEntries(catalog.leverStages.map((s) => [s.id, s.text])),
    leverArchiveReasons: Object.fromEntries(catalog.leverArchiveReasons.map((r) => [r.id, { text: r.text, type: r.type }])),
  };
}

/** What an admin reviews next to a mapping: the names seen when it was written, and what was left unmapped. */
export const mappingReview = (mapping: IntegrationMapping, catalog: MappingCatalog): MappingReview => ({
  checkedAt: new Date().toISOString(),
  labels: catalogLabels(catalog),
  unmapped: unmappedEntries(mapping, catalog),
});
