import { Router } from 'express';
import { paginate } from '../pagination';
import { queryList } from '../query';
import { postingView } from '../views/directory';
import { sparsePosting } from '../views/sparse';
import { accountOf, sendData, sendPage, type V1Deps } from './deps';

export function postingRoutes({ need, options }: V1Deps): Router {
  const router = Router();
  const wire = (view: ReturnType<typeof postingView>) => (options.sparse ? sparsePosting(view) : view);

  router.get('/postings', need('postings:read:admin'), (req, res) => {
    const states = queryList(req, 'state');
    const teams = queryList(req, 'team');
    const postings = [...accountOf(req).postings.values()].filter((p) =>
      (states.length === 0 || states.includes(p.state))
      && (teams.length === 0 || (p.categories.team !== null && teams.includes(p.categories.team))));
    sendPage(res, paginate(req, postings.map((p) => wire(postingView(p))), (p) => p.id as string));
  });

  router.get('/postings/:postingId', need('postings:read:admin'), (req, res) => {
    sendData(res, wire(postingView(accountOf(req).posting(req.params.postingId))));
  });

  return router;
}
