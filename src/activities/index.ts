import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { createAssessmentActivities } from './assessment-activities';
import { createImportActivities } from './import-activities';
import { createIntegrationContexts } from './integration-context';
import { createInterviewActivities } from './interview-activities';
import { createLeverEventActivities } from './lever-events';
import { createSettingsActivities } from './settings-activities';
import { createSyncActivities } from './sync-activities';
import { findMappedCodeSignalUser } from '../db/interviewers';
import { createPublicLinkActivities } from '../public-links/activities';

export interface ActivityDeps {
  db: Db;
  /** Opens the integrations' stored secrets (secretBoxFrom). */
  box: SecretBox;
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
    box: deps.box,
    leverApiUrl: deps.leverApiUrl,
    codesignalApiUrl: deps.codesignalApiUrl,
    leverRequestsPerSecond: deps.leverRequestsPerSecond,
  });
  return {
    ...createSettingsActivities({ db: deps.db, box: deps.box }),
    ...createAssessmentActivities({ contexts, publicUrl: deps.publicUrl, linkSigningSecret: deps.linkSigningSecret }),
    ...createImportActivities({ contexts }),
    ...createInterviewActivities({ contexts, findMappedCodeSignalUser }),
    ...createSyncActivities({ contexts }),
    ...createLeverEventActivities({ contexts }),
    ...createPublicLinkActivities({ contexts }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
