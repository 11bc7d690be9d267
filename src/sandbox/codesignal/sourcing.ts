/**
 * SANDBOX ASSUMPTION — CodeSignal's public API has no sourcing objects (reference §9).
 * This module invents the smallest surface the Lever import / status-sync feature needs.
 */
import { invalid, notFound } from './errors';
import { importRequestedPayload } from './events';
import type { Runtime } from './runtime';
import type { CompanyData, SourcingCandidateRecord, SourcingCandidateStatus } from './state';

export type ChangeSource = 'api' | 'ui';

export function requireCandidate(data: CompanyData, id: string): SourcingCandidateRecord {
  const candidate = data.sourcingCandidates.get(id);
  if (!candidate) throw notFound('Sourcing candidate', id);
  return candidate;
}

function requireUser(data: CompanyData, userId: string): void {
  if (!data.users.has(userId)) throw invalid(`User ${userId} is not a user of this company`);
}

/**
 * Changes a candidate's status. UI changes always fire `sourcingCandidateStatusChanged`;
 * API changes fire it only when the company setting says so. Setting the same status is a no-op.
 */
export function changeStatus(
  rt: Runtime,
  data: CompanyData,
  id: string,
  change: { status: SourcingCandidateStatus; source: ChangeSource; userId: string | null; externalRef?: string | null },
): SourcingCandidateRecord {
  const candidate = requireCandidate(data, id);
  if (change.userId !== null) requireUser(data, change.userId);
  if (change.externalRef !== undefined && change.externalRef !== null) candidate.externalRef = change.externalRef;
  if (candidate.status === change.status) return candidate;
  const fromStatus = candidate.status;
  candidate.status = change.status;
  candidate.statusUpdatedAt = rt.now();
  candidate.statusUpdatedByUserId = change.userId;
  if (change.status === 'replied') candidate.replied = true;
  const fire = change.source === 'ui' || data.settings.sourcingApiStatusChangesFireWebhook;
  if (fire) {
    rt.emit(data, 'sourcingCandidateStatusChanged', {
      candidateId: candidate.id,
      fromStatus,
      toStatus: change.status,
      changedByUserId: change.userId,
      changeSource: change.source,
      ...(candidate.externalRef !== null ? { externalRef: candidate.externalRef } : {}),
    });
  }
  return candidate;
}

/** Recruiter clicks "import to Lever" (CodeSignal allows it once the candidate has replied). */
export function requestImport(rt: Runtime, data: CompanyData, id: string, userId: string): SourcingCandidateRecord {
  const candidate = requireCandidate(data, id);
  requireUser(data, userId);
  if (!candidate.replied) throw invalid('Only candidates who replied can be imported');
  candidate.importRequestedAt = rt.now();
  candidate.importRequestedByUserId = userId;
  rt.emit(data, 'sourcingCandidateImportRequested', importRequestedPayload(candidate, userId));
  return candidate;
}

/** The candidate answered the recruiter's message: `replied` becomes true, a `contacted` status moves to `replied`. */
export function markReplied(rt: Runtime, data: CompanyData, id: string, userId: string | null): SourcingCandidateRecord {
  const candidate = requireCandidate(data, id);
  candidate.replied = true;
  if (candidate.status === 'contacted') changeStatus(rt, data, id, { status: 'replied', source: 'ui', userId });
  return candidate;
}
