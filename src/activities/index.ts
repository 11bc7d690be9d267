import { createCandidateDirectory } from '../db/candidate-directory';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { createAssessmentActivities } from './assessment/assessment-activities';
import { createTestChoiceActivities } from './assessment/test-choice';
import { createImportActivities } from './sourcing/import-activities';
import { createIntegrationContexts } from '../integrations/context';
import { activityRequestGate } from './shared/attempt';
import { createInterviewActivities } from './interview/interview-activities';
import { createLeverEventActivities } from './candidate/lever-events';
import { createEventContextActivities } from './candidate/event-context';
import { createSettingsActivities } from './shared/settings-activities';
import { createStopActivities } from './shared/stops';
import { createSyncActivities } from './sourcing/sync-activities';
import { findMappedCodeSignalUser } from './interview/interviewers-repository';
import { createPublicLinkActivities } from './public-links/public-links-activities';
import { createBackfillActivities } from './backfill/backfill-activities';
import { createDryRunActivities } from './dry-run/dry-run-activities';
import { createReconciliationActivities } from './reconciliation/reconciliation-activities';
import { createErasureActivities } from './erasure/erasure-activities';
import { createTagCommandActivities } from './tag-commands/tag-command-activities';
import { dataKeyStoreFrom } from '../crypto/data-keys';
import type { Config } from '../config';

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
  /** CODESIGNAL_MUTATIONS_PER_SECOND; default 5. */
  codesignalMutationsPerSecond?: number;
  /** INTEGRATION_CACHE_MS; default 5 s. */
  integrationCacheMs?: number;
  /** HMAC keys of the candidate directory's e-mail hashes (candidateEmailKeysFrom); without them the directory is not written. */
  candidateEmailKeys?: readonly Buffer[];
  /** ENCRYPTION_KEY (and the previous keys): the candidates' data keys are sealed under it; the erasure destroys them. */
  encryptionKeys?: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'> & Partial<Pick<Config, 'DATA_KEY_CACHE_SECONDS'>>;
}

/** Every activity the worker registers, built once from its dependencies; tests hand in their own. */
export function createActivities(deps: ActivityDeps) {
  const contexts = createIntegrationContexts({
    db: deps.db,
    box: deps.box,
    leverApiUrl: deps.leverApiUrl,
    codesignalApiUrl: deps.codesignalApiUrl,
    leverRequestsPerSecond: deps.leverRequestsPerSecond,
    codesignalMutationsPerSecond: deps.codesignalMutationsPerSecond,
    cacheMs: deps.integrationCacheMs,
    // an attempt about to wait long for Lever's budget hands its worker slot back (shared/attempt.ts)
    gate: activityRequestGate,
  });
  // the admin UI's candidate directory, kept by every activity that reads or makes an opportunity
  const directory = deps.candidateEmailKeys ? createCandidateDirectory({ db: deps.db, box: deps.box, emailKeys: deps.candidateEmailKeys }) : undefined;
  return {
    ...createSettingsActivities({ contexts }),
    ...createStopActivities({ contexts }),
    ...createAssessmentActivities({ contexts, publicUrl: deps.publicUrl, linkSigningSecret: deps.linkSigningSecret }),
    ...createTestChoiceActivities({ contexts }),
    ...createImportActivities({ contexts, directory }),
    ...createInterviewActivities({ contexts, findMappedCodeSignalUser, publicUrl: deps.publicUrl, linkSigningSecret: deps.linkSigningSecret }),
    ...createSyncActivities({ contexts }),
    ...createLeverEventActivities({ contexts, directory }),
    ...createEventContextActivities({ contexts }),
    ...createPublicLinkActivities({ contexts, directory }),
    ...createBackfillActivities({ contexts }),
    ...createDryRunActivities({ contexts, directory }),
    ...createReconciliationActivities({ contexts, logger: deps.logger }),
    ...createTagCommandActivities({ contexts, directory, logger: deps.logger }),
    ...createErasureActivities({ db: deps.db, contexts, logger: deps.logger, dataKeys: deps.encryptionKeys ? dataKeyStoreFrom(deps.db, deps.encryptionKeys) : undefined }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
