import { createHash } from 'node:crypto';
import type { Priority } from '@temporalio/common';

/** Temporal's limit on a fairness key. */
const maxFairnessKeyBytes = 64;

/**
 * The priority every workflow the service starts for an integration carries: its fairness key is the
 * integration's id, so on a server with task queue fairness (`matching.enableFairness`) the matching
 * service keeps one virtual queue per integration on the shared task queue and dispatches from them in
 * turn, and one organization's bulk move cannot starve another's (README, Architecture, "Fairness between organizations").
 * Children, activities and continue-as-new runs inherit it. A server without fairness ignores the key
 * (tasks go first-in first-out, as before). Integration ids are UUIDs (36 bytes); a longer id is hashed
 * to stay under Temporal's 64-byte limit.
 */
export function integrationPriority(integrationId: string): Priority {
  const fairnessKey = Buffer.byteLength(integrationId) <= maxFairnessKeyBytes ? integrationId : createHash('sha256').update(integrationId).digest('base64url');
  return { fairnessKey };
}
