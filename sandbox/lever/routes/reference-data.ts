import { Router } from 'express';
import { badRequest } from '../errors';
import type { Opportunity } from '../model';
import { paginate } from '../pagination';
import { queryString } from '../query';
import type { AccountState } from '../state';
import { archiveReasonView, countedView, stageView } from '../views/directory';
import { accountOf, sendData, sendPage, type V1Deps } from './deps';

/** Stages, tags, sources and archive reasons: small lists that still answer `hasNext:false`. */
export function referenceDataRoutes({ need, options }: V1Deps): Router {
  const router = Router();
  const small = options.sparse;

  router.get('/stages', need('stages:read:admin'), (req, res) => {
    sendPage(res, paginate(req, accountOf(req).stages.map(stageView), (s) => s.id), small);
  });

  router.get('/stages/:stageId', need('stages:read:admin'), (req, res) => {
    sendData(res, stageView(accountOf(req).stage(req.params.stageId)));
  });

  router.get('/tags', need('tags:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendPage(res, paginate(req, countedView(account.knownTags, counts(account, (o) => o.tags)), (t) => t.text), small);
  });

  router.get('/sources', need('sources:read:admin'), (req, res) => {
    const account = accountOf(req);
    sendPage(res, paginate(req, countedView(account.knownSources, counts(account, (o) => o.sources)), (s) => s.text), small);
  });

  router.get('/archive_reasons', need('archive_reasons:read:admin'), (req, res) => {
    const type = queryString(req, 'type');
    if (type !== undefined && type !== 'hired' && type !== 'non-hired') throw badRequest('type must be hired or non-hired');
    const reasons = [...accountOf(req).archiveReasons.values()].filter((r) => type === undefined || r.type === type);
    sendPage(res, paginate(req, reasons.map(archiveReasonView), (r) => r.id), small);
  });

  router.get('/archive_reasons/:reasonId', need('archive_reasons:read:admin'), (req, res) => {
    sendData(res, archiveReasonView(accountOf(req).archiveReason(req.params.reasonId)));
  });

  return router;
}

function counts(account: AccountState, valuesOf: (opp: Opportunity) => string[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const opp of account.opportunities.values()) for (const v of valuesOf(opp)) result.set(v, (result.get(v) ?? 0) + 1);
  return result;
}
