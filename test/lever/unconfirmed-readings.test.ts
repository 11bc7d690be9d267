import type { ExternalApiError } from '../../src/external-api-error';
import { checkLeverKey } from '../../src/integrations/key-checks/lever-key-check';
import { createLeverClient, type LeverClient } from '../../src/lever/client';
import { ALL_PERMISSIONS, createLeverSandbox, seedLeverDemo, type LeverDemoSeed, type LeverSandbox, type LeverSandboxOptions } from '../../sandbox/lever/index';

/**
 * Each [U] reading of lever-api.md the Lever sandbox models as a switch (docs/unconfirmed-readings.md),
 * met by the service's real Lever client in both settings. A sandbox per setting, on a real port.
 */

interface Quirky {
  sandbox: LeverSandbox;
  seed: LeverDemoSeed;
  lever: LeverClient;
  apiUrl: string;
}

/** Runs `body` against a fresh seeded sandbox started with `options`, then closes it. */
async function withSandbox(options: LeverSandboxOptions, body: (q: Quirky) => Promise<void>): Promise<void> {
  const sandbox = createLeverSandbox({ logger: false, rateLimit: { perSecond: 1000, burst: 1000 }, ...options });
  const seed = seedLeverDemo(sandbox, { permissions: 'all' });
  const running = await sandbox.listen(0);
  try {
    await body({ sandbox, seed, apiUrl: running.apiUrl, lever: createLeverClient({ baseUrl: running.apiUrl, apiKey: seed.apiKey }) });
  } finally {
    await sandbox.close();
  }
}

/** The service's classification of a refused call: an ExternalApiError with these fields. */
const refused = (fields: Partial<ExternalApiError>) => expect.objectContaining({ name: 'ExternalApiError', service: 'lever', ...fields });

describe('Lever client against both readings of each unconfirmed fact', () => {
  it.each([false, true])('reports contact de-duplication whether or not Lever sends deduped:false (quirks.dedupedFalseFlag: %s)', (flag) =>
    withSandbox({ quirks: { dedupedFalseFlag: flag } }, async ({ lever, seed, apiUrl }) => {
      const performAs = seed.defaultUserId;
      // the raw answer really differs between the settings
      const raw = await fetch(`${apiUrl}/opportunities?perform_as=${performAs}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${seed.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Raw Fresh', emails: [`raw-${flag}@example.org`] }),
      });
      expect('deduped' in ((await raw.json()) as object)).toBe(flag);

      const fresh = await lever.createOpportunity({ performAs, body: { name: 'Fresh Face', emails: [`fresh-${flag}@example.org`] } });
      expect(fresh.deduped).toBe(false);
      const again = await lever.createOpportunity({ performAs, body: { name: 'Fresh Again', emails: [`fresh-${flag}@example.org`] } });
      expect(again.deduped).toBe(true);
      expect(again.opportunity.contact).toBe(fresh.opportunity.contact);
    }));

  it.each([400, 404] as const)('an unknown perform_as is a non-retryable error (quirks.performAsUnknownStatus: %s)', (status) =>
    withSandbox({ quirks: { performAsUnknownStatus: status } }, async ({ lever, seed }) => {
      const opp = seed.opportunities[0]!.id;
      await expect(lever.createNote(opp, { value: 'x', notifyFollowers: false, performAs: 'no-such-user' }))
        .rejects.toEqual(refused({ status, retryable: false, message: expect.stringContaining(`POST /opportunities/${opp}/notes`) }));
      expect((await lever.listAllNotes(opp)).some((n) => n.fields.some((f) => f.value === 'x'))).toBe(false);
    }));

  it.each([403, 404] as const)('deleting a note written in the UI is a non-retryable error (quirks.uiNoteDeleteStatus: %s)', (status) =>
    withSandbox({ quirks: { uiNoteDeleteStatus: status } }, async ({ lever, seed, sandbox }) => {
      const opp = seed.opportunities[0]!.id;
      sandbox.recruiter.addNote(seed.accountId, opp, { value: 'written by a recruiter' });
      const uiNote = (await lever.listAllNotes(opp)).find((n) => n.fields.some((f) => f.value === 'written by a recruiter'))!;
      await expect(lever.deleteNote(opp, uiNote.id)).rejects.toEqual(refused({ status, retryable: false }));
      expect((await lever.listAllNotes(opp)).map((n) => n.id)).toContain(uiNote.id);
      // an API note is deletable under either reading
      const own = await lever.createNote(opp, { value: 'ours', notifyFollowers: false, performAs: seed.defaultUserId });
      await lever.deleteNote(opp, own.id);
      expect((await lever.listAllNotes(opp)).map((n) => n.id)).not.toContain(own.id);
    }));

  it.each([413, 400] as const)('a file above the cap is a non-retryable error and nothing is stored (quirks.fileTooLargeStatus: %s)', (status) =>
    withSandbox({ maxFileBytes: 1000, quirks: { fileTooLargeStatus: status } }, async ({ lever, seed }) => {
      const opp = seed.opportunities[0]!.id;
      const upload = (size: number, filename: string) =>
        lever.uploadFile(opp, { filename, contentType: 'application/pdf', bytes: new Uint8Array(size), performAs: seed.defaultUserId });
      await expect(upload(1001, 'too-big.pdf')).rejects.toEqual(refused({ status, retryable: false }));
      expect((await upload(900, 'fits.pdf')).size).toBe(900);
      const names = (await lever.listAllFiles(opp)).map((f) => f.name);
      expect(names).toContain('fits.pdf');
      expect(names).not.toContain('too-big.pdf');
    }));

  it.each([false, true])('reads created panels and webhooks wrapped once or twice (quirks.createdWrappedTwice: %s)', (twice) =>
    withSandbox({ quirks: { createdWrappedTwice: twice } }, async ({ lever, seed, apiUrl }) => {
      const raw = await fetch(`${apiUrl}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${seed.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://hooks.example.org/raw', event: 'candidateHired' }),
      });
      expect('data' in ((await raw.json()) as { data: object }).data).toBe(twice);

      const { webhook, signatureToken } = await lever.createWebhook({ url: 'https://hooks.example.org/lever', event: 'candidateStageChange' });
      expect(webhook).toMatchObject({ id: expect.any(String), event: 'candidateStageChange', url: 'https://hooks.example.org/lever' });
      expect(signatureToken.length).toBeGreaterThan(20);
      const opp = seed.opportunities[0]!.id;
      const panel = await lever.createPanel(opp, {
        timezone: 'Europe/Berlin', externalUrl: 'https://app.codesignal.com/live-interview/1',
        interviews: [{ subject: 'Pair programming', date: Date.now() + 86_400_000, duration: 60, interviewers: [{ id: seed.userIds.interviewer }] }],
      }, seed.defaultUserId);
      expect(panel).toMatchObject({ id: expect.any(String), externallyManaged: true, interviews: [expect.objectContaining({ subject: 'Pair programming' })] });
      expect((await lever.listPanels(opp)).data.map((p) => p.id)).toContain(panel.id);
    }));

  it.each([false, true])('lists files from the envelope or a bare array (quirks.fileListBareArray: %s)', (bare) =>
    withSandbox({ quirks: { fileListBareArray: bare } }, async ({ lever, seed, apiUrl }) => {
      const opp = seed.opportunities[0]!.id;
      for (const name of ['a.pdf', 'b.pdf', 'c.pdf']) {
        await lever.uploadFile(opp, { filename: name, contentType: 'application/pdf', bytes: new Uint8Array(10), performAs: seed.defaultUserId });
      }
      const raw = await fetch(`${apiUrl}/opportunities/${opp}/files?limit=2`, { headers: { authorization: `Bearer ${seed.apiKey}` } });
      expect(Array.isArray(await raw.json())).toBe(bare);

      const ours = (await lever.listAllFiles(opp)).filter((f) => ['a.pdf', 'b.pdf', 'c.pdf'].includes(f.name));
      expect(ours.map((f) => f.name).sort()).toEqual(['a.pdf', 'b.pdf', 'c.pdf']);
      expect(ours.every((f) => f.size === 10 && typeof f.uploadedAt === 'number')).toBe(true);
    }));

  it.each([false, true])("the Lever key TEST reports a read permission the key only holds as a write (writeImpliesRead: %s)", (implied) =>
    withSandbox({ writeImpliesRead: implied }, async ({ sandbox, seed, apiUrl }) => {
      const { key } = sandbox.admin.createKey(seed.accountId, { permissions: ALL_PERMISSIONS.filter((p) => p !== 'notes:read:admin') });
      const check = await checkLeverKey(createLeverClient({ baseUrl: apiUrl, apiKey: key }));
      expect(check.keyValid).toBe(true);
      const noteReads = check.permissions.filter((p) => p.scope === 'notes:read:admin');
      expect(noteReads.map((p) => p.name).sort()).toEqual(['list opportunity notes', 'read opportunity note']);
      expect(noteReads.map((p) => p.granted)).toEqual(noteReads.map(() => implied));
      expect(check.missing.filter((m) => noteReads.some((p) => p.name === m))).toHaveLength(implied ? 0 : 2);
      expect(check.ok).toBe(implied);
    }));
});
