import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PublicLinkState } from '../../integrations/public-link-settings';

/** Messages and types of the public-link workflows, shared by the workflows, activities and admin API. */

export interface PublicLinkScanInput {
  integrationId: string;
}

export interface PublicLinkScanTestSummary {
  testId: string;
  /** Sessions read from CodeSignal (all pages up to the look-back). */
  listed: number;
  /** Finished public-link sessions for Lever not taken up before: a session workflow was started for each. */
  started: number;
  /** Their session workflow was already running (another scan, or a resumed one). */
  alreadyRunning: number;
  /** Why the others were passed over. */
  skipped: { unfinished: number; notVerified: number; notPublicLink: number; handledByCodeSignal: number; ours: number; alreadyTakenUp: number };
  /** Set when the test could not be read (e.g. deleted in CodeSignal); the other tests are still scanned. */
  error: string | null;
}

export interface PublicLinkScanSummary {
  integrationId: string;
  enabled: boolean;
  /** Sessions finished before this (ms epoch) were not considered. */
  notBefore: number | null;
  tests: PublicLinkScanTestSummary[];
}

export interface PublicLinkSessionInput {
  integrationId: string;
  sessionId: string;
}

/** An admin's answer for a pending (or failed) session. */
export type PublicLinkDecision = { action: 'post'; opportunityId: string } | { action: 'import' } | { action: 'dismiss' };

/** What a session workflow does next, read from (and recorded in) public_link_sessions. */
export type PublicLinkPlan =
  | { state: 'processing'; action: 'post'; opportunityId: string }
  | { state: 'processing'; action: 'import'; opportunityId: string | null }
  | { state: Exclude<PublicLinkState, 'processing'> }
  /** Not (or no longer) a finished public-link session for Lever: nothing recorded, a later scan looks again. */
  | { state: 'skipped'; reason: string };

export interface PublicLinkSessionOutcome {
  sessionId: string;
  state: PublicLinkState | 'skipped';
  opportunityId: string | null;
}

/** Sent by the admin API; answers once the decision is recorded (`processing` or `dismissed`). */
export const publicLinkDecisionUpdate = defineUpdate<{ state: PublicLinkState }, [PublicLinkDecision]>('publicLinkDecision');
export const publicLinkSessionStateQuery = defineQuery<{ phase: string; plan: PublicLinkPlan | null }>('publicLinkSessionState');
