import { createHash } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { assessmentStateQuery } from '../../src/workflows/assessment/messages';
import { assessmentWorkflowId, candidateWorkflowId } from '../../src/workflows/shared/ids';
import { assessmentsQuery } from '../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../support/assessment-harness';
import { assessmentResult, createCandidate, plainTest, waitForInvitation, type Candidate } from '../support/assessment-faults';
import { postJson, readJson } from '../support/lever-webhook';
import { adminToken, testDataConverter, testWorkerSinks } from '../support/stack';
import { testWorkflowBundle } from '../support/workflow-bundle';

type History = temporal.api.history.v1.IHistory;
interface Found<T> {
  path: string;
  value: T;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isPayload = (v: object): v is temporal.api.common.v1.IPayload =>
  'metadata' in v && typeof v.metadata === 'object' && v.metadata !== null && Object.values(v.metadata).every(isBytes);
const isFailure = (v: object): v is temporal.api.failure.v1.IFailure => 'encodedAttributes' in v || ('message' in v && 'stackTrace' in v);

/**
 * Every payload and failure in a history, with where it is. Left out, as Temporal keeps them readable: search
 * attributes (indexed by the server) and the SDK's own patch markers (a patch id, written by the SDK core).
 */
function collect(history: History): { payloads: Found<temporal.api.common.v1.IPayload>[]; failures: Found<temporal.api.failure.v1.IFailure>[] } {
  const payloads: Found<temporal.api.common.v1.IPayload>[] = [];
  const failures: Found<temporal.api.failure.v1.IFailure>[] = [];
  const walk = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object' || isBytes(value)) return;
    if (isPayload(value)) return void payloads.push({ path, value });
    if (isFailure(value)) failures.push({ path, value });
    if ('markerName' in value && value.markerName === 'core_patch') return;
    for (const [key, child] of Object.entries(value)) if (key !== 'searchAttributes') walk(child, `${path}.${key}`);
  };
  walk(history.events, 'events');
  return { payloads, failures };
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('latin1');

/**
 * End to end with encryption on: a Lever stage change drives the candidate and assessment workflows
 * through both sandboxes; what Temporal stores is ciphertext, while the service (and the codec endpoint)
 * still read it.
 */
describe('Temporal payload encryption', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  let c: Candidate;
  let raw: Client;
  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Encryption' });
    expect((await h.putSettings({ defaultTestByStage: { [h.sandboxes.lever.seed.stageIds.assessment]: plainTest(h).id } })).status).toBe(200);
    // A client as anyone with access to Temporal (or its database) has one: no codec.
    raw = new Client({ connection: h.stack.client.connection, namespace: h.stack.config.TEMPORAL_NAMESPACE });

    c = createCandidate(h, 'encrypted');
    // One Lever call fails first, so a retried activity leaves its failure in the history.
    h.sandboxes.leverSandbox.admin.updateFaults(h.sandboxes.lever.seed.accountId, { failNext: 1 });
    h.moveToStage(c.id, h.sandboxes.lever.seed.stageIds.assessment);
    const session = await waitForInvitation(h, c);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: session.maxScore });
    expect(await assessmentResult(h, c.id)).toMatchObject({ status: 'completed', candidateEmail: c.email });
  });
  afterAll(() => h?.close());

  const histories = async () => ({
    candidate: await raw.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).fetchHistory(),
    assessment: await raw.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1)).fetchHistory(),
  });

  it('stores only encrypted payloads and encoded failures: no e-mail or name in clear', async () => {
    const all = await histories();
    // every payload of the candidate's workflows is under the candidate's own data key (README "Erasure")
    const subjectRef = createHash('sha256').update(`${h.integration.id}/${c.id}`).digest('hex');
    const { rows: keys } = await h.stack.db.query<{ id: string }>('SELECT id FROM candidate_data_keys WHERE subject_ref = $1', [subjectRef]);
    expect(keys).toHaveLength(1);
    for (const [workflow, history] of Object.entries(all)) {
      const { payloads, failures } = collect(history);
      expect(payloads.length).toBeGreaterThan(workflow === 'assessment' ? 10 : 2);
      for (const { path, value } of payloads) {
        // Temporal's OpenTelemetry interceptors (src/observability/tracing.ts) carry the trace in a header, which no codec
        // encodes: it may hold a W3C traceparent (random ids) and nothing else
        if (path.endsWith('.header.fields._tracer-data')) {
          expect(JSON.parse(text(value.data))).toEqual({ traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/) });
          continue;
        }
        expect({ path, encoding: text(value.metadata?.encoding) }).toEqual({ path, encoding: 'binary/encrypted' });
        expect({ path, key: text(value.metadata?.['encryption-key-id']) }).toEqual({ path, key: `dk:${keys[0]!.id}` });
      }
      for (const { path, value } of failures) expect({ path, message: value.message, stackTrace: value.stackTrace }).toEqual({ path, message: 'Encoded failure', stackTrace: '' });
      const everything = JSON.stringify(history, (_k, v: unknown) => (isBytes(v) ? text(v) : v));
      for (const secret of [c.email, c.name, c.email.split('@')[0]!]) expect(everything).not.toContain(secret);
    }
    // The retried Lever call left its failure, encoded, in a history (the first Lever read is the candidate workflow's confirmation).
    const retried = Object.values(all).flatMap((history) => collect(history).failures.map((f) => f.path));
    expect(retried).toEqual(expect.arrayContaining([expect.stringMatching(/activityTaskStartedEventAttributes\.lastFailure/)]));
  });

  it('still answers queries through the service’s client, and not through a client without the key', async () => {
    const assessment = h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1));
    expect(await assessment.query(assessmentStateQuery)).toMatchObject({ status: 'completed', candidateEmail: c.email });
    expect(await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).query(assessmentsQuery)).toEqual([
      expect.objectContaining({ assessmentId: '1', status: 'completed', passed: true }),
    ]);
    await expect(raw.workflow.getHandle(assessmentWorkflowId(h.integration.id, c.id, 1)).query(assessmentStateQuery)).rejects.toThrow(/binary\/encrypted/);
  });

  it('decodes a stored payload for an admin through the codec endpoint, as the Web UI does', async () => {
    const { payloads } = collect((await histories()).assessment);
    const body = {
      payloads: payloads.map(({ value }) => ({
        metadata: Object.fromEntries(Object.entries(value.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(value.data ?? []).toString('base64'),
      })),
    };
    const res = await postJson(`${h.stack.baseUrl}/codec/decode`, body, { authorization: `Bearer ${adminToken}`, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    const decoded: Array<{ data?: string }> = (await readJson(res)).payloads;
    expect(decoded.some((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8').includes(c.email))).toBe(true);
  });

  it('replays the encrypted histories with the service’s data converter', async () => {
    for (const [workflow, history] of Object.entries(await histories())) {
      await Worker.runReplayHistory({ workflowBundle: testWorkflowBundle(), dataConverter: testDataConverter(), sinks: testWorkerSinks() }, history, workflow);
    }
  });
});
