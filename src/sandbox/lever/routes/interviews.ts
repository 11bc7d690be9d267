import { Router } from 'express';
import {
  createInterview, createInterviewBody, createPanel, deleteInterview, deletePanel, panelBody, replaceInterview,
  replaceInterviewBody, replacePanel,
} from '../actions/interviews';
import { paginate } from '../pagination';
import { parseInput } from '../validation';
import { interviewView, panelView } from '../views/activity';
import { accountOf, apiActor, sendData, sendNoContent, sendPage, type V1Deps } from './deps';

/** Interviews and the panels that hold them (§3.7); every write needs `perform_as`. */
export function interviewRoutes(deps: V1Deps): Router {
  const { need, events } = deps;
  const router = Router();
  const writeDeps = (req: Parameters<typeof accountOf>[0]) => ({ events, account: accountOf(req), actor: apiActor(req, deps, true) });

  router.get('/opportunities/:opportunityId/interviews', need('interviews:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const interviews = account.interviewsOf(req.params.opportunityId).map((i) => interviewView(account, i));
    sendPage(res, paginate(req, interviews, (i) => i.id));
  });

  router.get('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendData(res, interviewView(account, account.interview(req.params.opportunityId, req.params.interviewId)));
  });

  router.post('/opportunities/:opportunityId/interviews', need('interviews:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const interview = createInterview(actionDeps, req.params.opportunityId, parseInput(createInterviewBody, req.body));
    sendData(res, interviewView(actionDeps.account, interview), 201);
  });

  router.put('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const input = parseInput(replaceInterviewBody, req.body);
    const interview = replaceInterview(actionDeps, req.params.opportunityId, req.params.interviewId, input);
    sendData(res, interviewView(actionDeps.account, interview));
  });

  router.delete('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:write:admin'), (req, res) => {
    deleteInterview(writeDeps(req), req.params.opportunityId, req.params.interviewId);
    sendNoContent(res);
  });

  router.get('/opportunities/:opportunityId/panels', need('panels:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const panels = account.panelsOf(req.params.opportunityId).map((p) => panelView(account, p));
    sendPage(res, paginate(req, panels, (p) => p.id));
  });

  router.get('/opportunities/:opportunityId/panels/:panelId', need('panels:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendData(res, panelView(account, account.panel(req.params.opportunityId, req.params.panelId)));
  });

  router.post('/opportunities/:opportunityId/panels', need('panels:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const panel = createPanel(actionDeps, req.params.opportunityId, parseInput(panelBody, req.body), true);
    sendData(res, panelView(actionDeps.account, panel), 201);
  });

  router.put('/opportunities/:opportunityId/panels/:panelId', need('panels:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const panel = replacePanel(actionDeps, req.params.opportunityId, req.params.panelId, parseInput(panelBody, req.body));
    sendData(res, panelView(actionDeps.account, panel));
  });

  router.delete('/opportunities/:opportunityId/panels/:panelId', need('panels:write:admin'), (req, res) => {
    deletePanel(writeDeps(req), req.params.opportunityId, req.params.panelId);
    sendNoContent(res);
  });

  return router;
}
