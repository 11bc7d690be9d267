import { activityInfo } from '@temporalio/activity';
import type { CandidateDirectory } from '../../db/candidate-directory';
import { markLeverEventRefused, recordWebhookDelivery } from '../../db/webhook-deliveries';
import type { Db } from '../../db/pool';
import { ExternalApiError } from '../../external-api-error';
import type { LeverClient } from '../../lever/client';
import type { LeverOpportunity } from '../../lever/schemas';
import { leverEventVerdict, type LeverOpportunityReading } from '../../workflows/candidate/candidate-state';
import type { LeverCandidateEvent, LeverEventConfirmation } from '../../workflows/candidate/messages';
import type { IntegrationContexts } from '../../integrations/context';
import { directoryKeeper } from '../shared/directory';
import { candidateContact } from '../assessment/assessment-activities';
import type { CandidateContact } from '../../workflows/assessment/messages';

export interface LeverEventActivityDeps {
  contexts: IntegrationContexts;
  /** How long a refusal waits for the ingress to record the delivery it refuses (it does so just after answering). */
  deliveryRowWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where the opportunity's name and e-mails read here are kept (sealed) for the admin UI's candidate search; none: not kept. */
  directory?: CandidateDirectory;
}

const leverEventNames: Record<LeverCandidateEvent['kind'], string> = {
  stageChange: 'candidateStageChange',
  hired: 'candidateHired',
  archiveChange: 'candidateArchiveChange',
  interview: 'interview',
};

/**
 * The opportunity read for the check, with its applications (for the candidate's posting) when `withContact`
 * asks: were Lever to refuse the expansion (403: the key may lack the applications permission), it is read
 * without them, and the assessment reads the candidate itself as before.
 */
async function getOpportunity(lever: LeverClient, opportunityId: string, withContact: boolean): Promise<{ opportunity: LeverOpportunity; expanded: boolean }> {
  if (withContact) {
    try {
      return { opportunity: await lever.getOpportunity(opportunityId, { expandApplications: true }), expanded: true };
    } catch (err) {
      if (!(err instanceof ExternalApiError && err.status === 403)) throw err;
    }
  }
  return { opportunity: await lever.getOpportunity(opportunityId), expanded: false };
}

/** The opportunity as the check needs it; null when Lever answers 404 (no such opportunity, or deleted). */
async function readOpportunity(
  lever: LeverClient,
  opportunityId: string,
  seen?: (o: LeverOpportunity) => Promise<void>,
  withContact = false,
): Promise<(LeverOpportunityReading & { contact?: CandidateContact }) | null> {
  let opportunity, expanded;
  try {
    ({ opportunity, expanded } = await getOpportunity(lever, opportunityId, withContact));
  } catch (err) {
    if (err instanceof ExternalApiError && err.status === 404) return null;
    throw err;
  }
  await seen?.(opportunity);
  const archived = opportunity.archived ? { archivedAt: opportunity.archived.archivedAt, reason: opportunity.archived.reason ?? null } : null;
  // "hired" is an archive reason of type `hired` (§3.9); the reasons are read only for an archived opportunity
  const reasonId = archived?.reason;
  const hired = !!reasonId && (await lever.listAllArchiveReasons()).some((r) => r.id === reasonId && r.type === 'hired');
  return {
    stageId: opportunity.stage,
    stageEntries: (opportunity.stageChanges ?? []).map((c) => ({ stageId: c.toStageId, at: c.updatedAt })),
    archived,
    hired,
    ...(expanded ? { contact: candidateContact(opportunity, true) } : {}),
  };
}

/**
 * Confirms Lever webhook events against Lever's API before the candidate workflow acts on them.
 * A delivery's body is not covered by Lever's signature (lever-api.md §2.3), so what it says — the
 * opportunity, the stage entered, the archive or hire — is only a claim until the opportunity read
 * through the integration's rate-limited client bears it out (`leverEventVerdict`).
 */
export function createLeverEventActivities(deps: LeverEventActivityDeps) {
  const { contexts } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const waitMs = deps.deliveryRowWaitMs ?? 3_000;

  /**
   * Shows the refusal in Activity on the row of the delivery that brought the event (matched by the
   * event key the ingress recorded). The ingress writes that row just after answering, so a refusal
   * that comes first waits for it a little; without one (its insert failed, or it was over the
   * refused-delivery budget) the refusal gets a row of its own.
   */
  async function reportRefusal(db: Db, input: { integrationId: string; opportunityId: string; event: LeverCandidateEvent }, reason: string): Promise<void> {
    const refusal = { integrationId: input.integrationId, opportunityId: input.opportunityId, eventKey: input.event.key, reason: `lever_contradicts: ${reason}` };
    for (let waited = 0; ; waited += 250) {
      if ((await markLeverEventRefused(db, refusal)) > 0) return;
      if (waited >= waitMs) break;
      await sleep(250);
    }
    await recordWebhookDelivery(db, {
      integrationId: input.integrationId,
      source: 'lever',
      event: leverEventNames[input.event.kind],
      receivedAt: new Date(),
      outcome: 'refused',
      httpStatus: 202,
      reason: refusal.reason.slice(0, 1000),
      opportunityId: input.opportunityId,
      workflowId: activityInfo().workflowExecution?.workflowId ?? null,
      eventKey: input.event.key,
    });
  }

  /** Best effort: the candidate search is a convenience, never a reason for the candidate's workflow to wait or fail. */
  const keepInDirectory = directoryKeeper(deps.directory);

  const activities = {
    /**
     * Reads the opportunity and answers whether Lever bears the event out, with the opportunity's
     * current stage, archive state and hired state. A refusal is recorded for Activity before answering.
     * `withContact` (an assessment may start from the event): the same read names the candidate too.
     */
    async confirmLeverEvent(input: { integrationId: string; opportunityId: string; event: LeverCandidateEvent; withContact?: boolean }): Promise<LeverEventConfirmation> {
      const { lever, db } = await contexts.get(input.integrationId);
      const reading = await readOpportunity(lever, input.opportunityId, (o) => keepInDirectory(input.integrationId, o), input.withContact === true);
      const verdict = leverEventVerdict(input.event, reading);
      const reason = verdict.confirmed ? null : verdict.reason;
      if (reason !== null) await reportRefusal(db, input, reason);
      return {
        confirmed: verdict.confirmed,
        reason,
        exists: reading !== null,
        stageId: reading?.stageId ?? null,
        archived: reading?.archived ?? null,
        hired: reading?.hired ?? false,
        ...(verdict.confirmed && reading?.contact ? { contact: reading.contact } : {}),
      };
    },
  };
  return activities;
}

export type LeverEventActivities = ReturnType<typeof createLeverEventActivities>;
