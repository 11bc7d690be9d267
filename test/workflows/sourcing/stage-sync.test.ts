import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import type { SourcingStatus } from '../../../src/api/sourcing/contract';
import { readJson, signedLeverDelivery } from '../../support/lever-webhook';
import { eventually } from '../../support/stack';
import type { SyncHarness } from '../../support/sync-harness';
import {
  changeInCodeSignal as changeStatus,
  codesignalStatus,
  ids,
  importLinkedCandidate,
  leverOpportunity,
  setLeverApiWebhooks,
  settled,
  startStageSyncHarness,
  syncStateOf,
  syncWrites,
  type Linked,
} from './sync-support';

/**
 * End to end: recruiters act in the sandboxes' UIs; Lever's webhooks reach the ingress, CodeSignal's
 * side reports through the sourcing API and receives the status feed; the candidate workflow syncs.
 */
describe('two-way stage sync over the sourcing API and the status feed', () => {
  jest.setTimeout(120_000);
  let h: SyncHarness;
  let x: ReturnType<typeof ids>;
  beforeAll(async () => {
    h = await startStageSyncHarness();
    x = ids(h);
  });
  afterAll(() => h.close());
  beforeEach(() => setLeverApiWebhooks(h, false));

  const moveInLever = (l: Linked, stage: string, userId = x.leverUsers.recruiter) =>
    h.sandboxes.leverSandbox.recruiter.moveToStage(x.accountId, l.opportunityId, { stage, userId });
  const changeInCodeSignal = (l: Linked, status: SourcingStatus, userId: string | null = x.csUsers.riley) => changeStatus(h, l.candidateId, status, userId);
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
    await changeInCodeSignal(l, 'interviewing', x.csUsers.sam);
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
    await changeInCodeSignal(l, 'offer', stranger.id);
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
    await changeInCodeSignal(rejected, 'rejected');
    await leverBecomes(rejected, { archived: x.reasons.underqualified });
    // back into the process from CodeSignal: unarchived and moved, as Riley
    await changeInCodeSignal(rejected, 'screening');
    await leverBecomes(rejected, { stage: x.stages.phoneScreen, archived: null });
    await changeInCodeSignal(rejected, 'hired');
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
      await changeInCodeSignal(l, 'offer');
      await eventually(async () => expect((await syncStateOf(h, l.opportunityId))?.unmapped).toContainEqual(expect.objectContaining({ side: 'codesignal', value: 'offer', candidateId: l.candidateId })), 20_000);
      await settled(h, l.opportunityId);
      expect(leverOpportunity(h, l.opportunityId).stage).toBe(referenceCheck.id);
      expect(syncWrites(h, l, since).lever).toHaveLength(0);
    } finally {
      expect((await h.admin('PUT', `/api/integrations/${h.integration.id}/mappings`, mapping)).status).toBe(200);
    }
  });

  describe.each([
    { leverApiWrites: false, codesignalEchoes: false },
    { leverApiWrites: true, codesignalEchoes: false },
    { leverApiWrites: false, codesignalEchoes: true },
    { leverApiWrites: true, codesignalEchoes: true },
  ])('no echo with %s', (switches) => {
    it('writes each change once to the other side, and duplicated or late deliveries and reports change nothing', async () => {
      setLeverApiWebhooks(h, switches.leverApiWrites);
      const l = await importLinkedCandidate(h, 'echo');
      const since = Date.now();
      const reports: Array<{ status: SourcingStatus; changedAt: number; changedBy: string | null }> = [];
      const report = async (status: SourcingStatus, changedBy: string | null, changedAt = Date.now()) => {
        const sent = { status, changedAt, changedBy };
        reports.push(sent);
        expect((await h.reportStatus(l.candidateId, sent)).status).toBe(202);
      };
      // a CodeSignal side that reports back what the feed told it, dated as it recorded it (the contract asks it not to; it must be harmless)
      const echoFeed = async (status: SourcingStatus) => {
        if (switches.codesignalEchoes) await report(status, null, codesignalStatus(h, l.candidateId).statusUpdatedAt!);
      };

      moveInLever(l, x.stages.phoneScreen);
      await statusBecomes(l, 'screening');
      await echoFeed('screening');
      await settled(h, l.opportunityId);
      await h.sandboxes.codesignalSandbox.control.changeCandidateStatus(l.candidateId, { status: 'interviewing', userId: x.csUsers.sam, report: false });
      await report('interviewing', x.csUsers.sam);
      await leverBecomes(l, { stage: x.stages.onSite });
      await settled(h, l.opportunityId);
      h.sandboxes.leverSandbox.recruiter.hire(x.accountId, l.opportunityId, { userId: x.leverUsers.recruiter });
      await statusBecomes(l, 'hired');
      await echoFeed('hired');
      await settled(h, l.opportunityId);

      const writes = syncWrites(h, l, since);
      expect(writes.codesignal.map((d) => d.status)).toEqual(['screening', 'hired']);
      expect(writes.lever.map((r) => r.path)).toEqual([`/v1/opportunities/${l.opportunityId}/stage`]);

      // the Lever echoes did arrive when the switch is on, and were recognised as ours
      const apiLeverDeliveries = h.sandboxes.leverSandbox.admin.deliveries(x.accountId).filter((d) => d.cause === 'api' && d.createdAt >= since);
      expect(apiLeverDeliveries.length > 0).toBe(switches.leverApiWrites);

      // every report again (duplicates, now late), and an old Lever stage change with a new id
      for (const r of reports) expect((await h.reportStatus(l.candidateId, r)).status).toBe(202);
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

  describe('the status feed', () => {
    it('is signed, names the candidate and the mapped status, and is retried through a receiver outage', async () => {
      const l = await importLinkedCandidate(h, 'outage');
      h.sandboxes.codesignalSandbox.control.setSourcingConnection(x.companyId, { failNextFeedDeliveries: 2 });
      const since = Date.now();
      moveInLever(l, x.stages.phoneScreen);
      await eventually(async () => expect(codesignalStatus(h, l.candidateId).status).toBe('screening'), 60_000);
      await settled(h, l.opportunityId, 60_000);
      const received = h.sandboxes.codesignalSandbox.control.sourcingFeed(x.companyId).filter((d) => d.receivedAt >= since && d.candidateId === l.candidateId);
      expect(received.map((d) => d.verdict)).toEqual(['rejected', 'rejected', 'applied']);
      // one delivery id across the retries, so a receiver can dedupe
      expect(new Set(received.map((d) => d.id)).size).toBe(1);
      expect(received[2]).toMatchObject({ status: 'screening', leverOpportunityId: l.opportunityId });
      // the attempts are on the Activity page
      const activity = await readJson(await h.admin('GET', `/api/integrations/${h.integration.id}/activity/webhooks?source=feed&limit=20`));
      const ours = (activity.deliveries as Array<{ outcome: string; httpStatus: number; opportunityId: string }>).filter((d) => d.opportunityId === l.opportunityId);
      expect(ours.map((d) => [d.outcome, d.httpStatus])).toEqual([['accepted', 200], ['failed', 503], ['failed', 503]]);
    });

    it('without a feed URL nothing is sent and the sync reports why', async () => {
      const l = await importLinkedCandidate(h, 'nofeed');
      const current = await readJson(await h.admin('GET', `/api/integrations/${h.integration.id}/sourcing`));
      expect((await h.admin('PUT', `/api/integrations/${h.integration.id}/sourcing/feed`, { url: null })).status).toBe(200);
      try {
        moveInLever(l, x.stages.phoneScreen);
        await eventually(async () => expect((await syncStateOf(h, l.opportunityId))?.errors).toContainEqual(expect.objectContaining({ side: 'codesignal', message: expect.stringContaining('no status feed URL') })), 20_000);
        expect(codesignalStatus(h, l.candidateId).status).toBe('replied');
      } finally {
        const res = await readJson(await h.admin('PUT', `/api/integrations/${h.integration.id}/sourcing/feed`, { url: current.feedUrl }));
        h.sandboxes.codesignalSandbox.control.setSourcingConnection(x.companyId, { feedSecret: res.secret });
      }
    });
  });

  it('made no CodeSignal request outside the public schema in this whole suite (imports, reports, feed, sync)', async () => {
    // an import, a status report, a feed delivery and a sync of its own, so the check holds whichever tests ran before
    const l = await importLinkedCandidate(h, 'schema');
    moveInLever(l, x.stages.phoneScreen);
    await statusBecomes(l, 'screening');
    await changeInCodeSignal(l, 'interviewing');
    await leverBecomes(l, { stage: x.stages.onSite });
    await settled(h, l.opportunityId);
    const requests = h.sandboxes.codesignalSandbox.control.requests({ companyId: x.companyId });
    expect(requests.filter((r) => r.outcome === 'invalid')).toEqual([]);
    // nothing sourcing-related exists there to call: sourcing goes through the service's own contract
    expect(requests.flatMap((r) => r.rootFields).filter((f) => /sourcing/i.test(f))).toEqual([]);
  });

  describe('sourcing API status reports', () => {
    it('routes a report to the linked opportunity’s candidate workflow and answers 202', async () => {
      const l = await importLinkedCandidate(h, 'route');
      const res = await h.reportStatus(l.candidateId, { status: 'offer', changedBy: x.csUsers.riley });
      expect(res.status).toBe(202);
      expect(await readJson(res)).toEqual({ status: 'accepted', codesignalCandidateId: l.candidateId, leverOpportunityId: l.opportunityId, workflowId: candidateWorkflowId(h.integration.id, l.opportunityId) });
      await leverBecomes(l, { stage: x.stages.offer });
      // nothing of it is left running for the next test (the feed-outage test counts every feed delivery)
      await settled(h, l.opportunityId);
    });

    it('a report older than the Lever change the feed already sent is stale: Lever keeps its stage', async () => {
      const l = await importLinkedCandidate(h, 'older');
      const before = Date.now();
      moveInLever(l, x.stages.phoneScreen);
      await statusBecomes(l, 'screening');
      await settled(h, l.opportunityId);
      // a change made in CodeSignal before the Lever move, reported only now
      expect((await h.reportStatus(l.candidateId, { status: 'offer', changedAt: before - 1_000, changedBy: x.csUsers.riley })).status).toBe(202);
      await settled(h, l.opportunityId);
      expect(leverOpportunity(h, l.opportunityId).stage).toBe(x.stages.phoneScreen);
      expect((await syncStateOf(h, l.opportunityId))?.agreed).toMatchObject({ status: 'screening', origin: 'lever' });
    });
  });
});
