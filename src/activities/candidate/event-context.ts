import type { IntegrationContexts } from '../../integrations/context';
import { hasDraft } from '../../integrations/dry-run/repository';
import { assessmentRunSettings, interviewRunSettings, type AssessmentRunSettings, type InterviewRunSettings } from '../../integrations/settings';
import { findCandidateLinksByOpportunity } from '../sourcing/candidate-links';

/**
 * What the candidate workflow needs from the service's own database to act on one Lever event, read in one
 * activity instead of four (issue "A bulk move … at the Lever limit": a burst is bounded by the Temporal
 * server's task throughput, and each activity costs an activity task and a workflow task). Reads only, so a
 * retry is harmless. Never a secret.
 */
export interface CandidateEventContext {
  /** As loadAssessmentSettings returns them (a shape recorded in histories). */
  assessments: AssessmentRunSettings;
  /** As loadInterviewSettings returns them. */
  interviews: InterviewRunSettings;
  /** Whether the integration has draft settings: without one the dry run records nothing. */
  dryRunDraft: boolean;
  /** Whether the opportunity is linked to CodeSignal candidates (imported): without links the stage sync has nothing to do. */
  sourcingLinks: boolean;
}

export function createEventContextActivities({ contexts }: { contexts: IntegrationContexts }) {
  return {
    async loadEventContext({ integrationId, opportunityId }: { integrationId: string; opportunityId: string }): Promise<CandidateEventContext> {
      const { db, settings } = await contexts.get(integrationId, { fresh: true });
      const [dryRunDraft, links] = await Promise.all([hasDraft(db, integrationId), findCandidateLinksByOpportunity(db, integrationId, opportunityId)]);
      return {
        assessments: assessmentRunSettings(settings),
        interviews: interviewRunSettings(settings),
        dryRunDraft,
        sourcingLinks: links.length > 0,
      };
    },
  };
}

export type EventContextActivities = ReturnType<typeof createEventContextActivities>;
