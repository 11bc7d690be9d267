import { Router } from 'express';
import {
  createInterview, createInterviewBody, createPanel, createPanelBody, deleteInterview, deletePanel, replaceInterview,
  replaceInterviewBody, replacePanel, replacePanelBody,
} from '../actions/interviews';
import type { Interview, Panel } from '../model';
import { paginate } from '../pagination';
import type { AccountState } from '../state';
import { parseInput } from '../validation';
import { interviewView, panelView } from '../views/activity';
import { sparseInterview, sparsePanel } from '../views/sparse';
import { accountOf, apiActor, sendCreated, sendData, sendNoContent, sendPage, type V1Deps } from './deps';

/** Interviews and the panels that hold them (§3.7); every write needs `perform_as`. */
export function interviewRoutes(deps: V1Deps): Router {
  const { need, events, options } = deps;
  const router = Router();
  const interviewWire = (account: AccountState, i: Interview) => (options.sparse ? sparseInterview(interviewView(account, i)) : interviewView(account, i));
  const panelWire = (account: AccountState, p: Panel) => (options.sparse ? sparsePanel(panelView(account, p)) : panelView(account, p));
  const writeDeps = (req: Parameters<typeof accountOf>[0]) => ({ events, account: accountOf(req), actor: apiActor(req, deps, true) });

  router.get('/opportunities/:opportunityId/interviews', need('interviews:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const interviews = account.interviewsOf(req.params.opportunityId).map((i) => interviewWire(account, i));
    sendPage(res, paginate(req, interviews, (i) => i.id as string));
  });

  router.get('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendData(res, interviewWire(account, account.interview(req.params.opportunityId, req.params.interviewId)));
  });

  router.post('/opportunities/:opportunityId/interviews', need('interviews:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const interview = createInterview(actionDeps, req.params.opportunityId, parseInput(createInterviewBody, req.body));
    sendCreated(res, interviewWire(actionDeps.account, interview), options.quirks.createdWrappedTwice);
  });

  router.put('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const input = parseInput(replaceInterviewBody, req.body);
    const interview = replaceInterview(actionDeps, req.params.opportunityId, req.params.interviewId, input);
    sendData(res, interviewWire(actionDeps.account, interview));
  });

  router.delete('/opportunities/:opportunityId/interviews/:interviewId', need('interviews:write:admin'), (req, res) => {
    deleteInterview(writeDeps(req), req.params.opportunityId, req.params.interviewId);
    sendNoContent(res);
  });

  router.get('/opportunities/:opportunityId/panels', need('panels:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const panels = account.panelsOf(req.params.opportunityId).map((p) => panelWire(account, p));
    sendPage(res, paginate(req, panels, (p) => p.id as string));
  });

  router.get('/opportunities/:opportunityId/panels/:panelId', need('panels:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendData(res, panelWire(account, account.panel(req.params.opportunityId, req.params.panelId)));
  });

  router.post('/opportunities/:opportunityId/panels', need('panels:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const panel = createPanel(actionDeps, req.params.opportunityId, parseInput(createPanelBody, req.body), true);
    sendCreated(res, panelWire(actionDeps.account, panel), options.quirks.createdWrappedTwice);
  });

  router.put('/opportunities/:opportunityId/panels/:panelId', need('panels:write:admin'), (req, res) => {
    const actionDeps = writeDeps(req);
    const panel = replacePanel(actionDeps, req.params.opportunityId, req.params.panelId, parseInput(replacePanelBody, req.body));
    sendData(res, panelWire(actionDeps.account, panel));
  });

  router.delete('/opportunities/:opportunityId/panels/:panelId', need('panels:write:admin'), (req, res) => {
    deletePanel(writeDeps(req), req.params.opportunityId, req.params.panelId);
    sendNoContent(res);
  });

  return router;
}
