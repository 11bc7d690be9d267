import { Router, type Response } from 'express';
import { candidateName } from './events';
import type { Runtime } from './runtime';
import { testOf } from './sessions';

/** Minimal HTML pages behind the links the API hands out (result report, invitation, interview room). */

export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(res: Response, status: number, title: string, rows: Array<[string, unknown]>): void {
  const body = rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  res
    .status(status)
    .type('html')
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><table>${body}</table><p><small>CodeSignal sandbox</small></p></body></html>`);
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

export function pagesRouter(rt: Runtime): Router {
  const router = Router();

  router.get('/test-result/:sessionId', (req, res) => {
    const found = rt.store.findSession(req.params.sessionId);
    if (!found || req.query.accessToken !== found.session.resultAccessToken) return page(res, 404, 'Result not found', []);
    const { data, session } = found;
    const test = testOf(data, session);
    const result = session.result;
    page(res, 200, `Test result: ${test.title}`, [
      ['Candidate', candidateName(session)],
      ['Email', session.candidate.email],
      ['Status', session.status],
      ['Verification', session.verificationStatus ?? 'not proctored'],
      ['Score', result ? `${result.score} / ${test.maxScore}` : 'no result yet'],
      ['Solved tasks', result ? `${result.solvedTaskCount} / ${test.tasks.length}` : ''],
      ['Coding score', result?.codingScore ?? ''],
      ['Started', iso(session.startDate)],
      ['Finished', iso(session.finishDate)],
      ['Summary', result?.aiSummary ?? ''],
    ]);
  });

  router.get('/test-invitation/:sessionId', (req, res) => {
    const found = rt.store.findSession(req.params.sessionId);
    if (!found || req.query.token !== found.session.invitationToken) return page(res, 404, 'Invitation not found', []);
    const { data, session } = found;
    const test = testOf(data, session);
    page(res, 200, `${data.name} invites you to ${test.externalTitle}`, [
      ['Candidate', candidateName(session)],
      ['Status', session.status],
      ['Duration (minutes)', Math.round((session.customDuration ?? test.duration) / 60_000)],
      ['Expires', iso(session.expirationDate)],
    ]);
  });

  const interviewPage = (res: Response, id: string | undefined): void => {
    const found = id ? rt.store.findInterview(id) : undefined;
    if (!found || found.interview.status === 'deleted') return page(res, 404, 'Interview not found', []);
    const { data, interview } = found;
    page(res, 200, `Live interview with ${data.name}`, [
      ['Candidate', interview.candidateName],
      ['Status', interview.status],
      ['Interviewer', interview.interviewerId ? data.users.get(interview.interviewerId)?.name : ''],
      ['Expires', iso(interview.createDate + interview.expirationTime)],
    ]);
  };

  // a sourced candidate's profile: the `profileUrl` the Lever import carries (sourcing.ts)
  router.get('/candidate/:candidateId', (req, res) => {
    const found = rt.store.findSourcingCandidate(req.params.candidateId);
    if (!found) return page(res, 404, 'Candidate not found', []);
    const { data, candidate: c } = found;
    page(res, 200, `${c.firstName} ${c.lastName}`, [
      ['Company', data.name],
      ['Email', c.email],
      ['Phones', c.phones.join(', ')],
      ['Profile', c.profileUrl],
      ['Tags', c.tags.join(', ')],
      ['Status', c.status],
      ['Replied', c.replied ? 'yes' : 'no'],
      ['Imported to Lever', c.importRequestedAt === null ? '' : iso(c.importRequestedAt)],
    ]);
  });

  router.get('/live-interview/:interviewId', (req, res) => interviewPage(res, req.params.interviewId));
  router.get('/client-dashboard/interviews', (req, res) => interviewPage(res, typeof req.query.liveInterviewId === 'string' ? req.query.liveInterviewId : undefined));
  router.get('/i/:code', (req, res) => {
    const match = rt.store
      .listCompanies()
      .flatMap((d) => [...d.interviews.values()])
      .find((i) => i.shortCode === req.params.code);
    if (!match) return page(res, 404, 'Interview not found', []);
    res.redirect(302, `${rt.baseUrl()}/live-interview/${match.id}`);
  });

  return router;
}
