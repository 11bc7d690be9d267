import express, { type RequestHandler, type Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { findIntegration } from '../../integrations/repository';
import type { Db } from '../../db/pool';
import { AssessmentActionRefusedError, runAssessmentAction, UnknownAssessmentError } from '../../temporal/assessment-actions';
import { candidateWorkflowId } from '../../workflows/shared/ids';
import { assessmentsQuery } from '../../workflows/candidate/messages';
import { requireAdmin } from '../admin/admin-auth';
import { HttpError } from '../errors';
import { idCheckedRouter, unknownIntegration } from '../ids';
import { parseBody } from '../validate';
import { auditDetails } from '../../audit/audit-log';

/** Strict: `{"action":"resend","days":5}` is refused naming `days`, not taken as a plain resend. */
const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('resend') }),
  z.strictObject({ action: z.literal('extend'), days: z.number().int().min(1).max(180) }),
  z.strictObject({ action: z.literal('retake') }),
  z.strictObject({ action: z.literal('cancel') }),
  // a rejection waiting for approval (README "Assessments"); the audit log records the admin who decided
  z.strictObject({ action: z.literal('approve') }),
  z.strictObject({ action: z.literal('decline') }),
  // a result whose integrity CodeSignal questioned: the problem stands (failed) or is cleared (as scored)
  z.strictObject({ action: z.literal('confirmIntegrity') }),
  z.strictObject({ action: z.literal('clearIntegrity') }),
]);

export interface AssessmentRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  adminToken: string | undefined;
}

/** Admin API for a candidate's assessments: list them, and the recruiter actions resend / extend / retake / cancel. */
export function assessmentRoutes(deps: AssessmentRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/opportunities/:opportunityId/assessments';
  // An integration that does not exist is answered like on every other route, before Temporal is asked.
  const knownIntegration: RequestHandler = (req, _res, next) => {
    const { integrationId } = req.params as { integrationId: string };
    findIntegration(deps.db, deps.box, integrationId).then((found) => next(found ? undefined : unknownIntegration(integrationId)), next);
  };
  router.use(base, requireAdmin(deps.adminToken), knownIntegration, express.json({ limit: '16kb' }));

  router.get(base, async (req, res) => {
    const { integrationId, opportunityId } = req.params as { integrationId: string; opportunityId: string };
    try {
      const assessments = await deps.temporal.workflow.getHandle(candidateWorkflowId(integrationId, opportunityId)).query(assessmentsQuery);
      res.json({ assessments });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'unknown_candidate', `no candidate ${opportunityId} in integration ${integrationId}`);
      throw err;
    }
  });

  router.post(`${base}/:assessmentId/actions`, async (req, res) => {
    const { integrationId, opportunityId, assessmentId } = req.params as { integrationId: string; opportunityId: string; assessmentId: string };
    const action = parseBody(actionSchema, req.body);
    auditDetails(res, action);
    let done;
    try {
      done = await runAssessmentAction(deps.temporal, { integrationId, opportunityId, assessmentId }, action);
    } catch (err) {
      if (err instanceof UnknownAssessmentError) throw new HttpError(404, 'unknown_assessment', err.message);
      if (err instanceof AssessmentActionRefusedError) throw new HttpError(409, 'action_refused', err.message);
      throw err;
    }
    if (done.action === 'retake') {
      res.status(202).json({ status: 'accepted', action: 'retake', assessmentId: done.assessmentId });
      return;
    }
    res.status(202).json({ status: 'accepted', action: action.action });
  });
  return router;
}
