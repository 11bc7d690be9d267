import { startHarness, type Harness } from './harness';

type FileBody = { id: string; name: string; ext: string; size: number; uploadedAt: number; status: string; downloadUrl: string };

describe('Lever sandbox: files', () => {
  let h: Harness;
  let opportunityId: string;
  beforeAll(async () => {
    h = await startHarness({ maxFileBytes: 1024 });
    opportunityId = h.seed.opportunities[0].id;
  });
  afterAll(() => h.close());

  const form = (bytes: Uint8Array, name = 'report.pdf', field = 'file') => {
    const body = new FormData();
    body.append(field, new Blob([bytes], { type: 'application/pdf' }), name);
    return body;
  };
  const upload = (body: FormData, query = `?perform_as=${h.seed.defaultUserId}`) =>
    h.api<{ data: FileBody; code?: string; message?: string }>('POST', `/opportunities/${opportunityId}/files${query}`, { body });

  it('stores a multipart upload, records the uploader and serves the bytes back', async () => {
    const bytes = new Uint8Array(600).map((_, i) => i % 251);
    const res = await upload(form(bytes));
    expect(res.status).toBe(201);
    const file = res.body.data;
    expect(file).toMatchObject({ name: 'report.pdf', ext: 'pdf', size: 600, status: 'processed', uploadedAt: expect.any(Number) });
    expect(file.downloadUrl).toBe(`${h.server.apiUrl}/opportunities/${opportunityId}/files/${file.id}/download`);

    const download = await fetch(file.downloadUrl, { headers: { authorization: `Bearer ${h.seed.apiKey}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);

    const inspected = h.sandbox.recruiter.inspect(h.seed.accountId, opportunityId).files.find((f) => f.id === file.id);
    expect(inspected).toMatchObject({ uploadedBy: h.seed.defaultUserId, size: 600, mimeType: 'application/pdf' });
    const listed = await h.api<{ data: FileBody[] }>('GET', `/opportunities/${opportunityId}/files`);
    expect(listed.body.data.map((f) => f.id)).toContain(file.id);
  });

  it('answers 413 {code,message} above the size limit and stores nothing', async () => {
    const before = h.sandbox.store.account(h.seed.accountId).files.size;
    const res = await upload(form(new Uint8Array(2048)));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 'PayloadTooLarge', message: expect.stringContaining('1024') });
    expect(h.sandbox.store.account(h.seed.accountId).files.size).toBe(before);
  });

  it('requires perform_as and a part named "file"', async () => {
    const missing = await upload(form(new Uint8Array(10)), '');
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('perform_as');
    expect((await upload(form(new Uint8Array(10), 'a.pdf', 'resume'))).status).toBe(400);
  });

  it('answers 422 when downloading a file Lever could not process', async () => {
    const file = (await upload(form(new Uint8Array(10), 'scan.png'))).body.data;
    const res = await h.control('PUT', `/accounts/${h.seed.accountId}/opportunities/${opportunityId}/files/${file.id}/status`, { status: 'error' });
    expect(res.status).toBe(200);
    const download = await h.api('GET', `/opportunities/${opportunityId}/files/${file.id}/download`);
    expect(download.status).toBe(422);
    expect(download.body.code).toEqual(expect.any(String));
  });

  it('deletes with perform_as and answers 204', async () => {
    const file = (await upload(form(new Uint8Array(10), 'notes.txt'))).body.data;
    expect((await h.api('DELETE', `/opportunities/${opportunityId}/files/${file.id}`)).status).toBe(400);
    const deleted = await h.api('DELETE', `/opportunities/${opportunityId}/files/${file.id}?perform_as=${h.seed.defaultUserId}`);
    expect(deleted.status).toBe(204);
    expect((await h.api('GET', `/opportunities/${opportunityId}/files/${file.id}`)).status).toBe(404);
  });
});
