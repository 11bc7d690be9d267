import { ApplicationFailure } from '@temporalio/activity';
import { findIntegration } from '../db/integrations';
import type { Db } from '../db/pool';
import { parseStoredSettings, type AssessmentSettings } from '../settings/assessment-settings';

/** Reads an integration's settings for the workflows; never returns its secrets. */
export function createSettingsActivities({ db }: { db: Db }) {
  return {
    async loadAssessmentSettings({ integrationId }: { integrationId: string }): Promise<AssessmentSettings> {
      const integration = await findIntegration(db, integrationId);
      if (!integration) throw ApplicationFailure.nonRetryable(`integration ${integrationId} does not exist`, 'UnknownIntegration');
      return parseStoredSettings(integration.settings).assessments;
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
