import { ExternalApiError } from '../../src/external-api-error';
import { createLeverClient, type LeverClient } from '../../src/lever/client';
import { ensureLink, ensureNote, ensureTags, noteMarker } from '../../src/lever/writes';
import { createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type RequestLogEntry } from '../../sandbox/lever/index';

/**
 * The idempotent Lever writes (src/lever/writes.ts) against the Lever sandbox, counted in its request
 * log: a first attempt (`mayHaveWritten: false`) writes only; a repeat reads, then writes only what is
 * missing. Removing a link that is not there is harmless by the reference [U]
 * (`quirks.removeAbsentStatus`): when Lever refuses it instead, the first attempt falls back to reading.
 * Tags are never removed unread (a first attempt that has tags to remove reads first).
 */
describe.each([null, 400, 404] as const)('Lever writes, removing an absent value answered %s', (removeAbsentStatus) => {
  let sandbox: LeverSandbox;
  let demo: LeverDemoSeed;
  let lever: LeverClient;
  let bot: string;
  let seq = 0;

  beforeAll(async () => {
    sandbox = createLeverSandbox({ logger: false, rateLimit: { perSecond: 1000, burst: 1000 }, quirks: { removeAbsentStatus } });
    demo = seedLeverDemo(sandbox, { permissions: 'all' });
    const server = await sandbox.listen(0);
    lever = createLeverClient({ baseUrl: server.apiUrl, apiKey: demo.apiKey });
    bot = demo.defaultUserId;
  });
  afterEach(() => sandbox.admin.clearFaults(demo.accountId));
  afterAll(() => sandbox.close());

  const first = { mayHaveWritten: false };
  const retry = { mayHaveWritten: true };
  const refused = removeAbsentStatus !== null;

  /** A fresh candidate (made in the UI, so nothing in the request log), with what the test needs on it. */
  function candidate(extra: { tags?: string[]; links?: string[] } = {}) {
    seq += 1;
    return sandbox.recruiter.createCandidate(demo.accountId, { name: `Writes ${seq}`, emails: [`writes-${seq}@example.org`], userId: bot, ...extra });
  }

  /** The calls a block made, as "METHOD what" (`opportunity` is the opportunity read) with their status. */
  async function callsOf(opportunityId: string, run: () => Promise<unknown>): Promise<string[]> {
    const before = new Set(sandbox.admin.requests(demo.accountId).map((r) => r.id));
    await run();
    const name = (r: RequestLogEntry) => r.path.split(`/opportunities/${opportunityId}`)[1]?.replace(/^\//, '') || 'opportunity';
    return sandbox.admin.requests(demo.accountId).filter((r) => !before.has(r.id)).map((r) => `${r.method} ${name(r)} ${r.status}`);
  }

  const opportunity = (id: string) => sandbox.recruiter.inspect(demo.accountId, id);
  const marked = (id: string, ref: string) =>
    opportunity(id).notes.filter((n) => n.fields.some((f) => String(f.value).includes(noteMarker(`${id}/${ref}`))));

  describe('notes', () => {
    it('a first attempt posts the note, marker included, without listing notes; a retry finds it and posts nothing', async () => {
      const opp = candidate();
      const note = { ref: 'a/1/result', text: 'Result', notifyFollowers: false, performAs: bot };
      expect(await callsOf(opp.id, () => ensureNote(lever, opp.id, note, first))).toEqual(['POST notes 201']);
      expect(await callsOf(opp.id, () => ensureNote(lever, opp.id, note, retry))).toEqual(['GET notes 200']);
      expect(marked(opp.id, 'a/1/result')).toHaveLength(1);
    });

    it('a retry whose earlier attempt never wrote lists the notes, then posts once', async () => {
      const opp = candidate();
      const note = { ref: 'a/2/result', text: 'Result', notifyFollowers: false, performAs: bot };
      expect(await callsOf(opp.id, () => ensureNote(lever, opp.id, note, retry))).toEqual(['GET notes 200', 'POST notes 201']);
      expect(marked(opp.id, 'a/2/result')).toHaveLength(1);
    });

    it('without an attempt it reads first (the safe default)', async () => {
      const opp = candidate();
      const note = { ref: 'a/3/result', text: 'Result', notifyFollowers: false, performAs: bot };
      expect(await callsOf(opp.id, () => ensureNote(lever, opp.id, note))).toEqual(['GET notes 200', 'POST notes 201']);
    });
  });

  describe('tags', () => {
    it('a first attempt that only adds, adds without reading; one that may remove reads first and removes only what is there', async () => {
      const opp = candidate({ tags: ['cs-invited'] });
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, { add: ['cs-started'], remove: ['cs-started'] }, bot, first))).toEqual(['POST addTags 200']);
      const change = { add: ['cs-completed'], remove: ['cs-invited', 'cs-started', 'cs-failed', 'cs-completed'] };
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, change, bot, first))).toEqual(['GET opportunity 200', 'POST removeTags 200', 'POST addTags 200']);
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, { add: [], remove: [] }, bot, first))).toEqual([]);
      expect((await lever.getOpportunity(opp.id)).tags).toEqual(['cs-completed']);
    });

    it('no tag that is not there is ever removed (no write that changes nothing)', async () => {
      const opp = candidate({ tags: ['cs-invited'] });
      const calls = await callsOf(opp.id, () => ensureTags(lever, opp.id, { add: ['cs-passed'], remove: ['cs-failed'] }, bot, first));
      expect(calls).toEqual(['GET opportunity 200', 'POST addTags 200']);
      expect((await lever.getOpportunity(opp.id)).tags).toEqual(['cs-invited', 'cs-passed']);
    });

    it('a retry reads, then writes only what is missing', async () => {
      // the earlier attempt added its tag; removing the old one is what is left
      const opp = candidate({ tags: ['cs-invited', 'cs-completed'] });
      const change = { add: ['cs-completed'], remove: ['cs-invited', 'cs-started'] };
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, change, bot, retry))).toEqual(['GET opportunity 200', 'POST removeTags 200']);
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, change, bot, retry))).toEqual(['GET opportunity 200']);
      expect(await callsOf(opp.id, () => ensureTags(lever, opp.id, { add: ['cs-completed'], remove: [] }, bot, retry))).toEqual(['GET opportunity 200']);
      expect((await lever.getOpportunity(opp.id)).tags).toEqual(['cs-completed']);
    });
  });

  describe('links', () => {
    const url = 'https://app.codesignal.com/select/x';

    it('a first attempt adds the link without reading; a retry finds it', async () => {
      const opp = candidate();
      expect(await callsOf(opp.id, () => ensureLink(lever, opp.id, url, true, bot, first))).toEqual(['POST addLinks 200']);
      expect(await callsOf(opp.id, () => ensureLink(lever, opp.id, url, true, bot, retry))).toEqual(['GET opportunity 200']);
      expect((await lever.getOpportunity(opp.id)).links).toEqual([url]);
    });

    it('a first attempt removes the link without reading; a retry finds it gone', async () => {
      const opp = candidate({ links: [url] });
      expect(await callsOf(opp.id, () => ensureLink(lever, opp.id, url, false, bot, first))).toEqual(['POST removeLinks 200']);
      expect(await callsOf(opp.id, () => ensureLink(lever, opp.id, url, false, bot, retry))).toEqual(['GET opportunity 200']);
      expect((await lever.getOpportunity(opp.id)).links).toEqual([]);
    });

    it('a first attempt removing a link that is not there: harmless, or refused and then read', async () => {
      const opp = candidate();
      const calls = await callsOf(opp.id, () => ensureLink(lever, opp.id, url, false, bot, first));
      expect(calls).toEqual(refused ? [`POST removeLinks ${removeAbsentStatus}`, 'GET opportunity 200'] : ['POST removeLinks 200']);
      expect((await lever.getOpportunity(opp.id)).links).toEqual([]);
    });

    it('a 429 or 5xx on the direct remove is not taken for "not there": it fails the attempt, for a retry', async () => {
      const opp = candidate({ links: [url] });
      for (const [fault, status] of [[{ rateLimitNext: 1 }, 429], [{ failNext: 1 }, 503]] as const) {
        sandbox.admin.updateFaults(demo.accountId, fault);
        let err: unknown;
        const calls = await callsOf(opp.id, () => ensureLink(lever, opp.id, url, false, bot, first).catch((e: unknown) => (err = e)));
        expect(err).toBeInstanceOf(ExternalApiError);
        expect((err as ExternalApiError).status).toBe(status);
        expect(calls).toEqual([`POST removeLinks ${status}`]);
      }
      expect((await lever.getOpportunity(opp.id)).links).toEqual([url]);
    });

    it('a retry whose earlier attempt never wrote reads, then writes once', async () => {
      const opp = candidate({ links: [url] });
      expect(await callsOf(opp.id, () => ensureLink(lever, opp.id, url, false, bot, retry))).toEqual(['GET opportunity 200', 'POST removeLinks 200']);
      expect((await lever.getOpportunity(opp.id)).links).toEqual([]);
    });
  });
});
