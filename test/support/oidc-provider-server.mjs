// A real OpenID Connect provider (oidc-provider) for the tests, in a process of its own (test/support/oidc-provider.ts
// starts it): oidc-provider is ESM and checks values with its own realm's constructors, which Jest's sandbox is not.
// Listens on a loopback port and prints `port <n>`; then reads the client's redirect URI as one line of stdin,
// makes the provider and prints `ready`.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import Provider from 'oidc-provider';

const [clientId, clientSecret] = process.argv.slice(2);
let handler;
const server = createServer((req, res) => {
  if (handler) return handler(req, res);
  res.statusCode = 503;
  res.end('not ready');
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));

createInterface({ input: process.stdin }).once('line', (redirectUri) => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri.trim()], response_types: ['code'], grant_types: ['authorization_code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // the ID token carries the e-mail, as Google's, Okta's and Entra ID's do
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // the development log-in page: any name signs in; the name is the e-mail, verified unless it starts with "unverified"
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: sub, email_verified: !sub.startsWith('unverified') }) }),
    // a first-party client: consent is given, so the log-in page is the only interaction
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (_ctx, err) => console.error(`provider error: ${err.stack}`));
  handler = provider.callback();
  console.log('ready');
});
