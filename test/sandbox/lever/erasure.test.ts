import { AccountState } from '../../../sandbox/lever/state';
import { fromSnapshotJson, toSnapshotJson } from '../../../sandbox/shared/snapshot-json';
import type { LeverQuirks } from '../../../sandbox/lever/index';
import { startHarness, startReceiver, waitFor, type Harness } from './harness';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Opp = {
  id: string; contact: string; name: string; headline: string; location: string; emails: string[]; phones: unknown[]; links: string[];
  tags: string[]; isAnonymized: boolean; updatedAt: number;
};
type Deleted = { id: string; deletedBy: string | null; deletedAt: number };
type Page<T> = { data: T[]; hasNext: boolean; next?: string };
type LeverErrorBody = { code: string; message: string };

const FAST = { rateLimit: { perSecond: 1000, burst: 1000 }, webhookRetryDelaysMs: [20] };

describe('Lever sandbox: erasure (deleting and anonymizing candidates)', () => {
  let h: Harness;
  let receiver: Receiver | undefined;
  let account: string;
  let bot: string;
  let recruiterId: string;
  const start = async (quirks: LeverQuirks = {}) => {
    h = await startHarness({ ...FAST, quirks });
    account = h.seed.accountId;
    bot = h.seed.defaultUserId;
    recruiterId = h.seed.userIds.recruiter;
  };
  afterEach(async () => {
    await h.close();
    await receiver?.close();
    receiver = undefined;
  });

  const createOpp = async (body: Record<string, unknown>) =>
    (await h.api<{ data: Opp; deduped?: boolean }>('POST', `/opportunities?perform_as=${bot}`, { body })).body;
  const listDeleted = (query = '') => h.api<Page<Deleted>>('GET', `/opportunities/deleted${query}`);
  const subscribe = async (event: 'candidateDeleted' | 'contactUpdated', origins?: Array<'referred'>) => {
    receiver ??= await startReceiver();
    return h.sandbox.admin.createWebhook(account, { url: receiver.url, event, origins });
  };
  const deliveries = () => h.sandbox.admin.deliveries(account);

  describe('deleting a candidate', () => {
    beforeEach(() => start());

    it('makes the opportunity answer 404 like any unknown id, everywhere', async () => {
      const id = h.seed.opportunities[0].id;
      const note = await h.api<{ data: { id: string } }>('POST', `/opportunities/${id}/notes?perform_as=${bot}`, { body: { value: 'before' } });
      const deleted = h.sandbox.recruiter.deleteCandidate(account, id, { userId: recruiterId });
      expect(deleted).toEqual({ id, contactId: expect.any(String), candidateId: expect.any(String), deletedBy: recruiterId, deletedAt: expect.any(Number) });

      const gone = await h.api<LeverErrorBody>('GET', `/opportunities/${id}`);
      const unknown = await h.api<LeverErrorBody>('GET', '/opportunities/f0000000-0000-4000-8000-000000000000');
      expect([gone.status, unknown.status]).toEqual([404, 404]);
      expect(gone.body).toEqual({ code: unknown.body.code, message: `opportunities ${id} was not found` });

      const list = await h.api<Page<Opp>>('GET', '/opportunities');
      expect(list.body.data.map((o) => o.id)).not.toContain(id);
      expect(list.body.data).toHaveLength(h.seed.opportunities.length - 1);
      expect((await h.api<Page<Opp>>('GET', `/opportunities?contact_id=${deleted.contactId}`)).body.data).toEqual([]);

      for (const path of ['notes', `notes/${note.body.data.id}`, 'files', 'interviews', 'panels', 'applications', 'feedback']) {
        expect([path, (await h.api('GET', `/opportunities/${id}/${path}`)).status]).toEqual([path, 404]);
      }
      const file = new FormData();
      file.append('file', new Blob(['cv']), 'cv.txt');
      const writes: Array<[string, string, unknown]> = [
        ['POST', `notes?perform_as=${bot}`, { value: 'after' }],
        ['DELETE', `notes/${note.body.data.id}`, undefined],
        ['POST', `files?perform_as=${bot}`, file],
        ['PUT', 'stage', { stage: 'offer' }],
        ['PUT', 'archived', { reason: h.seed.hiredReasonId }],
        ['POST', 'addTags', { tags: ['x'] }],
        ['POST', 'removeLinks', { links: ['https://x.example'] }],
        ['POST', `panels?perform_as=${bot}`, { timezone: 'UTC', interviews: [{ interviewers: [{ id: bot }], date: Date.now() + 60_000, duration: 30 }] }],
      ];
      for (const [method, path, body] of writes) {
        expect([method, path, (await h.api(method, `/opportunities/${id}/${path}`, { body })).status]).toEqual([method, path, 404]);
      }
      expect((await h.control('GET', `/accounts/${account}/opportunities/${id}`)).status).toBe(404);
      expect(() => h.sandbox.recruiter.moveToStage(account, id, { stage: 'offer' })).toThrow('was not found');
      expect(() => h.sandbox.recruiter.deleteCandidate(account, id)).toThrow('was not found');
      // everything written to it went with it
      expect([...h.sandbox.store.account(account).notes.values()].filter((n) => n.opportunityId === id)).toEqual([]);
      expect([...h.sandbox.store.account(account).applications.values()].filter((a) => a.opportunityId === id)).toEqual([]);
    });

    it('deletes only that opportunity: the contact and its other opportunities stay; a contact left with none goes', async () => {
      const first = await createOpp({ name: 'Two Candidacies', emails: ['two@example.com'], postings: [h.seed.postings[0].id] });
      const second = await createOpp({ name: 'Ignored', emails: ['two@example.com'], postings: [h.seed.postings[1].id] });
      expect(second.deduped).toBe(true);
      h.sandbox.recruiter.deleteCandidate(account, first.data.id, { userId: recruiterId });
      const kept = await h.api<{ data: Opp }>('GET', `/opportunities/${second.data.id}`);
      expect(kept.status).toBe(200);
      expect(kept.body.data).toMatchObject({ contact: first.data.contact, name: 'Two Candidacies', emails: ['two@example.com'] });

      h.sandbox.recruiter.deleteCandidate(account, second.data.id);
      const again = await createOpp({ name: 'New Person', emails: ['two@example.com'] });
      expect(again).not.toHaveProperty('deduped');
      expect(again.data).toMatchObject({ name: 'New Person' });
      expect(again.data.contact).not.toBe(first.data.contact);
    });

    it('is a control API route: DELETE /_sandbox/accounts/:a/opportunities/:o {userId?}', async () => {
      const id = h.seed.opportunities[1].id;
      const res = await h.control<Record<string, unknown>>('DELETE', `/accounts/${account}/opportunities/${id}`, { userId: recruiterId });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, deletedBy: recruiterId, deletedAt: expect.any(Number) });
      expect((await h.control('DELETE', `/accounts/${account}/opportunities/${id}`)).status).toBe(404);
      const unknownUser = await h.control('DELETE', `/accounts/${account}/opportunities/${h.seed.opportunities[2].id}`, { userId: 'nobody' });
      expect(unknownUser.status).toBe(404);
      expect((await h.api('GET', `/opportunities/${h.seed.opportunities[2].id}`)).status).toBe(200);
      const snapshot = await h.control<{ deletedOpportunities: Array<{ id: string }> }>('GET', `/accounts/${account}`);
      expect(snapshot.body.deletedOpportunities.map((d) => d.id)).toEqual([id]);
    });

    it('keeps the deletions across a saved and restored snapshot', () => {
      const id = h.seed.opportunities[3].id;
      h.sandbox.recruiter.deleteCandidate(account, id, { userId: recruiterId });
      const saved = fromSnapshotJson(toSnapshotJson(h.sandbox.store.account(account).snapshot())) as ReturnType<AccountState['snapshot']>;
      const restored = AccountState.fromSnapshot(saved);
      expect([...restored.deletedOpportunities.keys()]).toEqual([id]);
      expect(restored.opportunities.has(id)).toBe(false);
      // a snapshot saved before deletions existed has no such collection
      const older = Object.fromEntries(Object.entries(saved).filter(([k]) => k !== 'deletedOpportunities')) as typeof saved;
      expect(AccountState.fromSnapshot(older).deletedOpportunities.size).toBe(0);
    });
  });

  describe('GET /opportunities/deleted', () => {
    beforeEach(() => start());

    it('is not taken for an opportunity id, and is empty at first', async () => {
      const res = await listDeleted();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [], hasNext: false });
    });

    it('lists each deletion as {id, deletedBy, deletedAt} only, in the order of deletion', async () => {
      const [a, b] = [h.seed.opportunities[0].id, h.seed.opportunities[1].id];
      const first = h.sandbox.recruiter.deleteCandidate(account, a, { userId: recruiterId });
      const second = h.sandbox.recruiter.deleteCandidate(account, b);
      const res = await listDeleted();
      expect(res.body).toEqual({
        data: [{ id: a, deletedBy: recruiterId, deletedAt: first.deletedAt }, { id: b, deletedBy: null, deletedAt: second.deletedAt }],
        hasNext: false,
      });
    });

    it('filters by deleted_at_start / deleted_at_end, both inclusive', async () => {
      const ids = h.seed.opportunities.slice(0, 3).map((o) => o.id);
      const at: number[] = [];
      for (const id of ids) {
        at.push(h.sandbox.recruiter.deleteCandidate(account, id).deletedAt);
        await new Promise((r) => setTimeout(r, 5)); // distinct timestamps
      }
      const ids$ = async (query: string) => (await listDeleted(query)).body.data.map((d) => d.id);
      expect(await ids$(`?deleted_at_start=${at[1]}`)).toEqual(ids.slice(1));
      expect(await ids$(`?deleted_at_end=${at[1]}`)).toEqual(ids.slice(0, 2));
      expect(await ids$(`?deleted_at_start=${at[1]}&deleted_at_end=${at[1]}`)).toEqual([ids[1]]);
      expect(await ids$(`?deleted_at_start=${at[2] + 1}`)).toEqual([]);
      expect(await ids$(`?deleted_at_end=${at[0] - 1}`)).toEqual([]);
    });

    it.each(['yesterday', '-5', '1.5', ''])('answers 400 for the timestamp %j', async (value) => {
      for (const name of ['deleted_at_start', 'deleted_at_end']) {
        const res = await listDeleted(`?${name}=${value}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'BadRequest', message: expect.stringContaining(name) });
      }
    });

    it('paginates with limit/offset/next/hasNext like the other lists', async () => {
      const ids = h.seed.opportunities.slice(0, 3).map((o) => o.id);
      for (const id of ids) h.sandbox.recruiter.deleteCandidate(account, id);
      const first = await listDeleted('?limit=2');
      expect(first.body).toMatchObject({ hasNext: true, next: expect.any(String) });
      const second = await listDeleted(`?limit=2&offset=${first.body.next}`);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[2] })], hasNext: false });
      expect([...first.body.data, ...second.body.data].map((d) => d.id)).toEqual(ids);
      expect((await listDeleted('?limit=0')).status).toBe(400);
      expect((await listDeleted('?offset=garbage')).status).toBe(400);
    });

    it('needs opportunities:read:admin', async () => {
      const writeOnly = h.sandbox.admin.createKey(account, { permissions: ['opportunities:write:admin'] }).key;
      const readOnly = h.sandbox.admin.createKey(account, { permissions: ['opportunities:read:admin'] }).key;
      const denied = await h.api<LeverErrorBody>('GET', '/opportunities/deleted', { key: writeOnly });
      expect(denied.status).toBe(403);
      expect(denied.body.message).toContain('opportunities:read:admin');
      expect((await h.api('GET', '/opportunities/deleted', { key: readOnly })).status).toBe(200);
      expect((await h.api('GET', '/opportunities/deleted', { key: null })).status).toBe(401);
    });
  });

  describe('candidateDeleted webhook', () => {
    it('delivers opportunityId, candidateId, contactId and deletedBy (quirks.webhookDeletedBy default true)', async () => {
      await start();
      expect(h.sandbox.options.quirks.webhookDeletedBy).toBe(true);
      await subscribe('candidateDeleted');
      const opp = h.sandbox.recruiter.inspect(account, h.seed.opportunities[0].id);
      h.sandbox.recruiter.deleteCandidate(account, opp.id, { userId: recruiterId });
      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver!.received[0].body).toMatchObject({ event: 'candidateDeleted', triggeredAt: expect.any(Number) });
      expect(receiver!.received[0].body.data).toEqual({ opportunityId: opp.id, candidateId: opp.candidateId, contactId: opp.contact, deletedBy: recruiterId });
      expect(deliveries()[0]).toMatchObject({ event: 'candidateDeleted', cause: 'ui' });
    });

    it('sends deletedBy null when no user is known', async () => {
      await start();
      await subscribe('candidateDeleted');
      h.sandbox.recruiter.deleteCandidate(account, h.seed.opportunities[0].id);
      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver!.received[0].body.data).toMatchObject({ deletedBy: null });
    });

    it('leaves deletedBy out with quirks.webhookDeletedBy false', async () => {
      await start({ webhookDeletedBy: false });
      await subscribe('candidateDeleted');
      const opp = h.sandbox.recruiter.inspect(account, h.seed.opportunities[0].id);
      h.sandbox.recruiter.deleteCandidate(account, opp.id, { userId: recruiterId });
      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver!.received[0].body.data).toEqual({ opportunityId: opp.id, candidateId: opp.candidateId, contactId: opp.contact });
      // the list still names who deleted it: that field is documented (§3.1)
      expect((await listDeleted()).body.data).toEqual([{ id: opp.id, deletedBy: recruiterId, deletedAt: expect.any(Number) }]);
    });

    it('supports no origin conditions: a subscription limited to other origins still gets it', async () => {
      await start();
      await subscribe('candidateDeleted', ['referred']);
      const sourced = h.seed.opportunities[4].id; // Margaret Hamilton, sourced
      h.sandbox.recruiter.deleteCandidate(account, sourced);
      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver!.received[0].body.data).toMatchObject({ opportunityId: sourced });
    });

    it('reaches a subscription made through the API only once a Super Admin switched candidateDeleted on', async () => {
      await start();
      receiver = await startReceiver();
      const created = await h.api<{ data: { id: string } }>('POST', '/webhooks', { body: { url: receiver.url, event: 'candidateDeleted' } });
      expect(created.status).toBe(201);
      h.sandbox.recruiter.deleteCandidate(account, h.seed.opportunities[0].id);
      expect(deliveries()).toHaveLength(0);
      h.sandbox.admin.switchWebhookEvent(account, 'candidateDeleted', { on: true });
      h.sandbox.recruiter.deleteCandidate(account, h.seed.opportunities[1].id);
      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver.received[0].body.data).toMatchObject({ opportunityId: h.seed.opportunities[1].id });
      expect(deliveries()).toHaveLength(1);
    });
  });

  describe('anonymizing a candidate', () => {
    it('blanks the contact on every opportunity of it, keeps the records, and fires contactUpdated (quirk default true)', async () => {
      await start();
      expect(h.sandbox.options.quirks.anonymizeFiresContactUpdated).toBe(true);
      await subscribe('contactUpdated');
      const first = await createOpp({
        name: 'Erase Me', headline: 'Engineer', location: 'Lisbon', emails: ['erase.me@example.com'],
        phones: [{ type: 'mobile', value: '+351 900 000 000' }], links: ['https://erase.example'], tags: ['keep-me'], postings: [h.seed.postings[0].id],
      });
      const second = await createOpp({ emails: ['erase.me@example.com'] });
      await new Promise((r) => setTimeout(r, 5));

      const inspected = h.sandbox.recruiter.anonymizeCandidate(account, first.data.id);
      expect(inspected).toMatchObject({ isAnonymized: true, name: 'Anonymized Candidate' });
      for (const id of [first.data.id, second.data.id]) {
        const { data } = (await h.api<{ data: Opp }>('GET', `/opportunities/${id}`)).body;
        expect(data).toMatchObject({ name: 'Anonymized Candidate', headline: '', location: '', emails: [], phones: [], links: [], isAnonymized: true, contact: first.data.contact });
        expect(data.updatedAt).toBeGreaterThan(first.data.updatedAt);
      }
      const expanded = await h.api<{ data: { contact: Record<string, unknown>; tags: string[] } }>('GET', `/opportunities/${first.data.id}?expand=contact`);
      expect(expanded.body.data.contact).toEqual({
        id: first.data.contact, name: 'Anonymized Candidate', headline: '', isAnonymized: true, location: { name: '' }, emails: [], phones: [],
      });
      expect(expanded.body.data.tags).toContain('keep-me');
      const [application] = (await h.api<Page<Record<string, unknown>>>('GET', `/opportunities/${first.data.id}/applications`)).body.data;
      expect(application).toMatchObject({ name: 'Anonymized Candidate', email: null, phone: null, links: [] });
      expect((await h.api<Page<Opp>>('GET', '/opportunities?email=erase.me@example.com')).body.data).toEqual([]);

      await waitFor(() => receiver!.received.length, (n) => n === 1);
      expect(receiver!.received[0].body).toMatchObject({ event: 'contactUpdated', data: { contactId: first.data.contact } });
      expect(receiver!.received[0].body.data).toEqual({ contactId: first.data.contact });

      // once anonymized, again changes nothing and fires nothing
      h.sandbox.recruiter.anonymizeCandidate(account, second.data.id);
      expect(deliveries()).toHaveLength(1);
    });

    it('fires no contactUpdated with quirks.anonymizeFiresContactUpdated false', async () => {
      await start({ anonymizeFiresContactUpdated: false });
      await subscribe('contactUpdated');
      const id = h.seed.opportunities[0].id;
      h.sandbox.recruiter.anonymizeCandidate(account, id, { userId: recruiterId });
      expect(deliveries()).toHaveLength(0); // deliveries are logged synchronously when an event fires
      expect((await h.api<{ data: Opp }>('GET', `/opportunities/${id}`)).body.data).toMatchObject({ isAnonymized: true, emails: [] });
    });

    it('is a control API route: POST /_sandbox/accounts/:a/opportunities/:o/anonymize {userId?}', async () => {
      await start();
      const id = h.seed.opportunities[2].id;
      const res = await h.control<{ id: string; isAnonymized: boolean; name: string; emails: string[] }>('POST', `/accounts/${account}/opportunities/${id}/anonymize`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, isAnonymized: true, name: 'Anonymized Candidate', emails: [] });
      h.sandbox.recruiter.deleteCandidate(account, id);
      expect((await h.control('POST', `/accounts/${account}/opportunities/${id}/anonymize`, {})).status).toBe(404);
    });
  });
});
