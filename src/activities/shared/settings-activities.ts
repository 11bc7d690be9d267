import { ApplicationFailure } from '@temporalio/activity';
import type { SecretBox } from '../../crypto/secret-box';
import { findIntegration } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import { parseStoredSettings, type AssessmentSettings, type InterviewSettings } from '../../integrations/settings';

/** Reads an integration's settings for the workflows; never returns its secrets. */
export function createSettingsActivities({ db, box }: { db: Db; box: SecretBox }) {
  const load = async (integrationId: string) => {
    const integration = await findIntegration(db, box, integrationId);
    if (!integration) throw ApplicationFailure.nonRetryable(`integration ${integrationId} does not exist`, 'UnknownIntegration');
    return parseStoredSettings(integration.settings);
  };
  return {
    async loadAssessmentSettings({ integrationId }: { integrationId: string }): Promise<AssessmentSettings> {
      return (await load(integrationId)).assessments;
    },
    /** Interview settings, plus the notification setting they share with assessments. */
    async loadInterviewSettings({ integrationId }: { integrationId: string }): Promise<{ interviews: InterviewSettings; notifyFollowers: boolean }> {
      const settings = await load(integrationId);
      return { interviews: settings.interviews, notifyFollowers: settings.assessments.notifyFollowers };
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
