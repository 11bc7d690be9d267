import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response, Router } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Logger } from '../log';
import { adminSessions, requireAdmin } from './admin/admin-auth';
import { idCheckedRouter } from './ids';

/** Where the API serves the Temporal Web UI; the UI must be started with this public path (`--ui-public-path`). */
export const temporalUiPath = '/temporal';

/** The admin session's cookie (admin-auth.ts): it is not the UI's business, so it is not forwarded. */
const sessionCookieName = 'lcs.sid';

const logInFirst = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in first</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto">
<h1>Log in first</h1>
<p>The Temporal Web UI is open to this service's admins: <a href="/admin/">log in to the set-up web UI</a>, then open this page again.</p>
</body></html>
`;

/**
 * The Temporal Web UI on the API's own origin, at /temporal, when TEMPORAL_UI_UPSTREAM names one
 * (`npm start` sets it to its dev server's UI, started with the public path /temporal). The UI then
 * calls the codec endpoint (/codec/decode) on the same origin and the browser sends the admin session
 * cookie with it, with no cross-origin credentials. The UI has no log-in of its own and can terminate
 * workflows, so only an admin gets it (session cookie or bearer token); anyone else gets a page that
 * says to log in first (401). Without TEMPORAL_UI_UPSTREAM this router is empty.
 */
export function temporalUiProxy(deps: { config: Config; db: Db; logger: Logger }): Router {
  // like every router of the app, though its paths carry no id parameter
  const router = idCheckedRouter();
  const upstream = deps.config.TEMPORAL_UI_UPSTREAM;
  if (!upstream) return router;
  const target = new URL(upstream).origin;

  const admin = requireAdmin(deps.config.ADMIN_TOKEN, { csrfCheck: false });
  // No check of our CSRF token: the UI sends its own in the same header (X-CSRF-TOKEN), and its server
  // checks that against its _csrf cookie (SameSite=Strict) on every call that changes anything.
  const adminOnly: RequestHandler = (req, res, next) =>
    admin(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') return void res.status(401).type('html').send(logInFirst);
      next(err);
    });

  const proxy = createProxyMiddleware<Request, Response>({
    target,
    // Express strips the mount path; the UI serves every page and API call under it.
    pathRewrite: (path) => `${temporalUiPath}${path}`,
    // The browser's Host is kept, so the UI's own redirects stay on the API's origin.
    changeOrigin: false,
    on: {
      // What proved this request an admin's stays here: the UI forwards an Authorization header to Temporal.
      proxyReq: (proxyReq: ClientRequest) => {
        proxyReq.removeHeader('authorization');
        const cookies = proxyReq.getHeader('cookie');
        if (typeof cookies !== 'string') return;
        const kept = cookies.split(/;\s*/).filter((c) => c !== '' && !c.startsWith(`${sessionCookieName}=`));
        if (kept.length > 0) proxyReq.setHeader('cookie', kept.join('; '));
        else proxyReq.removeHeader('cookie');
      },
      // http-proxy-middleware answers the request itself (502/504); the log names the upstream.
      error: (err: Error, req: IncomingMessage) => deps.logger.warn({ err: err.message, url: req.url, upstream: target }, 'temporal web ui did not answer'),
    },
  });

  router.use(temporalUiPath, adminSessions(deps), adminOnly, proxy);
  return router;
}
