import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/**
 * The sourcing contract (docs/sync.md): what CodeSignal's sourcing side sends this service (import a
 * candidate, report a status change) and what the service sends back (the status feed). CodeSignal's
 * public API has no sourcing objects (reference §9), so the service offers this open contract; the
 * OpenAPI document served at /api/sourcing/openapi.json is generated from these schemas.
 */
extendZodWithOpenApi(z);

/** A CodeSignal sourcing candidate's pipeline status; the integration's mapping ties each to Lever. */
export const SOURCING_STATUSES = ['contacted', 'replied', 'screening', 'interviewing', 'offer', 'hired', 'rejected', 'archived'] as const;
export const sourcingStatusSchema = z.enum(SOURCING_STATUSES).openapi('SourcingStatus', {
  description: "A sourced candidate's pipeline status in CodeSignal; the integration's job-stage mapping ties each to a Lever stage or archive reason.",
});
export type SourcingStatus = z.infer<typeof sourcingStatusSchema>;

/** CodeSignal ids: letters, digits, `_` and `-` (the same rule as every route parameter). */
export const codesignalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a CodeSignal id: letters, digits, "_" and "-", at most 100 characters')
  .openapi({ example: 'k4Pq8sT2vX9mN3bRz' });

const isoDateTime = z.iso.datetime({ offset: true }).openapi({ example: '2026-12-01T09:30:00Z' });

export const importCandidateRequestSchema = z
  .strictObject({
    codesignalCandidateId: codesignalIdSchema.openapi({ description: 'The candidate in CodeSignal; imports are idempotent by this id.' }),
    name: z.string().trim().min(1).max(255).openapi({ example: 'Ada Example' }),
    emails: z
      .array(z.email().max(254))
      .min(1)
      .max(10)
      .openapi({ description: 'At least one: Lever finds the person again by e-mail, so an import without one could not be made idempotent.', example: ['ada@example.org'] }),
    phones: z.array(z.string().trim().min(3).max(50)).max(10).default([]).openapi({ example: ['+1 555 0100'] }),
    profileUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().default(null).openapi({
      description: "The candidate's CodeSignal profile; added to the opportunity's links.",
      example: 'https://app.codesignal.com/candidate/k4Pq8sT2vX9mN3bRz',
    }),
    links: z.array(z.url({ protocol: /^https?$/ }).max(2000)).max(20).default([]).openapi({ description: 'Other links (GitHub, portfolio).' }),
    tags: z.array(z.string().trim().min(1).max(100)).max(20).default([]),
    sourcedBy: z
      .strictObject({
        codesignalUserId: codesignalIdSchema.openapi({ description: "The CodeSignal user who sourced the candidate; the integration's user mapping names the Lever user who creates the lead." }),
        name: z.string().trim().min(1).max(255).optional(),
        email: z.email().max(254).optional(),
      })
      .openapi({ description: 'Who clicked the Lever icon.' }),
    postingId: z.uuid().nullable().default(null).openapi({ description: 'A Lever posting to apply the lead to; none: a general lead.' }),
  })
  .openapi('ImportCandidateRequest');
export type ImportCandidateRequest = z.infer<typeof importCandidateRequestSchema>;

export const IMPORT_OUTCOMES = ['created', 'linked', 'already-imported'] as const;
export const importOutcomeSchema = z.enum(IMPORT_OUTCOMES).openapi('ImportOutcome', {
  description:
    'created: a New Lead was created; linked: Lever already had an active opportunity for the e-mail and the candidate was linked to it; already-imported: this CodeSignal candidate was imported before.',
});

export const importStatusSchema = z.enum(['importing', 'imported', 'failed']);

/** The answer to an import and to reading it back. */
export const importAnswerSchema = z
  .object({
    codesignalCandidateId: z.string(),
    status: importStatusSchema.openapi({ description: 'importing: still running (202), read it back at `self`.' }),
    outcome: importOutcomeSchema.nullable(),
    leverOpportunityId: z.string().nullable(),
    createdBy: z
      .object({
        leverUserId: z.string(),
        fallback: z.boolean().openapi({ description: "The sourcer has no mapped Lever user: the integration's default Lever user created the lead and a note says so." }),
      })
      .nullable(),
    contactDeduped: z.boolean().openapi({ description: "Lever matched the e-mail to an existing contact: the new opportunity joined that contact's earlier ones." }),
    failure: z.object({ type: z.string(), message: z.string() }).nullable(),
    self: z.string().openapi({ description: 'Where to read this import again.' }),
  })
  .openapi('ImportAnswer');
export type ImportAnswer = z.infer<typeof importAnswerSchema>;

export const statusChangeRequestSchema = z
  .strictObject({
    status: sourcingStatusSchema,
    changedAt: isoDateTime.openapi({ description: 'When the status changed in CodeSignal; the later change wins over a conflicting Lever change.' }),
    changedBy: z
      .strictObject({ codesignalUserId: codesignalIdSchema })
      .nullable()
      .default(null)
      .openapi({ description: 'Who changed it; the mapped Lever user moves the opportunity (else the default user).' }),
  })
  .openapi('StatusChangeRequest');
export type StatusChangeRequest = z.infer<typeof statusChangeRequestSchema>;

export const statusChangeAnswerSchema = z
  .object({ status: z.literal('accepted'), codesignalCandidateId: z.string(), leverOpportunityId: z.string() })
  .openapi('StatusChangeAnswer');

export const errorSchema = z
  .object({ error: z.string().openapi({ example: 'invalid_body' }), message: z.string(), requestId: z.string().optional() })
  .openapi('Error');

/** The status feed: one delivery per status the service asks CodeSignal to show. */
export const FEED_EVENT = 'sourcingCandidateStatusChanged';
export const feedEventSchema = z
  .object({
    id: z.string().openapi({ description: 'Stable across retries of the same change: receivers dedupe on it.' }),
    event: z.literal(FEED_EVENT),
    integrationId: z.uuid(),
    codesignalCandidateId: z.string(),
    leverOpportunityId: z.string(),
    status: sourcingStatusSchema,
    changedAt: isoDateTime.openapi({ description: 'When the change being mirrored happened (Lever time, or the CodeSignal change it restores).' }),
    sentAt: isoDateTime,
  })
  .openapi('StatusFeedEvent');
export type FeedEvent = z.infer<typeof feedEventSchema>;

/** Header carrying the feed signature: `t=<ms>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const FEED_SIGNATURE_HEADER = 'X-Sourcing-Signature';
/** The feed delivery id again, for receivers that dedupe before parsing. */
export const FEED_DELIVERY_HEADER = 'X-Sourcing-Delivery';
