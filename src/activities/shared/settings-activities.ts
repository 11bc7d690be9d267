import type { IntegrationContexts } from '../../integrations/context';
import { assessmentRunSettings, interviewRunSettings, type AssessmentRunSettings, type InterviewRunSettings } from '../../integrations/settings';

/**
 * Reads an integration's settings for the workflows, through the integration context every other
 * activity uses, read fresh: a workflow decides on the settings an admin has just saved. Never
 * returns secrets.
 */
export function createSettingsActivities({ contexts }: { contexts: IntegrationContexts }) {
  return {
    /**
     * Assessment settings, plus the integration's notifyFollowers. The shape is the one recorded in
     * workflow histories (notifyFollowers used to be an assessment setting): keep it, or replays break.
     */
    async loadAssessmentSettings({ integrationId }: { integrationId: string }): Promise<AssessmentRunSettings> {
      return assessmentRunSettings((await contexts.get(integrationId, { fresh: true })).settings);
    },
    /** Interview settings, plus the integration's notifyFollowers (a shape recorded in workflow histories too). */
    async loadInterviewSettings({ integrationId }: { integrationId: string }): Promise<InterviewRunSettings> {
      return interviewRunSettings((await contexts.get(integrationId, { fresh: true })).settings);
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
