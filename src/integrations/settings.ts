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

/** The integration-wide fields an older version kept under `assessments`, now at the top level of the settings. */
const legacyAssessmentFields = ['defaultLeverUserId', 'notifyFollowers'] as const;
type LegacyAssessmentField = (typeof legacyAssessmentFields)[number];

/**
 * A field that moved from `assessments` to the top level: an admin's body that still has it there gets
 * a 400 saying where it went (`assessments.notifyFollowers: moved to notifyFollowers`) rather than the
 * plain "unknown field". A stored row written before the move is lifted by parseStoredSettings.
 */
const movedToTopLevel = (name: LegacyAssessmentField) => z.never({ error: `moved to ${name}` }).optional();

const thresholdOutcomeSchema = z.strictObject({
  tag: z.string().min(1).max(100),
  moveToStageId: z.string().min(1).optional(),
});

/**
 * A posting tagged `<prefix><test title>` in Lever (e.g. "CodeSignal: Backend Engineer screen") sends that test
 * (README "Assessments"). Off by default: it reads the posting (`GET /postings/:id`, the key's postings scope).
 */
const testByPostingTagSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Compared case-insensitively and trimmed, as the test's title after it. */
  prefix: z.string().regex(/\S/, 'must not be blank').max(100).default('CodeSignal: '),
  /** Added to the opportunity when a posting's test tag names no test, or more than one. */
  problemTag: z.string().min(1).max(100).default('CodeSignal: test tag not understood'),
});

/** A posting's own approval rule (README "Assessments"): overrides the integration's default. */
const approvalRuleSchema = z.strictObject({
  rejections: z.boolean(),
  timeoutHours: z.number().positive().max(720).optional(),
});

/**
 * Human approval of rejections (README "Assessments"): with it on, the fail threshold's stage move (the
 * move that rejects the candidate) waits for a recruiter's approve / decline, by tag command or in the
 * admin UI; no decision within `timeoutHours` is no action. Advancing moves stay automatic. Off by default.
 */
const approvalSchema = z.strictObject({
  /** The integration's default; `byPosting` overrides it per posting. */
  rejections: z.boolean().default(false),
  /** Hours a decision is waited for (fractions allowed); then nothing is done. */
  timeoutHours: z.number().positive().max(720).default(72),
  byPosting: z.record(z.string().min(1), approvalRuleSchema).default({}),
  pendingTag: z.string().min(1).max(100).default('CodeSignal: rejection pending approval'),
  declinedTag: z.string().min(1).max(100).default('CodeSignal: rejection declined'),
  noActionTag: z.string().min(1).max(100).default('CodeSignal: no decision, no action'),
});
export type ApprovalSettings = z.infer<typeof approvalSchema>;

/**
 * CodeSignal's integrity review of non-proctored sessions (README "Assessments"): with it on, a suggested
 * problem never rejects nor advances anyone; the outcome waits for a recruiter to confirm the suspicion
 * (the result counts as failed) or clear it (the result stands), else after `timeoutHours` nothing is done.
 */
const integrityReviewSchema = z.strictObject({
  enabled: z.boolean().default(false),
  tag: z.string().min(1).max(100).default('CodeSignal: needs integrity review'),
  /** Hours the review (CodeSignal's, then the recruiter's decision) is waited for. */
  timeoutHours: z.number().positive().max(720).default(168),
});
export type IntegrityReviewSettings = z.infer<typeof integrityReviewSchema>;

export const assessmentSettingsSchema = z
  .strictObject({
    /** Lever stage ids; entering one starts an assessment. */
    triggerStageIds: z.array(z.string().min(1)).max(50).default([]),
    /** A test sent at once, without the selection link, per trigger stage and/or per posting (posting wins). */
    defaultTestByStage: z.record(z.string().min(1), z.string().min(1)).default({}),
    defaultTestByPosting: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** The test named by the posting's tag, between the posting's default and the stage's. */
    testByPostingTag: testByPostingTagSchema.default(testByPostingTagSchema.parse({})),
    /** Per posting, tests sent one after the other: each next one only once the one before passed the threshold. */
    testSequenceByPosting: z.record(z.string().min(1), z.array(z.string().min(1)).min(2).max(10)).default({}),
    /** Integration-wide since they apply to every flow: here they are refused with a 400 saying where they went. */
    defaultLeverUserId: movedToTopLevel('defaultLeverUserId'),
    notifyFollowers: movedToTopLevel('notifyFollowers'),
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
    /**
     * How the final result reaches Lever: a note (as always), a feedback form on the integration's own
     * "CodeSignal assessment result" template (src/activities/assessment/feedback.ts), or both.
     */
    resultsAs: z.enum(['note', 'feedback', 'both']).default('note'),
    approval: approvalSchema.default(approvalSchema.parse({})),
    integrityReview: integrityReviewSchema.default(integrityReviewSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    for (const stageId of Object.keys(s.defaultTestByStage)) {
      if (!s.triggerStageIds.includes(stageId)) {
        ctx.addIssue({ code: 'custom', path: ['defaultTestByStage', stageId], message: 'is not one of triggerStageIds' });
      }
    }
    for (const postingId of Object.keys(s.testSequenceByPosting)) {
      if (!s.thresholds) ctx.addIssue({ code: 'custom', path: ['testSequenceByPosting', postingId], message: 'needs thresholds: the next test is sent once the one before passed' });
      if (s.defaultTestByPosting[postingId]) ctx.addIssue({ code: 'custom', path: ['testSequenceByPosting', postingId], message: 'the posting also has a default test (defaultTestByPosting); keep one of the two' });
    }
    for (const [i, days] of s.reminderDaysBeforeExpiry.entries()) {
      if (days >= s.expiryDays) ctx.addIssue({ code: 'custom', path: ['reminderDaysBeforeExpiry', i], message: `must be less than expiryDays (${s.expiryDays})` });
    }
  })
  // the moved fields never get past the parse; dropping them keeps them out of the type
  .transform(({ defaultLeverUserId: _defaultLeverUserId, notifyFollowers: _notifyFollowers, ...assessments }) => assessments);
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
 * The reconciliation sweep (README "Reconciliation"): a Temporal Schedule per integration that repairs
 * what lost webhooks left undone. `enabled: false` pauses the Schedule (kept with its history).
 */
export const reconciliationSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Minutes between two sweeps. */
  intervalMinutes: z.number().int().min(5).max(1440).default(15),
});
export type ReconciliationSettings = z.infer<typeof reconciliationSettingsSchema>;

/** The command words of the tag commands; each a tag `<prefix><name>` (`extend`: `<prefix><name> <n>d`). */
export const tagCommandNamesSchema = z.strictObject({
  resend: z.string().trim().min(1).max(40).default('resend'),
  extend: z.string().trim().min(1).max(40).default('extend'),
  retake: z.string().trim().min(1).max(40).default('retake'),
  cancel: z.string().trim().min(1).max(40).default('cancel'),
  retry: z.string().trim().min(1).max(40).default('retry'),
  /** A rejection waiting for a recruiter's decision (README "Assessments", approval of rejections). */
  approve: z.string().trim().min(1).max(40).default('approve'),
  decline: z.string().trim().min(1).max(40).default('decline'),
  /** A result whose integrity CodeSignal questioned (README "Assessments", integrity review). */
  confirmIntegrity: z.string().trim().min(1).max(40).default('integrity confirmed'),
  clearIntegrity: z.string().trim().min(1).max(40).default('integrity cleared'),
});

/**
 * Tag commands (README "Assessments"): a recruiter adds `CodeSignal: resend` (…) to an opportunity in
 * Lever and the service acts on it. Lever sends no webhook for tags, so a Temporal Schedule per
 * integration looks for them every `intervalMinutes`; `enabled: false` pauses it.
 */
export const tagCommandSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Minutes between two looks for command tags: the longest a command waits. */
    intervalMinutes: z.number().int().min(1).max(60).default(2),
    /** What every command tag starts with (compared case-insensitively, like the names). */
    prefix: z.string().min(1).max(60).refine((p) => p.trim().length > 0, 'must not be blank').default('CodeSignal: '),
    names: tagCommandNamesSchema.default(tagCommandNamesSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, string>();
    for (const [command, name] of Object.entries(s.names)) {
      const other = seen.get(name.toLowerCase());
      if (other) ctx.addIssue({ code: 'custom', path: ['names', command], message: `is the same as names.${other}` });
      seen.set(name.toLowerCase(), command);
    }
  });
export type TagCommandSettings = z.infer<typeof tagCommandSettingsSchema>;

/**
 * The body of PUT /api/integrations/:id/settings. Every object is strict: a field the schema does not
 * know is refused with a 400 naming it rather than dropped (a misspelt name would silently do nothing).
 */
export const integrationSettingsSchema = z.strictObject({
  /** The Lever user every write is made as (`perform_as`), in every flow. */
  defaultLeverUserId: z.string().min(1).optional(),
  /** Whether the notes the integration posts (assessment, interview and public-link results) notify the opportunity's followers in Lever. */
  notifyFollowers: z.boolean().default(true),
  assessments: assessmentSettingsSchema.default(assessmentSettingsSchema.parse({})),
  interviews: interviewSettingsSchema.default(interviewSettingsSchema.parse({})),
  reconciliation: reconciliationSettingsSchema.default(reconciliationSettingsSchema.parse({})),
  tagCommands: tagCommandSettingsSchema.default(tagCommandSettingsSchema.parse({})),
});
export type IntegrationSettings = z.infer<typeof integrationSettingsSchema>;

/** Every stage that starts a flow (an assessment or a live interview), each once. */
export const triggerStageIds = (s: IntegrationSettings): string[] => [...new Set([...s.assessments.triggerStageIds, ...s.interviews.triggerStageIds])];

/**
 * What the loadAssessmentSettings activity returns to the workflows: the assessment settings with
 * the integration's notifyFollowers, the shape recorded in workflow histories before the move.
 */
export type AssessmentRunSettings = AssessmentSettings & { notifyFollowers: boolean };

export function assessmentRunSettings(settings: IntegrationSettings): AssessmentRunSettings {
  return { ...settings.assessments, notifyFollowers: settings.notifyFollowers };
}

/** What the loadInterviewSettings activity returns to the workflows (a shape recorded in workflow histories too). */
export type InterviewRunSettings = { interviews: InterviewSettings; notifyFollowers: boolean };

export function interviewRunSettings(settings: IntegrationSettings): InterviewRunSettings {
  return { interviews: settings.interviews, notifyFollowers: settings.notifyFollowers };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A row written before defaultLeverUserId and notifyFollowers became integration-wide has them under
 * `assessments`: they are lifted to the top level (a value already there wins), as the migration
 * 1763857200000_integration-wide-settings does to stored rows.
 */
function liftLegacyPlacement(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw.assessments) || !legacyAssessmentFields.some((f) => Object.hasOwn(raw.assessments as object, f))) return raw;
  const assessments = { ...raw.assessments };
  const lifted: Record<string, unknown> = { ...raw, assessments };
  for (const field of legacyAssessmentFields) {
    if (!Object.hasOwn(assessments, field)) continue;
    if (!Object.hasOwn(raw, field)) lifted[field] = assessments[field];
    delete assessments[field];
  }
  return lifted;
}

/**
 * Stored settings are re-parsed on read so defaults added later apply to old rows. Unlike an admin's
 * body, a stored row may hold fields an earlier version wrote and this one no longer knows: they are
 * dropped, as they always were, and never make a row unreadable; fields an earlier version kept
 * elsewhere are read from there (liftLegacyPlacement).
 */
export function parseStoredSettings(stored: unknown): IntegrationSettings {
  const raw = liftLegacyPlacement(stored ?? {});
  const first = integrationSettingsSchema.safeParse(raw);
  if (first.success) return first.data;
  const value = structuredClone(raw);
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
