import { z } from 'zod';

/**
 * Settings of public-link results per integration (docs/public-links.md), the body of
 * `PUT /api/integrations/:id/public-links/settings`: strict, so a misspelt field is a 400 naming it.
 * Omitted fields take their defaults; the test ids are checked against CodeSignal's test list by the route.
 */
export const publicLinkSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** CodeSignal company test ids whose public-link sessions are looked for. */
  testIds: z
    .array(z.string().min(1).max(100))
    .max(50)
    .default([])
    .superRefine((ids, ctx) => {
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `test ${id} is listed twice` });
      });
    }),
  /** How often the scan runs (the Temporal Schedule's interval). */
  intervalMinutes: z.number().int().min(5).max(1440).default(15),
  /** Only sessions finished within this many days are considered. */
  lookBackDays: z.number().int().min(1).max(365).default(7),
  /** A session whose e-mail matches one active Lever opportunity: post the result there, or wait for an admin. */
  onMatch: z.enum(['post', 'confirm']).default('post'),
  /** No active opportunity has the e-mail: create a New Lead with the result, wait for an admin, or leave it. */
  onNoMatch: z.enum(['import', 'confirm', 'ignore']).default('confirm'),
});
export type PublicLinkSettings = z.infer<typeof publicLinkSettingsSchema>;

export const defaultPublicLinkSettings: PublicLinkSettings = publicLinkSettingsSchema.parse({});

/** States of a public-link session (public_link_sessions.state). */
export const PUBLIC_LINK_STATES = ['processing', 'pending', 'posted', 'imported', 'dismissed', 'ignored', 'failed'] as const;
export type PublicLinkState = (typeof PUBLIC_LINK_STATES)[number];

/** Why a session matched as it did when it was found. */
export type MatchReason = 'single' | 'none' | 'ambiguous' | 'no-email';
