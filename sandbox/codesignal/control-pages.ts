import express, { Router, type Request, type Response } from 'express';
import { SOURCING_STATUSES } from '../../src/api/sourcing/contract';
import type { SandboxControl } from './control';
import { SandboxError } from './errors';
import { escape } from './pages';
import type { CompanyData } from './state';

/**
 * `/_sandbox/ui`: server-rendered pages over the control API, for clicking through the sourcing flow
 * in a browser: the sourced candidates with "Import to Lever" (who clicks) and a status change form,
 * the calls made to the service, and the status feed deliveries received. Forms post back here and
 * are redirected to the page with the outcome (POST–redirect–GET).
 */

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const json = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v));

function layout(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}form{display:inline-block;margin:0 .3em .2em 0}.notice{background:#ffe;border:1px solid #cc9;padding:.5em;white-space:pre-wrap}code{font-size:.9em}</style>
</head><body><h1>${escape(title)}</h1>${body}<p><small>CodeSignal sandbox · <a href="/_sandbox/ui">companies</a></small></p></body></html>`;
}

function table(headers: string[], rows: string[][]): string {
  if (!rows.length) return '<p><em>none</em></p>';
  return `<table><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

function options(values: Array<[string, string]>, selected?: string): string {
  return values.map(([v, label]) => `<option value="${escape(v)}"${v === selected ? ' selected' : ''}>${escape(label)}</option>`).join('');
}

function sourcingPage(control: SandboxControl, data: CompanyData, notice: string | undefined): string {
  const base = `/_sandbox/ui/companies/${encodeURIComponent(data.id)}`;
  const users = [...data.users.values()].map((u): [string, string] => [u.id, `${u.name} <${u.email}>`]);
  const connection = control.sourcingConnection(data.id);
  const candidates = [...data.sourcingCandidates.values()].sort((a, b) => a.createDate - b.createDate);
  const userName = (id: string | null): string => (id === null ? '' : data.users.get(id)?.name ?? id);

  const candidateRows = candidates.map((c) => {
    const action = `${base}/sourcing-candidates/${encodeURIComponent(c.id)}`;
    const importForm = c.replied
      ? `<form method="post" action="${action}/import"><select name="userId">${options(users)}</select> <input name="postingId" placeholder="Lever posting id (optional)" size="22"> <button>Import to Lever</button></form>`
      : `<form method="post" action="${action}/reply"><button>Candidate replied</button></form>`;
    const statusForm = `<form method="post" action="${action}/status"><select name="status">${options(SOURCING_STATUSES.map((s) => [s, s]), c.status)}</select> <select name="userId">${options([['', '(automation)'], ...users])}</select> <label><input type="checkbox" name="report" value="true" checked> report</label> <button>Change status</button></form>`;
    return [
      `<a href="/candidate/${encodeURIComponent(c.id)}">${escape(`${c.firstName} ${c.lastName}`)}</a><br><code>${escape(c.id)}</code>`,
      escape(c.email),
      escape(c.status) + (c.statusUpdatedAt !== null ? `<br><small>${escape(iso(c.statusUpdatedAt))} by ${escape(userName(c.statusUpdatedByUserId) || 'the integration')}</small>` : ''),
      c.replied ? 'yes' : 'no',
      c.importRequestedAt !== null ? `${escape(iso(c.importRequestedAt))}<br><small>by ${escape(userName(c.importRequestedByUserId))}</small>` : '',
      escape(c.leverOpportunityId),
      `${importForm}<br>${statusForm}`,
    ];
  });

  const calls = control
    .sourcingCalls(data.id)
    .slice(-20)
    .reverse()
    .map((c) => [escape(iso(c.at)), escape(c.kind), `<code>${escape(c.candidateId)}</code>`, escape(c.httpStatus ?? c.error), `<code>${escape(json(c.answer))}</code>`]);
  const feed = control
    .sourcingFeed(data.id)
    .slice(-20)
    .reverse()
    .map((d) => [escape(iso(d.receivedAt)), `<code>${escape(d.id)}</code>`, escape(d.verdict), escape(d.httpStatus), escape(d.reason), `<code>${escape(d.candidateId)}</code>`, escape(d.status)]);

  return layout(
    `${data.name}: sourcing`,
    [
      notice ? `<div class="notice">${escape(notice)}</div>` : '',
      '<h2>Connection to the service</h2>',
      table(
        ['Service base URL', 'Token', 'Feed secret', 'Feed URL (give it to the service)', 'Failing next feed deliveries'],
        [[escape(connection.serviceBaseUrl ?? 'not connected'), connection.tokenSet ? 'set' : 'missing', connection.feedSecretSet ? 'set' : 'missing', `<code>${escape(connection.feedUrl)}</code>`, escape(connection.failNextFeedDeliveries)]],
      ),
      '<h2>Sourced candidates</h2>',
      table(['Candidate', 'Email', 'Status', 'Replied', 'Import requested', 'Lever opportunity', 'Actions'], candidateRows),
      '<h2>Calls to the service (latest first)</h2>',
      table(['At', 'Kind', 'Candidate', 'HTTP', 'Answer'], calls),
      '<h2>Status feed deliveries received (latest first)</h2>',
      table(['Received', 'Id', 'Verdict', 'Answered', 'Reason', 'Candidate', 'Status'], feed),
    ].join('\n'),
  );
}

export function controlPagesRouter(control: SandboxControl): Router {
  const r = Router();
  r.use(express.urlencoded({ extended: false, limit: '100kb' }));
  const cid = (req: Request): string => req.params.companyId as string;
  const field = (req: Request, name: string): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.trim() : '';
  };
  const back = (req: Request, res: Response, notice: string): void =>
    res.redirect(303, `/_sandbox/ui/companies/${encodeURIComponent(cid(req))}/sourcing?notice=${encodeURIComponent(notice)}`);
  const act = (run: (req: Request) => Promise<string> | string) => async (req: Request, res: Response) => {
    try {
      back(req, res, await run(req));
    } catch (err) {
      if (err instanceof SandboxError) return back(req, res, `Refused (${err.kind}): ${err.message}`);
      throw err;
    }
  };
  const call = (label: string, c: { httpStatus: number | null; answer: unknown; error: string | null } | null): string =>
    c === null ? `${label}: not reported` : `${label}: ${c.httpStatus === null ? `no answer (${c.error})` : `HTTP ${c.httpStatus}`} ${json(c.answer)}`;

  r.get('/', (_req, res) => {
    const rows = control.listCompanies().map((d) => [`<a href="/_sandbox/ui/companies/${encodeURIComponent(d.id)}/sourcing">${escape(d.name)}</a>`, `<code>${escape(d.id)}</code>`, escape(d.sourcingCandidates.size)]);
    res.type('html').send(layout('CodeSignal sandbox', table(['Company', 'Id', 'Sourced candidates'], rows)));
  });
  r.get('/companies/:companyId/sourcing', (req, res) => {
    const data = control.listCompanies().find((d) => d.id === cid(req));
    if (!data) return void res.status(404).type('html').send(layout('Company not found', ''));
    res.type('html').send(sourcingPage(control, data, typeof req.query.notice === 'string' ? req.query.notice : undefined));
  });
  const cand = (req: Request): string => req.params.candidateId as string;
  r.post(
    '/companies/:companyId/sourcing-candidates/:candidateId/import',
    act(async (req) => call('Import', await control.importCandidate(cand(req), { userId: field(req, 'userId'), postingId: field(req, 'postingId') || null }))),
  );
  r.post(
    '/companies/:companyId/sourcing-candidates/:candidateId/status',
    act(async (req) => {
      const status = field(req, 'status') as (typeof SOURCING_STATUSES)[number];
      if (!(SOURCING_STATUSES as readonly string[]).includes(status)) return `Refused: unknown status ${status}`;
      const { candidate, report } = await control.changeCandidateStatus(cand(req), { status, userId: field(req, 'userId') || null, report: field(req, 'report') === 'true' });
      return `${candidate.firstName} ${candidate.lastName} is ${candidate.status}. ${call('Status report', report)}`;
    }),
  );
  r.post(
    '/companies/:companyId/sourcing-candidates/:candidateId/reply',
    act((req) => {
      const c = control.markReplied(cand(req));
      return `${c.firstName} ${c.lastName} replied.`;
    }),
  );
  return r;
}
