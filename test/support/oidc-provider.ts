import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A real OpenID Connect provider (the `oidc-provider` package, which certified providers are built on) on
 * a loopback port, started by the test in a Node process of its own (oidc-provider-server.mjs), with its
 * development log-in page: any login name signs in, and the name is the account's e-mail. An address
 * starting with `unverified` has `email_verified: false`. The ID token carries `email` and
 * `email_verified`; consent is pre-granted (a first-party client), so a sign-in is the provider's log-in
 * page, then back to the service.
 */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The stack's config for it (OIDC_*). */
  config: Record<string, string>;
  /** Registers the service's redirect URI; call once the service's URL is known, before a sign-in. */
  register(redirectUri: string): Promise<void>;
  close(): Promise<void>;
}

export async function startOidcProvider(displayName = 'Test IdP'): Promise<TestOidcProvider> {
  const clientId = 'lever-codesignal-test';
  const clientSecret = 'a-test-client-secret-0123456789abcdef';
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', path.join(__dirname, 'oidc-provider-server.mjs'), clientId, clientSecret], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const exited = () => reject(new Error(`the OIDC provider exited: ${errors.join('')}`));
      child.once('exit', exited);
      lines.once('line', (line) => {
        child.off('exit', exited);
        resolve(line);
      });
    });
  const port = /^port (\d+)$/.exec(await nextLine())?.[1];
  if (!port) throw new Error(`the OIDC provider did not start: ${errors.join('')}`);
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    config: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_DISPLAY_NAME: displayName },
    async register(redirectUri) {
      child.stdin!.write(`${redirectUri}\n`);
      if ((await nextLine()) !== 'ready') throw new Error(`the OIDC provider did not take the client: ${errors.join('')}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
