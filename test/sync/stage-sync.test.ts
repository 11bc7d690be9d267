import { codesignalSignature } from '../../src/codesignal/webhook-signature';
import { candidateWorkflowId } from '../../src/workflows/ids';
import { readJson, signedLeverDelivery } from '../support/lever-webhook';
import { eventually } from '../support/stack';
import type { SyncHarness } from '../support/sync-harness';
import {
  codesignalStatus,
  ids,
  importLinkedCandidate,
  leverOpportunity,
  setWebhookSwitches,
  settled,
  startStageSyncHarness,
  syncStateOf,
  syncWrites,
  type Linked,
} from './sync-support';

/** End to end: recruiters act in the sandboxes' UIs, webhooks reach the ingress, the candidate workflow syncs the other side. */
describe('two-way stage sync', () => {
  jest.setTimeout(120_000);
  let h: SyncHarness;
  let x: ReturnType<typeof ids>;
  beforeAll(async () => {
    h = await startStageSyncHarness();
    x = ids(h);
  });
  afterAll(() => h.close());
  beforeEach(() => setWebhookSwitches(h, { leverApiWrites: false, codesignalApiChanges: true }));

  const moveInLever = (l: Linked, stage: string, userId = x.leverUsers.recruiter) =>
    h.sandboxes.leverSandbox.recruiter.moveToStage(x.accountId, l.opportunityId, { stage, userId });
  const changeInCodeSignal = (l: Linked, status: Parameters<SyncHarness['sandboxes']['codesignalSandbox']['control']['changeCandidateStatusInUi']>[1], userId = x.csUsers.riley) =>
    h.sandboxes.codesignalSandbox.control.changeCandidateStatusInUi(l.candidateId, status, userId);
  const statusBecomes = (l: Linked, status: string) =>
    eventually(async () => expect(codesignalStatus(h, l.candidateId).status).toBe(status), 20_000);
  const leverBecomes = (l: Linked, expected: { stage?: string; archived?: string | null }) =>
    eventually(async () => {
      const o = leverOpportunity(h, l.opportunityId);
      if (expected.stage !== undefined) expect(o.stage).toBe(expected.stage);
      if (expected.archived !== undefined) expect(o.archived?.reason ?? null).toBe(expected.archived);
    }, 20_000);

  it('moves the CodeSignal status when the stage changes in Lever', async () => {
    const l = await importLinkedCandidate(h, 'stage');
    const since = Date.now();
    moveInLever(l, x.stages.phoneScreen);
    await statusBecomes(l, 'screening');
    await settled(h, l.opportunityId);
    expect(syncWrites(h, l, since).codesignal).toHaveLength(1);
    expect(syncWrites(h, l, since).lever).toHaveLength(0);
    expect((await syncStateOf(h, l.opportunityId))?.agreed).toMatchObject({ status: 'screening', origin: 'lever' });
  });

  it('moves the Lever stage as the mapped Lever user when the status changes in CodeSignal’s UI', async () => {
    const l = await importLinkedCandidate(h, 'cs-ui');
    const since = Date.now();
    changeInCodeSignal(l, 'interviewing', x.csUsers.sam);
    await leverBecomes(l, { stage: x.stages.onSite });
    await settled(h, l.opportunityId);
    const { lever, codesignal } = syncWrites(h, l, since);
    expect(lever.map((r) => r.performAs)).toEqual([x.leverUsers.secondRecruiter]);
    expect(codesignal).toHaveLength(0);
    expect(leverOpportunity(h, l.opportunityId).stageChanges!.at(-1)).toMatchObject({ toStageId: x.stages.onSite, userId: x.leverUsers.secondRecruiter });
  });

  it('acts as the default Lever user for a CodeSignal user without a mapping', async () => {
    const stranger = await h.addCodeSignalUser('Una Mapped', `una-${Date.now()}@example.net`);
    const l = await importLinkedCandidate(h, 'fallback');
    const since = Date.now();
    changeInCodeSignal(l, 'offer', stranger.id);
    await leverBecomes(l, { stage: x.stages.offer });
    await settled(h, l.opportunityId);
    expect(syncWrites(h, l, since).lever.map((r) => r.performAs)).toEqual([x.defaultLeverUserId]);
  });

  it('maps hiring and archiving in Lever to statuses, and CodeSignal’s closing statuses to archive reasons', async () => {
    const hired = await importLinkedCandidate(h, 'hired');
    h.sandboxes.leverSandbox.recruiter.hire(x.accountId, hired.opportunityId, { userId: x.leverUsers.recruiter });
    await statusBecomes(hired, 'hired');

    const withdrew = await importLinkedCandidate(h, 'withdrew');
    h.sandboxes.leverSandbox.recruiter.archive(x.accountId, withdrew.opportunityId, { reason: x.reasons.withdrew, userId: x.leverUsers.recruiter });
    await statusBecomes(withdrew, 'archived');
    h.sandboxes.leverSandbox.recruiter.archive(x.accountId, withdrew.opportunityId, { reason: x.reasons.positionFilled, userId: x.leverUsers.recruiter });
    await statusBecomes(withdrew, 'rejected');

    const rejected = await importLinkedCandidate(h, 'rejected');
    changeInCodeSignal(rejected, 'rejected');
    await leverBecomes(rejected, { archived: x.reasons.underqualified });
    // back into the process from CodeSignal: unarchived and moved, as Riley
    changeInCodeSignal(rejected, 'screening');
    await leverBecomes(rejected, { stage: x.stages.phoneScreen, archived: null });
    changeInCodeSignal(rejected, 'hired');
    await leverBecomes(rejected, { archived: x.reasons.hired });
    for (const l of [hired, withdrew, rejected]) await settled(h, l.opportunityId);
    expect(codesignalStatus(h, rejected.candidateId).status).toBe('hired');
  });

  it('leaves unmapped stages and statuses alone and reports them', async () => {
    const l = await importLinkedCandidate(h, 'unmapped');
    moveInLever(l, x.stages.phoneScreen);
    await statusBecomes(l, 'screening');
    await settled(h, l.opportunityId);

    const referenceCheck = h.sandboxes.leverSandbox.admin.createStage(x.accountId, { text: 'Reference check' });
    const since = Date.now();
    moveInLever(l, referenceCheck.id);
    await eventually(async () => expect((await syncStateOf(h, l.opportunityId))?.unmapped).toContainEqual(expect.objectContaining({ side: 'lever', value: `stage:${referenceCheck.id}` })), 20_000);
    await settled(h, l.opportunityId);
    expect(codesignalStatus(h, l.candidateId).status).toBe('screening');
    expect(syncWrites(h, l, since).codesignal).toHaveLength(0);

    // an admin takes `offer` out of the CodeSignal → Lever direction
    const mapping = await readJson(await h.admin('GET', `/api/integrations/${h.integration.id}/mappings`));
    const withoutOffer = { ...mapping, statuses: mapping.statuses.filter((s: { codesignalStatus: string }) => s.codesignalStatus !== 'offer') };
    expect((await h.admin('PUT', `/api/integrations/${h.integration.id}/mappings`, withoutOffer)).status).toBe(200);
    try {
      changeInCodeSignal(l, 'offer');
      await eventually(async () => expect((await syncStateOf(h, l.opportunityId))?.unmapped).toContainEqual(expect.objectContaining({ side: 'codesignal', value: 'offer', candidateId: l.candidateId })), 20_000);
      await settled(h, l.opportunityId);
      expect(leverOpportunity(h, l.opportunityId).stage).toBe(referenceCheck.id);
      expect(syncWrites(h, l, since).lever).toHaveLength(0);
    } finally {
      expect((await h.admin('PUT', `/api/integrations/${h.integration.id}/mappings`, mapping)).status).toBe(200);
    }
  });

  describe.each([
    { leverApiWrites: false, codesignalApiChanges: false },
    { leverApiWrites: true, codesignalApiChanges: false },
    { leverApiWrites: false, codesignalApiChanges: true },
    { leverApiWrites: true, codesignalApiChanges: true },
  ])('no echo with Lever API webhooks %s', (switches) => {
    it('writes each change once to the other side, and duplicated or late webhooks change nothing', async () => {
      await setWebhookSwitches(h, switches);
      const l = await importLinkedCandidate(h, 'echo');
      const since = Date.now();

      moveInLever(l, x.stages.phoneScreen);
      await statusBecomes(l, 'screening');
      await settled(h, l.opportunityId);
      changeInCodeSignal(l, 'interviewing', x.csUsers.sam);
      await leverBecomes(l, { stage: x.stages.onSite });
      await settled(h, l.opportunityId);
      h.sandboxes.leverSandbox.recruiter.hire(x.accountId, l.opportunityId, { userId: x.leverUsers.recruiter });
      await statusBecomes(l, 'hired');
      await settled(h, l.opportunityId);

      const writes = syncWrites(h, l, since);
      expect(writes.codesignal.map((r) => r.variables?.status)).toEqual(['screening', 'hired']);
      expect(writes.lever.map((r) => r.path)).toEqual([`/v1/opportunities/${l.opportunityId}/stage`]);

      // the echoes did arrive when the switches are on, and were recognised as ours
      const apiLeverDeliveries = h.sandboxes.leverSandbox.admin.deliveries(x.accountId).filter((d) => d.cause === 'api' && d.createdAt >= since);
      expect(apiLeverDeliveries.length > 0).toBe(switches.leverApiWrites);
      const csDeliveries = h.sandboxes.codesignalSandbox.control
        .deliveries(x.companyId, { event: 'sourcingCandidateStatusChanged' })
        .filter((d) => d.payload.candidateId === l.candidateId);
      expect(csDeliveries.some((d) => d.payload.changeSource === 'api')).toBe(switches.codesignalApiChanges);

      // every CodeSignal delivery again (duplicates, late), and an old Lever stage change with a new id
      for (const d of csDeliveries) h.sandboxes.codesignalSandbox.control.redeliver(x.companyId, d.id);
      const token = h.sandboxes.leverSandbox.store.account(x.accountId).webhooks;
      const stageHook = [...token.values()].find((w) => w.event === 'candidateStageChange')!;
      const late = signedLeverDelivery(stageHook.signatureToken, 'candidateStageChange', { opportunityId: l.opportunityId, fromStageId: 'lead-new', toStageId: x.stages.phoneScreen }, since + 1);
      const res = await fetch(`${h.stack.baseUrl}/webhooks/lever/${h.integration.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...late, id: `late-${since}` }) });
      expect(res.status).toBe(202);
      await settled(h, l.opportunityId);

      expect(syncWrites(h, l, since).codesignal).toHaveLength(2);
      expect(syncWrites(h, l, since).lever).toHaveLength(1);
      expect(codesignalStatus(h, l.candidateId).status).toBe('hired');
      expect(leverOpportunity(h, l.opportunityId).archived?.reason).toBe(x.reasons.hired);
      const sync = await syncStateOf(h, l.opportunityId);
      expect(sync).toMatchObject({ agreed: { status: 'hired', origin: 'lever' }, unmapped: [], errors: [] });
      // three recruiter changes, three changes seen: none of our writes came back as one
      expect(sync!.counts.changes).toBe(3);
      expect(sync!.counts.unchanged).toBeGreaterThan(0);
    });
  });

  describe('ingress', () => {
    const deliver = (payload: Record<string, unknown>) => {
      const url = `${h.stack.config.publicUrl}/webhooks/codesignal/${h.integration.id}`;
      const body = { event: 'sourcingCandidateStatusChanged', triggeredOn: Date.now(), payload };
      const signature = codesignalSignature(h.integration.codesignalWebhookSecret!, url, body.event, body.triggeredOn);
      return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-codesignal-signature': signature }, body: JSON.stringify(body) });
    };

    it('routes a status change to the linked opportunity’s candidate workflow', async () => {
      const l = await importLinkedCandidate(h, 'route');
      const imported = codesignalStatus(h, l.candidateId).status;
      const res = await deliver({ candidateId: l.candidateId, fromStatus: 'replied', toStatus: 'offer', changedByUserId: x.csUsers.riley, changeSource: 'ui' });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toEqual({ status: 'accepted', workflowId: candidateWorkflowId(h.integration.id, l.opportunityId) });
      // the body claimed `offer`; CodeSignal's API says the candidate still has the status it was imported with
      await settled(h, l.opportunityId);
      expect(leverOpportunity(h, l.opportunityId).stage).toBe(x.stages.newLead);
      expect(codesignalStatus(h, l.candidateId).status).toBe(imported);
      expect(await syncStateOf(h, l.opportunityId)).toMatchObject({ agreed: null, counts: { leverWrites: 0, codesignalWrites: 0 } });
    });

    it('acknowledges status changes of candidates never imported, and bodies that do not parse', async () => {
      const c = await h.addSourcingCandidate({ firstName: 'Never', lastName: 'Imported' });
      expect(await readJson(await deliver({ candidateId: c.id, fromStatus: 'contacted', toStatus: 'replied', changedByUserId: null, changeSource: 'ui' }))).toEqual({ status: 'ignored', reason: 'candidate not imported' });
      expect(await readJson(await deliver({ candidateId: c.id }))).toEqual({ status: 'ignored', reason: 'invalid payload' });
    });
  });
});
