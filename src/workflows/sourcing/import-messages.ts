import { defineQuery } from '@temporalio/workflow';
import type { ImportCandidateRequest } from '../../api/sourcing/contract';

/** Messages of the import workflow, shared by the sourcing API, the admin API and the workflow. */

export interface ImportWorkflowInput {
  integrationId: string;
  codesignalCandidateId: string;
  /** The sourcing API's import call (src/api/sourcing/contract.ts), as validated at the edge; encrypted in Temporal's payloads. */
  request: ImportCandidateRequest;
}

/**
 * created: this import made the opportunity; linked: Lever already had an active opportunity for
 * the e-mail (or an earlier import made one), and the candidate was linked to it;
 * already-imported: a link for this candidate was recorded before this request.
 */
export type ImportOutcome = 'created' | 'linked' | 'already-imported';

/** What the import note on the Lever opportunity has to say; no note when every field is false. */
export interface ImportNoteFacts {
  /** The requester has no mapped Lever user; the integration's default Lever user created the opportunity. */
  creatorFallback: boolean;
  /** An existing opportunity was used instead of creating one. */
  linkedExisting: boolean;
  /** Lever matched the e-mail to an existing contact when creating (its earlier opportunities are archived). */
  contactDeduped: boolean;
}

/** What the import activity answers. */
export interface ImportResult {
  leverOpportunityId: string;
  outcome: ImportOutcome;
  /** The CodeSignal user who sourced the candidate (from the earliest recorded import when already imported). */
  requestedByUserId: string | null;
  createdByLeverUserId: string;
  noteFacts: ImportNoteFacts;
}

export type ImportStatus = 'importing' | 'imported' | 'failed';

export interface ImportState {
  integrationId: string;
  codesignalCandidateId: string;
  status: ImportStatus;
  requestedByUserId: string | null;
  leverOpportunityId: string | null;
  outcome: ImportOutcome | null;
  createdByLeverUserId: string | null;
  creatorFallback: boolean;
  contactDeduped: boolean;
  failure: { type: string; message: string } | null;
}

export const importStateQuery = defineQuery<ImportState>('importState');
