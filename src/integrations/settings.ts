import { z } from 'zod';

/** Tag names written to Lever for each assessment status; admins rename them to fit their tag scheme. */
export const statusTagsSchema = z.strictObject({
  awaitingSelection: z.string().min(1).max(100).default('CodeSignal: awaiting test selection'),
  invited: z.string().min(1).max(100).default('CodeSignal: invited'),
  started: z.string().min(1).max(100).default('CodeSignal: in progress'),
  submitted: z.string().min(1).max(100).default('CodeSignal: submitted'),
  verificationPending: z.string().min(1).max(100).default('CodeSignal: verification pending'),
  completed: z.string().min(1).max(100).default('CodeSignal: completed'),
  notVerified: z.string().min(1).max(100).default('CodeSignal: not verified'),
  expired: z.string().min(1).max(100).default('CodeSignal: expired'),
  declined: z.string().min(1).max(100).default('CodeSignal: declined'),
  cancelled: z.string().min(1).max(100).default('CodeSignal: cancelled'),
  failed: z.string().min(1).max(100).default('CodeSignal: error'),
});
export type StatusTags = z.infer<typeof statusTagsSchema>;
export type AssessmentTagStatus = keyof StatusTags;

const thresholdOutcomeSchema = z.strictObject({
  tag: z.string().min(1).max(100),
  moveToStageId: z.string().min(1).optional(),
});

export const assessmentSettingsSchema = z
  .strictObject({
    /** Lever stage ids; entering one starts an assessment. */
    triggerStageIds: z.array(z.string().min(1)).max(50).default([]),
    /** A test sent at once, without the selection link, per trigger stage and/or per posting (posting wins). */
    defaultTestByStage: z.record(z.string().min(1), z.string().min(1)).default({}),
    defaultTestByPosting: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Whether result notes notify the opportunity's followers in Lever. */
    notifyFollowers: z.boolean().default(true),
    /** The Lever user every write is made as (`perform_as`). */
    defaultLeverUserId: z.string().min(1).optional(),
    expiryDays: z.number().int().min(1).max(180).default(14),
    /** Reminders are sent this many days before the invitation expires. */
    reminderDaysBeforeExpiry: z.array(z.number().int().min(1).max(179)).max(5).default([3, 1]),
    /** Score as a percentage of the maximum; at or above passes. */
    thresholds: z
      .strictObject({
        passPercent: z.number().min(0).max(100),
        pass: thresholdOutcomeSchema,
        fail: thresholdOutcomeSchema,
      })
      .optional(),
    tags: statusTagsSchema.default(statusTagsSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    for (const stageId of Object.keys(s.defaultTestByStage)) {
      if (!s.triggerStageIds.includes(stageId)) {
        ctx.addIssue({ code: 'custom', path: ['defaultTestByStage', stageId], message: 'is not one of triggerStageIds' });
      }
    }
    for (const [i, days] of s.reminderDaysBeforeExpiry.entries()) {
      if (days >= s.expiryDays) ctx.addIssue({ code: 'custom', path: ['reminderDaysBeforeExpiry', i], message: `must be less than expiryDays (${s.expiryDays})` });
    }
  });
export type AssessmentSettings = z.infer<typeof assessmentSettingsSchema>;

const interviewTagsSchema = z.strictObject({
  scheduled: z.string().min(1).max(100).default('CodeSignal interview: scheduled'),
  completed: z.string().min(1).max(100).default('CodeSignal interview: completed'),
  expired: z.string().min(1).max(100).default('CodeSignal interview: expired'),
  cancelled: z.string().min(1).max(100).default('CodeSignal interview: cancelled'),
  failed: z.string().min(1).max(100).default('CodeSignal interview: error'),
});

export const interviewSettingsSchema = z.strictObject({
  /** Lever stage ids; entering one creates a CodeSignal live interview (the on-site stage is the usual choice). */
  triggerStageIds: z.array(z.string().min(1)).max(50).default([]),
  /** CodeSignal interview template; the company default when absent. */
  templateId: z.string().min(1).optional(),
  /** How long the room stays open when no Lever interview is scheduled (CodeSignal allows 1–336 hours). */
  expiryHours: z.number().int().min(1).max(336).default(168),
  /** Who interviews: the opportunity owner's mapped CodeSignal user, or always the default one. */
  interviewer: z.enum(['owner', 'default']).default('owner'),
  defaultCodeSignalUserId: z.string().min(1).optional(),
  /** After the interview ends, how long to wait for the interviewer's feedback before posting without it. */
  feedbackWaitHours: z.number().int().min(1).max(720).default(72),
  tags: interviewTagsSchema.default(interviewTagsSchema.parse({})),
});
export type InterviewSettings = z.infer<typeof interviewSettingsSchema>;

/**
 * The body of PUT /api/integrations/:id/settings. Every object is strict: a field the schema does not
 * know is refused with a 400 naming it rather than dropped (a misspelt name would silently do nothing).
 */
export const integrationSettingsSchema = z.strictObject({
  assessments: assessmentSettingsSchema.default(assessmentSettingsSchema.parse({})),
  interviews: interviewSettingsSchema.default(interviewSettingsSchema.parse({})),
});
export type IntegrationSettings = z.infer<typeof integrationSettingsSchema>;

/**
 * Stored settings are re-parsed on read so defaults added later apply to old rows. Unlike an admin's
 * body, a stored row may hold fields an earlier version wrote and this one no longer knows: they are
 * dropped, as they always were, and never make a row unreadable.
 */
export function parseStoredSettings(raw: unknown): IntegrationSettings {
  const first = integrationSettingsSchema.safeParse(raw ?? {});
  if (first.success) return first.data;
  const value = structuredClone(raw ?? {});
  for (const issue of first.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const holder = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], value);
    if (holder && typeof holder === 'object') {
      for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
    }
  }
  // what is still wrong throws, as before
  return integrationSettingsSchema.parse(value);
}
