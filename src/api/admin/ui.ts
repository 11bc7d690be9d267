import path from 'node:path';
import express, { type Router } from 'express';
import helmet from 'helmet';
import { idCheckedRouter } from '../ids';

/** The set-up and operations web UI: static files (ui-static/, copied to dist by the build) over the admin API. */
export function adminUiRoutes(): Router {
  const router = idCheckedRouter();
  const dir = path.join(__dirname, 'ui-static');
  router.use(
    '/admin',
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  router.get('/', (_req, res) => res.redirect('/admin/'));
  // Browsers ask for it on every page of the host (the admin UI, the selection link's page).
  router.get('/favicon.ico', (_req, res) => res.sendFile(path.join(dir, 'favicon.ico'), { headers: { 'Cache-Control': 'public, max-age=86400' } }));
  // Matches /admin and /admin/ (routing is not strict); asset URLs are absolute.
  router.get('/admin', (_req, res) => res.sendFile(path.join(dir, 'index.html'), { headers: { 'Cache-Control': 'no-store' } }));
  router.use('/admin/assets', express.static(dir, { index: false, maxAge: 0 }));
  return router;
}
