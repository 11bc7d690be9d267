import { z } from 'zod';
import { SOURCING_STATUSES as STATUSES, sourcingStatusSchema as statusSchema, type SourcingStatus as Status } from '../../api/sourcing/contract';

/**
 * An integration's mapping between CodeSignal and Lever (docs/sync.md): who a CodeSignal user is
 * in Lever, and how Lever stages / archive reasons and CodeSignal sourcing statuses correspond.
 * `rule` names the auto-fill rule that produced an entry; null when an admin set it.
 */

/** The statuses are the sourcing contract's (src/api/sourcing/contract.ts). */
export const sourcingStatusSchema = statusSchema;
export type SourcingStatus = Status;
export const SOURCING_STATUSES = STATUSES;

const id = z.string().trim().min(1).max(200);

export const userMappingSchema = z.strictObject({ codesignalUserId: id, leverUserId: id });
/** Lever → CodeSignal: entering this stage gives the candidate this status. */
export const stageMappingSchema = z.strictObject({ leverStageId: id, codesignalStatus: sourcingStatusSchema });
/** Lever → CodeSignal: archiving with this reason (hired or not) gives the candidate this status. */
export const archiveReasonMappingSchema = z.strictObject({ leverArchiveReasonId: id, codesignalStatus: sourcingStatusSchema });
/** CodeSignal → Lever: this status moves the opportunity to a stage, or archives it with a reason. */
export const statusMappingSchema = z
  .strictObject({ codesignalStatus: sourcingStatusSchema, leverStageId: id.optional(), leverArchiveReasonId: id.optional() })
  .refine((s) => (s.leverStageId === undefined) !== (s.leverArchiveReasonId === undefined), {
    message: 'give exactly one of leverStageId and leverArchiveReasonId',
    path: ['leverStageId'],
  });

/**
 * Body of PUT /api/integrations/:id/mappings: the whole mapping. Strict: an unknown field is refused
 * with a 400 naming it (the route first removes the read-only fields of its own GET view, so what GET
 * answered can be sent back).
 */
export const integrationMappingSchema = z.strictObject({
  users: z.array(userMappingSchema).max(2_000),
  stages: z.array(stageMappingSchema).max(500),
  archiveReasons: z.array(archiveReasonMappingSchema).max(500),
  statuses: z.array(statusMappingSchema).max(SOURCING_STATUSES.length * 2),
});

type WithRule<T> = T & { rule: string | null };
export type UserMapping = WithRule<z.infer<typeof userMappingSchema>>;
export type StageMapping = WithRule<z.infer<typeof stageMappingSchema>>;
export type ArchiveReasonMapping = WithRule<z.infer<typeof archiveReasonMappingSchema>>;
export type StatusMapping = WithRule<z.infer<typeof statusMappingSchema>>;

export interface IntegrationMapping {
  users: UserMapping[];
  stages: StageMapping[];
  archiveReasons: ArchiveReasonMapping[];
  statuses: StatusMapping[];
}

/** What both APIs say exists, read when a mapping is computed or checked. Lists keep each API's order. */
export interface MappingCatalog {
  leverUsers: Array<{ id: string; name: string; email: string; active: boolean }>;
  /** Pipeline order. */
  leverStages: Array<{ id: string; text: string }>;
  leverArchiveReasons: Array<{ id: string; text: string; type: 'hired' | 'non-hired'; active: boolean }>;
  /** Team members with a CodeSignal account (`user.id`, the id webhooks name); invited-only contacts cannot act. */
  codesignalUsers: Array<{ id: string; name: string; email: string }>;
}

/** Entries nobody mapped: reported for review, never guessed at run time. */
export interface UnmappedEntries {
  leverUsers: Array<{ id: string; name: string; email: string }>;
  codesignalUsers: Array<{ id: string; name: string; email: string }>;
  leverStages: Array<{ id: string; text: string }>;
  leverArchiveReasons: Array<{ id: string; text: string; type: 'hired' | 'non-hired' }>;
  codesignalStatuses: SourcingStatus[];
}

/** Names seen when the mapping was written, so a review can show them without calling either API. */
export interface MappingLabels {
  leverUsers: Record<string, { name: string; email: string }>;
  codesignalUsers: Record<string, { name: string; email: string }>;
  leverStages: Record<string, string>;
  leverArchiveReasons: Record<string, { text: string; type: 'hired' | 'non-hired' }>;
}

export interface MappingReview {
  checkedAt: string;
  labels: MappingLabels;
  unmapped: UnmappedEntries;
}

export interface MappingIssue {
  path: string;
  message: string;
}
