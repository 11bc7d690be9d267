import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoKeys, startSandboxes, type RunningSandboxes } from '../../sandbox/start';

/** `npm start`'s sandboxes keep their records in the data directory, as PostgreSQL and Temporal keep theirs. */
describe('the sandboxes under npm start, across a restart', () => {
  const start = (dataDir: string) => startSandboxes({ leverPort: 0, codesignalPort: 0, quiet: true, persist: { dataDir, intervalMs: 100 } });
  const lever = (s: RunningSandboxes, pathAndQuery: string, init: RequestInit = {}) =>
    fetch(`${s.lever.apiUrl}${pathAndQuery}`, { ...init, headers: { authorization: `Bearer ${demoKeys.lever}`, ...init.headers } });

  it('restores the accounts, records, files and webhook subscriptions instead of seeding new ones', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-sandboxes-'));
    const first = await start(dataDir);
    const { seed } = first.lever;
    const ada = seed.opportunities[0]!;
    let grace: string;
    let token: string;
    try {
      expect(first.persisted).toEqual({ files: [path.join(dataDir, 'sandbox-lever.json'), path.join(dataDir, 'sandbox-codesignal.json')], restored: false });
      // what the service does to a waiting candidate: a stage move, a note and a PDF
      expect((await lever(first, `/opportunities/${ada.id}/stage?perform_as=${seed.defaultUserId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stage: seed.stageIds.assessment }) })).status).toBe(200);
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('%PDF-1.7 report')], { type: 'application/pdf' }), 'report.pdf');
      expect((await lever(first, `/opportunities/${ada.id}/files?perform_as=${seed.defaultUserId}`, { method: 'POST', body: form })).status).toBe(201);
      token = first.lever.createWebhook('http://localhost:3000/webhooks/lever/x', 'candidateStageChange');
      const test = first.codesignal.seed.tests[0]!;
      grace = first.codesignalSandbox.control.createPublicLinkSession(first.codesignal.seed.companyId, { testId: test.id, email: 'grace@example.com', firstName: 'Grace', lastName: 'H', score: 500 }).id;
      await first.codesignal.setWebhook('http://127.0.0.1:9/webhooks/codesignal/x', 'secret-1');
    } finally {
      await first.close();
    }

    const second = await start(dataDir);
    try {
      expect(second.persisted?.restored).toBe(true);
      // the same demo account (ids, key), not a new seed
      expect(second.lever.seed).toEqual(seed);
      const opportunity = (await (await lever(second, `/opportunities/${ada.id}`)).json()) as { data: { stage: string } };
      expect(opportunity.data.stage).toBe(seed.stageIds.assessment);
      const files = (await (await lever(second, `/opportunities/${ada.id}/files`)).json()) as { data: Array<{ id: string; name: string }> };
      expect(files.data.map((f) => f.name)).toEqual(['report.pdf']);
      const download = await lever(second, `/opportunities/${ada.id}/files/${files.data[0]!.id}/download`);
      expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('%PDF-1.7 report');
      // a subscription the last start made is kept, token and all, rather than doubled
      expect(second.lever.createWebhook('http://localhost:3000/webhooks/lever/x', 'candidateStageChange')).toBe(token);
      expect([...second.leverSandbox.store.account(seed.accountId).webhooks.values()].filter((w) => w.url.endsWith('/lever/x'))).toHaveLength(1);

      const companyId = second.codesignal.seed.companyId;
      expect(second.codesignalSandbox.control.session(grace).candidate.email).toBe('grace@example.com');
      expect(second.codesignalSandbox.runtime.store.resolveKey(demoKeys.codesignal)?.data.id).toBe(companyId);
      expect(second.codesignalSandbox.control.webhookEndpoints(companyId).map((e) => [e.url, e.secret])).toEqual([['http://127.0.0.1:9/webhooks/codesignal/x', 'secret-1']]);
      await second.codesignal.setWebhook('http://127.0.0.1:9/webhooks/codesignal/x', 'secret-2');
      expect(second.codesignalSandbox.control.webhookEndpoints(companyId).map((e) => e.secret)).toEqual(['secret-2']);
    } finally {
      await second.close();
    }
  });

  it('refuses a snapshot it cannot read, naming the file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lcs-sandboxes-'));
    const file = path.join(dataDir, 'sandbox-lever.json');
    writeFileSync(file, '{"version":1,"state":');
    await expect(start(dataDir)).rejects.toThrow(`${file} is not a readable sandbox snapshot; delete it to start that sandbox with a fresh demo account`);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"state":');
  });
});
