import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { adminToken, eventually } from '../../support/stack';

/**
 * Backfill: candidates already sitting in a stage when it becomes a trigger get the flow only when an
 * admin confirms, once each, under Lever's rate limit, also when webhooks bring candidates into the
 * stage while it runs.
 */
describe('backfill of candidates already in a trigger stage', () => {
  jest.setTimeout(300_000);
  let h: AssessmentHarness;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Backfill' });
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const stage = () => seed().stageIds.assessment;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const candidateState = (id: string) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, id)).query(candidateStateQuery).catch(() => null);
  let created = 0;
  const newCandidate = (extra: Record<string, unknown> = {}) => {
    created += 1;
    return h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Bo Backfill${created}`, emails: [`backfill-${created}-${Date.now()}@example.org`], userId: seed().userIds.recruiter, ...extra }).id;
  };
  const selectionLinks = (id: string) => h.opportunity(id).links.filter((l) => l.includes('/assessments/select/'));

  it('counts them, leaves them alone until confirmed, then starts each one flow once under the rate limit', async () => {
    // the stage is not a trigger yet: 40 candidates enter it (their workflows see them there), 5 are created in it
    expect((await h.putSettings({ triggerStageIds: [] })).status).toBe(200);
    const seen = Array.from({ length: 40 }, () => newCandidate());
    for (const id of seen) h.moveToStage(id, stage());
    const unseen = Array.from({ length: 5 }, () => newCandidate({ stage: stage() }));
    await eventually(async () => {
      for (const id of seen) expect((await candidateState(id))?.stageId).toBe(stage());
    }, 120_000);

    // now it is: nothing happens to those already in it
    expect((await h.putSettings({ triggerStageIds: [stage()] })).status).toBe(200);
    const inStage = h.sandboxes.leverSandbox.recruiter.opportunities(seed().accountId).filter((o) => o.stage === stage()).length;
    const preview = await api('GET', '/backfill/preview');
    expect(preview).toEqual({ status: 200, body: { complete: true, stages: [{ stageId: stage(), candidates: inStage }] } });
    expect(inStage).toBeGreaterThanOrEqual(45);
    expect((await api('GET', '/backfill')).status).toBe(404);
    for (const id of [...seen.slice(0, 3), ...unseen.slice(0, 2)]) expect(selectionLinks(id)).toEqual([]);

    // refusals name the problem and start nothing
    expect(await api('POST', '/backfill', { stageIds: [seed().stageIds.offer] })).toMatchObject({ status: 400, body: { error: 'not_a_trigger_stage' } });
    expect(await api('POST', '/backfill', { stageIds: [stage()], everything: true })).toMatchObject({ status: 400 });
    expect((await api('GET', '/backfill')).status).toBe(404);

    const since = Date.now();
    const started = await api('POST', '/backfill', { stageIds: [stage()] });
    expect(started).toMatchObject({ status: 202, body: { status: 'running' } });
    // webhooks meanwhile: 5 more candidates enter the stage while it runs; a second backfill waits its turn
    const meanwhile = Array.from({ length: 5 }, () => newCandidate());
    for (const id of meanwhile) h.moveToStage(id, stage());
    const second = await api('POST', '/backfill', { stageIds: [stage()] });
    expect([202, 409]).toContain(second.status); // 409 while the first runs; it may have finished already

    const done = await eventually(async () => {
      const { body } = await api('GET', '/backfill');
      expect(body.progress).toMatchObject({ status: 'completed' });
      return body.progress as { listed: number; started: number; alreadySeen: number; failed: number };
    }, 120_000);
    expect(done.failed).toBe(0);
    expect(done.started).toBeGreaterThanOrEqual(unseen.length);

    // every candidate in the stage has one assessment and one selection link: none twice
    const everyone = [...seen, ...unseen, ...meanwhile];
    await eventually(async () => {
      for (const id of everyone) {
        const state = await candidateState(id);
        expect(state?.assessments?.filter((a) => a.triggerStageId === stage())).toHaveLength(1);
        expect(selectionLinks(id)).toHaveLength(1);
      }
    }, 180_000);

    // run again: nothing new
    const again = await api('POST', '/backfill', { stageIds: [stage()] });
    if (again.status === 202) {
      await eventually(async () => expect((await api('GET', '/backfill')).body.progress).toMatchObject({ status: 'completed' }), 120_000);
    }
    for (const id of everyone) expect((await candidateState(id))?.assessments).toHaveLength(1);

    // under the limit: Lever never answered 429
    const calls = h.sandboxes.leverSandbox.admin.requests(seed().accountId).filter((r) => r.at >= since);
    expect(calls.filter((r) => r.status === 429)).toEqual([]);
  });
});
