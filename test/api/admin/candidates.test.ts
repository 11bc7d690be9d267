import { randomUUID } from 'node:crypto';
import { candidateStateQuery } from '../../../src/workflows/candidate/messages';
import { candidateWorkflowId } from '../../../src/workflows/shared/ids';
import { startAssessmentHarness, type AssessmentHarness } from '../../support/assessment-harness';
import { readJson } from '../../support/lever-webhook';
import { adminToken, eventually } from '../../support/stack';

const uiUrl = 'http://temporal-ui.test:8080';

/**
 * The per-candidate timeline's admin API (search, timeline, re-sync) against the real API, worker,
 * Temporal, PostgreSQL and both sandboxes: candidates become findable once the workflow has read them
 * from Lever, never in plain text in the database.
 */
describe('candidate search, timeline and re-sync', () => {
  jest.setTimeout(120_000);
  let h: AssessmentHarness;
  beforeAll(async () => {
    // no settings cache: a test below takes the default Lever user away and gives it back
    h = await startAssessmentHarness({ name: 'Timeline API', config: { TEMPORAL_UI_URL: uiUrl, INTEGRATION_CACHE_MS: '0' } });
  });
  afterAll(() => h?.close());

  const call = (method: string, path: string, token: string | null = adminToken) =>
    fetch(`${h.stack.baseUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const candidates = (integrationId = h.integration.id) => `/api/integrations/${integrationId}/candidates`;
  const search = async (q: string) => {
    const res = await call('GET', `${candidates()}?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return readJson(res);
  };
  const timeline = async (opportunityId: string) => {
    const res = await call('GET', `${candidates()}/${opportunityId}/timeline`);
    expect(res.status).toBe(200);
    return readJson(res);
  };
  const seed = () => h.sandboxes.lever.seed;
  const newCandidate = (name: string, emails: string[], stage: string) =>
    h.sandboxes.leverSandbox.recruiter.createCandidate(seed().accountId, { name, emails, stage, origin: 'sourced', userId: seed().userIds.recruiter });
  const selectionLinks = (opportunityId: string) => h.opportunity(opportunityId).links.filter((l) => l.includes('/assessments/select/'));

  it('finds a candidate moved by a webhook by name, exact e-mail and opportunity id, and lists webhook, workflows and Lever writes in order', async () => {
    const tag = randomUUID().slice(0, 8);
    const name = `Grace Hopper-${tag}`;
    const email = `grace.${tag}@example.org`;
    const opp = newCandidate(name, [email, `g.hopper.${tag}@example.net`], seed().stageIds.phoneScreen);
    h.moveToStage(opp.id, seed().stageIds.assessment);
    await eventually(async () => expect(selectionLinks(opp.id)).toHaveLength(1), 30_000);

    // by name: a part of it, in another case
    const byName = await eventually(async () => {
      const found = await search(`hopper-${tag.toUpperCase()}`);
      expect(found.candidates).toHaveLength(1);
      return found;
    });
    expect(byName).toEqual({
      match: 'name',
      truncated: false,
      candidates: [{ opportunityId: opp.id, name, emails: [email, `g.hopper.${tag}@example.net`], lastSeenAt: expect.any(String) }],
    });
    // by e-mail: exactly (case and spaces aside), never a part of one
    expect((await search(` ${email.toUpperCase()} `)).candidates.map((c: any) => c.opportunityId)).toEqual([opp.id]);
    expect((await search(`g.hopper.${tag}@example.net`)).candidates.map((c: any) => c.opportunityId)).toEqual([opp.id]);
    expect(await search(`race.${tag}@example.org`)).toEqual({ match: 'email', candidates: [], truncated: false });
    expect((await search(`grace.${tag}@example`)).candidates).toEqual([]);
    expect((await search(`${tag}@`)).candidates).toEqual([]);
    // by opportunity id: exactly
    expect((await search(opp.id)).candidates.map((c: any) => c.name)).toEqual([name]);
    expect((await search(randomUUID())).candidates).toEqual([]);

    // nothing of the name or the e-mails is in the table in plain text
    const { rows } = await h.stack.db.query('SELECT * FROM candidate_directory WHERE integration_id = $1 AND opportunity_id = $2', [h.integration.id, opp.id]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]).toLowerCase();
    for (const secret of ['grace', 'hopper', tag, 'example.org', 'example.net']) expect(stored).not.toContain(secret);
    expect(rows[0].name_sealed).toMatch(/^enc:v1:/);

    const t = await eventually(async () => {
      const answer = await timeline(opp.id);
      expect(answer.entries.map((e: any) => e.title)).toEqual(expect.arrayContaining(['Test selection link added to the opportunity', 'Assessment 1: awaiting selection']));
      return answer;
    }, 20_000);
    expect(t.candidate).toEqual({ opportunityId: opp.id, name, emails: [email, `g.hopper.${tag}@example.net`], lastSeenAt: expect.any(String) });
    const times = t.entries.map((e: any) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const webhook = t.entries.find((e: any) => e.kind === 'webhook');
    expect(webhook).toMatchObject({ title: 'Webhook from Lever: stage change', outcome: 'accepted', workflowId: candidateWorkflowId(h.integration.id, opp.id) });
    expect(webhook.temporalUrl).toBe(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(candidateWorkflowId(h.integration.id, opp.id))}`);
    const titles = t.entries.map((e: any) => e.title);
    expect(titles.indexOf('Webhook from Lever: stage change')).toBeLessThan(titles.indexOf('Candidate workflow started') + 1);
    expect(t.entries.find((e: any) => e.kind === 'lever-event')).toMatchObject({ title: 'Lever: stage change', stageId: seed().stageIds.assessment });
    expect(t.entries.find((e: any) => e.title === 'Lever event checked with Lever')).toMatchObject({ kind: 'lever', outcome: 'ok', detail: 'Lever bears the event out' });
    const link = t.entries.find((e: any) => e.title === 'Test selection link added to the opportunity');
    expect(link).toMatchObject({ kind: 'lever', outcome: 'ok', workflowId: expect.stringMatching(/^assessment\//) });
    expect(link.temporalUrl).toMatch(new RegExp(`^${uiUrl}/namespaces/default/workflows/assessment%2F.*/history$`));
    expect(t.entries.find((e: any) => e.title === 'Tags set')).toMatchObject({ kind: 'lever', outcome: 'ok', detail: 'added CodeSignal: awaiting test selection' });
    expect(t.workflows.map((w: any) => [w.workflowType, w.status]).sort()).toEqual([['assessmentWorkflow', 'RUNNING'], ['candidateWorkflow', 'RUNNING']]);
    // the timeline names what happened, never a payload's contents (the invitation link, an e-mail)
    expect(JSON.stringify(t.entries)).not.toContain(email);
    expect(JSON.stringify(t.entries)).not.toContain('/assessments/select/');

    // re-sync: Lever re-read, the candidate already as Lever shows it, so nothing is written twice
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', `${candidates()}/${opp.id}/resync`);
      expect(res.status).toBe(202);
      expect(await readJson(res)).toEqual({
        workflowId: candidateWorkflowId(h.integration.id, opp.id),
        lever: { stageId: seed().stageIds.assessment, enteredAt: expect.any(String), archived: false },
        codesignal: 'checked',
        reread: [],
        resumed: [],
      });
    }
    await eventually(async () => {
      const entries = (await timeline(opp.id)).entries;
      expect(entries.filter((e: any) => e.kind === 're-sync')).toHaveLength(2);
    });
    const state = await h.stack.client.workflow.getHandle(candidateWorkflowId(h.integration.id, opp.id)).query(candidateStateQuery);
    expect(state.assessments).toHaveLength(1);
    expect(selectionLinks(opp.id)).toHaveLength(1);
    // the second re-sync of an unchanged candidate is a duplicate the workflow dropped
    expect(state.duplicatesIgnored).toBe(1);
  });

  it('repairs a candidate whose webhook never came: re-sync starts what the stage calls for', async () => {
    const tag = randomUUID().slice(0, 8);
    // created straight into the trigger stage: Lever sends no stage change for it
    const opp = newCandidate(`Katherine Johnson-${tag}`, [`kj.${tag}@example.org`], seed().stageIds.assessment);
    expect((await call('GET', `${candidates()}/${opp.id}/timeline`)).status).toBe(404);
    expect((await search(`Johnson-${tag}`)).candidates).toEqual([]);

    const res = await call('POST', `${candidates()}/${opp.id}/resync`);
    expect(res.status).toBe(202);
    expect((await search(`Johnson-${tag}`)).candidates.map((c: any) => c.opportunityId)).toEqual([opp.id]);
    await eventually(async () => expect(selectionLinks(opp.id)).toHaveLength(1), 30_000);
    const t = await eventually(async () => {
      const answer = await timeline(opp.id);
      expect(answer.entries.map((e: any) => e.title)).toContain('Test selection link added to the opportunity');
      return answer;
    }, 20_000);
    expect(t.entries.filter((e: any) => e.kind === 'webhook')).toEqual([]);
    expect(t.entries.find((e: any) => e.kind === 're-sync')).toMatchObject({ title: 'Re-sync: Lever re-read (current stage)', stageId: seed().stageIds.assessment });
  });

  it('shows a failed Lever write with what the admin can do about it, and the flow stopped under its name', async () => {
    const tag = randomUUID().slice(0, 8);
    const opp = newCandidate(`Dorothy Vaughan-${tag}`, [`dv.${tag}@example.org`], seed().stageIds.phoneScreen);
    expect((await h.putSettings({ defaultLeverUserId: undefined }, 'integration')).status).toBe(200);
    try {
      h.moveToStage(opp.id, seed().stageIds.assessment);
      const failed = await eventually(async () => {
        const entries = (await timeline(opp.id)).entries;
        const entry = entries.find((e: any) => e.title === 'Test selection link added to the opportunity');
        expect(entry).toMatchObject({ outcome: 'failed' });
        expect(entries.find((e: any) => e.title === 'Assessment 1: stopped as no-default-lever-user')).toMatchObject({ kind: 'status', outcome: 'stopped', detail: expect.stringMatching(/^No default Lever user is configured/) });
        return entry;
      }, 30_000);
      expect(failed).toMatchObject({
        kind: 'lever',
        call: 'write',
        detail: 'no default Lever user is configured for this integration',
        failure: { type: 'NoDefaultLeverUser', message: 'no default Lever user is configured for this integration', page: 'configuration', action: expect.stringMatching(/^Choose the default Lever user on Configuration/) },
      });
    } finally {
      expect((await h.putSettings({ defaultLeverUserId: seed().defaultUserId }, 'integration')).status).toBe(200);
    }
  });

  it('answers 400 naming a bad query or id, 404 for an unknown integration or candidate, 401 without an admin', async () => {
    const bad = async (path: string, status: number, error: string, message?: RegExp) => {
      const res = await call(path.startsWith('POST ') ? 'POST' : 'GET', path.replace(/^POST /, ''));
      expect(res.status).toBe(status);
      const body = await readJson(res);
      expect(body.error).toBe(error);
      if (message) expect(body.message).toMatch(message);
    };
    await bad(candidates(), 400, 'invalid_query', /^q: /);
    await bad(`${candidates()}?q=a`, 400, 'invalid_query', /^q: at least 2 characters/);
    await bad(`${candidates()}?q=${'x'.repeat(201)}`, 400, 'invalid_query', /^q: at most 200 characters/);
    await bad(`${candidates(randomUUID())}?q=ada`, 404, 'unknown_integration');
    await bad(`${candidates(h.integration.id.toUpperCase())}?q=ada`, 404, 'unknown_integration');
    await bad(`${candidates()}/NOT-AN-ID/timeline`, 400, 'invalid_parameter', /^opportunityId: /);
    await bad(`POST ${candidates()}/${randomUUID().toUpperCase()}/resync`, 400, 'invalid_parameter', /^opportunityId: /);
    await bad(`${candidates()}/${randomUUID()}/timeline`, 404, 'unknown_candidate');
    await bad(`${candidates(randomUUID())}/${randomUUID()}/timeline`, 404, 'unknown_integration');
    await bad(`POST ${candidates()}/${randomUUID()}/resync`, 404, 'unknown_candidate', /Lever has no opportunity/);
    expect((await call('GET', `${candidates()}?q=ada`, null)).status).toBe(401);
    expect((await call('POST', `${candidates()}/${randomUUID()}/resync`, 'not-the-admin-token')).status).toBe(401);
  });
});
