import type { SourcingStatus } from './schema';

/**
 * The auto-fill rule table (docs/sync.md). For each Lever stage the FIRST rule that matches decides
 * its CodeSignal status; `reverse` marks the rule whose stage a status moves the opportunity to.
 * Built-in stages match by Lever's slug, custom ones (UUID ids) by their name.
 */
export interface StageRule {
  id: string;
  status: SourcingStatus;
  leverStageIds?: readonly string[];
  names?: RegExp;
  reverse: boolean;
}

export const STAGE_RULES: readonly StageRule[] = [
  { id: 'new-lead', status: 'contacted', leverStageIds: ['lead-new'], names: /^new lead$/i, reverse: false },
  { id: 'reached-out', status: 'contacted', leverStageIds: ['lead-reached-out'], names: /reached out|contacted|outreach/i, reverse: true },
  { id: 'responded', status: 'replied', leverStageIds: ['lead-responded'], names: /respond|replied/i, reverse: true },
  { id: 'new-applicant', status: 'replied', leverStageIds: ['applicant-new'], names: /^new applicant$/i, reverse: false },
  { id: 'screen', status: 'screening', names: /phone|screen/i, reverse: true },
  { id: 'assessment', status: 'screening', names: /assessment|coding|\btest\b|challenge|take[- ]?home/i, reverse: false },
  { id: 'interview', status: 'interviewing', names: /interview|on-?site|panel|final round/i, reverse: true },
  { id: 'offer', status: 'offer', leverStageIds: ['offer'], names: /offer/i, reverse: true },
];

/**
 * Lever has no hired or archived stage: both are an archive with a reason. Hired-type reasons give
 * `hired`; a reason saying the candidate walked away gives `archived`; any other gives `rejected`.
 */
export interface ArchiveReasonRule {
  id: string;
  status: SourcingStatus;
  type: 'hired' | 'non-hired';
  names?: RegExp;
  reverse: boolean;
}

export const ARCHIVE_REASON_RULES: readonly ArchiveReasonRule[] = [
  { id: 'hired', status: 'hired', type: 'hired', reverse: true },
  { id: 'candidate-withdrew', status: 'archived', type: 'non-hired', names: /withdr|declin|not interested|no response|unresponsive|ghost|accepted another/i, reverse: true },
  { id: 'rejected', status: 'rejected', type: 'non-hired', reverse: true },
];

export function matchStageRule(stage: { id: string; text: string }): StageRule | undefined {
  return STAGE_RULES.find((r) => r.leverStageIds?.includes(stage.id) || r.names?.test(stage.text.trim()));
}

export function matchArchiveReasonRule(reason: { text: string; type: 'hired' | 'non-hired' }): ArchiveReasonRule | undefined {
  return ARCHIVE_REASON_RULES.find((r) => r.type === reason.type && (r.names === undefined || r.names.test(reason.text.trim())));
}

/** E-mail addresses compare without case or surrounding space (both APIs keep what people typed). */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
