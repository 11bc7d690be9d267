import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  codesignalIdSchema,
  errorSchema,
  feedEventSchema,
  FEED_DELIVERY_HEADER,
  FEED_SIGNATURE_HEADER,
  importAnswerSchema,
  importCandidateRequestSchema,
  statusChangeAnswerSchema,
  statusChangeRequestSchema,
} from './contract';

/**
 * The sourcing contract as an OpenAPI 3.1 document, generated from the zod schemas the routes validate
 * with (@asteasolutions/zod-to-openapi), so the document cannot drift from what the service accepts.
 */
export function sourcingOpenApiDocument(publicUrl: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'sourcingToken', {
    type: 'http',
    scheme: 'bearer',
    description: "The integration's sourcing token (admin UI → Credentials → Sourcing API). Only the SHA-256 of it is stored; a new one replaces the old at once.",
  });
  const integrationId = z.uuid().openapi({ param: { name: 'integrationId', in: 'path' }, description: 'The integration, as shown in the admin UI.' });
  const candidateId = codesignalIdSchema.openapi({ param: { name: 'codesignalCandidateId', in: 'path' } });
  const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
  const errors = {
    400: { description: 'The body or a parameter is wrong; `message` names each field.', ...json(errorSchema) },
    401: { description: "No sourcing token, or not this integration's.", ...json(errorSchema) },
    503: { description: 'The service could not record the call; retry later.', ...json(errorSchema) },
  };
  const security = [{ [bearer.name]: [] }];

  registry.registerPath({
    method: 'post',
    path: '/api/sourcing/{integrationId}/candidates',
    operationId: 'importCandidate',
    summary: 'Import a sourced candidate into Lever as a New Lead (the "Lever icon")',
    description:
      'Creates one opportunity in the New Lead stage, source "CodeSignal", created by the Lever user mapped to `sourcedBy`, or links the candidate to the active opportunity Lever already has for the e-mail. Idempotent by `codesignalCandidateId`: repeating the call answers the first import.',
    security,
    request: { params: z.object({ integrationId }), body: { required: true, ...json(importCandidateRequestSchema) } },
    responses: {
      201: { description: 'A New Lead was created.', ...json(importAnswerSchema) },
      200: { description: 'Linked to an existing opportunity, or imported before.', ...json(importAnswerSchema) },
      202: { description: 'Still importing (Lever slow or unavailable); read it back at `self`.', ...json(importAnswerSchema) },
      404: { description: 'No such integration.', ...json(errorSchema) },
      422: { description: 'Lever refused the import (e.g. an unknown posting); `failure` says why. Repeating the call tries again.', ...json(importAnswerSchema.extend({ error: z.string(), message: z.string() })) },
      ...errors,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sourcing/{integrationId}/candidates/{codesignalCandidateId}',
    operationId: 'getImport',
    summary: 'Read an import back',
    security,
    request: { params: z.object({ integrationId, codesignalCandidateId: candidateId }) },
    responses: {
      200: { description: 'The import.', ...json(importAnswerSchema) },
      404: { description: 'No import of this candidate (or no such integration).', ...json(errorSchema) },
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/sourcing/{integrationId}/candidates/{codesignalCandidateId}/status',
    operationId: 'reportStatusChange',
    summary: "Report a change of an imported candidate's CodeSignal pipeline status",
    description:
      "Moves the Lever opportunity to the stage, or archives it with the reason, that the integration's job-stage mapping gives the status — unless Lever changed since `changedAt` (the later change wins). Reporting the status the feed last sent is no change.",
    security,
    request: { params: z.object({ integrationId, codesignalCandidateId: candidateId }), body: { required: true, ...json(statusChangeRequestSchema) } },
    responses: {
      202: { description: 'Recorded; the opportunity is moved shortly.', ...json(statusChangeAnswerSchema) },
      404: { description: 'The candidate was never imported (or no such integration).', ...json(errorSchema) },
      409: { description: 'The candidate is still being imported; report again shortly.', ...json(errorSchema) },
      ...errors,
    },
  });
  // webhooks' schemas are not collected into components by themselves
  registry.register('StatusFeedEvent', feedEventSchema);
  registry.registerWebhook({
    method: 'post',
    path: 'sourcingCandidateStatusChanged',
    summary: 'Status feed: an imported candidate should now show this status in CodeSignal',
    description:
      `Sent to the integration's status feed URL when Lever moves, archives or hires an imported candidate (per the job-stage mapping), or to bring CodeSignal back to the status that won a conflict. Signed: \`${FEED_SIGNATURE_HEADER}: t=<ms>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>\`; \`${FEED_DELIVERY_HEADER}\` repeats the event id. Any 2xx acknowledges; 408, 429 and 5xx are retried with backoff for a day; other answers are final. Apply it without reporting it back.`,
    request: { body: { required: true, ...json(feedEventSchema) } },
    responses: { 200: { description: 'Received (any 2xx).' } },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Lever ⇄ CodeSignal sourcing API',
      version: '1.0.0',
      description: 'What CodeSignal sourcing calls to import candidates into Lever and report status changes, and the status feed it receives (docs/sync.md).',
    },
    servers: [{ url: publicUrl }],
  });
}
