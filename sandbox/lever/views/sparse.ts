/**
 * Option `sparse` (options.ts): /v1 answers as thin as lever-api.md allows, so a client meets an account
 * that uses all the room the reference gives it. A field the reference marks optional, [U], [O] or sent
 * only sometimes is left out; one it types `| null` answers null, except where it gives null a meaning
 * that would contradict the state (`deactivatedAt` null = active, a note's `user` null = written without
 * `perform_as`, a comment's `score` null = not scored). What it documents as always present stays.
 * Applied to the full wire shapes of views/*.ts, for /v1 only (never to the control API).
 */

type Wire = Record<string, unknown>;

const omit = (o: Wire, keys: readonly string[]): Wire => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const nullify = (o: Wire, keys: readonly string[]): Wire => ({ ...o, ...Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, null])) });

/** §3.1: the typed `| null` fields; `dataProtection` null = no policy applies. */
const OPPORTUNITY_NULLABLE = ['owner', 'sourcedBy', 'createdAt', 'updatedAt', 'lastInteractionAt', 'lastAdvancedAt', 'snoozedUntil', 'dataProtection'];

/**
 * §3.1: `archived` is live only [O], so the docs' `archivedAt`/`archiveReason` stand in for an archived
 * opportunity (and are left out of an active one); `opportunityLocation` is optional, a phone's `type?` too.
 */
export function sparseOpportunity(view: Wire): Wire {
  const archived = view.archived as { reason: string; archivedAt: number } | null | undefined;
  const thin = nullify(omit(view, ['archived', 'opportunityLocation']), OPPORTUNITY_NULLABLE);
  if (Array.isArray(view.phones)) thin.phones = (view.phones as Wire[]).map((p) => omit(p, ['type']));
  if (Array.isArray(view.applications)) thin.applications = view.applications.map((a: unknown) => (typeof a === 'string' ? a : sparseApplication(a as Wire)));
  return archived ? { ...thin, archivedAt: archived.archivedAt, archiveReason: archived.reason } : thin;
}

/** §3.10: `archived` and `requisitionForHire` are typed `| null`; the live-only extras [O] are never sent. */
export const sparseApplication = (view: Wire): Wire => nullify(view, ['archived', 'requisitionForHire']);

/** §3.5: the docs' create answer is `{noteId}` alone; the full note next to it is live only [O]. */
export const sparseCreatedNote = (noteId: string): Wire => ({ noteId });

/** §3.6: `status` may be null. */
export const sparseFile = (view: Wire): Wire => nullify(view, ['status']);

/** §3.7: `gcalEventUrl` and `opportunityId` are live only [O]. */
export const sparseInterview = (view: Wire): Wire => omit(view, ['gcalEventUrl', 'opportunityId']);

/**
 * §3.7: interviewers' `responseStatus` is live only [O]; the panel's `interviews:[…]` are not spelt out,
 * and its POST body's interviews carry no `panel`, so neither do these.
 */
export function sparsePanel(view: Wire): Wire {
  const interviews = (view.interviews as Wire[]).map((i) => ({
    ...omit(sparseInterview(i), ['panel']),
    interviewers: (i.interviewers as Wire[]).map((iv) => omit(iv, ['responseStatus'])),
  }));
  return { ...view, interviews };
}

/** §3.11: `content` and `followers` come with `include=content|followers` only. */
export const sparsePosting = (view: Wire): Wire => omit(view, ['content', 'followers']);

/** §2.7: the create answer's `configuration.conditions?` is optional. */
export const sparseCreatedWebhook = (view: Wire): Wire => ({ ...view, configuration: omit(view.configuration as Wire, ['conditions']) });
