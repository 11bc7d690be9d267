import type { IntegrationMapping, MappingCatalog, MappingIssue } from './schema';

/**
 * Checks a mapping against what exists in both accounts and against the function rules
 * (docs/sync.md): each CodeSignal user, Lever stage, archive reason and status appears at most once
 * on its side, and a status's Lever target maps back to that same status, so a change made on one
 * side and echoed by the other comes to rest instead of moving the candidate again.
 */
export function mappingIssues(mapping: IntegrationMapping, catalog: MappingCatalog): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  const leverUsers = new Map(catalog.leverUsers.map((u) => [u.id, u]));
  const csUsers = new Set(catalog.codesignalUsers.map((u) => u.id));
  const stages = new Set(catalog.leverStages.map((s) => s.id));
  const reasons = new Set(catalog.leverArchiveReasons.map((r) => r.id));

  /** Remembers the first index of each key; a second one is an issue at `path`. */
  const once = () => {
    const seen = new Map<string, number>();
    return (key: string, path: string, section: string, i: number) => {
      const first = seen.get(key);
      if (first !== undefined) issue(path, `${key} is already mapped at ${section}.${first}; each may be mapped once`);
      else seen.set(key, i);
    };
  };

  const csUserOnce = once();
  mapping.users.forEach((u, i) => {
    if (!csUsers.has(u.codesignalUserId)) issue(`users.${i}.codesignalUserId`, `unknown CodeSignal user ${u.codesignalUserId}`);
    else csUserOnce(u.codesignalUserId, `users.${i}.codesignalUserId`, 'users', i);
    const lever = leverUsers.get(u.leverUserId);
    if (!lever) issue(`users.${i}.leverUserId`, `unknown Lever user ${u.leverUserId}`);
    else if (!lever.active) issue(`users.${i}.leverUserId`, `Lever user ${lever.name} is deactivated`);
  });

  const stageOnce = once();
  const statusOfStage = new Map<string, string>();
  mapping.stages.forEach((s, i) => {
    if (!stages.has(s.leverStageId)) issue(`stages.${i}.leverStageId`, `unknown Lever stage ${s.leverStageId}`);
    else stageOnce(s.leverStageId, `stages.${i}.leverStageId`, 'stages', i);
    if (!statusOfStage.has(s.leverStageId)) statusOfStage.set(s.leverStageId, s.codesignalStatus);
  });

  const reasonOnce = once();
  const statusOfReason = new Map<string, string>();
  mapping.archiveReasons.forEach((r, i) => {
    if (!reasons.has(r.leverArchiveReasonId)) issue(`archiveReasons.${i}.leverArchiveReasonId`, `unknown Lever archive reason ${r.leverArchiveReasonId}`);
    else reasonOnce(r.leverArchiveReasonId, `archiveReasons.${i}.leverArchiveReasonId`, 'archiveReasons', i);
    if (!statusOfReason.has(r.leverArchiveReasonId)) statusOfReason.set(r.leverArchiveReasonId, r.codesignalStatus);
  });

  const statusOnce = once();
  mapping.statuses.forEach((s, i) => {
    statusOnce(s.codesignalStatus, `statuses.${i}.codesignalStatus`, 'statuses', i);
    const [field, targetId, known, back, what, section] =
      s.leverStageId !== undefined
        ? (['leverStageId', s.leverStageId, stages, statusOfStage, 'Lever stage', 'stages'] as const)
        : (['leverArchiveReasonId', s.leverArchiveReasonId!, reasons, statusOfReason, 'Lever archive reason', 'archiveReasons'] as const);
    const path = `statuses.${i}.${field}`;
    if (!known.has(targetId)) issue(path, `unknown ${what} ${targetId}`);
    else if (!back.has(targetId)) issue(path, `${what} ${targetId} is not mapped in ${section}; a status's target must map back to it`);
    else if (back.get(targetId) !== s.codesignalStatus) {
      issue(path, `${what} ${targetId} maps to ${back.get(targetId)} in ${section}, not ${s.codesignalStatus}; a status's target must map back to it`);
    }
  });
  return issues;
}
