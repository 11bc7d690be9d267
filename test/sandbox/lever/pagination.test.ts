import { startHarness, type Harness } from './harness';

interface ListBody { data: Array<{ id: string }>; hasNext: boolean; next?: string }

describe('Lever sandbox: pagination', () => {
  let h: Harness;
  let tagged: string[];
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { perSecond: 1000, burst: 1000 } });
    tagged = Array.from({ length: 150 }, (_, i) =>
      h.sandbox.recruiter.createCandidate(h.seed.accountId, { name: `Bulk ${i}`, emails: [`bulk${i}@example.com`], tags: ['bulk'] }).id);
  });
  afterAll(() => h.close());

  it('pages over more than 100 items with opaque tokens and no `next` on the last page', async () => {
    const first = await h.api<ListBody>('GET', '/opportunities?tag=bulk');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    expect(first.body.hasNext).toBe(true);
    // minted like live Lever's: a percent-encoded JSON array
    expect(first.body.next).toMatch(/^%5B/);
    expect(JSON.parse(decodeURIComponent(first.body.next ?? ''))).toEqual([100, expect.any(Number), first.body.data[99].id]);

    // passed back raw, as a client copying `next` into the URL does
    const second = await h.api<ListBody>('GET', `/opportunities?tag=bulk&offset=${first.body.next}`);
    expect(second.status).toBe(200);
    expect(second.body.data).toHaveLength(50);
    expect(second.body.hasNext).toBe(false);
    expect(Object.keys(second.body)).not.toContain('next');
    expect(new Set([...first.body.data, ...second.body.data].map((o) => o.id))).toEqual(new Set(tagged));
  });

  it('accepts the token percent-encoded once more (a client that encodes query values)', async () => {
    const first = await h.api<ListBody>('GET', '/opportunities?tag=bulk&limit=60');
    const again = await h.api<ListBody>('GET', `/opportunities?tag=bulk&limit=60&offset=${encodeURIComponent(first.body.next ?? '')}`);
    expect(again.body.data[0].id).toBe(tagged[60]);
    expect(again.body.hasNext).toBe(true);
  });

  it('walks every page with a small limit', async () => {
    const seen: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const res: { body: ListBody } = await h.api<ListBody>('GET', `/opportunities?tag=bulk&limit=40${offset ? `&offset=${offset}` : ''}`);
      seen.push(...res.body.data.map((o) => o.id));
      offset = res.body.hasNext ? res.body.next : undefined;
      pages += 1;
    } while (offset);
    expect(pages).toBe(4);
    expect(seen).toEqual(tagged);
  });

  it.each(['0', '101', 'ten', '1.5'])('rejects limit=%s with 400', async (limit) => {
    const res = await h.api('GET', `/opportunities?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
  });

  it('rejects an offset it did not mint', async () => {
    const res = await h.api('GET', '/opportunities?offset=0.1414895548650.abc');
    expect(res.status).toBe(400);
  });

  it('answers small lists with hasNext:false and no next', async () => {
    const res = await h.api<ListBody>('GET', '/stages');
    expect(res.body.hasNext).toBe(false);
    expect('next' in res.body).toBe(false);
  });
});
