import { z } from 'zod';
import { createOpportunityBody } from '../actions/opportunities';
import { createPanelBody } from '../actions/interviews';
import { ORIGINS, WEBHOOK_EVENTS } from '../model';
import { permissionSchema, PERMISSION_PRESETS } from '../permissions';

/** Bodies of the control API. Recruiter actions take an optional `userId` (the user acting in the UI). */

export const createAccountBody = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  defaultArchiveReasons: z.boolean().optional(),
});

export const createKeyBody = z.object({
  /** A preset name or an explicit list of scope names. Default: every permission. */
  permissions: z.union([z.enum(Object.keys(PERMISSION_PRESETS) as [keyof typeof PERMISSION_PRESETS]), z.array(permissionSchema)]).default('all'),
  key: z.string().min(8).optional(),
  name: z.string().min(1).optional(),
});

export const createUserBody = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  email: z.email(),
  accessRole: z.string().default('team member'),
  jobTitle: z.string().nullable().optional(),
  deactivated: z.boolean().optional(),
});

export const createStageBody = z.object({
  id: z.string().min(1).optional(),
  text: z.string().min(1),
  /** Insert before this stage; default before `offer` (custom stages sit inside the pipeline), else last. */
  before: z.string().optional(),
});

export const createPostingBody = z.object({
  text: z.string().min(1),
  owner: z.string().optional(),
  hiringManager: z.string().optional(),
  state: z.enum(['published', 'internal', 'closed', 'draft', 'pending', 'rejected']).default('published'),
  team: z.string().optional(),
  department: z.string().optional(),
  location: z.string().optional(),
  commitment: z.string().optional(),
  tags: z.array(z.string()).default([]),
  workplaceType: z.enum(['onsite', 'remote', 'hybrid', 'unspecified']).default('unspecified'),
});

export const setPostingTagsBody = z.object({ tags: z.array(z.string().min(1)).max(100) });

export const createArchiveReasonBody = z.object({
  text: z.string().min(1),
  type: z.enum(['hired', 'non-hired']).default('non-hired'),
  status: z.enum(['active', 'inactive']).default('active'),
});

const actingUser = { userId: z.string().optional() };

export const createCandidateBody = createOpportunityBody.extend(actingUser);
export const moveStageBody = z.object({ stage: z.string().min(1), ...actingUser });
export const archiveCandidateBody = z.object({ reason: z.string().min(1), cleanInterviews: z.boolean().optional(), ...actingUser });
export const unarchiveCandidateBody = z.object(actingUser);
export const deleteInterviewBody = z.object(actingUser);
/** A recruiter deleting a candidate; `userId` becomes `deletedBy` (null without it). */
export const deleteCandidateBody = z.object(actingUser);
/** A recruiter (or, without `userId`, a retention policy) anonymizing a candidate's contact. */
export const anonymizeCandidateBody = z.object(actingUser);
/** Without `reason`, the account's first active hired reason is used. */
export const hireCandidateBody = z.object({ reason: z.string().optional(), ...actingUser });
export const tagsBody = z.object({ tags: z.array(z.string()).min(1), ...actingUser });
export const uiNoteBody = z.object({ value: z.string().min(1), secret: z.boolean().optional(), score: z.number().int().min(1).max(4).optional(), ...actingUser });
export const uiPanelBody = createPanelBody.extend(actingUser);
/** Lets tests reach Lever's states for a file that is still processing or could not be processed (422 on download). */
export const fileStatusBody = z.object({ status: z.enum(['processing', 'processed', 'unsupported', 'error']) });

export const createUiWebhookBody = z.object({
  url: z.url({ protocol: /^https?$/ }),
  event: z.enum(WEBHOOK_EVENTS),
  origins: z.array(z.enum(ORIGINS)).optional(),
});

/** The Super Admin's switch of one event group on the webhooks settings page (§2.7). */
export const webhookEventSwitchBody = z.object({ on: z.boolean() });

export const settingsBody = z.object({
  apiWritesFireWebhooks: z.boolean().optional(),
  /** The next this many webhook deliveries are lost (every attempt fails; Lever gives up after its retries). */
  lostWebhookDeliveries: z.number().int().min(0).max(10_000).optional(),
  rateLimit: z.object({ perSecond: z.number().positive(), burst: z.number().int().min(1) }).optional(),
  /**
   * Lever's limit changing at run time: each phase's limit for its seconds from now (or `startedAt`, ms),
   * then the last phase's for good; a phase without `burst` keeps `rateLimit.burst`. Overrides `rateLimit`
   * while set; null removes it.
   */
  rateLimitSchedule: z.object({
    startedAt: z.number().int().optional(),
    phases: z.array(z.object({ perSecond: z.number().positive(), burst: z.number().int().min(1).optional(), seconds: z.number().positive() })).min(1).max(100),
  }).nullable().optional(),
});

export const requestFilter = z.object({
  method: z.string().optional(),
  pathPrefix: z.string().optional(),
  status: z.coerce.number().int().optional(),
  since: z.coerce.number().int().optional(),
});

export const deliveryFilter = z.object({
  event: z.enum(WEBHOOK_EVENTS).optional(),
  webhookId: z.string().optional(),
  state: z.enum(['pending', 'succeeded', 'failed']).optional(),
});
