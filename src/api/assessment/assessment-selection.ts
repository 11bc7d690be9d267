import express, { type Router, type Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import type { IntegrationClients } from '../../integrations/clients';
import type { Integration, IntegrationLookup } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { selectionSignatureIsValid, type SelectionLinkRef } from '../../activities/assessment/selection-link';
import { renderMessagePage, renderSelectionPage } from './selection-page';
import { phaseOf, type Phase } from './selection-phase';
import { assessmentStateQuery, testChosenSignal } from '../../workflows/assessment/messages';
import { assessmentWorkflowId } from '../../workflows/shared/ids';
import { idCheckedRouter } from '../ids';

export interface SelectionRoutesDeps {
  db: Db;
  box: SecretBox;
  /** The API's one cached integration lookup (app.ts), shared by every router on the hot path. */
  findIntegration: IntegrationLookup;
  temporal: Client;
  /** Builds the integration's CodeSignal client (app.ts: one for the API). */
  clients: IntegrationClients;
  linkSigningSecret: string;
  logger: Logger;
}

const chosenSchema = z.object({ testId: z.string().min(1).max(200) });

/** How long a choice waits for the assessment workflow to say which test it took. */
const choiceTakenWithinMs = 5_000;
const choicePollMs = 100;

/** How long the selection page waits for Lever to name the candidate. */
const candidateNameWithinMs = 3_000;

const quoted = (title: string | null) => (title ? `“${title}”` : 'a test');

/**
 * The assessment selection link on the Lever opportunity: GET lists the company's CodeSignal tests,
 * POST signals the choice to the assessment workflow, which sends the invitation. The workflow takes
 * the first choice only, so a POST answers from what the workflow took: 202 when it is this test,
 * 409 naming the test when another was chosen first (being sent, or sent), never 202 for a choice
 * that is ignored. The same test again is idempotent: 202 while it is being sent, 200 once sent.
 */
export function assessmentSelectionRoutes(deps: SelectionRoutesDeps): Router {
  const page = (res: Response, status: number, title: string, message: string) => res.status(status).type('html').send(renderMessagePage(title, message));
  const linkNotValid = (res: Response) => page(res, 403, 'Link not valid', 'This assessment link is not valid. Use the link on the candidate’s Lever profile.');
  // The service signs only ids as it writes them: a link with any other spelling of one is not a valid link.
  const router = idCheckedRouter({ answer: (res) => void linkNotValid(res) });
  const { findIntegration } = deps;
  const path = '/assessments/select/:integrationId/:opportunityId/:assessmentId';

  /** Answers the page for an assessment that no longer takes a choice; `chosen` is the test this request chose, if any. */
  function answerTaken(res: Response, phase: Exclude<Phase, { kind: 'open' }>, chosen?: { id: string; title: string }): void {
    const title = phase.testTitle ?? (chosen && 'testId' in phase && phase.testId === chosen.id ? chosen.title : null);
    switch (phase.kind) {
      case 'sending':
        if (chosen?.id === phase.testId) {
          page(res, 202, 'Invitation on its way', `${quoted(title)} is being sent to the candidate. The Lever profile shows a note once CodeSignal has sent it.`);
        } else {
          page(res, 409, 'An invitation is already being sent', `An invitation is already being sent for this assessment: ${quoted(title)}. Another test cannot be chosen on this link.`);
        }
        return;
      case 'sent':
        if (chosen && chosen.id === phase.testId) {
          page(res, 200, 'Already sent', `${quoted(title)} has already been sent to the candidate (status: ${phase.status}).`);
        } else {
          page(res, 409, 'Already sent', `The assessment ${quoted(title)} has already been sent (status: ${phase.status}). Another test cannot be chosen on this link.`);
        }
        return;
      case 'closed':
        page(res, 409, 'Not available', `This assessment is ${phase.status}.`);
        return;
    }
  }

  /** Verifies the link and reads the assessment's state; answers the page itself when the link or the assessment is not found. */
  async function openAssessment(ref: SelectionLinkRef, sig: unknown, res: Response) {
    if (!selectionSignatureIsValid(deps.linkSigningSecret, ref, typeof sig === 'string' ? sig : undefined)) {
      linkNotValid(res);
      return undefined;
    }
    const integration = await findIntegration(ref.integrationId);
    const sequence = Number(ref.assessmentId);
    if (!integration || !Number.isInteger(sequence)) {
      page(res, 404, 'Not found', 'This assessment does not exist.');
      return undefined;
    }
    const handle = deps.temporal.workflow.getHandle(assessmentWorkflowId(ref.integrationId, ref.opportunityId, sequence));
    try {
      const phase = phaseOf(await handle.query(assessmentStateQuery));
      const codesignal = deps.clients.codesignal(integration);
      return { integration, handle, phase, codesignal };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        page(res, 404, 'Not found', 'This assessment does not exist.');
        return undefined;
      }
      throw err;
    }
  }

  /**
   * The candidate's name for the page, from the opportunity in Lever (its documented `name`), on the
   * integration's key and Lever budget. The page does not wait on Lever for long: without an answer
   * in time (or with an empty name) it names no one. The name is never logged.
   */
  async function candidateNameOf(integration: Integration, ref: SelectionLinkRef): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${candidateNameWithinMs} ms`)), candidateNameWithinMs);
    });
    try {
      const opportunity = await Promise.race([deps.clients.lever(integration).getOpportunity(ref.opportunityId), late]);
      return opportunity.name.trim() || null;
    } catch (err) {
      deps.logger.info(
        { integrationId: ref.integrationId, opportunityId: ref.opportunityId, reason: err instanceof Error ? err.message : String(err) },
        'selection page: candidate name not read from Lever, the page names no one',
      );
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The title of a test the workflow has not named yet (it names it once the invitation is out). */
  const withTitle = async (phase: Exclude<Phase, { kind: 'open' }>, tests: () => Promise<Array<{ id: string; title: string }>>) =>
    phase.kind === 'sending' && phase.testTitle === null ? { ...phase, testTitle: (await tests()).find((t) => t.id === phase.testId)?.title ?? null } : phase;

  router.get(path, async (req, res) => {
    const ref = req.params as SelectionLinkRef;
    const open = await openAssessment(ref, req.query.sig, res);
    if (!open) return;
    if (open.phase.kind !== 'open') return void answerTaken(res, await withTitle(open.phase, () => open.codesignal.listAllCompanyTests()));
    const [tests, candidateName] = await Promise.all([open.codesignal.listAllCompanyTests(), candidateNameOf(open.integration, ref)]);
    res.type('html').send(
      renderSelectionPage({
        candidateName,
        tests: tests.map((t) => ({ id: t.id, title: t.title, durationMinutes: t.duration ? Math.round(t.duration / 60_000) : null })),
        action: req.originalUrl,
      }),
    );
  });

  router.post(path, express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const ref = req.params as SelectionLinkRef;
    const parsed = chosenSchema.safeParse(req.body);
    if (!parsed.success) return void page(res, 400, 'No test chosen', 'Choose one of the tests and send again.');
    const open = await openAssessment(ref, req.query.sig, res);
    if (!open) return;
    const tests = await open.codesignal.listAllCompanyTests();
    const test = tests.find((t) => t.id === parsed.data.testId);
    if (!test) return void page(res, 400, 'Unknown test', 'That test is not in this CodeSignal account.');
    const log = { integrationId: ref.integrationId, opportunityId: ref.opportunityId, assessmentId: ref.assessmentId };
    if (open.phase.kind !== 'open') {
      deps.logger.info({ ...log, phase: open.phase.kind }, 'assessment test chosen again on a link that already has one');
      return void answerTaken(res, await withTitle(open.phase, async () => tests), test);
    }
    await open.handle.signal(testChosenSignal, { testId: test.id });
    // The workflow takes the first choice it receives and ignores later ones: answer from what it took.
    // A query sent after the signal is answered by a workflow that has seen the signal.
    const deadline = Date.now() + choiceTakenWithinMs;
    for (;;) {
      const phase = phaseOf(await open.handle.query(assessmentStateQuery));
      if (phase.kind !== 'open') {
        const taken = await withTitle(phase, async () => tests);
        const ours = taken.kind !== 'closed' && taken.testId === test.id;
        deps.logger.info({ ...log, taken: ours }, ours ? 'assessment test chosen' : 'assessment test choice not taken: another was chosen first');
        // This choice was taken: 202 even when the invitation went out before the poll saw it being sent.
        if (ours && taken.kind === 'sent') return void page(res, 202, 'Invitation sent', `${quoted(taken.testTitle ?? test.title)} has been sent to the candidate.`);
        return void answerTaken(res, taken, test);
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, choicePollMs));
    }
    // The workflow has not taken a choice yet (it is still busy with the link or a slow worker): say so, promise nothing.
    deps.logger.warn(log, 'assessment test choice not taken within the wait; the page asks to reload');
    page(res, 503, 'Not confirmed yet', 'Your choice was passed on, but the assessment has not confirmed it yet. Reload this page in a moment to see which test is being sent.');
  });
  return router;
}
