import { Router } from 'express';
import {
  createFeedback, createFeedbackBody, createTemplate, deleteFeedback, deleteTemplate, replaceFeedback, replaceFeedbackBody, replaceTemplate, templateBody,
} from '../actions/feedback';
import { paginate } from '../pagination';
import { parseInput } from '../validation';
import { feedbackTemplateView, feedbackView } from '../views/feedback';
import { accountOf, apiActor, sendData, sendNoContent, sendPage, type V1Deps } from './deps';

/**
 * Feedback templates and feedback on opportunities (§3.8), behind the §4 scopes `feedback_templates:*`
 * and `feedback:*`. Every feedback write needs `perform_as` (§1.8); template writes name no user.
 * `GET …/feedback` (list) is the `feedback:read:admin` row of §4; its item shape is only the id and what
 * the POST sends (views/feedback.ts).
 */
export function feedbackRoutes(deps: V1Deps): Router {
  const { need, options } = deps;
  const router = Router();

  router.get('/feedback_templates', need('feedback_templates:read:admin'), (req, res) => {
    sendPage(res, paginate(req, [...accountOf(req).feedbackTemplates.values()].map(feedbackTemplateView), (t) => t.id));
  });
  router.get('/feedback_templates/:templateId', need('feedback_templates:read:admin'), (req, res) => {
    sendData(res, feedbackTemplateView(accountOf(req).feedbackTemplate(req.params.templateId)));
  });
  router.post('/feedback_templates', need('feedback_templates:write:admin'), (req, res) => {
    sendData(res, feedbackTemplateView(createTemplate(accountOf(req), 'api', parseInput(templateBody, req.body))), 201);
  });
  router.put('/feedback_templates/:templateId', need('feedback_templates:write:admin'), (req, res) => {
    const account = accountOf(req);
    account.feedbackTemplate(req.params.templateId);
    sendData(res, feedbackTemplateView(replaceTemplate(account, req.params.templateId, parseInput(templateBody, req.body))));
  });
  router.delete('/feedback_templates/:templateId', need('feedback_templates:write:admin'), (req, res) => {
    deleteTemplate(accountOf(req), req.params.templateId, 'api');
    sendNoContent(res);
  });

  router.get('/opportunities/:opportunityId/feedback', need('feedback:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    sendPage(res, paginate(req, account.feedbackOf(req.params.opportunityId).map((f) => feedbackView(f, options.sparse)), (f) => f.id));
  });
  router.post('/opportunities/:opportunityId/feedback', need('feedback:write:admin'), (req, res) => {
    const actor = apiActor(req, deps, true);
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const feedback = createFeedback(account, actor, req.params.opportunityId, parseInput(createFeedbackBody, req.body));
    sendData(res, feedbackView(feedback, options.sparse), 201);
  });
  router.put('/opportunities/:opportunityId/feedback/:feedbackId', need('feedback:write:admin'), (req, res) => {
    apiActor(req, deps, true);
    const account = accountOf(req);
    const feedback = replaceFeedback(account, req.params.opportunityId, req.params.feedbackId, parseInput(replaceFeedbackBody, req.body));
    sendData(res, feedbackView(feedback, options.sparse));
  });
  router.delete('/opportunities/:opportunityId/feedback/:feedbackId', need('feedback:write:admin'), (req, res) => {
    apiActor(req, deps, true);
    deleteFeedback(accountOf(req), req.params.opportunityId, req.params.feedbackId);
    sendNoContent(res);
  });

  return router;
}
