import { z } from 'zod';
import { isCodeSignalId } from '../workflows/shared/ids';

/**
 * CodeSignal webhook deliveries (reference §8): `{ event, triggeredOn, payload }`. The signature does
 * not cover the body, so a delivery is a hint to re-read the session through the API, never the truth.
 */

/** Any delivery with a body. Unknown events must still get a 200 (CodeSignal asks never to answer 4xx). */
export const codesignalWebhookSchema = z.looseObject({
  event: z.string().min(1),
  /** ms epoch; signed as the empty string when absent. */
  triggeredOn: z.number().optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
});
export type CodeSignalWebhook = z.infer<typeof codesignalWebhookSchema>;

/** On every test-session event; `externalId` only when the invitation had one. */
const session = {
  testSessionId: z.string(),
  testId: z.string(),
  testTitle: z.string(),
  candidateEmail: z.string(),
  candidateName: z.string(),
  externalId: z.string().optional(),
};
const versionedCodingScore = z.looseObject({ version: z.string().nullable().optional(), value: z.number().nullable().optional() });
/** Names in the sandbox; the reference does not show their shape, so objects are accepted too. */
const rejectedReasons = z.array(z.union([z.string(), z.looseObject({ name: z.string() })]));
const score = { duration: z.number(), score: z.number(), maxScore: z.number().optional(), versionedCodingScore: versionedCodingScore.optional() };

const delivery = <E extends string, P extends z.ZodRawShape>(event: E, payload: P) =>
  z.looseObject({ event: z.literal(event), triggeredOn: z.number(), payload: z.looseObject(payload) });

const assessment = { assessmentId: z.string(), assessmentTitle: z.string(), assessmentStatus: z.enum(['active', 'archived', 'deleted']) };

export const codesignalEventSchema = z.discriminatedUnion('event', [
  delivery('assessmentCreated', assessment),
  delivery('assessmentUpdated', assessment),
  delivery('companyTestSessionCreated', session),
  delivery('companyTestSessionStarted', session),
  delivery('preScreenCandidateDeclined', session),
  delivery('preScreenResultShared', { ...session, ...score, url: z.string() }),
  delivery('preScreenExpired', { ...session, expiredReason: z.enum(['testNotTaken', 'notCertified']), rejectedReasons: rejectedReasons.optional() }),
  /** Final for non-proctored tests. */
  delivery('companyTestSessionFinished', { ...session, ...score, maxScore: z.number(), url: z.string() }),
  delivery('preScreenIntegrityReviewUpdated', { ...session, integrityReviewSuggested: z.boolean() }),
  /** Proctored session submitted; not final (no url until verified). */
  delivery('preScreenResultVerificationPending', { ...session, ...score }),
  /** Final for proctored tests. */
  delivery('preScreenResultVerified', { ...session, ...score, maxScore: z.number(), url: z.string() }),
  delivery('preScreenResultNotVerified', { ...session, rejectedReasons: rejectedReasons.optional() }),
  delivery('liveInterviewFinished', {
    interviewId: z.string(), candidateName: z.string(), candidateEmail: z.string(),
    startDate: z.number().nullable(), endDate: z.number().nullable(),
    questionsSolved: z.number(), questionsAttempted: z.number(), url: z.string(),
  }),
  delivery('liveInterviewFeedbackUpdated', {
    interviewId: z.string(),
    interviewerId: z.string(),
    feedback: z.looseObject({
      generalNotes: z.string(),
      categories: z.array(z.looseObject({ name: z.string(), attributes: z.array(z.looseObject({ name: z.string(), score: z.number().optional(), notes: z.string().optional() })) })).optional(),
      recommendedLevel: z.string().optional(),
      overallEvaluation: z.string().optional(),
    }),
  }),
]);
export type CodeSignalEvent = z.infer<typeof codesignalEventSchema>;
export type CodeSignalEventName = CodeSignalEvent['event'];

export const CODESIGNAL_EVENTS = codesignalEventSchema.options.map((o) => o.shape.event.value) as readonly CodeSignalEventName[];

export const isKnownCodeSignalEvent = (event: string): event is CodeSignalEventName => (CODESIGNAL_EVENTS as readonly string[]).includes(event);

export type ParsedCodeSignalEvent =
  | { ok: true; event: CodeSignalEvent }
  | { ok: false; reason: 'unknownEvent' | 'invalidPayload'; event: string; issues: string };

/** Narrows a delivery to its typed event; failures name paths only, never values. */
export function parseCodeSignalEvent(delivery: CodeSignalWebhook): ParsedCodeSignalEvent {
  if (!isKnownCodeSignalEvent(delivery.event)) return { ok: false, reason: 'unknownEvent', event: delivery.event, issues: '' };
  const parsed = codesignalEventSchema.safeParse(delivery);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return { ok: false, reason: 'invalidPayload', event: delivery.event, issues };
}
