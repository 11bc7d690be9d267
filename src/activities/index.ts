import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { createAssessmentActivities } from './assessment-activities';
import { createImportActivities } from './import-activities';
import { createIntegrationContexts } from './integration-context';
import { createInterviewActivities } from './interview-activities';
import { createSettingsActivities } from './settings-activities';
import { createSyncActivities } from './sync-activities';
import { findMappedCodeSignalUser } from '../db/interviewers';

export interface ActivityDeps {
  db: Db;
  logger: Logger;
  leverApiUrl: string;
  codesignalApiUrl: string;
  publicUrl: string;
  linkSigningSecret: string;
  leverRequestsPerSecond: number;
}

/** Every activity the worker registers, built once from its dependencies; tests hand in their own. */
export function createActivities(deps: ActivityDeps) {
  const contexts = createIntegrationContexts({
    db: deps.db,
    leverApiUrl: deps.leverApiUrl,
    codesignalApiUrl: deps.codesignalApiUrl,
    leverRequestsPerSecond: deps.leverRequestsPerSecond,
  });
  return {
    ...createSettingsActivities({ db: deps.db }),
    ...createAssessmentActivities({ contexts, publicUrl: deps.publicUrl, linkSigningSecret: deps.linkSigningSecret }),
    ...createImportActivities({ contexts }),
    ...createInterviewActivities({ contexts, findMappedCodeSignalUser }),
    ...createSyncActivities({ contexts }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
