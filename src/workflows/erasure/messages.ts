/** Types and ids of a candidate's erasure (README "Erasure"), shared by the workflow, its activities and the ingress. */

/** One erasure per Lever opportunity per integration: a second request for it (a retried webhook, the sweep) finds it done. */
export const erasureWorkflowId = (integrationId: string, opportunityId: string): string => `erasure/${integrationId}/${opportunityId}`;

/**
 * What asked for the erasure: Lever's `candidateDeleted` webhook, the sweep's finds in Lever (the
 * `/opportunities/deleted` list, an anonymized contact), or a CodeSignal session CodeSignal deleted for
 * PII (the sweep), which the service handles as a deletion on its side.
 */
export type ErasureTrigger = 'candidateDeleted' | 'deletedList' | 'anonymized' | 'codesignalDeletedForPii';

export interface ErasureInput {
  integrationId: string;
  opportunityId: string;
  trigger: ErasureTrigger;
  /** `codesignalDeletedForPii`: the session CodeSignal shows deleted for PII. */
  sessionId?: string;
}

/** What the source of truth confirmed, or `refused` when it did not (Lever still has the candidate, CodeSignal still has the session). */
export type ErasureConfirmation = 'lever-deleted' | 'lever-anonymized' | 'codesignal-deleted-for-pii' | 'refused';

/** What the service holds about the candidate, read before anything is removed. */
export interface CandidateHoldings {
  /** The receipt's non-reversible reference (ErasureReceipt.reference). */
  reference: string;
  /** CodeSignal test sessions of their assessments. */
  sessionIds: string[];
  /** CodeSignal live interview rooms made for them. */
  roomIds: string[];
  /** Their workflows the service knows by id (candidate, assessments, interviews, a sourced candidate's import). */
  workflowIds: string[];
  /** CodeSignal candidates linked to the opportunity (sourcing). */
  importCandidateIds: string[];
}

/** One CodeSignal item the erasure could not delete, and why (the receipt lists them for the admin). */
export interface NotDeleted {
  kind: 'session' | 'interview';
  id: string;
  reason: string;
}

export interface CodeSignalErasure {
  deletedSessions: number;
  deletedInterviews: number;
  notDeleted: NotDeleted[];
}

/** The erasure receipt, also written to the audit log: no name, e-mail or id of the candidate, only the non-reversible reference. */
export interface ErasureReceipt {
  /** SHA-256 of "<integration id>/<opportunity id>": whoever knows the ids can check it; from it no id can be read. */
  reference: string;
  trigger: ErasureTrigger;
  confirmedBy: Exclude<ErasureConfirmation, 'refused'>;
  at: number;
  keysDestroyed: number;
  workflowsEnded: number;
  codesignal: CodeSignalErasure;
  /** Rows removed per table of the service's database. */
  rowsRemoved: Record<string, number>;
}

export type ErasureResult = { outcome: 'erased'; receipt: ErasureReceipt } | { outcome: 'refused'; reason: string };
