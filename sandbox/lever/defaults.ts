import type { ArchiveReason, Stage } from './model';

/** Built-in stages keep Lever's slug ids; custom stages get UUIDs. Order is pipeline order. */
export const BUILT_IN_STAGES: readonly Stage[] = [
  { id: 'lead-new', text: 'New lead' },
  { id: 'lead-reached-out', text: 'Reached out' },
  { id: 'lead-responded', text: 'Responded' },
  { id: 'applicant-new', text: 'New applicant' },
  { id: 'offer', text: 'Offer' },
];

export const DEFAULT_STAGE_ID = 'lead-new';

/** Reasons a fresh account gets unless asked not to (ids are minted per account). */
export const DEFAULT_ARCHIVE_REASONS: ReadonlyArray<Omit<ArchiveReason, 'id'>> = [
  { text: 'Hired', status: 'active', type: 'hired' },
  { text: 'Underqualified', status: 'active', type: 'non-hired' },
  { text: 'Withdrew', status: 'active', type: 'non-hired' },
  { text: 'Position filled', status: 'active', type: 'non-hired' },
];

/** Lever's settings page keeps ≤1,000 deliveries; the request log is capped alike to bound memory. */
export const DELIVERY_LOG_CAP = 1_000;
export const REQUEST_LOG_CAP = 10_000;
