import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { findTemporalBinary } from '../../dev/temporal-binaries';
import { findIntegration } from '../../src/integrations/repository';
import { assessmentStateQuery } from '../../src/workflows/assessment/messages';
import { erasureWorkflowId, type ErasureResult } from '../../src/workflows/erasure/messages';
import { reconciliationWorkflowId, type ReconciliationSummary } from '../../src/workflows/reconciliation/messages';
import { IntegrationIdKey } from '../../src/workflows/shared/search-attributes';
import { assessmentWorkflowId, candidateWorkflowId, interviewWorkflowId } from '../../src/workflows/shared/ids';
import { interviewStateQuery } from '../../src/workflows/interview/messages';
import { startAssessmentHarness, type AssessmentHarness } from '../support/assessment-harness';
import { postJson, readJson, signedLeverDelivery } from '../support/lever-webhook';
import { adminToken, eventually, testSecretBox } from '../support/stack';

const run = promisify(execFile);

/** README "Erasure": Lever deletes a candidate mid-assessment; everything the service holds about them goes, and their Temporal history becomes unreadable. */
describe('erasure of a candidate Lever deleted', () => {
  jest.setTimeout(180_000);
  let h: AssessmentHarness;
  let created = 0;

  beforeAll(async () => {
    // a short key cache: the erasure waits it out before ending the workflows (README "Erasure")
    h = await startAssessmentHarness({ name: 'Erasure', config: { DATA_KEY_CACHE_SECONDS: '2' } });
    const seed = h.sandboxes.lever.seed;
    const test = h.sandboxes.codesignal.seed.tests.find((t) => !t.proctored)!;
    expect((await h.putSettings({ defaultTestByStage: { [seed.stageIds.assessment]: test.id } })).status).toBe(200);
  });
  afterAll(() => h.close());

  const seed = () => h.sandboxes.lever.seed;
  const control = () => h.sandboxes.codesignalSandbox.control;
  const subjectRef = (opportunityId: string) => createHash('sha256').update(`${h.integration.id}/${opportunityId}`).digest('hex');
  const rowsAbout = async (opportunityId: string) => {
    const counts: Record<string, number> = {};
    for (const table of ['assessment_sessions', 'candidate_directory', 'webhook_deliveries']) {
      const { rows } = await h.stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE integration_id = $1 AND opportunity_id = $2`, [h.integration.id, opportunityId]);
      counts[table] = Number(rows[0]!.n);
    }
    return counts;
  };
  const invitedCandidate = async () => {
    created += 1;
    const name = `Erin Erasable${created}`;
    const email = `erasure-${created}-${Date.now()}@example.org`;
    const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name, emails: [email], userId: seed().userIds.recruiter });
    h.moveToStage(opp.id, seed().stageIds.assessment);
    const session = await eventually(async () => {
      expect((await h.stack.client.workflow.getHandle(assessmentWorkflowId(h.integration.id, opp.id, 1)).query(assessmentStateQuery)).status).toBe('invited');
      const s = control().sessions(h.sandboxes.codesignal.seed.companyId).find((x) => x.candidate.email === email);
      expect(s).toBeDefined();
      return s!;
    }, 60_000);
    return { id: opp.id, name, email, sessionId: session.id };
  };
  const signingToken = async () => (await findIntegration(h.stack.db, testSecretBox, h.integration.id))!.leverWebhookSigningTokens[0]!;
  const leverUrl = () => `${h.stack.baseUrl}/webhooks/lever/${h.integration.id}`;

  it('deletes the CodeSignal session, the rows and the workflows, shreds the history and writes a receipt', async () => {
    const c = await invitedCandidate();
    // before: the candidate's payloads are under their own data key, and rows about them exist
    const { rows: keys } = await h.stack.db.query('SELECT id FROM candidate_data_keys WHERE subject_ref = $1 AND wrapped_key IS NOT NULL', [subjectRef(c.id)]);
    expect(keys).toHaveLength(1);
    const raw = new Client({ connection: h.stack.client.connection, namespace: h.stack.config.TEMPORAL_NAMESPACE });
    const history = await raw.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).fetchHistory();
    const keyIds = history.events!.flatMap((e) => (e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []).map((p) => Buffer.from(p.metadata!['encryption-key-id']!).toString()));
    expect(keyIds).toEqual([`dk:${(keys[0] as { id: string }).id}`]);
    await eventually(async () => expect((await rowsAbout(c.id)).assessment_sessions).toBe(1));

    h.sandboxes.leverSandbox.recruiter.deleteCandidate(seed().accountId, c.id, { userId: seed().userIds.recruiter });
    const result: ErasureResult = await eventually(() => h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result(), 60_000);
    expect(result.outcome).toBe('erased');
    if (result.outcome !== 'erased') return;
    expect(result.receipt).toMatchObject({
      reference: subjectRef(c.id),
      trigger: 'candidateDeleted',
      confirmedBy: 'lever-deleted',
      keysDestroyed: 1,
      codesignal: { deletedSessions: 1, deletedInterviews: 0, notDeleted: [] },
    });
    expect(result.receipt.workflowsEnded).toBeGreaterThanOrEqual(2);
    expect(result.receipt.rowsRemoved.assessment_sessions).toBe(1);

    // CodeSignal: the invitation is withdrawn
    expect(control().sessions(h.sandboxes.codesignal.seed.companyId).find((s) => s.id === c.sessionId)?.status).toBe('deleted');
    // the service's rows: gone
    expect(await rowsAbout(c.id)).toEqual({ assessment_sessions: 0, candidate_directory: 0, webhook_deliveries: 0 });
    // the workflows: ended
    for (const id of [candidateWorkflowId(h.integration.id, c.id), assessmentWorkflowId(h.integration.id, c.id, 1)]) {
      expect((await h.stack.client.workflow.getHandle(id).describe()).status.name).toBe('TERMINATED');
    }
    // the history through the codec endpoint, as an operator reads it: "erased", never the name or e-mail
    const cli = findTemporalBinary('temporal', undefined, process.env.PATH ?? '')!;
    const shown = await run(cli, [
      'workflow', 'show', '--workflow-id', candidateWorkflowId(h.integration.id, c.id), '--output', 'json',
      '--address', h.stack.config.TEMPORAL_ADDRESS!, '--namespace', h.stack.config.TEMPORAL_NAMESPACE,
      '--codec-endpoint', `${h.stack.baseUrl}/codec`, '--codec-auth', `Bearer ${adminToken}`,
    ]);
    expect(shown.stdout).toContain('erased');
    expect(shown.stdout).not.toContain(c.email);
    expect(shown.stdout).not.toContain(c.name);
    // the receipt in the audit log: no id, name or e-mail of the candidate
    const audit = await readJson(await fetch(`${h.stack.baseUrl}/api/audit?action=candidate.erased&integrationId=${h.integration.id}`, { headers: { authorization: `Bearer ${adminToken}` } }));
    const entry = audit.entries.find((e: { target: string }) => e.target === subjectRef(c.id));
    expect(entry).toMatchObject({ actor: 'service', action: 'candidate.erased', details: { keysDestroyed: 1, trigger: 'candidateDeleted' } });
    const text = JSON.stringify(entry);
    for (const secret of [c.id, c.email, c.name]) expect(text).not.toContain(secret);

    // a late delivery for the erased candidate starts nothing and keeps nothing
    const late = await postJson(leverUrl(), signedLeverDelivery(await signingToken(), 'candidateStageChange', { opportunityId: c.id, toStageId: seed().stageIds.onSite }));
    expect(late.status).toBe(200);
    expect(await readJson(late)).toMatchObject({ status: 'ignored', reason: 'candidate_erased' });
    expect((await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).describe()).status.name).toBe('TERMINATED');
    // the same deletion again (Lever's retry, or the sweep): nothing left, no second receipt
    const again = await postJson(leverUrl(), signedLeverDelivery(await signingToken(), 'candidateDeleted', { opportunityId: c.id }));
    expect(again.status).toBe(202);
    const second: ErasureResult = await eventually(async () => {
      const r = await h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result();
      if (r.outcome === 'erased' && r.receipt.keysDestroyed === 1) throw new Error('still the first run');
      return r;
    }, 60_000);
    expect(second).toMatchObject({ outcome: 'erased', receipt: { keysDestroyed: 0, workflowsEnded: 0, rowsRemoved: { assessment_sessions: 0 } } });
    const { rows: receipts } = await h.stack.db.query(`SELECT 1 FROM audit_log WHERE action = 'candidate.erased' AND target = $1`, [subjectRef(c.id)]);
    expect(receipts).toHaveLength(1);
  });

  it('deletes a live interview that has not started; one CodeSignal no longer lets delete is listed in the receipt', async () => {
    const interviewer = h.sandboxes.codesignal.seed.users[0]!.id;
    expect((await h.putSettings({ triggerStageIds: [seed().stageIds.onSite], interviewer: 'default', defaultCodeSignalUserId: interviewer }, 'interviews')).status).toBe(200);
    const withRoom = async () => {
      created += 1;
      const email = `erasure-room-${created}-${Date.now()}@example.org`;
      const opp = h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name: `Rory Room${created}`, emails: [email], userId: seed().userIds.recruiter });
      h.moveToStage(opp.id, seed().stageIds.onSite);
      const room = await eventually(async () => {
        expect((await h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, opp.id, 1)).query(interviewStateQuery)).status).toBe('scheduled');
        const [r] = control().interviews(h.sandboxes.codesignal.seed.companyId).filter((i) => i.candidateEmail === email);
        expect(r).toBeDefined();
        return r!;
      }, 60_000);
      return { id: opp.id, roomId: room.id };
    };
    const pending = await withRoom();
    const started = await withRoom();
    control().startInterview(started.roomId);
    for (const c of [pending, started]) h.sandboxes.leverSandbox.recruiter.deleteCandidate(seed().accountId, c.id);
    const results = await Promise.all([pending, started].map((c) => eventually(() => h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result(), 60_000)));
    expect(results[0]).toMatchObject({ outcome: 'erased', receipt: { codesignal: { deletedInterviews: 1, notDeleted: [] }, rowsRemoved: { interview_rooms: 1 } } });
    expect(control().interview(pending.roomId).status).toBe('deleted');
    expect(results[1]).toMatchObject({
      outcome: 'erased',
      receipt: { codesignal: { deletedInterviews: 0, notDeleted: [{ kind: 'interview', id: started.roomId, reason: expect.stringMatching(/^active: /) }] }, rowsRemoved: { interview_rooms: 1 } },
    });
    // ended: terminated by the erasure, or failed before it on Lever's 404 for the deleted opportunity
    expect((await h.stack.client.workflow.getHandle(interviewWorkflowId(h.integration.id, started.id, 1)).describe()).status.name).not.toBe('RUNNING');
  });

  it('erases nothing on a signed candidateDeleted while Lever still has the candidate (the body is not signed)', async () => {
    const c = await invitedCandidate();
    const forged = await postJson(leverUrl(), signedLeverDelivery(await signingToken(), 'candidateDeleted', { opportunityId: c.id }));
    expect(forged.status).toBe(202);
    const result = await h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result();
    expect(result).toEqual({ outcome: 'refused', reason: 'Lever still has this opportunity and its contact is not anonymized' });
    expect((await rowsAbout(c.id)).assessment_sessions).toBe(1);
    expect((await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).describe()).status.name).toBe('RUNNING');
    expect(control().sessions(h.sandboxes.codesignal.seed.companyId).find((s) => s.id === c.sessionId)?.status).toBe('pending');
    const { rows } = await h.stack.db.query('SELECT 1 FROM candidate_data_keys WHERE subject_ref = $1 AND wrapped_key IS NOT NULL', [subjectRef(c.id)]);
    expect(rows).toHaveLength(1);
  });

  /** One reconciliation sweep, as its Schedule starts it (README "Reconciliation"), leaving nothing to the webhooks. */
  const sweep = (): Promise<ReconciliationSummary> =>
    h.stack.client.workflow.execute('reconciliationWorkflow', {
      workflowId: `${reconciliationWorkflowId(h.integration.id)}-erasure-${randomUUID()}`,
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, graceMs: 0 }],
      typedSearchAttributes: [{ key: IntegrationIdKey, value: h.integration.id }],
    });

  it('erases, found by the reconciliation sweep, a candidate Lever anonymized and one whose deletion webhook was lost', async () => {
    expect((await h.putSettings({ reconciliation: { enabled: true, intervalMinutes: 1440 } }, 'integration')).status).toBe(200);
    const anonymized = await invitedCandidate();
    const deleted = await invitedCandidate();
    // moved on to a stage no flow watches before Lever anonymized the contact: the sweep looks at every updated opportunity
    h.moveToStage(anonymized.id, seed().stageIds.offer);
    h.sandboxes.leverSandbox.recruiter.anonymizeCandidate(seed().accountId, anonymized.id);
    // the candidateDeleted subscription is set aside while Lever deletes the second one: its webhook is lost
    const webhooks = h.sandboxes.leverSandbox.store.account(seed().accountId).webhooks;
    const aside = [...webhooks.values()].filter((w) => w.event === 'candidateDeleted');
    expect(aside.length).toBeGreaterThan(0);
    for (const w of aside) webhooks.delete(w.id);
    try {
      h.sandboxes.leverSandbox.recruiter.deleteCandidate(seed().accountId, deleted.id);
    } finally {
      for (const w of aside) webhooks.set(w.id, w);
    }
    const summary = await sweep();
    expect(summary.lever).toMatchObject({ deletions: { erasuresStarted: 2, failed: 0, truncated: false } });
    for (const [c, trigger, confirmedBy] of [[anonymized, 'anonymized', 'lever-anonymized'], [deleted, 'deletedList', 'lever-deleted']] as const) {
      const result: ErasureResult = await h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result();
      expect(result).toMatchObject({ outcome: 'erased', receipt: { trigger, confirmedBy, keysDestroyed: 1, codesignal: { deletedSessions: 1 } } });
      expect(control().sessions(h.sandboxes.codesignal.seed.companyId).find((s) => s.id === c.sessionId)?.status).toBe('deleted');
      expect((await rowsAbout(c.id)).assessment_sessions).toBe(0);
    }
    // a second sweep finds them erased: the service holds no live key for them, so no erasure is started again
    expect((await sweep()).lever?.deletions).toMatchObject({ erasuresStarted: 0 });
  });

  it('erases on its side a candidate whose session CodeSignal deleted for PII; Lever keeps the candidate', async () => {
    expect((await h.putSettings({ reconciliation: { enabled: true, intervalMinutes: 1440 } }, 'integration')).status).toBe(200);
    const c = await invitedCandidate();
    control().deleteSessionForPii(c.sessionId);
    // found by the sweep, or first by the assessment's own read of the session (a reminder's): either starts the one erasure
    const summary = await sweep();
    expect(summary.codesignal?.failed).toBe(0);
    const result: ErasureResult = await eventually(() => h.stack.client.workflow.getHandle(erasureWorkflowId(h.integration.id, c.id)).result(), 60_000);
    expect(result).toMatchObject({
      outcome: 'erased',
      receipt: { trigger: 'codesignalDeletedForPii', confirmedBy: 'codesignal-deleted-for-pii', keysDestroyed: 1, codesignal: { deletedSessions: 1, notDeleted: [] } },
    });
    expect(await rowsAbout(c.id)).toEqual({ assessment_sessions: 0, candidate_directory: 0, webhook_deliveries: 0 });
    expect((await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, c.id)).describe()).status.name).toBe('TERMINATED');
    expect(h.opportunity(c.id).id).toBe(c.id);
  });

  it('refuses a deletedForPii erasure CodeSignal does not confirm', async () => {
    const c = await invitedCandidate();
    const result = await h.stack.client.workflow.execute('erasureWorkflow', {
      workflowId: erasureWorkflowId(h.integration.id, c.id),
      taskQueue: h.stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ integrationId: h.integration.id, opportunityId: c.id, trigger: 'codesignalDeletedForPii', sessionId: c.sessionId }],
    });
    expect(result).toEqual({ outcome: 'refused', reason: 'CodeSignal does not show this candidate\'s session deleted for PII' });
    expect((await rowsAbout(c.id)).assessment_sessions).toBe(1);
  });
});
