import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExternalApiError } from '../../src/external-api-error';
import { createLeverClient, listAll, type LeverClient } from '../../src/lever/client';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type RunningLeverSandbox } from '../../sandbox/lever/index';

/** Awaits a rejection and returns it as an ExternalApiError (fails the test otherwise). */
async function apiError(promise: Promise<unknown>): Promise<ExternalApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ExternalApiError);
  return err as ExternalApiError;
}

describe('Lever client against the Lever sandbox', () => {
  let sandbox: LeverSandbox;
  let server: RunningLeverSandbox;
  let demo: LeverDemoSeed;
  let lever: LeverClient;
  let bot: string;

  beforeAll(async () => {
    // the real limit is exercised in rate-limiter.test.ts; here it would only slow the suite down
    sandbox = createLeverSandbox({ logger: false, rateLimit: { perSecond: 1000, burst: 1000 } });
    demo = seedLeverDemo(sandbox, { permissions: 'all' });
    server = await sandbox.listen(0);
    lever = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey });
    bot = demo.defaultUserId;
  });
  afterEach(() => sandbox.admin.clearFaults(demo.accountId));
  afterAll(() => sandbox.close());

  const ada = () => demo.opportunities[0]!;

  describe('opportunities', () => {
    it('reads one opportunity with the fields the integration uses', async () => {
      const opp = await lever.getOpportunity(ada().id);
      expect(opp).toMatchObject({ id: ada().id, name: 'Ada Lovelace', emails: ['ada.lovelace@example.com'], stage: demo.stageIds.phoneScreen, archived: null });
      expect(opp.applications).toHaveLength(1);
      expect(typeof opp.contact).toBe('string');
      expect(Array.isArray(opp.followers)).toBe(true);
      // Lever adds fields: they pass through untouched
      expect(opp.isAnonymized).toBe(false);
    });

    it('names the applied posting when asked to expand applications', async () => {
      expect((await lever.getOpportunity(ada().id, { expandApplications: true })).postingId).toBe(ada().postingId);
      expect((await lever.getOpportunity(ada().id)).postingId).toBeUndefined();
      const margaret = demo.opportunities.find((o) => o.postingId === null)!;
      expect((await lever.getOpportunity(margaret.id, { expandApplications: true })).postingId).toBeNull();
    });

    it('lists one page with filters', async () => {
      const page = await lever.listOpportunities({ email: 'grace.hopper@example.com' });
      expect(page.data.map((o) => o.name)).toEqual(['Grace Hopper']);
      expect(page.next).toBeUndefined();
      const byStage = await lever.listOpportunities({ stageId: [demo.stageIds.phoneScreen, demo.stageIds.onSite] });
      expect(byStage.data.map((o) => o.name).sort()).toEqual(['Ada Lovelace', 'Katherine Johnson']);
    });

    it('creates opportunities and reports contact de-duplication', async () => {
      const fresh = await lever.createOpportunity({ performAs: bot, body: { name: 'Linus Example', emails: ['linus@example.org'], origin: 'sourced', tags: ['codesignal'], postings: [demo.postings[0]!.id] } });
      expect(fresh.deduped).toBe(false);
      expect(fresh.opportunity).toMatchObject({ name: 'Linus Example', tags: expect.arrayContaining(['codesignal']) });
      const again = await lever.createOpportunity({ performAs: bot, body: { name: 'Ada L.', emails: ['ada.lovelace@example.com'] } });
      expect(again.deduped).toBe(true);
      expect(again.opportunity.contact).toBe((await lever.getOpportunity(ada().id)).contact);
      expect(again.opportunity.id).not.toBe(ada().id);
    });

    it('changes stage, archives, unarchives and edits tags, links and sources', async () => {
      const { opportunity } = await lever.createOpportunity({ performAs: bot, body: { name: 'Stage Walker', emails: ['walker@example.org'] } });
      const id = opportunity.id;
      expect((await lever.changeStage(id, demo.stageIds.assessment, bot))?.stage).toBe(demo.stageIds.assessment);
      const reason = demo.archiveReasons.find((r) => r.type === 'non-hired')!;
      expect((await lever.archive(id, reason.id, bot))?.archived).toMatchObject({ reason: reason.id, archivedAt: expect.any(Number) });
      expect((await lever.archive(id, null))?.archived).toBeNull();
      expect((await lever.addTags(id, ['cs-invited', 'cs-pending'], bot))?.tags).toEqual(expect.arrayContaining(['cs-invited', 'cs-pending']));
      expect((await lever.removeTags(id, ['cs-pending']))?.tags).not.toContain('cs-pending');
      expect((await lever.addLinks(id, ['https://app.codesignal.com/test-result/1'], bot))?.links).toContain('https://app.codesignal.com/test-result/1');
      expect((await lever.removeLinks(id, ['https://app.codesignal.com/test-result/1']))?.links).not.toContain('https://app.codesignal.com/test-result/1');
      expect((await lever.addSources(id, ['CodeSignal'], bot))?.sources).toContain('CodeSignal');
    });

    it('follows pagination over more than 100 opportunities', async () => {
      const tag = `bulk-${Date.now()}`;
      for (let i = 0; i < 130; i++) sandbox.recruiter.createCandidate(demo.accountId, { name: `Bulk ${i}`, emails: [`bulk${i}@example.org`], tags: [tag], userId: bot });
      const first = await lever.listOpportunities({ tag });
      expect(first.data).toHaveLength(100);
      expect(first.next).toEqual(expect.any(String));
      const second = await lever.listOpportunities({ tag }, { offset: first.next });
      expect(second.data).toHaveLength(30);
      expect(second.next).toBeUndefined();
      const all = await listAll((page) => lever.listOpportunities({ tag }, page), { limit: 40 });
      expect(all).toHaveLength(130);
      expect(new Set(all.map((o) => o.id)).size).toBe(130);
    });
  });

  describe('notes', () => {
    it('creates, lists and deletes a note written by the integration user', async () => {
      const note = await lever.createNote(ada().id, { value: 'CodeSignal score: 640/800', notifyFollowers: false, performAs: bot, secret: true });
      expect(note).toMatchObject({ id: expect.any(String), user: bot, secret: true });
      const listed = await lever.listNotes(ada().id);
      expect(listed.data.find((n) => n.id === note.id)?.fields[0]?.value).toBe('CodeSignal score: 640/800');
      expect((await lever.listAllNotes(ada().id)).map((n) => n.id)).toContain(note.id);
      await lever.deleteNote(ada().id, note.id);
      expect((await lever.listNotes(ada().id)).data.some((n) => n.id === note.id)).toBe(false);
    });
  });

  describe('files', () => {
    it('uploads multipart, lists, downloads the same bytes and deletes', async () => {
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
      const file = await lever.uploadFile(ada().id, { filename: 'assessment-report.pdf', contentType: 'application/pdf', bytes, performAs: bot });
      expect(file).toMatchObject({ name: 'assessment-report.pdf', size: bytes.length, uploadedAt: expect.any(Number) });
      expect((await lever.listFiles(ada().id)).data.map((f) => f.id)).toContain(file.id);
      expect((await lever.listAllFiles(ada().id)).map((f) => f.name)).toContain('assessment-report.pdf');
      const download = await lever.downloadFile(ada().id, file.id);
      expect(download.contentType).toContain('application/pdf');
      expect(Buffer.from(download.bytes).equals(Buffer.from(bytes))).toBe(true);
      await lever.deleteFile(ada().id, file.id, bot);
      expect((await lever.listFiles(ada().id)).data.map((f) => f.id)).not.toContain(file.id);
    });

    it('reads file sizes sent as strings, as the docs show them', async () => {
      const quirky = createLeverSandbox({ logger: false, quirks: { fileNumbersAsStrings: true } });
      const seed = seedLeverDemo(quirky, { permissions: 'all' });
      const running = await quirky.listen(0);
      try {
        const client = createLeverClient({ baseUrl: running.apiUrl, apiKey: seed.apiKey });
        const file = await client.uploadFile(seed.opportunities[0]!.id, { filename: 'a.txt', contentType: 'text/plain', bytes: new TextEncoder().encode('hello'), performAs: seed.defaultUserId });
        expect(file.size).toBe(5);
        expect(typeof file.uploadedAt).toBe('number');
      } finally {
        await quirky.close();
      }
    });
  });

  describe('panels', () => {
    it('creates, replaces, lists and deletes an externally managed panel', async () => {
      const date = Date.now() + 86_400_000;
      const interviewer = demo.userIds.interviewer;
      const panel = await lever.createPanel(ada().id, {
        timezone: 'Europe/Berlin', externalUrl: 'https://app.codesignal.com/live-interview/1', note: 'CodeSignal live interview',
        interviews: [{ subject: 'Pair programming', date, duration: 60, interviewers: [{ id: interviewer }] }],
      }, bot);
      expect(panel).toMatchObject({ externallyManaged: true, externalUrl: 'https://app.codesignal.com/live-interview/1' });
      const interviewId = panel.interviews[0]!.id;
      const updated = await lever.updatePanel(ada().id, panel.id, {
        timezone: 'Europe/Berlin', externalUrl: 'https://app.codesignal.com/live-interview/1',
        interviews: [{ id: interviewId, subject: 'Pair programming (moved)', date: date + 3_600_000, duration: 45, interviewers: [{ id: interviewer }] }],
      }, bot);
      expect(updated.interviews).toEqual([expect.objectContaining({ id: interviewId, subject: 'Pair programming (moved)', duration: 45 })]);
      expect((await lever.listPanels(ada().id)).data.map((p) => p.id)).toContain(panel.id);
      await lever.deletePanel(ada().id, panel.id, bot);
      expect((await lever.listPanels(ada().id)).data.map((p) => p.id)).not.toContain(panel.id);
    });
  });

  describe('reference data and webhooks', () => {
    it('reads users, stages, postings and archive reasons', async () => {
      const users = await lever.listUsers({ email: 'integration-bot@acme.example' });
      expect(users.data.map((u) => u.id)).toEqual([bot]);
      sandbox.admin.setUserActive(demo.accountId, demo.userIds.secondRecruiter, false);
      try {
        expect((await lever.listAllUsers()).map((u) => u.id)).not.toContain(demo.userIds.secondRecruiter);
        const everyone = await lever.listAllUsers({ includeDeactivated: true });
        expect(everyone.find((u) => u.id === demo.userIds.secondRecruiter)?.deactivatedAt).toEqual(expect.any(Number));
      } finally {
        sandbox.admin.setUserActive(demo.accountId, demo.userIds.secondRecruiter, true);
      }
      expect(await lever.getUser(bot)).toMatchObject({ id: bot, accessRole: 'super admin', deactivatedAt: null });
      const stages = await lever.listStages();
      expect(stages.data.map((s) => s.id)).toEqual(demo.stages.map((s) => s.id));
      expect(stages.next).toBeUndefined();
      expect(await lever.listAllStages()).toEqual(stages.data);
      expect(await lever.getStage('lead-new')).toEqual({ id: 'lead-new', text: expect.any(String) });
      const postings = (await lever.listPostings()).data;
      expect(postings.map((p) => p.text).sort()).toEqual(['Backend Engineer', 'Data Scientist', 'Frontend Engineer']);
      expect((await lever.getPosting(postings[0]!.id)).id).toBe(postings[0]!.id);
      expect((await lever.listArchiveReasons()).data.some((r) => r.type === 'hired')).toBe(true);
    });

    it('creates a webhook, returning its signature token, lists it and deletes it', async () => {
      const { webhook, signatureToken } = await lever.createWebhook({ url: 'https://hooks.example.org/lever', event: 'candidateStageChange' });
      expect(signatureToken.length).toBeGreaterThan(20);
      const listed = (await lever.listWebhooks()).data.find((w) => w.id === webhook.id);
      expect(listed).toMatchObject({ event: 'candidateStageChange', url: 'https://hooks.example.org/lever' });
      expect(listed?.configuration?.signatureToken).toBeUndefined();
      await lever.deleteWebhook(webhook.id);
      expect((await lever.listWebhooks()).data.some((w) => w.id === webhook.id)).toBe(false);
    });
  });

  describe('one HTTP request per call', () => {
    it('asks the limiter once per request and sends exactly that many', async () => {
      let acquired = 0;
      const counted = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey, limiter: { acquire: async () => { acquired += 1; } } });
      const since = Date.now();
      await counted.getOpportunity(ada().id);
      await counted.listStages();
      await counted.addTags(ada().id, ['counted'], bot);
      await counted.createNote(ada().id, { value: 'n', notifyFollowers: false, performAs: bot });
      sandbox.admin.updateFaults(demo.accountId, { failNext: 1 });
      await expect(counted.getOpportunity(ada().id)).rejects.toBeInstanceOf(ExternalApiError);
      expect(acquired).toBe(5);
      expect(sandbox.admin.requests(demo.accountId, { since })).toHaveLength(5);
    });
  });

  describe('errors', () => {
    it('401 for an unknown key: not retryable, and the key appears nowhere in the error', async () => {
      const secretKey = 'lever-key-that-does-not-exist-0123456789';
      const err = await apiError(createLeverClient({ baseUrl: server.apiUrl, apiKey: secretKey }).getOpportunity(ada().id));
      expect(err).toMatchObject({ service: 'lever', status: 401, code: 'Unauthorized', retryable: false, retryAfterMs: undefined });
      expect(err.message).toContain(`GET /opportunities/${ada().id}`);
      expect(err.message).toContain('401');
      for (const text of [err.message, err.stack ?? '', JSON.stringify(err)]) {
        expect(text).not.toContain(secretKey);
        expect(text).not.toContain(Buffer.from(`${secretKey}:`).toString('base64'));
      }
    });

    it('403 for a missing permission: not retryable, with Lever\'s message', async () => {
      const { key } = sandbox.admin.createKey(demo.accountId, { permissions: ['opportunities:read:admin'] });
      const err = await apiError(createLeverClient({ baseUrl: server.apiUrl, apiKey: key }).createNote(ada().id, { value: 'x', notifyFollowers: false, performAs: bot }));
      expect(err).toMatchObject({ status: 403, code: 'Forbidden', retryable: false });
      expect(err.message).toContain(`POST /opportunities/${ada().id}/notes`);
      expect(err.message).toContain('notes:write:admin');
      expect(err.message).not.toContain(key);
    });

    it('404 and 400 are not retryable', async () => {
      expect(await apiError(lever.getOpportunity('no-such-opportunity'))).toMatchObject({ status: 404, code: 'ResourceNotFound', retryable: false });
      // an id can never change the route
      const traversal = await apiError(lever.getOpportunity('../users'));
      expect(traversal).toMatchObject({ status: 404, retryable: false });
      expect(traversal.message).toContain('GET /opportunities/..%2Fusers');
      expect(await apiError(lever.uploadFile(ada().id, { filename: 'a.txt', contentType: 'text/plain', bytes: new Uint8Array(1), performAs: 'not-a-user' })))
        .toMatchObject({ status: 400, retryable: false });
    });

    it('429 is retryable, 503 is retryable', async () => {
      sandbox.admin.updateFaults(demo.accountId, { rateLimitNext: 1 });
      expect(await apiError(lever.listStages())).toMatchObject({ status: 429, code: 'TooManyRequests', retryable: true, retryAfterMs: undefined });
      sandbox.admin.updateFaults(demo.accountId, { failNext: 1 });
      expect(await apiError(lever.getOpportunity(ada().id))).toMatchObject({ status: 503, code: 'ServiceUnavailable', retryable: true });
      expect((await lever.getOpportunity(ada().id)).id).toBe(ada().id);
    });

    it('reads Retry-After when Lever sends it', async () => {
      const withHeader = createLeverSandbox({ logger: false, sendRetryAfter: true });
      const seed = seedLeverDemo(withHeader, { permissions: 'all' });
      const running = await withHeader.listen(0);
      try {
        withHeader.admin.updateFaults(seed.accountId, { rateLimitNext: 1 });
        const err = await apiError(createLeverClient({ baseUrl: running.apiUrl, apiKey: seed.apiKey }).listStages());
        expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000 });
      } finally {
        await withHeader.close();
      }
    });

    it('a dropped connection is a retryable network error although the write was committed', async () => {
      sandbox.admin.updateFaults(demo.accountId, { dropNext: 1 });
      const err = await apiError(lever.addTags(ada().id, ['dropped-but-applied'], bot));
      expect(err).toMatchObject({ service: 'lever', status: undefined, code: 'NetworkError', retryable: true });
      expect(err.message).toContain(`POST /opportunities/${ada().id}/addTags`);
      expect((await lever.getOpportunity(ada().id)).tags).toContain('dropped-but-applied');
    });

    it('a slow answer times out as a retryable error', async () => {
      sandbox.admin.updateFaults(demo.accountId, { latencyMs: 1000 });
      const impatient = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey, timeoutMs: 100 });
      expect(await apiError(impatient.listStages())).toMatchObject({ status: undefined, code: 'Timeout', retryable: true });
    });

    it('a refused connection is a retryable network error', async () => {
      const closed = createLeverClient({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: demo.apiKey });
      expect(await apiError(closed.listStages())).toMatchObject({ status: undefined, code: 'NetworkError', retryable: true });
    });
  });

  describe('answers shaped like the docs, or broken', () => {
    let odd: Server;
    let oddUrl: string;
    beforeAll(async () => {
      // a real server that answers 200 with a body Lever would never send
      odd = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url?.startsWith('/v1/stages')) return void res.end('not json');
        // the docs show "list files" as a bare array, with numbers as strings
        if (req.url?.startsWith('/v1/opportunities/o1/files')) {
          return void res.end(JSON.stringify([{ id: 'f1', name: 'cv.pdf', downloadUrl: 'https://x/f1', ext: 'pdf', uploadedAt: '1468953420000', status: 'processed', size: '1000' }]));
        }
        res.end(JSON.stringify({ data: { id: 'o1', name: 'Secret Person', emails: 'secret@example.org' } }));
      });
      await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
      oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((resolve) => odd.close(() => resolve())));

    it('reads a bare-array file list with string numbers', async () => {
      const files = await createLeverClient({ baseUrl: oddUrl, apiKey: demo.apiKey }).listFiles('o1');
      expect(files).toEqual({ data: [expect.objectContaining({ id: 'f1', uploadedAt: 1468953420000, size: 1000 })], next: undefined });
    });

    it('is a non-retryable UnexpectedResponse naming the path of the problem, not the data', async () => {
      const client = createLeverClient({ baseUrl: oddUrl, apiKey: demo.apiKey });
      const err = await apiError(client.getOpportunity('o1'));
      expect(err).toMatchObject({ code: 'UnexpectedResponse', retryable: false, status: 200 });
      expect(err.message).toContain('data.emails');
      expect(err.message).not.toContain('secret@example.org');
      expect(err.message).not.toContain('Secret Person');
      expect(await apiError(client.listStages())).toMatchObject({ code: 'UnexpectedResponse', retryable: false });
    });
  });
});
