import type { IntegrationContexts } from '../../integrations/context';
import type { AssessmentSettings, InterviewSettings } from '../../integrations/settings';

/**
 * Reads an integration's settings for the workflows, through the integration context every other
 * activity uses, read fresh: a workflow decides on the settings an admin has just saved. Never
 * returns secrets.
 */
export function createSettingsActivities({ contexts }: { contexts: IntegrationContexts }) {
  return {
    async loadAssessmentSettings({ integrationId }: { integrationId: string }): Promise<AssessmentSettings> {
      return (await contexts.get(integrationId, { fresh: true })).settings.assessments;
    },
    /** Interview settings, plus the notification setting they share with assessments. */
    async loadInterviewSettings({ integrationId }: { integrationId: string }): Promise<{ interviews: InterviewSettings; notifyFollowers: boolean }> {
      const { settings } = await contexts.get(integrationId, { fresh: true });
      return { interviews: settings.interviews, notifyFollowers: settings.assessments.notifyFollowers };
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
