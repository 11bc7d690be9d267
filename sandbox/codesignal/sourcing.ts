/**
 * CodeSignal's sourcing side, as the sandbox plays it. CodeSignal's public API has no sourcing objects
 * (reference §9), so sourced candidates are the sandbox's private state; they reach the service only
 * through the open sourcing contract the service offers (src/api/sourcing/contract.ts):
 * - the recruiter clicks the Lever icon → `POST {serviceBaseUrl}/candidates` (Bearer token);
 * - a recruiter changes a status → `POST {serviceBaseUrl}/candidates/{id}/status`;
 * - the service's signed status feed comes back to `POST /sourcing-feed/:companyId` (sourcing-feed.ts).
 */
import type { ImportCandidateRequest, StatusChangeRequest } from '../../src/api/sourcing/contract';
import { conflict, invalid, notFound } from './errors';
import { postJson, type JsonCallOutcome } from './http-post';
import type { Runtime } from './runtime';
import type { CompanyData, SourcingCallRecord, SourcingCandidateRecord, SourcingCandidateStatus, SourcingConnection, UserRecord } from './state';

export function requireCandidate(data: CompanyData, id: string): SourcingCandidateRecord {
  const candidate = data.sourcingCandidates.get(id);
  if (!candidate) throw notFound('Sourcing candidate', id);
  return candidate;
}

function requireUser(data: CompanyData, userId: string): UserRecord {
  const user = data.users.get(userId);
  if (!user) throw invalid(`User ${userId} is not a user of this company`);
  return user;
}

function requireConnection(data: CompanyData): SourcingConnection {
  if (!data.sourcingConnection) throw conflict(`Company ${data.id} has no sourcing connection (PUT /_sandbox/companies/${data.id}/sourcing-connection)`);
  return data.sourcingConnection;
}

// ---- the connection

/** What the control API shows of a connection: never the secrets. */
export interface SourcingConnectionView {
  serviceBaseUrl: string | null;
  tokenSet: boolean;
  feedSecretSet: boolean;
  failNextFeedDeliveries: number;
  /** Where the service should send the status feed for this company. */
  feedUrl: string;
}

export interface SourcingConnectionInput {
  serviceBaseUrl?: string;
  token?: string;
  feedSecret?: string;
  failNextFeedDeliveries?: number;
}

export function feedUrl(rt: Runtime, data: CompanyData): string {
  return `${rt.baseUrl()}/sourcing-feed/${encodeURIComponent(data.id)}`;
}

export function connectionView(rt: Runtime, data: CompanyData): SourcingConnectionView {
  const c = data.sourcingConnection;
  return {
    serviceBaseUrl: c?.serviceBaseUrl ?? null,
    tokenSet: Boolean(c?.token),
    feedSecretSet: Boolean(c?.feedSecret),
    failNextFeedDeliveries: c?.failNextFeedDeliveries ?? 0,
    feedUrl: feedUrl(rt, data),
  };
}

/** Creates or updates (merges) the connection; a new one needs all of `serviceBaseUrl`, `token` and `feedSecret`. */
export function setConnection(rt: Runtime, data: CompanyData, input: SourcingConnectionInput): SourcingConnectionView {
  const current = data.sourcingConnection;
  const serviceBaseUrl = (input.serviceBaseUrl ?? current?.serviceBaseUrl)?.replace(/\/+$/, '');
  const token = input.token ?? current?.token;
  const feedSecret = input.feedSecret ?? current?.feedSecret;
  const missing = Object.entries({ serviceBaseUrl, token, feedSecret })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) throw invalid(`a sourcing connection needs ${missing.join(', ')}`);
  data.sourcingConnection = {
    serviceBaseUrl: serviceBaseUrl!,
    token: token!,
    feedSecret: feedSecret!,
    failNextFeedDeliveries: input.failNextFeedDeliveries ?? current?.failNextFeedDeliveries ?? 0,
  };
  return connectionView(rt, data);
}

export function removeConnection(data: CompanyData): void {
  data.sourcingConnection = null;
}

// ---- calls to the service

export type ServiceCallResult = JsonCallOutcome;

async function callService(
  rt: Runtime,
  data: CompanyData,
  kind: SourcingCallRecord['kind'],
  candidate: SourcingCandidateRecord,
  path: string,
  body: ImportCandidateRequest | StatusChangeRequest,
): Promise<ServiceCallResult> {
  const connection = requireConnection(data);
  const url = `${connection.serviceBaseUrl}${path}`;
  const outcome = await postJson(url, body, { authorization: `Bearer ${connection.token}` }, rt.options.webhookTimeoutMs);
  data.sourcingCalls.push({ at: rt.now(), kind, candidateId: candidate.id, url, requestBody: { ...body }, ...outcome });
  if (outcome.error) rt.logger.warn({ url, error: outcome.error }, 'sourcing call to the service failed');
  return outcome;
}

/** The candidate's page in the sandbox (stable: it only depends on the id). */
export function profileUrl(rt: Runtime, candidate: SourcingCandidateRecord): string {
  return `${rt.baseUrl()}/candidate/${encodeURIComponent(candidate.id)}`;
}

/** What CodeSignal sends when a recruiter clicks the Lever icon on a candidate. */
export function importRequestBody(rt: Runtime, candidate: SourcingCandidateRecord, user: UserRecord, postingId: string | null): ImportCandidateRequest {
  return {
    codesignalCandidateId: candidate.id,
    name: `${candidate.firstName} ${candidate.lastName}`.trim(),
    emails: candidate.email ? [candidate.email] : [],
    phones: [...candidate.phones],
    profileUrl: profileUrl(rt, candidate),
    links: candidate.profileUrl ? [candidate.profileUrl] : [],
    tags: [...candidate.tags],
    sourcedBy: { codesignalUserId: user.id, name: user.name, email: user.email },
    postingId,
  };
}

/**
 * The recruiter clicks the Lever icon (CodeSignal offers it once the candidate has replied): records
 * the click and POSTs the import to the service; answers what the service answered.
 */
export async function importCandidate(
  rt: Runtime,
  data: CompanyData,
  id: string,
  click: { userId: string; postingId?: string | null },
): Promise<ServiceCallResult> {
  const candidate = requireCandidate(data, id);
  const user = requireUser(data, click.userId);
  if (!candidate.replied) throw invalid('Only candidates who replied can be imported');
  requireConnection(data);
  candidate.importRequestedAt = rt.now();
  candidate.importRequestedByUserId = user.id;
  const outcome = await callService(rt, data, 'import', candidate, '/candidates', importRequestBody(rt, candidate, user, click.postingId ?? null));
  const opportunityId = (outcome.answer as { leverOpportunityId?: unknown } | null)?.leverOpportunityId;
  if (outcome.httpStatus !== null && outcome.httpStatus < 300 && typeof opportunityId === 'string') candidate.leverOpportunityId = opportunityId;
  return outcome;
}

/** Sets the status; false when it already was that status (nothing changes then). */
export function applyStatus(rt: Runtime, candidate: SourcingCandidateRecord, status: SourcingCandidateStatus, userId: string | null, at: number = rt.now()): boolean {
  if (candidate.status === status) return false;
  candidate.status = status;
  candidate.statusUpdatedAt = at;
  candidate.statusUpdatedByUserId = userId;
  if (status === 'replied') candidate.replied = true;
  return true;
}

/**
 * A status change in CodeSignal (a recruiter, or `userId: null` for an automation). Reported to the
 * service when `report` and the company has a sourcing connection; the same status again changes
 * nothing and reports nothing.
 */
export async function changeStatus(
  rt: Runtime,
  data: CompanyData,
  id: string,
  change: { status: SourcingCandidateStatus; userId: string | null; report?: boolean },
): Promise<{ candidate: SourcingCandidateRecord; report: ServiceCallResult | null }> {
  const candidate = requireCandidate(data, id);
  if (change.userId !== null) requireUser(data, change.userId);
  if (!applyStatus(rt, candidate, change.status, change.userId)) return { candidate, report: null };
  if (change.report === false || !data.sourcingConnection) return { candidate, report: null };
  const body: StatusChangeRequest = {
    status: change.status,
    changedAt: new Date(candidate.statusUpdatedAt!).toISOString(),
    changedBy: change.userId !== null ? { codesignalUserId: change.userId } : null,
  };
  const report = await callService(rt, data, 'status', candidate, `/candidates/${encodeURIComponent(candidate.id)}/status`, body);
  return { candidate, report };
}

/** The candidate answered the recruiter's message: `replied` becomes true, a `contacted` status moves to `replied` (not reported: nothing is imported before a reply). */
export function markReplied(rt: Runtime, data: CompanyData, id: string, userId: string | null): SourcingCandidateRecord {
  const candidate = requireCandidate(data, id);
  if (userId !== null) requireUser(data, userId);
  candidate.replied = true;
  if (candidate.status === 'contacted') applyStatus(rt, candidate, 'replied', userId);
  return candidate;
}
