import { log } from '@temporalio/activity';
import type { CandidateDirectory } from '../../db/candidate-directory';
import type { LeverOpportunity } from '../../lever/schemas';

/**
 * Keeps what Lever just showed of an opportunity (its name and e-mails) in the candidate directory, so
 * the admin UI names the candidate instead of showing its id. Best effort: the directory is a
 * convenience, never a reason for an activity to wait or fail, so a failure is logged only. Without a
 * directory (no e-mail hash keys) nothing is kept.
 */
export function directoryKeeper(directory: CandidateDirectory | undefined) {
  return async (integrationId: string, o: Pick<LeverOpportunity, 'id' | 'name' | 'emails'>): Promise<void> => {
    await directory
      ?.record({ integrationId, opportunityId: o.id, name: o.name, emails: o.emails })
      .catch((err: unknown) => log.warn('candidate directory not updated', { error: err instanceof Error ? err.message : String(err) }));
  };
}
