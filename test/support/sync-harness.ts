import { randomUUID } from 'node:crypto';
import type { InspectedOpportunity } from '../../sandbox/lever/index';
import type { ImportAnswer, ImportCandidateRequest, SourcingStatus } from '../../src/api/sourcing/contract';
import { importWorkflowId } from '../../src/workflows/shared/ids';
import { importStateQuery, type ImportState } from '../../src/workflows/sourcing/import-messages';
import { startAssessmentHarness, type AssessmentHarness, type AssessmentHarnessOptions } from './assessment-harness';
import { readJson } from './lever-webhook';
import { adminToken, eventually } from './stack';

export interface SourcingCandidateInput {
  firstName: string;
  lastName: string;
  email?: string | null;
  profileUrl?: string | null;
  tags?: string[];
  status?: string;
  replied?: boolean;
}

/** An import call's body; omitted fields get made-up values. */
export type ImportInput = Partial<ImportCandidateRequest> & { name: string; emails: string[] };

export interface SyncHarness extends AssessmentHarness {
  /** The admin API as an admin calls it. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** CodeSignal's control API over HTTP (company routes get the demo company's prefix with `company:`). */
  codesignalControl(method: string, path: string, body?: unknown): Promise<Response>;
  /** Lever's control API over HTTP for the demo account (`account:` prefix) or the root. */
  leverControl(method: string, path: string, body?: unknown): Promise<Response>;
  addCodeSignalUser(name: string, email: string): Promise<{ id: string; email: string }>;
  /** A candidate in CodeSignal's sourcing (the sandbox's private data; replied unless said otherwise). */
  addSourcingCandidate(input: SourcingCandidateInput): Promise<{ id: string; email: string | null }>;
  /** A recruiter clicks the Lever icon in CodeSignal: the sandbox calls the sourcing API; answers what the service answered. */
  clickImport(candidateId: string, codesignalUserId: string): Promise<{ httpStatus: number | null; answer: ImportAnswer }>;
  /** The integration's sourcing token (made through the admin API at start). */
  sourcingToken: string;
  /** The sourcing API as CodeSignal's sourcing side calls it (`token` overrides the integration's). */
  sourcing(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** The import call; answers the HTTP status and the JSON answer. */
  importCandidate(input: ImportInput): Promise<{ status: number; answer: ImportAnswer & { workflowId?: string } }>;
  /** A status change reported through the sourcing API. */
  reportStatus(candidateId: string, report: { status: SourcingStatus; changedAt?: number; changedBy?: string | null }): Promise<Response>;
  /** Waits until an import run finished (its note included) and answers its final state. */
  importFinished(candidateId: string, done?: (s: ImportState) => boolean): Promise<ImportState>;
  /** Every opportunity in the Lever account whose contact has this e-mail. */
  opportunitiesFor(email: string): Array<InspectedOpportunity & { tags: string[]; links: string[]; emails: string[]; sources: string[] }>;
}

/** The assessment harness (both sandboxes over HTTP, API + worker on the run's servers) plus sourcing helpers. */
export async function startSyncHarness(opts: Pick<AssessmentHarnessOptions, 'codesignalResponseMode' | 'config'> = {}): Promise<SyncHarness> {
  const h = await startAssessmentHarness(opts);
  const companyId = h.sandboxes.codesignal.seed.companyId;
  const accountId = h.sandboxes.lever.seed.accountId;
  const json = (body: unknown) => (body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const call = (base: string) => async (method: string, path: string, body?: unknown) => fetch(`${base}${path}`, { method, ...json(body) });
  const expectOk = async (res: Response) => {
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return readJson(res);
  };
  const codesignalControl = (method: string, path: string, body?: unknown) =>
    call(`${h.sandboxes.codesignal.url}/_sandbox`)(method, path.replace(/^company:/, `/companies/${companyId}`), body);
  const leverControl = (method: string, path: string, body?: unknown) =>
    call(`${h.sandboxes.lever.url}/_sandbox`)(method, path.replace(/^account:/, `/accounts/${accountId}`), body);
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${h.stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const current = (await expectOk(await admin('POST', `/api/integrations/${h.integration.id}/sourcing/token`))) as { token: string };
  // CodeSignal's side calls with the new token (the demo wiring connected it with the one made at start)
  h.sandboxes.codesignalSandbox.control.setSourcingConnection(companyId, { token: current.token });
  const sourcing = (method: string, path: string, body?: unknown, token = current.token) =>
    fetch(`${h.stack.baseUrl}/api/sourcing/${h.integration.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    ...h,
    admin,
    codesignalControl,
    leverControl,
    get sourcingToken() {
      return current.token;
    },
    set sourcingToken(token: string) {
      current.token = token;
      h.sandboxes.codesignalSandbox.control.setSourcingConnection(companyId, { token });
    },
    addCodeSignalUser: async (name, email) => expectOk(await codesignalControl('POST', 'company:/users', { name, email })),
    addSourcingCandidate: async (input) => expectOk(await codesignalControl('POST', 'company:/sourcing-candidates', { replied: true, ...input })),
    clickImport: async (candidateId, userId) => expectOk(await codesignalControl('POST', `/sourcing-candidates/${candidateId}/import`, { userId })),
    sourcing,
    importCandidate: async (input) => {
      const res = await sourcing('POST', '/candidates', {
        codesignalCandidateId: `cs_${randomUUID().replace(/-/g, '').slice(0, 17)}`,
        sourcedBy: { codesignalUserId: h.sandboxes.codesignal.seed.users[0]!.id },
        ...input,
      });
      return { status: res.status, answer: (await readJson(res)) as ImportAnswer };
    },
    reportStatus: (candidateId, report) =>
      sourcing('POST', `/candidates/${candidateId}/status`, {
        status: report.status,
        changedAt: new Date(report.changedAt ?? Date.now()).toISOString(),
        changedBy: report.changedBy ? { codesignalUserId: report.changedBy } : null,
      }),
    importFinished: async (candidateId, done = (s) => s.status === 'imported' || s.status === 'failed') => {
      const handle = h.stack.client.workflow.getHandle(importWorkflowId(h.integration.id, candidateId));
      await eventually(async () => {
        const state = await handle.query(importStateQuery);
        if (!done(state)) throw new Error(`import of ${candidateId} is ${state.status}`);
      }, 30_000, 200);
      // the run that answered the query; its result includes the note
      const { runId } = await handle.describe();
      return h.stack.client.workflow.getHandle(importWorkflowId(h.integration.id, candidateId), runId).result().catch(() => handle.query(importStateQuery));
    },
    opportunitiesFor: (email) =>
      h.sandboxes.leverSandbox.recruiter
        .opportunities(accountId)
        .filter((o) => ((o as { emails?: string[] }).emails ?? []).some((e) => e.toLowerCase() === email.toLowerCase())) as ReturnType<SyncHarness['opportunitiesFor']>,
  };
}
