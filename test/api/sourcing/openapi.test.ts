import { validate } from '@readme/openapi-parser';
import { importCandidateRequestSchema, statusChangeRequestSchema } from '../../../src/api/sourcing/contract';
import { readJson } from '../../support/lever-webhook';
import { startStack, type TestStack } from '../../support/stack';

/** The sourcing API's OpenAPI document: served without authentication, valid OpenAPI 3.1, and the same contract the routes enforce. */
describe('sourcing API OpenAPI document', () => {
  let stack: TestStack;
  let document: any;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    const res = await fetch(`${stack.baseUrl}/api/sourcing/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    document = await readJson(res);
  });
  afterAll(() => stack.stop());

  it('is a valid OpenAPI 3.1 document (checked by an OpenAPI validator, not by us)', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result).toMatchObject({ valid: true });
  });

  it('documents every sourcing call, the bearer token and the status feed webhook, with the service’s public URL', () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/sourcing/{integrationId}/candidates',
      '/api/sourcing/{integrationId}/candidates/{codesignalCandidateId}',
      '/api/sourcing/{integrationId}/candidates/{codesignalCandidateId}/status',
    ]);
    expect(document.servers).toEqual([{ url: stack.config.publicUrl }]);
    expect(document.components.securitySchemes.sourcingToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const importCall = document.paths['/api/sourcing/{integrationId}/candidates'].post;
    expect(importCall.security).toEqual([{ sourcingToken: [] }]);
    expect(Object.keys(importCall.responses).sort()).toEqual(['200', '201', '202', '400', '401', '404', '422', '503']);
    expect(document.webhooks.sourcingCandidateStatusChanged.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/StatusFeedEvent' });
  });

  it('is generated from the schemas the routes validate with: required fields and enums agree', () => {
    const schemas = document.components.schemas;
    expect(schemas.ImportCandidateRequest.required.sort()).toEqual(['codesignalCandidateId', 'emails', 'name', 'sourcedBy']);
    expect(schemas.ImportCandidateRequest.additionalProperties).toBe(false);
    expect(schemas.SourcingStatus.enum).toEqual(statusChangeRequestSchema.shape.status.options);
    expect(Object.keys(schemas.ImportCandidateRequest.properties).sort()).toEqual(Object.keys(importCandidateRequestSchema.shape).sort());
    expect(Object.keys(schemas.StatusChangeRequest.properties).sort()).toEqual(Object.keys(statusChangeRequestSchema.shape).sort());
  });
});
