import { z } from 'zod';
import { isCanonicalUuid } from '../workflows/shared/ids';
import type { LeverCandidateEvent } from '../workflows/candidate/messages';

/** Lever's webhook envelope (lever-api.md §2.2); unknown keys are allowed, Lever adds fields. */
export const leverWebhookSchema = z.object({
  id: z.string().min(1).optional(),
  event: z.string().min(1),
  triggeredAt: z.number().int().positive(),
  token: z.string().min(1).max(200),
  signature: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type LeverWebhook = z.infer<typeof leverWebhookSchema>;

export const handledLeverEvents = ['candidateStageChange', 'candidateHired', 'candidateArchiveChange', 'interviewCreated', 'interviewUpdated', 'interviewDeleted', 'candidateDeleted'] as const;
export type HandledLeverEvent = (typeof handledLeverEvents)[number];
export const isHandledLeverEvent = (event: string): event is HandledLeverEvent =>
  (handledLeverEvents as readonly string[]).includes(event);

/**
 * The opportunity names the candidate workflow (`candidate/<integration>/<opportunity>`): only the form
 * Lever writes it in (a lower-case UUID) is taken, so no other spelling of one opportunity starts a second workflow.
 */
const opportunityId = z.string().refine(isCanonicalUuid, 'must be a Lever opportunity id: a UUID in lower case');

const archivedSchema = z.object({ archivedAt: z.number(), reason: z.string().nullable().optional() }).nullable();

const dataSchemas = {
  candidateStageChange: z.object({
    opportunityId,
    fromStageId: z.string().nullable().optional(),
    toStageId: z.string().min(1),
  }),
  candidateHired: z.object({ opportunityId }),
  candidateArchiveChange: z.object({ opportunityId, toArchived: archivedSchema.optional() }),
  interviewCreated: z.object({ opportunityId, interviewId: z.string().min(1) }),
  interviewUpdated: z.object({ opportunityId, interviewId: z.string().min(1) }),
  interviewDeleted: z.object({ opportunityId, interviewId: z.string().min(1) }),
  // §2.4: only the opportunity is read; the erasure asks Lever itself before anything is removed
  candidateDeleted: z.object({ opportunityId }),
} satisfies Record<HandledLeverEvent, z.ZodType>;

/** Lever's "verify connection" test request: a candidateHired with empty data. */
export const isLeverTestRequest = (body: LeverWebhook): boolean =>
  body.event === 'candidateHired' && Object.keys(body.data).length === 0;

export class LeverWebhookDataError extends Error {
  override readonly name = 'LeverWebhookDataError';
}

function parseData<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new LeverWebhookDataError(`data.${issue.path.join('.')}: ${issue.message}`);
}

/** The opportunity a `candidateDeleted` delivery names (README "Erasure"): it starts the candidate's erasure, not a signal. */
export const deletedOpportunityOf = (body: LeverWebhook): string => parseData(dataSchemas.candidateDeleted, body.data).opportunityId;

/**
 * Turns a verified delivery into the signal the candidate workflow receives. The key identifies the
 * event, not the delivery, so Lever's retries of one event collapse into one.
 */
export function toCandidateEvent(body: LeverWebhook & { event: Exclude<HandledLeverEvent, 'candidateDeleted'> }): { opportunityId: string; event: LeverCandidateEvent } {
  const { triggeredAt } = body;
  switch (body.event) {
    case 'candidateStageChange': {
      const d = parseData(dataSchemas.candidateStageChange, body.data);
      const key = body.id ?? `stage:${d.opportunityId}:${triggeredAt}:${d.toStageId}`;
      return { opportunityId: d.opportunityId, event: { kind: 'stageChange', key, triggeredAt, fromStageId: d.fromStageId ?? null, toStageId: d.toStageId } };
    }
    case 'candidateHired': {
      const d = parseData(dataSchemas.candidateHired, body.data);
      return { opportunityId: d.opportunityId, event: { kind: 'hired', key: body.id ?? `hired:${d.opportunityId}:${triggeredAt}`, triggeredAt } };
    }
    case 'candidateArchiveChange': {
      const d = parseData(dataSchemas.candidateArchiveChange, body.data);
      const toArchived = d.toArchived ? { archivedAt: d.toArchived.archivedAt, reason: d.toArchived.reason ?? null } : null;
      const key = body.id ?? `archive:${d.opportunityId}:${triggeredAt}:${toArchived?.archivedAt ?? 'none'}`;
      return { opportunityId: d.opportunityId, event: { kind: 'archiveChange', key, triggeredAt, toArchived } };
    }
    case 'interviewCreated':
    case 'interviewUpdated':
    case 'interviewDeleted': {
      const d = parseData(dataSchemas[body.event], body.data);
      const change = ({ interviewCreated: 'created', interviewUpdated: 'updated', interviewDeleted: 'deleted' } as const)[body.event];
      const key = body.id ?? `interview:${d.opportunityId}:${triggeredAt}:${d.interviewId}:${change}`;
      return { opportunityId: d.opportunityId, event: { kind: 'interview', key, triggeredAt, interviewId: d.interviewId, change } };
    }
  }
}
