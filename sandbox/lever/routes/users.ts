import { Router } from 'express';
import { paginate } from '../pagination';
import { queryBool, queryList, queryString } from '../query';
import { userView } from '../views/directory';
import { accountOf, sendData, sendPage, type V1Deps } from './deps';

export function userRoutes({ need, options }: V1Deps): Router {
  const router = Router();

  router.get('/users', need('users:read:admin'), (req, res) => {
    const email = queryString(req, 'email')?.trim().toLowerCase();
    const roles = queryList(req, 'accessRole');
    const includeDeactivated = queryBool(req, 'includeDeactivated') ?? false;
    const users = [...accountOf(req).users.values()].filter((u) =>
      (includeDeactivated || u.deactivatedAt === null)
      && (email === undefined || u.email.toLowerCase() === email)
      && (roles.length === 0 || roles.includes(u.accessRole)));
    sendPage(res, paginate(req, users.map(userView), (u) => u.id), options.sparse);
  });

  router.get('/users/:userId', need('users:read:admin'), (req, res) => {
    sendData(res, userView(accountOf(req).user(req.params.userId)));
  });

  return router;
}
