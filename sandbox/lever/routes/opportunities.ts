import { Router, type Request } from 'express';
import { createOpportunity, createOpportunityBody } from '../actions/opportunities';
import { badRequest, notFound } from '../errors';
import type { Opportunity } from '../model';
import { paginate } from '../pagination';
import { inRange, queryBool, queryList, queryRange } from '../query';
import type { AccountState } from '../state';
import { parseInput } from '../validation';
import { applicationsOf, applicationView, deletedOpportunityView, opportunityView } from '../views/opportunity';
import { sparseApplication, sparseOpportunity } from '../views/sparse';
import { accountOf, apiActor, sendData, sendPage, shapeOf, type V1Deps } from './deps';

export function opportunityRoutes(deps: V1Deps): Router {
  const { need, events, options } = deps;
  const router = Router();
  const wire = (view: Record<string, unknown>) => (options.sparse ? sparseOpportunity(view) : view);
  const wireApplication = (view: ReturnType<typeof applicationView>) => (options.sparse ? sparseApplication(view) : view);

  router.get('/opportunities', need('opportunities:read:admin'), (req, res) => {
    const account = accountOf(req);
    const shape = shapeOf(req);
    const matching = [...account.opportunities.values()].filter(opportunityFilter(req, account));
    const page = paginate(req, matching, (o) => o.id);
    sendPage(res, { ...page, data: page.data.map((o) => wire(opportunityView(account, o, shape))) });
  });

  // registered before `/opportunities/:opportunityId`, so `deleted` is never taken for an id
  router.get('/opportunities/deleted', need('opportunities:read:admin'), (req, res) => {
    const [start, end] = queryRange(req, 'deleted_at');
    const deleted = [...accountOf(req).deletedOpportunities.values()].filter((d) => inRange(d.deletedAt, start, end));
    sendPage(res, paginate(req, deleted.map(deletedOpportunityView), (d) => d.id));
  });

  router.get('/opportunities/:opportunityId', need('opportunities:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendData(res, wire(opportunityView(account, account.opportunity(req.params.opportunityId), shapeOf(req))));
  });

  router.post('/opportunities', need('opportunities:write:admin'), (req, res) => {
    const actor = apiActor(req, deps, true);
    // Lever also takes multipart creates (with a resume); without parsing them a create would silently come out empty
    if (req.is('multipart/form-data')) throw badRequest('The sandbox simulates JSON creates only; send application/json');
    const input = parseInput(createOpportunityBody, req.body);
    const account = accountOf(req);
    const ownerFromPosting = queryBool(req, 'perform_as_posting_owner') ?? false;
    const { opportunity, deduped } = createOpportunity({ events, account, actor }, input, { ownerFromPosting });
    // live Lever adds a top-level `deduped:true` when the email matched a contact ([O], so not when sparse); `false` is [U]
    const flag = options.sparse ? {} : deduped ? { deduped: true } : options.quirks.dedupedFalseFlag ? { deduped: false } : {};
    sendData(res, wire(opportunityView(account, opportunity, shapeOf(req))), 201, flag);
  });

  router.get('/opportunities/:opportunityId/applications', need('applications:read:admin'), (req, res) => {
    const account = accountOf(req);
    const applications = applicationsOf(account, account.opportunity(req.params.opportunityId));
    sendPage(res, paginate(req, applications.map((a) => wireApplication(applicationView(account, a))), (a) => a.id as string));
  });

  router.get('/opportunities/:opportunityId/applications/:applicationId', need('applications:read:admin'), (req, res) => {
    const account = accountOf(req);
    const id = req.params.applicationId;
    const application = applicationsOf(account, account.opportunity(req.params.opportunityId)).find((a) => a.id === id);
    if (!application) throw notFound('applications', id);
    sendData(res, wireApplication(applicationView(account, application)));
  });

  return router;
}

/** Filters of `GET /opportunities` (§3.2); repeated parameters are a union, timestamps inclusive. */
function opportunityFilter(req: Request, account: AccountState): (o: Opportunity) => boolean {
  const emails = queryList(req, 'email').map((e) => e.trim().toLowerCase());
  const stageIds = queryList(req, 'stage_id');
  const postingIds = queryList(req, 'posting_id');
  const tags = queryList(req, 'tag');
  const sources = queryList(req, 'source');
  const origins = queryList(req, 'origin');
  const contactIds = queryList(req, 'contact_id');
  const reasonIds = queryList(req, 'archive_reason_id');
  const archived = queryBool(req, 'archived');
  const [updatedStart, updatedEnd] = queryRange(req, 'updated_at');
  const [createdStart, createdEnd] = queryRange(req, 'created_at');
  const [advancedStart, advancedEnd] = queryRange(req, 'advanced_at');
  const [archivedStart, archivedEnd] = queryRange(req, 'archived_at');
  const matches = <T>(wanted: T[], test: (w: T) => boolean) => wanted.length === 0 || wanted.some(test);
  return (o) => {
    const contact = account.contact(o.contactId);
    const postings = o.applicationIds.map((id) => account.applications.get(id)?.posting);
    return matches(emails, (e) => contact.emails.some((c) => c.toLowerCase() === e))
      && matches(stageIds, (s) => o.stage === s)
      && matches(postingIds, (p) => postings.includes(p))
      && matches(tags, (t) => o.tags.includes(t))
      && matches(sources, (s) => o.sources.includes(s))
      && matches(origins, (x) => o.origin === x)
      && matches(contactIds, (c) => o.contactId === c)
      && matches(reasonIds, (r) => o.archived?.reason === r)
      && (archived === undefined || (o.archived !== null) === archived)
      && inRange(o.updatedAt, updatedStart, updatedEnd)
      && inRange(o.createdAt, createdStart, createdEnd)
      && inRange(o.lastAdvancedAt, advancedStart, advancedEnd)
      && ((archivedStart === undefined && archivedEnd === undefined) || (o.archived !== null && inRange(o.archived.archivedAt, archivedStart, archivedEnd)));
  };
}
