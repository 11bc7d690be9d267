import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import type { SandboxControl } from './control';
import { apiKeyView, companyView } from './control-views';
import * as body from './control-schemas';
import { SandboxError } from './errors';
import { publicLinkSessionBody } from './public-links';

class BadRequest extends Error {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new BadRequest(result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })));
}

const STATUS: Record<SandboxError['kind'], number> = { not_found: 404, invalid: 400, conflict: 409, forbidden: 403 };

const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof SandboxError) return void res.status(STATUS[err.kind]).json({ error: err.kind, message: err.message });
  if (err instanceof BadRequest) return void res.status(400).json({ error: 'invalid_body', message: err.message, issues: err.issues });
  if ((err as { type?: string }).type === 'entity.parse.failed') return void res.status(400).json({ error: 'malformed_json', message: 'request body is not valid JSON' });
  res.status(500).json({ error: 'internal', message: err instanceof Error ? err.message : String(err) });
};

/** `/_sandbox`: the control API. JSON, no auth, never subject to faults or rate limits. */
export function controlRouter(control: SandboxControl): Router {
  const r = Router();
  r.use(express.json({ limit: '1mb' }));
  const cid = (req: Request): string => req.params.companyId as string;

  r.get('/health', (_req, res) => void res.json({ ok: true }));
  r.post('/reset', (_req, res) => {
    control.resetAll();
    res.json({ ok: true });
  });

  // companies and setup
  r.get('/companies', (_req, res) => void res.json(control.listCompanies().map(companyView)));
  r.post('/companies', (req, res) => void res.status(201).json(companyView(control.createCompany(parse(body.createCompanyBody, req.body)))));
  r.get('/companies/:companyId', (req, res) => void res.json(companyView(control.getCompany(cid(req)))));
  r.delete('/companies/:companyId', (req, res) => {
    control.deleteCompany(cid(req));
    res.status(204).end();
  });
  r.post('/companies/:companyId/reset', (req, res) => {
    control.resetCompany(cid(req));
    res.json({ ok: true });
  });
  r.put('/companies/:companyId/settings', (req, res) => void res.json(control.updateSettings(cid(req), parse(body.settingsBody, req.body))));
  r.post('/companies/:companyId/api-keys', (req, res) => void res.status(201).json(apiKeyView(control.createApiKey(cid(req), parse(body.apiKeyBody, req.body)))));
  r.delete('/companies/:companyId/api-keys/:key', (req, res) => {
    control.revokeApiKey(cid(req), req.params.key as string);
    res.status(204).end();
  });
  r.get('/companies/:companyId/users', (req, res) => void res.json([...control.getCompany(cid(req)).users.values()]));
  r.post('/companies/:companyId/users', (req, res) => void res.status(201).json(control.createUser(cid(req), parse(body.userBody, req.body))));
  r.get('/companies/:companyId/tests', (req, res) => void res.json([...control.getCompany(cid(req)).tests.values()]));
  r.post('/companies/:companyId/tests', (req, res) => void res.status(201).json(control.createTest(cid(req), parse(body.testBody, req.body))));
  r.get('/companies/:companyId/interview-templates', (req, res) => void res.json([...control.getCompany(cid(req)).interviewTemplates.values()]));
  r.post('/companies/:companyId/interview-templates', (req, res) =>
    void res.status(201).json(control.createInterviewTemplate(cid(req), parse(body.interviewTemplateBody, req.body))),
  );
  r.get('/companies/:companyId/sourcing-candidates', (req, res) => void res.json(control.sourcingCandidates(cid(req))));
  r.post('/companies/:companyId/sourcing-candidates', (req, res) =>
    void res.status(201).json(control.createSourcingCandidate(cid(req), parse(body.sourcingCandidateBody, req.body))),
  );
  r.get('/companies/:companyId/sourcing-connection', (req, res) => void res.json(control.sourcingConnection(cid(req))));
  r.put('/companies/:companyId/sourcing-connection', (req, res) => void res.json(control.setSourcingConnection(cid(req), parse(body.sourcingConnectionBody, req.body))));
  r.delete('/companies/:companyId/sourcing-connection', (req, res) => {
    control.removeSourcingConnection(cid(req));
    res.status(204).end();
  });
  r.get('/companies/:companyId/sourcing-feed', (req, res) => void res.json(control.sourcingFeed(cid(req))));
  r.get('/companies/:companyId/sourcing-calls', (req, res) => void res.json(control.sourcingCalls(cid(req))));

  // webhooks
  r.get('/companies/:companyId/webhook-endpoints', (req, res) => void res.json(control.webhookEndpoints(cid(req))));
  r.post('/companies/:companyId/webhook-endpoints', async (req, res) => {
    res.status(201).json(await control.addWebhookEndpoint(cid(req), parse(body.webhookEndpointBody, req.body)));
  });
  r.put('/companies/:companyId/webhook-endpoints/:endpointId', async (req, res) => {
    res.json(await control.updateWebhookEndpoint(cid(req), req.params.endpointId as string, parse(body.webhookEndpointPatch, req.body)));
  });
  r.post('/companies/:companyId/webhook-endpoints/:endpointId/disable', (req, res) => void res.json(control.disableWebhookEndpoint(cid(req), req.params.endpointId as string)));
  r.delete('/companies/:companyId/webhook-endpoints/:endpointId', (req, res) => {
    control.removeWebhookEndpoint(cid(req), req.params.endpointId as string);
    res.status(204).end();
  });
  r.get('/companies/:companyId/webhook-deliveries', (req, res) => void res.json(control.deliveries(cid(req), parse(body.deliveriesQuery, req.query))));
  r.post('/companies/:companyId/webhook-deliveries/:deliveryId/redeliver', (req, res) =>
    void res.status(202).json(control.redeliver(cid(req), req.params.deliveryId as string)),
  );

  // inspection
  r.get('/companies/:companyId/sessions', (req, res) => void res.json(control.sessions(cid(req))));
  r.post('/companies/:companyId/public-link-sessions', (req, res) => void res.status(201).json(control.createPublicLinkSession(cid(req), parse(publicLinkSessionBody, req.body))));
  r.post('/companies/:companyId/sessions/expire-overdue', (req, res) => void res.json(control.expireOverdue(cid(req)).map((s) => s.id)));
  r.get('/companies/:companyId/interviews', (req, res) => void res.json(control.interviews(cid(req))));
  r.get('/companies/:companyId/outbox', (req, res) => void res.json(control.outbox(cid(req))));
  r.get('/companies/:companyId/requests', (req, res) => void res.json(control.requests({ ...parse(body.requestsQuery, req.query), companyId: cid(req) })));
  r.get('/requests', (req, res) => void res.json(control.requests(parse(body.requestsQuery, req.query))));

  // faults
  r.get('/companies/:companyId/faults', (req, res) => void res.json(control.faults(cid(req))));
  r.put('/companies/:companyId/faults', (req, res) => void res.json(control.setFaults(cid(req), parse(body.faultsBody, req.body))));
  r.delete('/companies/:companyId/faults', (req, res) => void res.json(control.clearFaults(cid(req))));

  // acting as the candidate, and as CodeSignal's proctoring auditors
  const sid = (req: Request): string => req.params.sessionId as string;
  const view = (id: string) => control.session(id);
  r.get('/sessions/:sessionId', (req, res) => void res.json(view(sid(req))));
  r.post('/sessions/:sessionId/start', (req, res) => void res.json(view(control.startSession(sid(req)).id)));
  r.post('/sessions/:sessionId/time-up', (req, res) => void res.json(view(control.timeUp(sid(req)).id)));
  r.post('/sessions/:sessionId/submit', (req, res) => void res.json(view(control.submitSession(sid(req), parse(body.submissionBody, req.body)).id)));
  r.post('/sessions/:sessionId/finish-scoring', (req, res) => void res.json(view(control.finishScoring(sid(req)).id)));
  r.post('/sessions/:sessionId/verify', (req, res) => void res.json(view(control.verifySession(sid(req)).id)));
  r.post('/sessions/:sessionId/reject', (req, res) => {
    const { reasons, grantRetake } = parse(body.rejectBody, req.body);
    const { session, retake } = control.rejectSession(sid(req), reasons, grantRetake);
    res.json({ ...view(session.id), retake: retake ? view(retake.id) : null });
  });
  r.post('/sessions/:sessionId/expire', (req, res) => void res.json(view(control.expireSession(sid(req), parse(body.expireBody, req.body).reason).id)));
  r.post('/sessions/:sessionId/decline', (req, res) => void res.json(view(control.declineSession(sid(req)).id)));
  r.post('/sessions/:sessionId/integrity-review', (req, res) =>
    void res.json(view(control.updateIntegrityReview(sid(req), parse(body.integrityReviewBody, req.body).suggested).id)),
  );
  r.post('/sessions/:sessionId/send-reminder', (req, res) => void res.json(view(control.sendReminder(sid(req), parse(body.reminderBody, req.body).templateName).id)));

  // acting as the interviewer
  const iid = (req: Request): string => req.params.interviewId as string;
  r.get('/interviews/:interviewId', (req, res) => void res.json(control.interview(iid(req))));
  r.post('/interviews/:interviewId/start', (req, res) => void res.json(control.startInterview(iid(req))));
  r.post('/interviews/:interviewId/finish', (req, res) => void res.json(control.finishInterview(iid(req), parse(body.finishInterviewBody, req.body))));
  r.post('/interviews/:interviewId/feedback', (req, res) => {
    control.submitFeedback(iid(req), parse(body.feedbackBody, req.body));
    res.json(control.interview(iid(req)));
  });

  // acting as the recruiter: CodeSignal's sourcing side of the sourcing contract
  const cand = (req: Request): string => req.params.candidateId as string;
  r.get('/sourcing-candidates/:candidateId', (req, res) => void res.json(control.sourcingCandidate(cand(req))));
  r.post('/sourcing-candidates/:candidateId/import', async (req, res) => void res.json(await control.importCandidate(cand(req), parse(body.importBody, req.body))));
  r.post('/sourcing-candidates/:candidateId/status', async (req, res) => void res.json(await control.changeCandidateStatus(cand(req), parse(body.statusBody, req.body))));
  r.post('/sourcing-candidates/:candidateId/reply', (req, res) => void res.json(control.markReplied(cand(req), parse(body.repliedBody, req.body).userId ?? null)));

  r.use((req, res) => void res.status(404).json({ error: 'not_found', message: `no control route for ${req.method} ${req.path}` }));
  r.use(errors);
  return r;
}
