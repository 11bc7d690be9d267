import { randomUUID } from 'node:crypto';
import { assessmentsQuery } from '../../../src/workflows/candidate/messages';
import { reconciliationWorkflowId } from '../../../src/workflows/reconciliation/messages';
import { IntegrationIdKey } from '../../../src/workflows/shared/search-attributes';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { adminToken, eventually } from '../../support/stack';

/**
 * Dry run: settings saved as a draft run in shadow — the flows record what the draft would do at a
 * stage entry and at a result, and nothing of it reaches Lever or CodeSignal — and are promoted or
 * discarded by the admin.
 */
describe('dry run of a settings draft', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;

  beforeAll(async () => {
    h = await startAssessmentHarness({ name: 'Dry run' });
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const tests = () => h.sandboxes.codesignal.seed.tests;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.stack.baseUrl}/api/integrations/${h.integration.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Record<string, any>) };
  };
  const settings = async () => (await api('GET', '')).body.settings as Record<string, any>;
  let created = 0;
  const newCandidate = () => {
    created += 1;
    const email = `dry-${created}-${Date.now()}@example.org`;
    return { id: h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Dana Dry${created}`, emails: [email], userId: seed().userIds.recruiter }).id, email };
  };
  const decisions = async () => (await api('GET', '/settings/draft')).body.decisions as Array<{ opportunityId: string; candidateName: string | null; source: string; decision: string }>;
  const writesTo = (opportunityId: string, since: number) =>
    h.sandboxes.leverSandbox.admin.requests(seed().accountId).filter((r) => r.at >= since && r.method !== 'GET' && r.path.includes(opportunityId));

  it('records what the draft would do at a stage entry and a result, writes nothing of it, and is promoted', async () => {
    // today: assessments in the assessment stage with a default test, 70 % passes and moves to On-site
    const test = tests()[0]!;
    expect((await h.putSettings({ defaultTestByStage: { [seed().stageIds.assessment]: test.id } })).status).toBe(200);
    const current = await settings();
    // the draft: the phone screen becomes a trigger too, with its own test, and 95 % is needed to pass
    const other = tests()[1]!;
    const draft = {
      ...current,
      assessments: {
        ...current.assessments,
        triggerStageIds: [...current.assessments.triggerStageIds, seed().stageIds.phoneScreen],
        defaultTestByStage: { ...current.assessments.defaultTestByStage, [seed().stageIds.phoneScreen]: other.id },
        thresholds: { ...current.assessments.thresholds, passPercent: 95 },
      },
    };
    expect(await api('PUT', '/settings/draft', { ...draft, assessments: { ...draft.assessments, triggerStageIds: [...draft.assessments.triggerStageIds, 'no-such-stage'] } })).toMatchObject({ status: 400, body: { error: 'invalid_settings' } });
    const saved = await api('PUT', '/settings/draft', draft);
    expect(saved).toMatchObject({ status: 200, body: { draft: { settings: { assessments: { triggerStageIds: draft.assessments.triggerStageIds } } }, decisions: [] } });
    // the draft is not the settings
    expect((await settings()).assessments.triggerStageIds).toEqual(current.assessments.triggerStageIds);

    // a candidate enters the phone screen: the draft would invite them; nothing is written for them
    const since = Date.now();
    const phone = newCandidate();
    h.moveToStage(phone.id, seed().stageIds.phoneScreen);
    await eventually(async () => {
      expect((await decisions()).filter((d) => d.opportunityId === phone.id)).toEqual([
        expect.objectContaining({ source: 'stage_entry', candidateName: 'Dana Dry1', decision: `would send “${other.title}” (today: no assessment)` }),
      ]);
    }, 60_000);
    expect(writesTo(phone.id, since)).toEqual([]);
    expect(await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, phone.id)).query(assessmentsQuery)).toEqual([]);
    expect(h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).filter((s) => s.candidate.email === phone.email)).toEqual([]);

    // an entry whose webhook Lever lost reaches the draft through the reconciliation sweep, still writing nothing
    h.sandboxes.leverSandbox.admin.updateSettings(seed().accountId, { lostWebhookDeliveries: 1 });
    const lost = newCandidate();
    h.moveToStage(lost.id, seed().stageIds.phoneScreen);
    const sweep = await h.stack.client.workflow.execute('reconciliationWorkflow', {
      workflowId: `${reconciliationWorkflowId(h.integration.id)}-dry-run-${randomUUID()}`,
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, graceMs: 0 }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
    });
    expect(sweep).toMatchObject({ lever: { repairedOpportunityIds: expect.arrayContaining([lost.id]) } });
    await eventually(async () => {
      expect((await decisions()).filter((d) => d.opportunityId === lost.id).map((d) => d.decision)).toEqual([`would send “${other.title}” (today: no assessment)`]);
    }, 60_000);
    expect(writesTo(lost.id, since)).toEqual([]);
    expect(h.sandboxes.leverSandbox.admin.deliveries(seed().accountId).some((d) => d.state !== 'succeeded' && JSON.stringify(d.attempts[0]?.body ?? {}).includes(lost.id))).toBe(true);

    // a result of 80 %: today it passes and moves to On-site; the draft would not pass it
    const assessed = newCandidate();
    h.moveToStage(assessed.id, seed().stageIds.assessment);
    const session = await eventually(async () => {
      const [s] = h.sandboxes.codesignalSandbox.control.sessions(h.sandboxes.codesignal.seed.companyId).filter((x) => x.candidate.email === assessed.email);
      expect(s).toBeDefined();
      return s!;
    }, 60_000);
    h.sandboxes.codesignalSandbox.control.submitSession(session.id, { score: Math.round(session.maxScore * 0.8) });
    await eventually(async () => {
      const mine = (await decisions()).filter((d) => d.opportunityId === assessed.id && d.source === 'result');
      expect(mine).toHaveLength(1);
      expect(mine[0]!.decision).toMatch(/^would tag “CodeSignal: below threshold” \(below 95 %\) instead of: tag “CodeSignal: passed” and move to On-site interview \(passed 70 %\)$/);
    }, 60_000);
    // today's settings acted as they are: the candidate was moved
    await eventually(async () => expect(h.opportunity(assessed.id).stage).toBe(seed().stageIds.onSite), 30_000);

    // promoted: the draft is the settings, and gone with its decisions
    const promoted = await api('POST', '/settings/draft/promote');
    expect(promoted).toMatchObject({ status: 200, body: { settings: { assessments: { triggerStageIds: draft.assessments.triggerStageIds, thresholds: { passPercent: 95 } } } } });
    expect((await settings()).assessments.triggerStageIds).toEqual(draft.assessments.triggerStageIds);
    expect((await api('GET', '/settings/draft')).body).toEqual({ draft: null, decisions: [] });
    expect(await api('POST', '/settings/draft/promote')).toMatchObject({ status: 404, body: { error: 'no_draft' } });

    // a discarded draft changes nothing
    expect((await api('PUT', '/settings/draft', current)).status).toBe(200);
    expect((await api('DELETE', '/settings/draft')).status).toBe(204);
    expect((await settings()).assessments.triggerStageIds).toEqual(draft.assessments.triggerStageIds);
  });
});
