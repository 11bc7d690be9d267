/**
 * Ids of the public-link Temporal objects. Integration ids are lower-case UUIDs and CodeSignal session
 * ids are used exactly as CodeSignal writes them (src/workflows/shared/ids.ts), so each id names one thing.
 */

/** The Temporal Schedule of an integration's scan. */
export const publicLinkScheduleId = (integrationId: string): string => `public-links/${integrationId}`;

/** The scan workflow (the schedule's runs get Temporal's `-<timestamp>` suffix; a run started by the admin API has it bare). */
export const publicLinkScanWorkflowId = (integrationId: string): string => `public-links-scan/${integrationId}`;

/** One workflow per public-link session: it decides, posts or imports, or waits for an admin's decision. */
export const publicLinkSessionWorkflowId = (integrationId: string, sessionId: string): string => `public-link/${integrationId}/${sessionId}`;
