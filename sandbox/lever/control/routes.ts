import express, { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { errorHandler, routeNotFound } from '../errors';
import { ALL_PERMISSIONS, PERMISSION_PRESETS } from '../permissions';
import { parseInput } from '../validation';
import { archiveReasonView, postingView, stageView, userView, webhookView } from '../views/directory';
import type { WebhookEvent } from '../model';
import type { SandboxAdmin } from './admin';
import { accountSnapshot } from './inspect';
import type { Recruiter } from './recruiter';
import { deliveryFilter, requestFilter } from './schemas';

export interface ControlRouterParts {
  admin: SandboxAdmin;
  recruiter: Recruiter;
  /** Seeds the demo account (POST /_sandbox/seed/demo). */
  seedDemo: (body: unknown) => unknown;
  logger: Logger;
}

const ACCOUNT = '/accounts/:accountId';
const OPPORTUNITY = `${ACCOUNT}/opportunities/:opportunityId`;

/** `/_sandbox`: JSON, no auth, no faults, no rate limit. Bodies are validated by the admin/recruiter methods. */
export function createControlRouter({ admin, recruiter, seedDemo, logger }: ControlRouterParts): Router {
  const r = Router();
  r.use(express.json({ limit: '5mb' }));
  const id = (req: Request) => String(req.params.accountId);

  r.get('/health', (_req, res) => { res.json({ ok: true }); });
  r.post('/reset', (_req, res) => { admin.reset(); res.status(204).end(); });
  r.post('/seed/demo', (req, res) => { res.status(201).json(seedDemo(req.body)); });
  r.get('/permissions', (_req, res) => { res.json({ permissions: ALL_PERMISSIONS, presets: PERMISSION_PRESETS }); });
  r.get('/requests/unattributed', (req, res) => { res.json(admin.requests(null, parseInput(requestFilter, req.query))); });

  r.get('/accounts', (_req, res) => { res.json(admin.accounts()); });
  r.post('/accounts', (req, res) => { res.status(201).json(accountSnapshot(admin.createAccount(req.body))); });
  r.get(ACCOUNT, (req, res) => { res.json(accountSnapshot(admin.account(id(req)))); });
  r.delete(ACCOUNT, (req, res) => { admin.deleteAccount(id(req)); res.status(204).end(); });
  r.post(`${ACCOUNT}/reset`, (req, res) => { res.json(accountSnapshot(admin.resetAccount(id(req)))); });

  r.get(`${ACCOUNT}/keys`, (req, res) => { res.json(admin.keys(id(req))); });
  r.post(`${ACCOUNT}/keys`, (req, res) => { res.status(201).json(admin.createKey(id(req), req.body)); });
  r.delete(`${ACCOUNT}/keys/:key`, (req, res) => { admin.revokeKey(id(req), req.params.key); res.status(204).end(); });

  r.get(`${ACCOUNT}/users`, (req, res) => { res.json([...admin.account(id(req)).users.values()].map(userView)); });
  r.post(`${ACCOUNT}/users`, (req, res) => { res.status(201).json(userView(admin.createUser(id(req), req.body))); });
  r.post(`${ACCOUNT}/users/:userId/deactivate`, (req, res) => { res.json(userView(admin.setUserActive(id(req), req.params.userId, false))); });
  r.post(`${ACCOUNT}/users/:userId/reactivate`, (req, res) => { res.json(userView(admin.setUserActive(id(req), req.params.userId, true))); });

  r.get(`${ACCOUNT}/stages`, (req, res) => { res.json(admin.account(id(req)).stages.map(stageView)); });
  r.post(`${ACCOUNT}/stages`, (req, res) => { res.status(201).json(stageView(admin.createStage(id(req), req.body))); });
  r.get(`${ACCOUNT}/postings`, (req, res) => { res.json([...admin.account(id(req)).postings.values()].map(postingView)); });
  r.post(`${ACCOUNT}/postings`, (req, res) => { res.status(201).json(postingView(admin.createPosting(id(req), req.body))); });
  r.put(`${ACCOUNT}/postings/:postingId/tags`, (req, res) => { res.json(postingView(admin.setPostingTags(id(req), req.params.postingId, req.body))); });
  r.get(`${ACCOUNT}/archive-reasons`, (req, res) => { res.json([...admin.account(id(req)).archiveReasons.values()].map(archiveReasonView)); });
  r.post(`${ACCOUNT}/archive-reasons`, (req, res) => { res.status(201).json(archiveReasonView(admin.createArchiveReason(id(req), req.body))); });

  r.get(`${ACCOUNT}/opportunities`, (req, res) => { res.json(recruiter.opportunities(id(req))); });
  r.post(`${ACCOUNT}/opportunities`, (req, res) => { res.status(201).json(recruiter.createCandidate(id(req), req.body)); });
  r.get(OPPORTUNITY, (req, res) => { res.json(recruiter.inspect(id(req), req.params.opportunityId)); });
  r.delete(OPPORTUNITY, (req, res) => { res.json(recruiter.deleteCandidate(id(req), req.params.opportunityId, req.body ?? {})); });
  r.post(`${OPPORTUNITY}/anonymize`, (req, res) => { res.json(recruiter.anonymizeCandidate(id(req), req.params.opportunityId, req.body ?? {})); });
  r.post(`${OPPORTUNITY}/stage`, (req, res) => { res.json(recruiter.moveToStage(id(req), req.params.opportunityId, req.body)); });
  r.post(`${OPPORTUNITY}/archive`, (req, res) => { res.json(recruiter.archive(id(req), req.params.opportunityId, req.body)); });
  r.post(`${OPPORTUNITY}/unarchive`, (req, res) => { res.json(recruiter.unarchive(id(req), req.params.opportunityId, req.body)); });
  r.post(`${OPPORTUNITY}/hire`, (req, res) => { res.json(recruiter.hire(id(req), req.params.opportunityId, req.body)); });
  r.post(`${OPPORTUNITY}/tags`, (req, res) => { res.json(recruiter.addTags(id(req), req.params.opportunityId, req.body)); });
  r.post(`${OPPORTUNITY}/notes`, (req, res) => { res.status(201).json(recruiter.addNote(id(req), req.params.opportunityId, req.body)); });
  r.put(`${OPPORTUNITY}/files/:fileId/status`, (req, res) => { res.json(recruiter.setFileStatus(id(req), req.params.opportunityId, req.params.fileId, req.body)); });
  r.post(`${OPPORTUNITY}/panels`, (req, res) => { res.status(201).json(recruiter.schedulePanel(id(req), req.params.opportunityId, req.body)); });
  r.get(`${OPPORTUNITY}/feedback`, (req, res) => { res.json(recruiter.feedback(id(req), req.params.opportunityId)); });
  r.post(`${ACCOUNT}/feedback-templates`, (req, res) => { res.status(201).json(recruiter.createFeedbackTemplate(id(req), req.body)); });
  r.delete(`${ACCOUNT}/feedback-templates/:templateId`, (req, res) => { recruiter.deleteFeedbackTemplate(id(req), req.params.templateId); res.status(204).end(); });
  r.delete(`${OPPORTUNITY}/interviews/:interviewId`, (req, res) => { res.json(recruiter.deleteInterview(id(req), req.params.opportunityId, req.params.interviewId, req.body ?? {})); });

  r.get(`${ACCOUNT}/webhooks`, (req, res) => {
    res.json([...admin.account(id(req)).webhooks.values()].map((w) => ({ ...webhookView(w, true), createdVia: w.createdVia })));
  });
  r.post(`${ACCOUNT}/webhooks`, (req, res) => { res.status(201).json(webhookView(admin.createWebhook(id(req), req.body), true)); });
  r.delete(`${ACCOUNT}/webhooks/:webhookId`, (req, res) => { admin.deleteWebhook(id(req), req.params.webhookId); res.status(204).end(); });
  r.post(`${ACCOUNT}/webhooks/:webhookId/test`, (req, res) => { res.status(202).json(admin.sendTestDelivery(id(req), req.params.webhookId)); });
  r.get(`${ACCOUNT}/webhook-events`, (req, res) => { res.json(admin.webhookEvents(id(req))); });
  r.put(`${ACCOUNT}/webhook-events/:event`, (req, res) => { res.json(admin.switchWebhookEvent(id(req), req.params.event as WebhookEvent, req.body)); });
  r.get(`${ACCOUNT}/deliveries`, (req, res) => { res.json(admin.deliveries(id(req), parseInput(deliveryFilter, req.query))); });
  r.get(`${ACCOUNT}/requests`, (req, res) => { res.json(admin.requests(id(req), parseInput(requestFilter, req.query))); });

  r.get(`${ACCOUNT}/settings`, (req, res) => { res.json(admin.account(id(req)).settings); });
  r.put(`${ACCOUNT}/settings`, (req, res) => { res.json(admin.updateSettings(id(req), req.body)); });
  r.get(`${ACCOUNT}/faults`, (req, res) => { res.json(admin.faults(id(req))); });
  r.put(`${ACCOUNT}/faults`, (req, res) => { res.json(admin.updateFaults(id(req), req.body)); });
  r.delete(`${ACCOUNT}/faults`, (req, res) => { res.json(admin.clearFaults(id(req))); });

  r.use(routeNotFound);
  r.use(errorHandler(logger));
  return r;
}
