import { randomUUID } from 'node:crypto';
import { adminToken, startStack, type TestStack } from '../../support/stack';
import { isolatedDatabase, type IsolatedDatabase } from '../../support/isolated-database';
import { postJson, readJson, signedLeverDelivery } from '../../support/lever-webhook';

describe('admin API: integrations', () => {
  let stack: TestStack;
  // A database of its own: tests below count every integration, and other test files create some at the same time.
  let database: IsolatedDatabase;
  beforeAll(async () => {
    database = await isolatedDatabase('admin_integrations');
    stack = await startStack({ worker: false, config: { PUBLIC_URL: 'https://hooks.example.test', DATABASE_URL: database.url } });
  });
  afterAll(async () => {
    await stack.stop();
    await database.drop();
  });

  const auth = { authorization: `Bearer ${adminToken}` };
  const validBody = () => ({
    name: 'Acme Corp',
    lever: { apiKey: 'lever-secret-key-123', webhookSigningTokens: ['signing-token-aaaa', 'signing-token-bbbb'] },
    codesignal: { apiKey: 'codesignal-secret-key-456', webhookSecret: 'cs-webhook-secret' },
  });

  it('refuses requests without the admin bearer token', async () => {
    expect((await postJson(`${stack.baseUrl}/api/integrations`, validBody())).status).toBe(401);
    const wrong = await postJson(`${stack.baseUrl}/api/integrations`, validBody(), { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toMatchObject({ error: 'unauthorized' });
  });

  it('creates an integration, returns its webhook URLs and never echoes secrets', async () => {
    const res = await postJson(`${stack.baseUrl}/api/integrations`, validBody(), auth);
    expect(res.status).toBe(201);
    const text = await res.text();
    for (const secret of ['lever-secret-key-123', 'signing-token-aaaa', 'codesignal-secret-key-456', 'cs-webhook-secret']) expect(text).not.toContain(secret);
    const created = JSON.parse(text);
    expect(res.headers.get('location')).toBe(`/api/integrations/${created.id}`);
    expect(created).toMatchObject({
      name: 'Acme Corp',
      lever: { apiKeyConfigured: true, apiKeyHint: '-123', webhookSigningTokenCount: 2, webhookSigningTokenHints: ['aaaa', 'bbbb'] },
      codesignal: { apiKeyConfigured: true, apiKeyHint: '-456', webhookSecretConfigured: true, webhookSecretHint: 'cret' },
      webhooks: {
        lever: `https://hooks.example.test/webhooks/lever/${created.id}`,
        codesignal: `https://hooks.example.test/webhooks/codesignal/${created.id}`,
      },
    });

    const read = await fetch(`${stack.baseUrl}/api/integrations/${created.id}`, { headers: auth });
    expect(read.status).toBe(200);
    const readText = await read.text();
    for (const secret of ['lever-secret-key-123', 'signing-token-aaaa', 'signing-token-bbbb', 'codesignal-secret-key-456', 'cs-webhook-secret']) expect(readText).not.toContain(secret);
    expect(JSON.parse(readText)).toEqual(created);
    // stored sealed (test/integrations/repository.test.ts checks every column)
    const row = await stack.db.query('SELECT lever_webhook_signing_tokens FROM integrations WHERE id = $1', [created.id]);
    expect(row.rows[0].lever_webhook_signing_tokens).toEqual([expect.stringMatching(/^enc:v1:/), expect.stringMatching(/^enc:v1:/)]);
  });

  it('hints at no secret shorter than 16 characters', async () => {
    const body = { name: 'Short secrets', lever: { apiKey: 'short-lever-key', webhookSigningTokens: ['token-15-chars!'] }, codesignal: { apiKey: 'cs-key' } };
    const created = await readJson(await postJson(`${stack.baseUrl}/api/integrations`, body, auth));
    const read = await readJson(await fetch(`${stack.baseUrl}/api/integrations/${created.id}`, { headers: auth }));
    expect(read).toMatchObject({
      lever: { apiKeyHint: null, webhookSigningTokenHints: [null] },
      codesignal: { apiKeyHint: null, webhookSecretConfigured: false, webhookSecretHint: null },
    });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await fetch(`${stack.baseUrl}/api/integrations/${id}`, { headers: auth });
      expect(res.status).toBe(404);
      expect((await readJson(res)).error).toBe('unknown_integration');
    }
  });

  it('answers 400 naming each invalid field and stores nothing', async () => {
    const before = await stack.db.query('SELECT count(*)::int AS n FROM integrations');
    const res = await postJson(`${stack.baseUrl}/api/integrations`, { ...validBody(), name: '', lever: { apiKey: 'k', webhookSigningTokens: ['short'] } }, auth);
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error).toBe('invalid_body');
    expect(body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['lever.webhookSigningTokens.0', 'name']);
    const after = await stack.db.query('SELECT count(*)::int AS n FROM integrations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  // An API key goes into an HTTP header: one that is not printable ASCII (the README's "…" placeholder,
  // a pasted line break) would be saved and then fail every Lever or CodeSignal call.
  it('refuses an API key that is not printable ASCII, naming the field, and stores nothing', async () => {
    const count = async () => (await stack.db.query('SELECT count(*)::int AS n FROM integrations')).rows[0].n as number;
    const before = await count();
    const create = async (lever: string, codesignal: string) => {
      const res = await postJson(`${stack.baseUrl}/api/integrations`, { ...validBody(), lever: { apiKey: lever }, codesignal: { apiKey: codesignal } }, auth);
      expect(res.status).toBe(400);
      return (await readJson(res)).message as string;
    };
    expect(await create('…', 'codesignal-key')).toBe('lever.apiKey: must be printable ASCII');
    expect(await create('lever-key', '…')).toBe('codesignal.apiKey: must be printable ASCII');
    expect(await create('lever-key\n', 'cs-ключ')).toBe('lever.apiKey: must be printable ASCII; codesignal.apiKey: must be printable ASCII');
    expect(await count()).toBe(before);
    // every printable ASCII character is fine, spaces included
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    const res = await postJson(`${stack.baseUrl}/api/integrations`, { ...validBody(), lever: { apiKey: printable }, codesignal: { apiKey: printable } }, auth);
    expect(res.status).toBe(201);

    // the same on update
    const { id } = await readJson(res);
    const patch = await fetch(`${stack.baseUrl}/api/integrations/${id}`, {
      method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ codesignal: { apiKey: '…' } }),
    });
    expect(patch.status).toBe(400);
    expect(await readJson(patch)).toMatchObject({ error: 'invalid_body', message: 'codesignal.apiKey: must be printable ASCII' });
  });

  it("uses a signing token saved through the API at once in this process's webhook ingress (its cached integration is read again)", async () => {
    const created = await readJson(await postJson(`${stack.baseUrl}/api/integrations`, validBody(), auth));
    const webhook = `${stack.baseUrl}/webhooks/lever/${created.id}`;
    const added = 'signing-token-cccc';
    // an event the ingress answers without Temporal once its signature matches
    const delivery = () => signedLeverDelivery(added, 'contactUpdated', { contactId: 'x' });
    // refused, and the integration is now in the ingress's cache (INTEGRATION_CACHE_MS, 5 s)
    expect((await postJson(webhook, delivery())).status).toBe(401);
    const patch = await fetch(`${stack.baseUrl}/api/integrations/${created.id}`, {
      method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ lever: { webhookSigningTokens: ['signing-token-aaaa', added] } }),
    });
    expect(patch.status).toBe(200);
    const accepted = await postJson(webhook, delivery());
    expect(accepted.status).toBe(200);
    expect(await readJson(accepted)).toEqual({ status: 'ignored', event: 'contactUpdated' });
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await postJson(`${stack.baseUrl}/api/integrations`, '{"name":', auth);
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toBe('malformed_json');
  });

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${stack.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await readJson(ready)).toEqual({ status: 'ready', postgres: true, temporal: true });
  });

  it('serves a favicon to anyone (browsers ask for it on the admin UI and the selection page)', async () => {
    const res = await fetch(`${stack.baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header
    expect(bytes.length).toBeLessThan(4096);
  });
});
