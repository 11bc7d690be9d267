import type { InspectedOpportunity } from '../../src/sandbox/lever';
import { importWorkflowId } from '../../src/workflows/ids';
import { importStateQuery, type ImportState } from '../../src/workflows/import-messages';
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

export interface SyncHarness extends AssessmentHarness {
  /** The admin API as an admin calls it. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** CodeSignal's control API over HTTP (company routes get the demo company's prefix with `company:`). */
  codesignalControl(method: string, path: string, body?: unknown): Promise<Response>;
  /** Lever's control API over HTTP for the demo account (`account:` prefix) or the root. */
  leverControl(method: string, path: string, body?: unknown): Promise<Response>;
  addCodeSignalUser(name: string, email: string): Promise<{ id: string; email: string }>;
  addSourcingCandidate(input: SourcingCandidateInput): Promise<{ id: string; email: string | null }>;
  /** A recruiter clicks "import to Lever" in CodeSignal; the sandbox sends the webhook to the service. */
  requestImport(candidateId: string, codesignalUserId: string): Promise<void>;
  /** Waits until an import run finished (its note included) and answers its final state. */
  importFinished(candidateId: string, done?: (s: ImportState) => boolean): Promise<ImportState>;
  /** Every opportunity in the Lever account whose contact has this e-mail. */
  opportunitiesFor(email: string): Array<InspectedOpportunity & { tags: string[]; links: string[]; emails: string[]; sources: string[] }>;
}

/** The assessment harness (both sandboxes over HTTP, API + worker on the run's servers) plus sourcing helpers. */
export async function startSyncHarness(opts: Pick<AssessmentHarnessOptions, 'codesignalResponseMode'> = {}): Promise<SyncHarness> {
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

  return {
    ...h,
    admin: (method, path, body) =>
      fetch(`${h.stack.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    codesignalControl,
    leverControl,
    addCodeSignalUser: async (name, email) => expectOk(await codesignalControl('POST', 'company:/users', { name, email })),
    addSourcingCandidate: async (input) => expectOk(await codesignalControl('POST', 'company:/sourcing-candidates', { replied: true, ...input })),
    requestImport: async (candidateId, userId) => {
      await expectOk(await codesignalControl('POST', `/sourcing-candidates/${candidateId}/import-request`, { userId }));
    },
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
