import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ensureAdmin } from '../../../src/api/admin/admin-users';
import { payloadCodecFor } from '../../../src/temporal/payload-codec';
import { postJson, readJson } from '../../support/lever-webhook';
import { adminToken, startStack, testEncryptionKey, type TestStack } from '../../support/stack';

const uiOrigin = 'http://temporal-ui.example.test:8233';
const auth = { authorization: `Bearer ${adminToken}` };
const candidate = { name: 'Grace Hopper', email: 'grace.hopper@candidates.example' };

/** Proto JSON, as the Web UI sends payloads: every bytes field base64. */
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data?: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const metadataText = (p: { metadata: Record<string, string> }, key: string) => Buffer.from(p.metadata[key] ?? '', 'base64').toString('utf8');

describe('codec endpoint for the Temporal Web UI', () => {
  let stack: TestStack;
  const url = (operation: 'encode' | 'decode') => `${stack.baseUrl}/codec/${operation}`;
  beforeAll(async () => {
    stack = await startStack({ worker: false, config: { TEMPORAL_UI_URL: `${uiOrigin}/` } });
  });
  afterAll(() => stack.stop());

  it('refuses requests without an admin credential', async () => {
    const body = { payloads: [toJson(defaultPayloadConverter.toPayload(candidate))] };
    for (const operation of ['encode', 'decode'] as const) {
      expect((await postJson(url(operation), body)).status).toBe(401);
      const wrong = await postJson(url(operation), body, { authorization: 'Bearer not-the-token', origin: uiOrigin });
      expect(wrong.status).toBe(401);
      expect(await readJson(wrong)).toMatchObject({ error: 'unauthorized' });
      // The UI can read the refusal (and say so) instead of seeing a network error.
      expect(wrong.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    }
  });

  it('accepts a logged-in admin’s session cookie from the Web UI, which sends no CSRF token', async () => {
    const email = `codec-${randomUUID().slice(0, 8)}@example.com`;
    await ensureAdmin(stack.db, email, 'correct horse battery staple');
    const login = await postJson(`${stack.baseUrl}/api/session`, { email, password: 'correct horse battery staple' });
    expect(login.status).toBe(201);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('lcs.sid='))!.split(';')[0]!;
    const [encrypted] = (await readJson(await postJson(url('encode'), { payloads: [toJson(defaultPayloadConverter.toPayload(candidate))] }, auth))).payloads;
    // As the UI's fetch sends it with "include cross-origin credentials": the cookie, the origin, X-Namespace.
    const res = await postJson(url('decode'), { payloads: [encrypted] }, { cookie, origin: uiOrigin, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(defaultPayloadConverter.fromPayload(fromJson((await readJson(res)).payloads[0]))).toEqual(candidate);
  });

  it('encodes and decodes in proto JSON with the key the workers use, and passes plain payloads through', async () => {
    const originals = [candidate, 'a string', null].map((v) => defaultPayloadConverter.toPayload(v));
    const encodedRes = await postJson(url('encode'), { payloads: originals.map(toJson) }, auth);
    expect(encodedRes.status).toBe(200);
    const encoded = (await readJson(encodedRes)).payloads;
    expect(encoded).toHaveLength(3);
    for (const p of encoded) {
      expect(metadataText(p, 'encoding')).toBe('binary/encrypted');
      expect(Buffer.from(p.data, 'base64').toString('latin1')).not.toContain(candidate.email);
    }
    // What the endpoint encrypted, the service's own codec reads (one key ring for both).
    const workers = payloadCodecFor({ ENCRYPTION_KEY: testEncryptionKey });
    expect((await workers.decode(encoded.map(fromJson))).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([candidate, 'a string', null]);

    const decodedRes = await postJson(url('decode'), { payloads: [...encoded, toJson(originals[0]!)] }, { ...auth, 'x-namespace': 'default' });
    expect(decodedRes.status).toBe(200);
    const decoded = (await readJson(decodedRes)).payloads;
    expect(decoded.map((p: { metadata: Record<string, string>; data?: string }) => defaultPayloadConverter.fromPayload(fromJson(p)))).toEqual([candidate, 'a string', null, candidate]);
    expect(metadataText(decoded[0], 'encoding')).toBe('json/plain');
  });

  it('answers the UI origin’s preflight with credentials allowed, and other origins with no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(url('decode'), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
      });
    const ui = await preflight(uiOrigin);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(ui.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization, X-Namespace');
    expect(ui.headers.get('vary')).toContain('Origin');

    for (const origin of ['http://evil.example.test', 'http://temporal-ui.example.test:9999', 'null']) {
      const other = await preflight(origin);
      expect([...other.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const crossPost = await postJson(url('encode'), { payloads: [] }, { ...auth, origin: 'http://evil.example.test' });
    expect(crossPost.headers.get('access-control-allow-origin')).toBeNull();
  });

  // Proto3 JSON leaves an empty repeated field out: what the Temporal CLI sends for a query without
  // arguments (`temporal workflow query … --codec-endpoint`) is `{}` (Go's protojson of empty Payloads).
  it('answers no payloads with no payloads: `{}`, `"payloads": null`, `[]` and an empty body', async () => {
    for (const operation of ['encode', 'decode'] as const) {
      for (const body of ['{}', '{"payloads":null}', '{"payloads":[]}', '']) {
        const res = await fetch(url(operation), { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-namespace': 'default' }, body });
        expect({ operation, body, status: res.status }).toEqual({ operation, body, status: 200 });
        expect(await readJson(res)).toEqual({ payloads: [] });
      }
      // no body at all (no Content-Type, no Content-Length)
      const bare = await fetch(url(operation), { method: 'POST', headers: auth });
      expect(bare.status).toBe(200);
      expect(await readJson(bare)).toEqual({ payloads: [] });
      // still an admin's endpoint
      expect((await fetch(url(operation), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    }
  });

  it('answers 400 naming the problem for a malformed body or a payload it cannot decrypt', async () => {
    const bad = async (body: unknown, contentType = 'application/json') => {
      const res = await fetch(url('decode'), { method: 'POST', headers: { ...auth, 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      expect(res.status).toBe(400);
      return readJson(res);
    };
    expect((await bad('{"payloads": [')).error).toBe('malformed_json');
    expect((await bad({ payloads: {} })).message).toContain('payloads');
    expect((await bad({ payloads: 'none' })).message).toContain('payloads');
    expect((await bad({ payloads: [{ metadata: { encoding: 'not base64!' } }] })).message).toContain('payloads.0.metadata.encoding: must be base64');
    expect((await bad('payloads', 'text/plain')).error).toBe('invalid_body');

    const [encrypted] = (await readJson(await postJson(url('encode'), { payloads: [toJson(defaultPayloadConverter.toPayload(candidate))] }, auth))).payloads;
    const data = Buffer.from(encrypted.data, 'base64');
    data[data.length - 1]! ^= 1;
    const tampered = await bad({ payloads: [toJson(defaultPayloadConverter.toPayload('fine')), { ...encrypted, data: data.toString('base64') }] });
    expect(tampered).toMatchObject({ error: 'undecryptable_payload' });
    expect(tampered.message).toMatch(/^payloads\.1: payload failed authentication with key [0-9a-f]{8}/);
    for (const secret of [candidate.email, candidate.name, testEncryptionKey]) expect(JSON.stringify(tampered)).not.toContain(secret);
  });
});
