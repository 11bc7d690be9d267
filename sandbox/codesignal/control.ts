import * as catalog from './catalog';
import { notFound } from './errors';
import { sessionView, type SessionView } from './control-views';
import type { WebhookEventName } from './events';
import type { FaultConfig, FaultRegistry } from './faults';
import * as interviews from './interviews';
import type { AccessType } from './permissions';
import type { FieldRateLimiter } from './rate-limit';
import type { RequestLog } from './request-log';
import type { Runtime } from './runtime';
import { createPublicLinkSession, type PublicLinkSessionInput, type PublicLinkSessionView } from './public-links';
import * as lifecycle from './session-lifecycle';
import * as sourcing from './sourcing';
import type {
  ApiKeyRecord,
  CompanyData,
  CompanySettings,
  FeedDeliveryRecord,
  InterviewRecord,
  SourcingCallRecord,
  SourcingCandidateRecord,
  SourcingCandidateStatus,
} from './state';
import type { Delivery, EndpointInput, WebhookDispatcher } from './webhooks';

/**
 * Everything the sandbox can do outside the public API: set up companies, act as candidate,
 * interviewer, recruiter or auditor, inspect state, and inject faults. The HTTP control API and the
 * seed are thin layers over this class.
 */
export class SandboxControl {
  constructor(
    private readonly rt: Runtime,
    private readonly webhooks: WebhookDispatcher,
    private readonly faultRegistry: FaultRegistry,
    private readonly requestLog: RequestLog,
    private readonly limiter: FieldRateLimiter,
  ) {}

  private company(id: string): CompanyData {
    return this.rt.store.requireCompany(id);
  }

  private sessionOwner(id: string): CompanyData {
    const found = this.rt.store.findSession(id);
    if (!found) throw notFound('Company test session', id);
    return found.data;
  }

  private interviewOwner(id: string): CompanyData {
    const found = this.rt.store.findInterview(id);
    if (!found) throw notFound('Live interview', id);
    return found.data;
  }

  private candidateOwner(id: string): CompanyData {
    const found = this.rt.store.findSourcingCandidate(id);
    if (!found) throw notFound('Sourcing candidate', id);
    return found.data;
  }

  // ---- companies and settings

  createCompany(input: { name: string; id?: string; settings?: Partial<CompanySettings> }): CompanyData {
    const { options } = this.rt;
    return this.rt.store.createCompany({
      id: input.id,
      name: input.name,
      createDate: this.rt.now(),
      settings: {
        reactivationCarriesExternalId: options.reactivationCarriesExternalId,
        reactivationAnswers: options.reactivationAnswers,
        responseMode: options.responseMode,
        ...input.settings,
      },
    });
  }

  getCompany(id: string): CompanyData {
    return this.company(id);
  }

  listCompanies(): CompanyData[] {
    return this.rt.store.listCompanies();
  }

  updateSettings(companyId: string, patch: Partial<CompanySettings>): CompanySettings {
    const data = this.company(companyId);
    data.settings = { ...data.settings, ...patch };
    return { ...data.settings };
  }

  deleteCompany(companyId: string): void {
    this.company(companyId);
    this.webhooks.resetCompany(companyId);
    this.faultRegistry.reset(companyId);
    this.requestLog.clear(companyId);
    this.rt.store.deleteCompany(companyId);
  }

  /**
   * Clears what happened (sessions, interviews, emails, deliveries, requests, faults, sourcing calls and
   * feed deliveries); keeps setup (the sourcing connection too) and candidates' base data.
   */
  resetCompany(companyId: string): void {
    const data = this.company(companyId);
    data.sessions.clear();
    data.interviews.clear();
    data.outbox.length = 0;
    for (const c of data.sourcingCandidates.values()) Object.assign(c, { importRequestedAt: null, importRequestedByUserId: null, leverOpportunityId: null });
    data.sourcingFeed.length = 0;
    data.sourcingCalls.length = 0;
    if (data.sourcingConnection) data.sourcingConnection.failNextFeedDeliveries = 0;
    this.webhooks.clearDeliveries(companyId);
    this.faultRegistry.reset(companyId);
    this.requestLog.clear(companyId);
  }

  resetAll(): void {
    this.webhooks.clear();
    this.faultRegistry.clear();
    this.requestLog.clear();
    this.limiter.reset();
    this.rt.store.clear();
  }

  // ---- setup

  createApiKey(companyId: string, input: { permissions: 'all' | AccessType[]; key?: string; label?: string }): ApiKeyRecord {
    return catalog.createApiKey(this.rt, this.company(companyId), input);
  }

  revokeApiKey(companyId: string, key: string): void {
    if (!this.rt.store.revokeApiKey(this.company(companyId), key)) throw notFound('API key', key.slice(0, 6));
  }

  createUser(companyId: string, input: Parameters<typeof catalog.createUser>[2]) {
    return catalog.createUser(this.rt, this.company(companyId), input);
  }

  createTest(companyId: string, input: catalog.TestInput) {
    return catalog.createTest(this.rt, this.company(companyId), input);
  }

  createInterviewTemplate(companyId: string, input: Parameters<typeof catalog.createInterviewTemplate>[2]) {
    return catalog.createInterviewTemplate(this.rt, this.company(companyId), input);
  }

  createSourcingCandidate(companyId: string, input: Parameters<typeof catalog.createSourcingCandidate>[2]) {
    return catalog.createSourcingCandidate(this.rt, this.company(companyId), input);
  }

  // ---- webhooks

  addWebhookEndpoint(companyId: string, input: EndpointInput) {
    this.company(companyId);
    return this.webhooks.addEndpoint(companyId, input);
  }

  updateWebhookEndpoint(companyId: string, endpointId: string, patch: Partial<EndpointInput>) {
    return this.webhooks.updateEndpoint(companyId, endpointId, patch);
  }

  /** Disables the endpoint as CodeSignal does after 25 failed deliveries (its queue dropped); re-enabled by updateWebhookEndpoint. */
  disableWebhookEndpoint(companyId: string, endpointId: string) {
    return this.webhooks.disableEndpoint(companyId, endpointId);
  }

  removeWebhookEndpoint(companyId: string, endpointId: string): void {
    this.webhooks.removeEndpoint(companyId, endpointId);
  }

  webhookEndpoints(companyId: string) {
    this.company(companyId);
    return this.webhooks.listEndpoints(companyId);
  }

  deliveries(companyId: string, filter: { event?: WebhookEventName; endpointId?: string; state?: Delivery['state'] } = {}): Delivery[] {
    this.company(companyId);
    return this.webhooks
      .deliveries(companyId)
      .filter((d) => (!filter.event || d.event === filter.event) && (!filter.endpointId || d.endpointId === filter.endpointId) && (!filter.state || d.state === filter.state));
  }

  redeliver(companyId: string, deliveryId: string): Delivery {
    return this.webhooks.redeliver(companyId, deliveryId);
  }

  // ---- the candidate and CodeSignal's auditors

  startSession(id: string) {
    return lifecycle.startSession(this.rt, this.sessionOwner(id), id);
  }

  timeUp(id: string) {
    return lifecycle.enterGracePeriod(this.sessionOwner(id), id);
  }

  submitSession(id: string, submission: lifecycle.Submission) {
    return lifecycle.submitSession(this.rt, this.sessionOwner(id), id, submission);
  }

  finishScoring(id: string) {
    return lifecycle.finishScoring(this.rt, this.sessionOwner(id), id);
  }

  verifySession(id: string) {
    return lifecycle.verifySession(this.rt, this.sessionOwner(id), id);
  }

  rejectSession(id: string, reasons: lifecycle.RejectionReason[], grantRetake = false) {
    return lifecycle.rejectSession(this.rt, this.sessionOwner(id), id, reasons, grantRetake);
  }

  expireSession(id: string, reason: 'testNotTaken' | 'notCertified' = 'testNotTaken') {
    return lifecycle.expireSession(this.rt, this.sessionOwner(id), id, reason);
  }

  expireOverdue(companyId: string) {
    return lifecycle.expireOverdue(this.rt, this.company(companyId));
  }

  declineSession(id: string) {
    return lifecycle.declineSession(this.rt, this.sessionOwner(id), id);
  }

  /** CodeSignal deleted the test taker's data on their request (no webhook). */
  deleteSessionForPii(id: string) {
    return lifecycle.deleteSessionForPii(this.sessionOwner(id), id);
  }

  updateIntegrityReview(id: string, suggested: boolean) {
    return lifecycle.updateIntegrityReview(this.rt, this.sessionOwner(id), id, suggested);
  }

  sendReminder(id: string, templateName?: string) {
    return lifecycle.sendReminder(this.rt, this.sessionOwner(id), id, templateName);
  }

  // ---- the interviewer

  startInterview(id: string) {
    return interviews.startInterview(this.rt, this.interviewOwner(id), id);
  }

  finishInterview(id: string, outcome: Parameters<typeof interviews.finishInterview>[3]) {
    return interviews.finishInterview(this.rt, this.interviewOwner(id), id, outcome);
  }

  submitFeedback(id: string, input: interviews.FeedbackInput) {
    return interviews.submitFeedback(this.rt, this.interviewOwner(id), id, input);
  }

  // ---- the recruiter: CodeSignal's sourcing side of the sourcing contract (sourcing.ts)

  /** Where the company's sourcing side reaches the service; creating one needs `serviceBaseUrl`, `token` and `feedSecret`, later calls may patch. */
  setSourcingConnection(companyId: string, input: sourcing.SourcingConnectionInput): sourcing.SourcingConnectionView {
    return sourcing.setConnection(this.rt, this.company(companyId), input);
  }

  /** The connection without its secrets (`serviceBaseUrl: null` when there is none) and the feed URL to give the service. */
  sourcingConnection(companyId: string): sourcing.SourcingConnectionView {
    return sourcing.connectionView(this.rt, this.company(companyId));
  }

  removeSourcingConnection(companyId: string): void {
    sourcing.removeConnection(this.company(companyId));
  }

  /** The recruiter clicks the Lever icon: POSTs the import to the service and answers what it answered. */
  importCandidate(candidateId: string, click: { userId: string; postingId?: string | null }): Promise<sourcing.ServiceCallResult> {
    return sourcing.importCandidate(this.rt, this.candidateOwner(candidateId), candidateId, click);
  }

  /** A status change in CodeSignal, reported to the service unless `report: false` (or there is no connection). */
  changeCandidateStatus(
    candidateId: string,
    change: { status: SourcingCandidateStatus; userId: string | null; report?: boolean },
  ): Promise<{ candidate: SourcingCandidateRecord; report: sourcing.ServiceCallResult | null }> {
    return sourcing.changeStatus(this.rt, this.candidateOwner(candidateId), candidateId, change);
  }

  markReplied(candidateId: string, userId: string | null = null) {
    return sourcing.markReplied(this.rt, this.candidateOwner(candidateId), candidateId, userId);
  }

  /** Status feed deliveries the company received, oldest first. */
  sourcingFeed(companyId: string): FeedDeliveryRecord[] {
    return this.company(companyId).sourcingFeed.map((d) => ({ ...d }));
  }

  /** Calls the company's sourcing side made to the service (imports, status reports), oldest first. */
  sourcingCalls(companyId: string): SourcingCallRecord[] {
    return [...this.company(companyId).sourcingCalls];
  }

  // ---- a candidate taking a test through its public link

  createPublicLinkSession(companyId: string, input: PublicLinkSessionInput): PublicLinkSessionView {
    return createPublicLinkSession(this.rt, this.company(companyId), input);
  }

  // ---- inspection

  session(id: string): SessionView {
    const data = this.sessionOwner(id);
    return sessionView(this.rt, data, data.sessions.get(id)!);
  }

  sessions(companyId: string): SessionView[] {
    const data = this.company(companyId);
    return [...data.sessions.values()].sort((a, b) => a.createDate - b.createDate).map((s) => sessionView(this.rt, data, s));
  }

  interviews(companyId: string): Array<InterviewRecord & { url: string; shortenedUrl: string }> {
    return [...this.company(companyId).interviews.values()].map((i) => ({ ...i, url: interviews.roomUrl(this.rt, i), shortenedUrl: interviews.shortUrl(this.rt, i) }));
  }

  interview(id: string): InterviewRecord {
    return this.interviewOwner(id).interviews.get(id)!;
  }

  sourcingCandidates(companyId: string) {
    return [...this.company(companyId).sourcingCandidates.values()];
  }

  sourcingCandidate(id: string) {
    return this.candidateOwner(id).sourcingCandidates.get(id)!;
  }

  outbox(companyId: string) {
    return [...this.company(companyId).outbox];
  }

  requests(filter: Parameters<RequestLog['list']>[0] = {}) {
    return this.requestLog.list(filter);
  }

  // ---- faults

  faults(companyId: string): FaultConfig {
    this.company(companyId);
    return this.faultRegistry.get(companyId);
  }

  setFaults(companyId: string, patch: Partial<FaultConfig>): FaultConfig {
    this.company(companyId);
    return this.faultRegistry.set(companyId, patch);
  }

  clearFaults(companyId: string): FaultConfig {
    this.company(companyId);
    this.faultRegistry.reset(companyId);
    return this.faultRegistry.get(companyId);
  }
}
