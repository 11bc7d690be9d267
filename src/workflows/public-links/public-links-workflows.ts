import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AssessmentActivities } from '../../activities/assessment/assessment-activities';
import { failureOf } from '../shared/failures';
import { IntegrationIdKey, LeverOpportunityIdKey } from '../shared/search-attributes';
import type { PublicLinkActivities } from '../../activities/public-links/public-links-activities';
import { publicLinkSessionWorkflowId } from '../shared/ids';
import {
  publicLinkDecisionUpdate,
  publicLinkSessionStateQuery,
  type PublicLinkDecision,
  type PublicLinkPlan,
  type PublicLinkScanInput,
  type PublicLinkScanSummary,
  type PublicLinkScanTestSummary,
  type PublicLinkSessionInput,
  type PublicLinkSessionOutcome,
} from './messages';
import type { PublicLinkState } from '../../integrations/public-link-settings';

/** Lever and CodeSignal writes: retried with backoff for a day (outages, 429s), not past a non-retryable answer. */
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
const acts = proxyActivities<PublicLinkActivities>({ startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: '24 hours', retry });
/** The assessment flow's own idempotent writes: the result is posted exactly as an assessment's is. */
const assessmentActs = proxyActivities<AssessmentActivities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '24 hours', retry });
/** The scan only reads; the next scheduled one comes soon, so an outage ends a test's scan after minutes, not a day. */
const scanActs = proxyActivities<PublicLinkActivities>({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: '10 minutes', retry });

/** Pages of 20 per test and scan (stops earlier at the look-back), and session workflows started per scan; the rest wait for the next scan. */
const MAX_PAGES_PER_TEST = 25;
const MAX_STARTS_PER_SCAN = 500;

/** The file name of the PDF report and the note's reference use this in place of an assessment number. */
const ASSESSMENT_ID = 'public-link';

/**
 * One scan of an integration's watched tests (the action of its Schedule `public-links/<id>`, or started
 * by `POST …/public-links/run`): lists each test's sessions newest finish first down to the look-back and
 * starts one session workflow (`public-link/<integrationId>/<sessionId>`, abandoned by the scan) for every
 * finished public-link session for Lever not taken up before. It writes nothing itself.
 */
export async function publicLinkScanWorkflow(input: PublicLinkScanInput): Promise<PublicLinkScanSummary> {
  const { integrationId } = input;
  const scan = await scanActs.startPublicLinkScan({ integrationId });
  const summary: PublicLinkScanSummary = { integrationId, enabled: scan.enabled, notBefore: scan.enabled ? scan.notBefore : null, tests: [] };
  if (!scan.enabled) return summary;
  let starts = 0;
  for (const testId of scan.testIds) {
    const t: PublicLinkScanTestSummary = {
      testId,
      listed: 0,
      started: 0,
      alreadyRunning: 0,
      skipped: { unfinished: 0, notVerified: 0, notPublicLink: 0, handledByCodeSignal: 0, ours: 0, alreadyTakenUp: 0 },
      error: null,
    };
    summary.tests.push(t);
    try {
      let offset: number | null = 0;
      for (let page = 0; offset !== null && page < MAX_PAGES_PER_TEST && starts < MAX_STARTS_PER_SCAN; page++) {
        const found: Awaited<ReturnType<PublicLinkActivities['listPublicLinkSessionsPage']>> = await scanActs.listPublicLinkSessionsPage({
          integrationId,
          testId,
          offset,
          notBefore: scan.notBefore,
        });
        t.listed += found.listed;
        for (const [why, n] of Object.entries(found.skipped) as Array<[keyof typeof t.skipped, number]>) t.skipped[why] += n;
        for (const sessionId of found.sessionIds) {
          if (starts >= MAX_STARTS_PER_SCAN) break;
          starts += 1;
          try {
            await startChild(publicLinkSessionWorkflow, {
              workflowId: publicLinkSessionWorkflowId(integrationId, sessionId),
              args: [{ integrationId, sessionId }],
              parentClosePolicy: ParentClosePolicy.ABANDON,
              // a closed run may be started again: its recorded row makes the new run do nothing, or resume a `processing` plan
              workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
              typedSearchAttributes: [{ key: IntegrationIdKey, value: integrationId }],
            });
            t.started += 1;
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            t.alreadyRunning += 1;
          }
        }
        offset = found.nextOffset;
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      // e.g. a test deleted in CodeSignal, or CodeSignal down for the activity's 10 minutes: the other tests still run
      t.error = failureOf(err, 'PublicLinkScanFailed').message;
    }
  }
  return summary;
}

const decisionShape = (d: PublicLinkDecision): void => {
  if (d.action === 'post' && !(typeof d.opportunityId === 'string' && d.opportunityId.length > 0)) throw new Error('opportunityId is required to post');
  if (!['post', 'import', 'dismiss'].includes(d.action)) throw new Error(`unknown action ${String(d.action)}`);
};

/**
 * One public-link session of one integration. Its first activity records the session (once, keyed by
 * integration and session id) with what the settings make of it: post to the matched opportunity, import
 * as a New Lead, leave it for an admin (pending) or ignore it. A pending session waits here for the admin's
 * decision (`publicLinkDecision` update, sent by `POST …/sessions/:id/decision`). The result is posted by
 * the assessment flow's own activities — note, PDF report, tags, the threshold's tag and stage move — as
 * the integration's default Lever user; each finds its own earlier effect, so a retry never writes twice.
 */
export async function publicLinkSessionWorkflow(input: PublicLinkSessionInput): Promise<PublicLinkSessionOutcome> {
  const { integrationId, sessionId } = input;
  let phase: 'planning' | 'awaiting' | 'deciding' | 'acting' | 'done' = 'planning';
  let plan: PublicLinkPlan | null = null;
  let decision: PublicLinkDecision | undefined;
  let decided: { state: PublicLinkState } | { rejected: string } | undefined;

  setHandler(
    publicLinkDecisionUpdate,
    async (d) => {
      await condition(() => phase !== 'planning');
      if (phase !== 'awaiting' || decision !== undefined) {
        throw ApplicationFailure.nonRetryable(`public-link session ${sessionId} is not waiting for a decision (${plan?.state ?? phase})`, 'NotPending');
      }
      decision = d;
      decided = undefined;
      await condition(() => decided !== undefined);
      const answer = decided!;
      if ('rejected' in answer) throw ApplicationFailure.nonRetryable(answer.rejected, 'NotPending');
      return answer;
    },
    { validator: decisionShape },
  );
  setHandler(publicLinkSessionStateQuery, () => ({ phase, plan }));

  const outcome = (opportunityId: string | null): PublicLinkSessionOutcome => ({ sessionId, state: plan!.state, opportunityId });

  plan = await acts.planPublicLinkSession({ integrationId, sessionId });
  while (plan.state === 'pending' || plan.state === 'failed') {
    phase = 'awaiting';
    await condition(() => decision !== undefined);
    phase = 'deciding';
    const recorded = await acts.decidePublicLinkSession({ integrationId, sessionId, decision: decision! });
    plan = recorded.plan;
    decided = recorded.changed ? { state: plan.state as PublicLinkState } : { rejected: `public-link session ${sessionId} is ${plan.state}, not waiting for a decision` };
    decision = undefined;
  }

  if (plan.state !== 'processing') {
    phase = 'done';
    await condition(allHandlersFinished);
    return outcome(null);
  }

  phase = 'acting';
  const action = plan;
  try {
    const opportunityId = action.opportunityId ?? (await acts.importPublicLinkCandidate({ integrationId, sessionId })).opportunityId;
    // Activity's run list and the Web UI find the run by the opportunity it wrote to, like a candidate's
    upsertSearchAttributes([{ key: LeverOpportunityIdKey, value: opportunityId }]);
    const result = await acts.readPublicLinkResult({ integrationId, sessionId });
    const ref = { integrationId, opportunityId, assessmentId: ASSESSMENT_ID };
    await assessmentActs.postAssessmentNote({
      ...ref,
      note: { kind: 'result', session: result.session, passed: result.passed },
      notifyFollowers: result.notifyFollowers,
      noteRef: `public-link/${sessionId}/result`,
    });
    await assessmentActs.uploadAssessmentReport({ ...ref, session: result.session, passed: result.passed });
    await assessmentActs.setAssessmentTags({ integrationId, opportunityId, add: [result.completedTag], remove: [] });
    // the threshold's tag and stage move, as the assessment workflow's finishWithResult writes them
    const { thresholds, passed } = result;
    if (thresholds && passed !== null) {
      const chosen = passed ? thresholds.pass : thresholds.fail;
      await assessmentActs.setAssessmentTags({ integrationId, opportunityId, add: [chosen.tag], remove: [passed ? thresholds.fail.tag : thresholds.pass.tag] });
      if (chosen.moveToStageId) await assessmentActs.moveStage({ integrationId, opportunityId, stageId: chosen.moveToStageId });
    }
    const state = action.action === 'post' ? 'posted' : 'imported';
    await acts.finishPublicLinkSession({ integrationId, sessionId, state, opportunityId });
    plan = { state };
    phase = 'done';
    await condition(allHandlersFinished);
    return outcome(opportunityId);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const failure = failureOf(err, 'PublicLinkFailed');
    // best effort: an admin sees it as failed and may decide again
    await acts.failPublicLinkSession({ integrationId, sessionId, message: `${failure.type}: ${failure.message}` }).catch(() => undefined);
    throw ApplicationFailure.nonRetryable(`public-link session ${sessionId} failed: ${failure.message}`, failure.type);
  }
}
