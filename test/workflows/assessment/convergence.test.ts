import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { assessmentsQuery, candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import {
  assessmentHandle,
  assessmentResult,
  createCandidate,
  deliveredStageChange,
  expectOnePassedAssessment,
  lateStageChange,
  noteTexts,
  plainTest,
  postLeverDelivery,
  waitForInvitation,
  type Candidate,
} from '../../support/assessment-faults';
import { signedLeverDelivery } from '../../support/lever-webhook';
import { createLeverClient } from '../../../src/lever/client';
import { eventually } from '../../support/stack';

/**
 * Lever and CodeSignal deliver at least once and not always in order. Duplicates, redeliveries and
 * events older than what the workflows already know must leave the same end state as a clean run.
 */
describe('duplicate, late and out-of-order webhooks', () => {
  jest.setTimeout(90_000);
  let h: AssessmentHarness;
  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const companyId = () => h.sandboxes.codesignal.seed.companyId;

  beforeAll(async () => {
    h = await startAssessmentHarness();
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: plainTest(h).id } })).status).toBe(200);
  });
  afterAll(() => h?.close());

  const candidateHandle = (c: Candidate) => h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id));

  /** CodeSignal's deliveries of one event for one session to this integration's endpoint. */
  const sessionDeliveries = (sessionId: string, event: 'companyTestSessionCreated' | 'companyTestSessionStarted' | 'companyTestSessionFinished') =>
    control()
      .deliveries(companyId(), { event })
      .filter((d) => d.payload.testSessionId === sessionId && d.attempts.some((a) => a.status === 200));

  /** Sends a delivery again and waits until the ingress has answered it with a 200. */
  async function redeliver(deliveryId: string): Promise<void> {
    const copy = control().redeliver(companyId(), deliveryId);
    await eventually(async () => expect(control().deliveries(companyId()).find((d) => d.id === copy.id)?.state).toBe('delivered'));
  }

  /** Everything the candidate's assessment left behind, with the candidate's own ids and times taken out. */
  async function endState(c: Candidate, sessionId: string) {
    const o = h.opportunity(c.id);
    const anonymous = (text: string) =>
      text
        .replaceAll(c.email, '<email>')
        .replaceAll(c.id, '<opportunity>')
        .replaceAll(sessionId, '<session>')
        .replace(/https?:\/\/\S+/g, '<url>')
        .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, '<time>');
    const { assessmentId, status, score, maxScore, passed } = await assessmentHandle(h, c.id).result();
    return {
      assessment: { assessmentId, status, score, maxScore, passed },
      assessments: (await candidateHandle(c).query(assessmentsQuery)).map((a) => ({ assessmentId: a.assessmentId, status: a.status })),
      notes: noteTexts(h, c.id).map(anonymous),
      files: o.files.map((f) => anonymous(f.name)),
      tags: [...o.tags].sort(),
      stage: o.stage,
    };
  }

  async function cleanRun(c: Candidate) {
    h.moveToStage(c.id, seed().stageIds.assessment);
    const session = await waitForInvitation(h, c);
    control().submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    await assessmentResult(h, c.id);
    expectOnePassedAssessment(h, c, session.id);
    return endState(c, session.id);
  }

  async function messyRun(c: Candidate) {
    h.moveToStage(c.id, seed().stageIds.assessment);
    const entered = await deliveredStageChange(h, c.id, seed().stageIds.assessment);

    // Lever: the same delivery again (same token and body: the ingress answers it as a duplicate, 2xx), and once more under a new token.
    expect(await postLeverDelivery(h, entered)).toBe(200);
    expect(await postLeverDelivery(h, entered)).toBe(200);
    const resigned = signedLeverDelivery(h.integration.leverWebhookSigningTokens[0]!, entered.event, entered.data, entered.triggeredAt);
    expect(await postLeverDelivery(h, { ...resigned, id: entered.id })).toBe(202);
    // Lever: older events delivered after the newer one — the candidate had already entered the stage
    // a minute earlier and left it half a minute earlier. In order they would have changed nothing either.
    const { assessment, phoneScreen } = seed().stageIds;
    const older = [
      lateStageChange(h, { opportunityId: c.id, fromStageId: assessment, toStageId: phoneScreen, triggeredAt: entered.triggeredAt - 30_000 }),
      lateStageChange(h, { opportunityId: c.id, fromStageId: phoneScreen, toStageId: assessment, triggeredAt: entered.triggeredAt - 60_000 }),
    ];
    for (const body of older) expect(await postLeverDelivery(h, body)).toBe(202);

    const session = await waitForInvitation(h, c);
    // CodeSignal: the invitation's event twice more while the candidate has not started.
    const [created] = sessionDeliveries(session.id, 'companyTestSessionCreated');
    await redeliver(created!.id);
    await redeliver(created!.id);

    control().submitSession(session.id, { score: Math.ceil(session.maxScore * 0.9) });
    // CodeSignal: while the result is being written, the finish again and the older start after it.
    const [started] = await eventually(async () => {
      const found = sessionDeliveries(session.id, 'companyTestSessionStarted');
      expect(found).toHaveLength(1);
      return found;
    });
    const [finished] = await eventually(async () => {
      const found = sessionDeliveries(session.id, 'companyTestSessionFinished');
      expect(found).toHaveLength(1);
      return found;
    });
    await Promise.all([redeliver(finished!.id), redeliver(started!.id), redeliver(finished!.id)]);
    await assessmentResult(h, c.id);

    // After the end: the trigger once more from Lever, the finish and the invitation once more from CodeSignal.
    expect(await postLeverDelivery(h, entered)).toBe(200);
    await redeliver(finished!.id);
    await redeliver(created!.id);

    const state = await eventually(async () => {
      const s = await candidateHandle(c).query(candidateStateQuery);
      // the same delivery again never reaches the workflow; the re-signed copy does, and is dropped there
      expect(s.duplicatesIgnored).toBe(1);
      return s;
    });
    expect(state.stageId).toBe(assessment);
    expect(state.stageHistory.map((e) => e.stageId)).toEqual([assessment, phoneScreen, assessment]);
    expectOnePassedAssessment(h, c, session.id);
    return endState(c, session.id);
  }

  it('end in the same state as a clean run: one assessment, the same notes, file, tags and stage', async () => {
    const [clean, messy] = await Promise.all([cleanRun(createCandidate(h, 'clean')), messyRun(createCandidate(h, 'messy'))]);
    expect(messy).toEqual(clean);
    expect(clean.assessments).toEqual([{ assessmentId: '1', status: 'completed' }]);
  });

  // An entry into the trigger stage that arrives after a later move out of it starts the assessment, as in order.
  it('start the assessment when the entry into the trigger stage arrives after a later move out of it, as in order', async () => {
    const { assessment, phoneScreen, newApplicant } = seed().stageIds;
    const lever = createLeverClient({ baseUrl: h.sandboxes.lever.apiUrl, apiKey: h.sandboxes.lever.seed.apiKey });
    const runs = [
      { c: createCandidate(h, 'entry-then-exit', { stage: newApplicant }), order: [0, 1] },
      { c: createCandidate(h, 'exit-then-entry', { stage: newApplicant }), order: [1, 0] },
    ];
    for (const { c, order } of runs) {
      // The moves happen in Lever (through its API, which fires no webhook here); their webhooks arrive in `order`.
      await lever.changeStage(c.id, assessment, seed().defaultUserId);
      await lever.changeStage(c.id, phoneScreen, seed().defaultUserId);
      // stageChanges is in the wire view, which the inspected type does not spell out
      const stageChanges = () => (h.opportunity(c.id) as unknown as { stageChanges: Array<{ toStageId: string; updatedAt: number }> }).stageChanges;
      const entered = (stageId: string) => stageChanges().find((s) => s.toStageId === stageId)!.updatedAt;
      const events = [
        lateStageChange(h, { opportunityId: c.id, fromStageId: newApplicant, toStageId: assessment, triggeredAt: entered(assessment) }),
        lateStageChange(h, { opportunityId: c.id, fromStageId: assessment, toStageId: phoneScreen, triggeredAt: entered(phoneScreen) }),
      ];
      for (const i of order) expect(await postLeverDelivery(h, events[i])).toBe(202);
    }
    for (const { c } of runs) {
      // both events in, and the entry acted on: it is confirmed with Lever first, which a fault left by an earlier test may retry
      const state = await eventually(async () => {
        const s = await candidateHandle(c).query(candidateStateQuery);
        expect(s.eventsReceived).toBe(2);
        expect(s.assessments?.length).toBeGreaterThan(0);
        return s;
      });
      expect({ candidate: c.email, stage: state.stageId, assessments: state.assessments?.length }).toEqual({ candidate: c.email, stage: phoneScreen, assessments: 1 });
    }
  });

  it('do not start an assessment for an entry into the trigger stage that Lever has no record of', async () => {
    const { assessment, phoneScreen } = seed().stageIds;
    const c = createCandidate(h, 'never-entered');
    expect(await postLeverDelivery(h, lateStageChange(h, { opportunityId: c.id, fromStageId: phoneScreen, toStageId: assessment, triggeredAt: Date.now() - 10_000 }))).toBe(202);
    const state = await eventually(async () => {
      const s = await candidateHandle(c).query(candidateStateQuery);
      expect(s.refusedEvents).toBe(1);
      return s;
    });
    expect({ stage: state.stageId, assessments: state.assessments?.length }).toEqual({ stage: null, assessments: 0 });
  });
});
