import { z } from 'zod';

/**
 * Lever Data API v1 responses (reference lever-api.md §1.2, §3). Objects are loose because Lever adds
 * fields within v1; only what the integration reads and the reference documents as always present is
 * required, so a change there fails loudly. Fields it marks optional, [U], [O] or only sometimes sent
 * are optional here, and those it types `| null` are nullable.
 */

const timestamp = z.number();
/** The docs show some numbers as strings ("1468953420000"); live sends numbers. Accept both. */
const numberish = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

export const archivedSchema = z.looseObject({ reason: z.string().nullable().optional(), archivedAt: timestamp }).nullable();

/** Application ids, or with `expand=applications` the application objects (which name the posting). */
const applicationRef = z.union([z.string(), z.looseObject({ id: z.string(), posting: z.string().nullable().optional() })]);

export const opportunitySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  headline: z.string().optional(),
  contact: z.string(),
  emails: z.array(z.string()),
  phones: z.array(z.looseObject({ type: z.string().nullable().optional(), value: z.string() })).optional(),
  links: z.array(z.string()),
  /** Built-in stages are slugs (`lead-new`), custom ones UUIDs: never validate as a UUID. */
  stage: z.string(),
  stageChanges: z.array(z.looseObject({ toStageId: z.string(), toStageIndex: z.number().optional(), userId: z.string().nullable().optional(), updatedAt: timestamp })).optional(),
  /** §3.1: `archived` is the live shape [O]; the docs show top-level `archivedAt`/`archiveReason` instead. */
  archived: archivedSchema.optional(),
  archivedAt: timestamp.nullable().optional(),
  archiveReason: z.string().nullable().optional(),
  tags: z.array(z.string()),
  sources: z.array(z.string()).optional(),
  origin: z.string().optional(),
  owner: z.string().nullable(),
  sourcedBy: z.string().nullable().optional(),
  followers: z.array(z.string()),
  applications: z.array(applicationRef),
  confidentiality: z.string().optional(),
  createdAt: timestamp.nullable(),
  updatedAt: timestamp.nullable().optional(),
  lastAdvancedAt: timestamp.nullable().optional(),
  urls: z.looseObject({ list: z.string(), show: z.string() }).optional(),
  /** §3.1: Lever anonymized the contact (a retention policy or a data request): the service erases what it holds (README "Erasure"). */
  isAnonymized: z.boolean().optional(),
}).transform(({ archivedAt, archiveReason, ...opp }) => {
  const expanded = opp.applications.filter((a) => typeof a !== 'string');
  const result = {
    ...opp,
    /** Either shape as `{reason, archivedAt}`; neither present reads as not archived. */
    archived: opp.archived !== undefined ? opp.archived : archivedAt != null ? { reason: archiveReason ?? null, archivedAt } : null,
    /** Always ids (0 or 1: an opportunity has at most one application). */
    applications: opp.applications.map((a) => (typeof a === 'string' ? a : a.id)),
    /** The applied posting; known only when read with `expandApplications` (undefined otherwise). */
    postingId: opp.applications.length === 0 ? null : expanded.length ? (expanded[0]!.posting ?? null) : undefined,
  };
  // the spread keeps Lever's extra fields at run time; say so to the type as well
  return result as typeof result & Record<string, unknown>;
});
export type LeverOpportunity = z.infer<typeof opportunitySchema>;

/** An item of `GET /opportunities/deleted` (§3.1–3.2): the id, and who deleted it when. */
export const deletedOpportunitySchema = z.looseObject({
  id: z.string(),
  deletedAt: timestamp.nullable().optional(),
  deletedBy: z.string().nullable().optional(),
});

export const userSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  username: z.string().optional(),
  email: z.string(),
  accessRole: z.string(),
  deactivatedAt: timestamp.nullable().optional(),
  createdAt: timestamp.optional(),
});
export type LeverUser = z.infer<typeof userSchema>;

export const stageSchema = z.looseObject({ id: z.string(), text: z.string() });
export type LeverStage = z.infer<typeof stageSchema>;

/** An item of `GET /tags` (§3.9): a tag of the account and how many opportunities carry it. */
export const tagSchema = z.looseObject({ text: z.string(), count: z.number().optional() });
export type LeverTag = z.infer<typeof tagSchema>;

export const archiveReasonSchema = z.looseObject({
  id: z.string(),
  text: z.string(),
  status: z.string().optional(),
  type: z.enum(['hired', 'non-hired']),
});
export type LeverArchiveReason = z.infer<typeof archiveReasonSchema>;

export const postingSchema = z.looseObject({
  id: z.string(),
  text: z.string(),
  state: z.string().optional(),
  owner: z.string().nullable().optional(),
  hiringManager: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  categories: z.looseObject({ team: z.string().nullable().optional(), location: z.string().nullable().optional() }).optional(),
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
});
export type LeverPosting = z.infer<typeof postingSchema>;

export const noteSchema = z.looseObject({
  id: z.string(),
  text: z.string().optional(),
  fields: z.array(z.looseObject({ type: z.string().optional(), value: z.unknown(), createdAt: timestamp.optional(), user: z.string().nullable().optional() })),
  user: z.string().nullable(),
  secret: z.boolean().optional(),
  createdAt: timestamp,
  deletedAt: timestamp.nullable().optional(),
});
export type LeverNote = z.infer<typeof noteSchema>;

/** Live answers the full note plus `noteId`; the docs show only `{noteId}`. Either gives the id. */
export const createdNoteSchema = noteSchema
  .partial()
  .extend({ noteId: z.string().optional() })
  .refine((n) => n.noteId !== undefined || n.id !== undefined, { message: 'neither noteId nor id present' })
  .transform(({ noteId, ...note }) => ({ ...note, id: (noteId ?? note.id) as string }));
export type LeverCreatedNote = z.infer<typeof createdNoteSchema>;

export const fileSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  ext: z.string().nullable().optional(),
  downloadUrl: z.string(),
  uploadedAt: numberish,
  status: z.enum(['processing', 'processed', 'unsupported', 'error']).nullable().optional(),
  size: numberish.nullable().optional(),
});
export type LeverFile = z.infer<typeof fileSchema>;

export const interviewSchema = z.looseObject({
  id: z.string(),
  /** §3.7 leaves a panel's `interviews:[…]` unspelt, and its POST body's interviews have no `panel`. */
  panel: z.string().optional(),
  subject: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  interviewers: z.array(z.looseObject({ id: z.string(), name: z.string().nullable().optional(), email: z.string().nullable().optional() })),
  date: timestamp,
  duration: z.number(),
  location: z.string().nullable().optional(),
  canceledAt: timestamp.nullable().optional(),
});
export type LeverInterview = z.infer<typeof interviewSchema>;

export const panelSchema = z.looseObject({
  id: z.string(),
  applications: z.array(z.string()).optional(),
  timezone: z.string(),
  externallyManaged: z.boolean(),
  externalUrl: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  start: timestamp.nullable().optional(),
  end: timestamp.nullable().optional(),
  canceledAt: timestamp.nullable().optional(),
  interviews: z.array(interviewSchema),
});
export type LeverPanel = z.infer<typeof panelSchema>;

export const webhookSchema = z.looseObject({
  id: z.string(),
  event: z.string(),
  url: z.string(),
  configuration: z.looseObject({
    conditions: z.looseObject({ origins: z.array(z.string()).optional() }).optional(),
    signatureToken: z.string().optional(),
  }).optional(),
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
});
export type LeverWebhookSubscription = z.infer<typeof webhookSchema>;

/** Only `POST /webhooks` shows the signing token, and it is the only chance to read it. */
export const createdWebhookSchema = webhookSchema.extend({
  configuration: z.looseObject({
    conditions: z.looseObject({ origins: z.array(z.string()).optional() }).optional(),
    signatureToken: z.string().min(1),
  }),
});

/**
 * §3.8 feedback templates. The reference spells the fields' `type`, `options` and that a PUT gives every field
 * a new id; the template's name and a field's label are `text` (Lever's naming, not spelt out there): all but
 * the ids is optional and nullable.
 */
export const feedbackTemplateSchema = z.looseObject({
  id: z.string(),
  text: z.string().nullable().optional(),
  fields: z.array(z.looseObject({ id: z.string(), type: z.string().nullable().optional(), text: z.string().nullable().optional() })).nullable().optional(),
});
export type LeverFeedbackTemplate = z.infer<typeof feedbackTemplateSchema>;

/**
 * §3.8 feedback on an opportunity. The list read is the `feedback:read:admin` row of §4; the reference spells
 * no item shape, so beyond `id` only what the POST sends is read, every part optional and nullable.
 */
export const feedbackSchema = z.looseObject({
  id: z.string(),
  baseTemplateId: z.string().nullable().optional(),
  fieldValues: z.array(z.looseObject({ id: z.string().nullable().optional(), value: z.unknown() })).nullable().optional(),
  createdAt: timestamp.nullable().optional(),
  completedAt: timestamp.nullable().optional(),
});
export type LeverFeedback = z.infer<typeof feedbackSchema>;

/** `{ data }` — single objects. */
export const envelope = <S extends z.ZodType>(item: S) => z.looseObject({ data: item });

/** Creates of interviews, panels and webhooks: live wraps once, the docs show `{data:{data}}` (§1.2); accept both. */
export const createdEnvelope = <S extends z.ZodType>(item: S) =>
  z.looseObject({ data: z.union([item, z.looseObject({ data: item }).transform((inner) => inner.data as z.infer<S>)]) });

/** §3.4: the full opportunity in a stage/archive/tag/link/source answer is live behaviour only [O]. */
export const updatedOpportunitySchema = z.looseObject({ data: opportunitySchema.optional() });

/** `{ data: [...], hasNext, next? }`; a missing `hasNext` (GET /webhooks, §1.2) means the last page, as does a missing or null `next`. */
export const pageEnvelope = <S extends z.ZodType>(item: S) =>
  z.looseObject({ data: z.array(item), hasNext: z.boolean().optional(), next: z.string().nullable().optional() });

/** The docs show "list files" as a bare array; accept both it and the envelope. */
export const filePageSchema = z.union([pageEnvelope(fileSchema), z.array(fileSchema).transform((data) => ({ data, hasNext: false as boolean | undefined, next: undefined as string | null | undefined }))]);

/** Create answers may carry a top-level `deduped: true` when the email matched an existing contact. */
export const createdOpportunitySchema = z.looseObject({ data: opportunitySchema, deduped: z.boolean().optional() });

/** Error body `{code, message}` (§1.3). */
export const errorBodySchema = z.looseObject({ code: z.string(), message: z.string().optional() });
