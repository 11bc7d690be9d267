import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { requireAdmin } from '../admin/admin-auth';
import { HttpError } from '../errors';
import { idCheckedRouter, integrationOr404 } from '../ids';
import { parseBody } from '../validate';
import { cancelInterview, interviewHandle, interviewStateOf, scheduleInterview, type Outcome } from './interview-calls';
import { scheduleBodySchema } from './schedule-request';

export interface InterviewRoutesDeps {
  db: Db;
  box: SecretBox;
  temporal: Client;
  adminToken: string | undefined;
  logger: Logger;
}

interface InterviewPath {
  integrationId: string;
  opportunityId: string;
  interviewId: string;
}

const unknownInterview = (p: InterviewPath) => new HttpError(404, 'unknown_interview', `no interview ${p.interviewId} for candidate ${p.opportunityId}`);

/**
 * Admin API for a candidate's live interviews: read one, schedule (or reschedule) it — a Lever panel the
 * service manages, with the CodeSignal room as its link — and cancel it, through the interview
 * workflow's updates (src/workflows/interview/messages.ts).
 */
export function interviewRoutes(deps: InterviewRoutesDeps): Router {
  const router = idCheckedRouter();
  const base = '/api/integrations/:integrationId/opportunities/:opportunityId/interviews';
  // An integration that does not exist is answered like on every other route, before Temporal is asked.
  router.use(
    base,
    requireAdmin(deps.adminToken),
    (req, _res, next) => void integrationOr404(deps.db, deps.box, (req.params as { integrationId: string }).integrationId).then(() => next(), next),
    express.json({ limit: '16kb' }),
  );

  /** The update's value, or the HttpError its refusal or absence is answered with. */
  function answerOf<T>(path: InterviewPath, action: string, outcome: Outcome<T>): T {
    const log = { integrationId: path.integrationId, opportunityId: path.opportunityId, interviewId: path.interviewId, action };
    switch (outcome.kind) {
      case 'done':
        deps.logger.info(log, 'interview changed through the admin API');
        return outcome.value;
      case 'refused':
        throw new HttpError(409, 'schedule_refused', outcome.message);
      case 'failed':
        throw new HttpError(502, 'schedule_failed', `the interview workflow could not ${action} the interview; its history in Temporal says why`);
      case 'unknown':
        throw unknownInterview(path);
    }
  }

  router.get(`${base}/:interviewId`, async (req, res) => {
    const path = req.params as unknown as InterviewPath;
    const interview = await interviewStateOf(interviewHandle(deps.temporal, path));
    if (!interview) throw unknownInterview(path);
    res.json({ interview });
  });

  router.post(`${base}/:interviewId/schedule`, async (req, res) => {
    const path = req.params as unknown as InterviewPath;
    const request = parseBody(scheduleBodySchema, req.body);
    const schedule = answerOf(path, 'schedule', await scheduleInterview(interviewHandle(deps.temporal, path), request));
    res.json({ schedule });
  });

  router.delete(`${base}/:interviewId/schedule`, async (req, res) => {
    const path = req.params as unknown as InterviewPath;
    const interview = answerOf(path, 'cancel', await cancelInterview(interviewHandle(deps.temporal, path)));
    res.json({ interview });
  });
  return router;
}
