import { Router } from 'express';
import { paginate } from '../pagination';
import { queryList } from '../query';
import { postingView } from '../views/directory';
import { accountOf, sendData, sendPage, type V1Deps } from './deps';

export function postingRoutes({ need }: V1Deps): Router {
  const router = Router();

  router.get('/postings', need('postings:read:admin'), (req, res) => {
    const states = queryList(req, 'state');
    const teams = queryList(req, 'team');
    const postings = [...accountOf(req).postings.values()].filter((p) =>
      (states.length === 0 || states.includes(p.state))
      && (teams.length === 0 || (p.categories.team !== null && teams.includes(p.categories.team))));
    sendPage(res, paginate(req, postings.map(postingView), (p) => p.id));
  });

  router.get('/postings/:postingId', need('postings:read:admin'), (req, res) => {
    sendData(res, postingView(accountOf(req).posting(req.params.postingId)));
  });

  return router;
}
