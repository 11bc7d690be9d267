import express, { Router, type Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { createCodeSignalClient } from '../codesignal/client';
import type { SecretBox } from '../crypto/secret-box';
import { cachedIntegrationLookup } from '../db/integrations';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { selectionSignatureIsValid, type SelectionLinkRef } from '../selection/selection-link';
import { renderMessagePage, renderSelectionPage } from '../selection/selection-page';
import { assessmentStateQuery, testChosenSignal } from '../workflows/assessment-messages';
import { assessmentWorkflowId } from '../workflows/ids';

export interface SelectionRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  codesignalApiUrl: string;
  linkSigningSecret: string;
  logger: Logger;
}

const chosenSchema = z.object({ testId: z.string().min(1).max(200) });

/**
 * The assessment selection link on the Lever opportunity: GET lists the company's CodeSignal tests,
 * POST signals the choice to the assessment workflow, which sends the invitation.
 */
export function assessmentSelectionRoutes(deps: SelectionRoutesDeps): Router {
  const router = Router();
  const findIntegration = cachedIntegrationLookup(deps.db, deps.box, 5_000);
  const path = '/assessments/select/:integrationId/:opportunityId/:assessmentId';

  const page = (res: Response, status: number, title: string, message: string) => res.status(status).type('html').send(renderMessagePage(title, message));

  /** Verifies the link and finds the assessment still waiting for a choice; answers the page itself otherwise. */
  async function openAssessment(ref: SelectionLinkRef, sig: unknown, res: Response) {
    if (!selectionSignatureIsValid(deps.linkSigningSecret, ref, typeof sig === 'string' ? sig : undefined)) {
      page(res, 403, 'Link not valid', 'This assessment link is not valid. Use the link on the candidate’s Lever profile.');
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
      const state = await handle.query(assessmentStateQuery);
      if (state.status !== 'awaiting_selection') {
        page(res, 409, 'Already sent', state.testTitle ? `The assessment “${state.testTitle}” has already been sent (status: ${state.status}).` : `This assessment is ${state.status}.`);
        return undefined;
      }
      return { integration, handle };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        page(res, 404, 'Not found', 'This assessment does not exist.');
        return undefined;
      }
      throw err;
    }
  }

  router.get(path, async (req, res) => {
    const ref = req.params as SelectionLinkRef;
    const open = await openAssessment(ref, req.query.sig, res);
    if (!open) return;
    const codesignal = createCodeSignalClient({ url: deps.codesignalApiUrl, apiKey: open.integration.codesignalApiKey });
    const tests = await codesignal.listAllCompanyTests();
    res.type('html').send(
      renderSelectionPage({
        candidateLabel: `Lever opportunity ${ref.opportunityId}`,
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
    const codesignal = createCodeSignalClient({ url: deps.codesignalApiUrl, apiKey: open.integration.codesignalApiKey });
    const tests = await codesignal.listAllCompanyTests();
    const test = tests.find((t) => t.id === parsed.data.testId);
    if (!test) return void page(res, 400, 'Unknown test', 'That test is not in this CodeSignal account.');
    await open.handle.signal(testChosenSignal, { testId: test.id });
    deps.logger.info({ integrationId: ref.integrationId, opportunityId: ref.opportunityId, assessmentId: ref.assessmentId }, 'assessment test chosen');
    page(res, 202, 'Invitation on its way', `“${test.title}” is being sent to the candidate. The Lever profile shows a note once CodeSignal has sent it.`);
  });
  return router;
}
