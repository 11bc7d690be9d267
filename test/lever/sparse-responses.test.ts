import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAssessmentActivities } from '../../src/activities/assessment/assessment-activities';
import type { IntegrationContext, IntegrationContexts } from '../../src/integrations/context';
import { createInterviewActivities } from '../../src/activities/interview/interview-activities';
import { ensureLink, ensureNote, ensureTags } from '../../src/lever/writes';
import { leverReadingOf } from '../../src/activities/sourcing/sync-activities';
import type { CodeSignalClient } from '../../src/codesignal/client';
import { createLeverClient, type LeverClient } from '../../src/lever/client';
import { loadMappingCatalog } from '../../src/integrations/mappings/catalog';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type RunningLeverSandbox } from '../../sandbox/lever/index';
import { loadLeverOptions } from '../../src/integrations/options';

/**
 * The Lever sandbox in `sparse` mode answers as thinly as lever-api.md allows (optional, [U], [O] and
 * sometimes-sent fields left out, nullable ones null): every read the service makes must still parse,
 * and the service's readings fall back instead of failing.
 */
describe('Lever client against sparse answers', () => {
  let sandbox: LeverSandbox;
  let server: RunningLeverSandbox;
  let demo: LeverDemoSeed;
  let lever: LeverClient;
  let bot: string;
  let contexts: IntegrationContexts;

  beforeAll(async () => {
    sandbox = createLeverSandbox({ logger: false, sparse: true, rateLimit: { perSecond: 1000, burst: 1000 } });
    demo = seedLeverDemo(sandbox, { permissions: 'all' });
    server = await sandbox.listen(0);
    lever = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey });
    bot = demo.defaultUserId;
    // only what the read activities below use
    contexts = { get: async () => ({ lever, performAs: () => bot }) as unknown as IntegrationContext };
  });
  afterAll(() => sandbox.close());

  const ada = () => demo.opportunities[0]!;
  const margaret = () => demo.opportunities.find((o) => o.email === null)!;
  const raw = async (path: string) => {
    const res = await fetch(`${server.apiUrl}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${demo.apiKey}:`).toString('base64')}` } });
    return (await res.json()) as Record<string, unknown> & { data: Record<string, unknown> };
  };

  it('the sandbox really answers sparsely', async () => {
    const { data } = await raw(`/opportunities/${ada().id}`);
    expect('archived' in data).toBe(false);
    expect(data).toMatchObject({ owner: null, createdAt: null, updatedAt: null, lastAdvancedAt: null });
    expect('hasNext' in (await raw('/stages'))).toBe(false);
  });

  describe('opportunities', () => {
    it('reads an active opportunity: not archived, times and owner unknown', async () => {
      const opp = await lever.getOpportunity(ada().id);
      expect(opp).toMatchObject({ id: ada().id, name: 'Ada Lovelace', emails: ['ada.lovelace@example.com'], stage: demo.stageIds.phoneScreen, archived: null, owner: null, createdAt: null });
      const reading = leverReadingOf(opp);
      // the stage's time comes from stageChanges; the missing updatedAt falls back to it
      expect(reading).toEqual({ stageId: demo.stageIds.phoneScreen, stageAt: expect.any(Number), archiveReasonId: null, archivedAt: null, updatedAt: reading.stageAt });
      expect(reading.stageAt).toBeGreaterThan(0);
    });

    it('reads an archived one from the docs\' archivedAt/archiveReason', async () => {
      const { opportunity } = await lever.createOpportunity({ performAs: bot, body: { name: 'Archie Ved', emails: ['archie@example.org'] } });
      const reason = demo.archiveReasons.find((r) => r.type === 'non-hired')!;
      sandbox.recruiter.archive(demo.accountId, opportunity.id, { reason: reason.id });
      const opp = await lever.getOpportunity(opportunity.id);
      expect(opp.archived).toEqual({ reason: reason.id, archivedAt: expect.any(Number) });
      expect(leverReadingOf(opp)).toMatchObject({ archiveReasonId: reason.id, archivedAt: opp.archived!.archivedAt });
      // the import's lookup: only active opportunities, each read as not archived
      const again = sandbox.recruiter.createCandidate(demo.accountId, { name: 'Archie Again', emails: ['archie@example.org'], userId: bot });
      const active = (await lever.listOpportunities({ email: 'archie@example.org', archived: false })).data;
      expect(active.map((o) => o.id)).toEqual([again.id]);
      expect(active[0]!.archived).toBeNull();
    });

    it('names the applied posting, and a candidate without e-mail has none', async () => {
      const activities = createAssessmentActivities({ contexts, publicUrl: 'http://localhost:3000', linkSigningSecret: 'x'.repeat(32) });
      expect(await activities.getCandidate({ integrationId: 'i', opportunityId: ada().id }))
        .toEqual({ name: 'Ada Lovelace', email: 'ada.lovelace@example.com', postingId: ada().postingId });
      expect(await activities.getCandidate({ integrationId: 'i', opportunityId: margaret().id }))
        .toEqual({ name: 'Margaret Hamilton', email: null, postingId: null });
    });

    it('the interview flow reads a candidate whose owner is unknown', async () => {
      const activities = createInterviewActivities({ contexts, findMappedCodeSignalUser: async () => undefined, publicUrl: 'http://127.0.0.1:9', linkSigningSecret: 'test-link-secret' });
      expect(await activities.getInterviewCandidate({ integrationId: 'i', opportunityId: margaret().id }))
        .toEqual({ name: 'Margaret Hamilton', email: null, ownerId: null });
    });

    it('a create without the deduped flag reads as not deduped', async () => {
      const again = await lever.createOpportunity({ performAs: bot, body: { name: 'Ada L.', emails: ['ada.lovelace@example.com'] } });
      expect(again.deduped).toBe(false);
      expect(again.opportunity.contact).toBe((await lever.getOpportunity(ada().id)).contact);
    });

    it('writes answer the (sparse) opportunity; tags and links are checked before writing', async () => {
      const { opportunity } = await lever.createOpportunity({ performAs: bot, body: { name: 'Stage Walker', emails: ['walker@example.org'] } });
      expect((await lever.changeStage(opportunity.id, demo.stageIds.assessment, bot))?.stage).toBe(demo.stageIds.assessment);
      await ensureTags(lever, opportunity.id, { add: ['cs-invited'], remove: [] }, bot);
      await ensureLink(lever, opportunity.id, 'https://app.codesignal.com/x', true, bot);
      expect(await lever.getOpportunity(opportunity.id)).toMatchObject({ tags: ['cs-invited'], links: ['https://app.codesignal.com/x'] });
    });
  });

  it('notes: the create answer is only {noteId}; a second ensureNote finds the first', async () => {
    const note = await lever.createNote(ada().id, { value: 'plain', notifyFollowers: false, performAs: bot });
    expect(note.id).toEqual(expect.any(String));
    const since = Date.now();
    for (let i = 0; i < 2; i++) await ensureNote(lever, ada().id, { ref: 'sparse-1', text: 'CodeSignal result', notifyFollowers: false, performAs: bot });
    const notes = await lever.listAllNotes(ada().id);
    expect(notes.filter((n) => n.fields.some((f) => String(f.value).startsWith('CodeSignal result')))).toHaveLength(1);
    expect(sandbox.admin.requests(demo.accountId, { since }).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('files: status null', async () => {
    const file = await lever.uploadFile(ada().id, { filename: 'report.pdf', contentType: 'application/pdf', bytes: new Uint8Array([1, 2, 3]), performAs: bot });
    expect(file).toMatchObject({ name: 'report.pdf', status: null, size: 3 });
    expect((await lever.listAllFiles(ada().id)).map((f) => f.name)).toContain('report.pdf');
  });

  it('panels: interviews without `panel` still give the schedule', async () => {
    const date = Date.now() + 86_400_000;
    const panel = await lever.createPanel(ada().id, {
      timezone: 'Europe/Berlin', interviews: [{ date, duration: 45, interviewers: [{ id: demo.userIds.interviewer }] }],
    }, bot);
    expect(panel.interviews[0]!.panel).toBeUndefined();
    const activities = createInterviewActivities({ contexts, findMappedCodeSignalUser: async () => undefined, publicUrl: 'http://127.0.0.1:9', linkSigningSecret: 'test-link-secret' });
    const read = await activities.readLeverInterview({ integrationId: 'i', opportunityId: ada().id, interviewId: 'x', leverInterviewId: panel.interviews[0]!.id });
    expect(read).toEqual({ date, durationMinutes: 45, readAt: expect.any(Number) });
  });

  it('reference data: small lists without hasNext, postings without content', async () => {
    const options = await loadLeverOptions(lever);
    expect(options.stages.map((s) => s.id)).toEqual(demo.stages.map((s) => s.id));
    expect(options.users.map((u) => u.id)).toContain(bot);
    expect(options.postings.map((p) => p.text).sort()).toEqual(['Backend Engineer', 'Data Scientist', 'Frontend Engineer']);
    const codesignal = { listCompanyUsers: async () => [] } as unknown as CodeSignalClient;
    const catalog = await loadMappingCatalog(lever, codesignal);
    expect(catalog.leverUsers.find((u) => u.id === bot)).toMatchObject({ active: true });
    expect(catalog.leverArchiveReasons.some((r) => r.type === 'hired' && r.active)).toBe(true);
  });

  it('webhooks: the create answer without conditions still gives the token', async () => {
    const { webhook, signatureToken } = await lever.createWebhook({ url: 'https://hooks.example.org/lever', event: 'candidateStageChange' });
    expect(signatureToken.length).toBeGreaterThan(20);
    expect((await lever.listAllWebhooks()).map((w) => w.id)).toContain(webhook.id);
  });
});

describe('Lever client against answers shaped like the docs', () => {
  let odd: Server;
  let client: LeverClient;
  const panel = { id: 'p1', timezone: 'UTC', externallyManaged: true, interviews: [{ id: 'i1', panel: 'p1', date: 1, duration: 30, interviewers: [{ id: 'u1' }] }] };

  beforeAll(async () => {
    odd = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const url = req.url ?? '';
      // §1.2: the docs wrap the create answers of panels and webhooks twice
      if (url.startsWith('/v1/opportunities/o1/panels')) return void res.end(JSON.stringify({ data: { data: panel } }));
      if (url.startsWith('/v1/webhooks')) return void res.end(JSON.stringify({ data: { data: { id: 'w1', event: 'candidateHired', url: 'https://x', configuration: { signatureToken: 'tok' } } } }));
      // §3.4: the opportunity in a write's answer is live behaviour only
      if (url.startsWith('/v1/opportunities/o1/')) return void res.end('{}');
      if (url.startsWith('/v1/stages')) return void res.end(JSON.stringify({ data: [{ id: 'lead-new', text: 'New lead' }], hasNext: true, next: null }));
      res.statusCode = 404;
      res.end('{"code":"ResourceNotFound"}');
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    client = createLeverClient({ baseUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`, apiKey: 'k' });
  });
  afterAll(() => new Promise<void>((resolve) => odd.close(() => resolve())));

  it('reads doubly wrapped create answers', async () => {
    const body = { timezone: 'UTC', interviews: [{ date: 1, duration: 30, interviewers: [{ id: 'u1' }] }] };
    expect(await client.createPanel('o1', body, 'u1')).toMatchObject({ id: 'p1', interviews: [{ id: 'i1' }] });
    expect(await client.updatePanel('o1', 'p1', body, 'u1')).toMatchObject({ id: 'p1' });
    expect(await client.createWebhook({ url: 'https://x', event: 'candidateHired' })).toMatchObject({ webhook: { id: 'w1' }, signatureToken: 'tok' });
  });

  it('a write answered without the opportunity succeeds with undefined', async () => {
    expect(await client.changeStage('o1', 'lead-new', 'u1')).toBeUndefined();
    expect(await client.addTags('o1', ['t'], 'u1')).toBeUndefined();
  });

  it('a null `next` ends the list', async () => {
    expect(await client.listStages()).toEqual({ data: [{ id: 'lead-new', text: 'New lead' }], next: undefined });
  });
});
