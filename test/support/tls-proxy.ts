import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/**
 * A TLS-terminating proxy in front of the run's Temporal dev server (which has no TLS flag): it negotiates
 * ALPN h2, as gRPC clients require, and passes the decrypted bytes through to the plain port unchanged.
 * Not stunnel: Debian 12's stunnel 5.68 has no ALPN support at all (no such option, not a string in its binary),
 * and the worker's connection (Core, tonic) refuses TLS without it: `ConnectError(H2NotNegotiated)` (grpc-js would not mind).
 */
export interface TestCertificates {
  dir: string;
  /** The self-signed CA that signed the server and the client certificate. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The name the server certificate is for (not the address the proxy listens on). */
  serverName: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('/usr/bin/openssl', args, { cwd, stdio: 'pipe' });

/** A CA, a server certificate for `serverName` (and 127.0.0.1) and a client certificate, made with openssl into `dir`. */
export function makeTestCertificates(dir: string, serverName = 'temporal.test'): TestCertificates {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=lcs test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2',
      '-extfile', `${name}.ext`], dir);
  };
  sign('server', `/CN=${serverName}`, `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${serverName},IP:127.0.0.1\n`);
  sign('client', '/CN=lcs-worker', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    serverName,
  };
}

export interface TlsProxy {
  address: string;
  /** TLS handshakes that failed (e.g. a client that did not trust the CA), with the reason. */
  handshakeErrors: string[];
  close(): Promise<void>;
}

/** Listens on a free loopback port with TLS (ALPN h2); `requireClientCert` makes it mTLS against the same CA. */
export async function startTlsProxy(upstream: string, certs: TestCertificates, opts: { requireClientCert?: boolean } = {}): Promise<TlsProxy> {
  const [host, port] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const handshakeErrors: string[] = [];
  const server = createTlsServer(
    {
      cert: readFileSync(certs.serverCert),
      key: readFileSync(certs.serverKey),
      ALPNProtocols: ['h2'],
      ...(opts.requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: readFileSync(certs.caCert) } : {}),
    },
    (client) => {
      const target = tcpConnect({ host: host.replace(/^\[|\]$/g, ''), port });
      for (const s of [client, target]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.once('close', () => {
          sockets.delete(s);
          client.destroy();
          target.destroy();
        });
      }
      client.pipe(target).pipe(client);
    },
  );
  server.on('tlsClientError', (err) => handshakeErrors.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    handshakeErrors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
