import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Ports for tests. A port found free and then let go can be taken by any other process (another test
 * run, an outgoing connection's source port) before the code meant to use it listens, so:
 * - a server in this process listens on port 0 and says which port it got; where its URL must be known
 *   before it serves, `listeningSocket()` binds it first and the server is then handed the listening socket;
 * - "a port nothing listens on" is `closedPort()`, held (not listened on) until released;
 * - only a child process, which must be told its ports up front, gets ports that were free a moment ago,
 *   through `onFreePorts()`, which starts it again on new ones when one was taken in between.
 */

const host = '127.0.0.1';

const listening = (server: Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });

const closing = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A socket listening on 127.0.0.1 on a port of its own, to hand to a server (`http.Server#listen(handle)`). */
export async function listeningSocket(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return { server, port: await listening(server) };
}

/**
 * A port on 127.0.0.1 that refuses connections (ECONNREFUSED) and that no process can start listening on
 * until `release()`: it is the local end of a connection this process keeps open, and a port in use by a
 * connection cannot be bound by another socket.
 */
export async function closedPort(): Promise<{ port: number; release(): Promise<void> }> {
  const peer = createServer();
  const peerPort = await listening(peer);
  const [accepted, holder] = await Promise.all([
    new Promise<Socket>((resolve) => peer.once('connection', resolve)),
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(peerPort, host, () => resolve(socket)).once('error', reject);
    }),
  ]);
  for (const end of [accepted, holder]) end.on('error', () => undefined);
  const closed = new Promise((resolve) => holder.once('close', resolve));
  return {
    port: holder.localPort!,
    release: async () => {
      // the peer's end closes first, so the port left in TIME_WAIT is the peer's, not the one handed out
      accepted.destroy();
      await closed;
      await closing(peer);
    },
  };
}

/**
 * `count` distinct ports that were free a moment ago (bound together, then let go), for child processes
 * only. Drawn below the ephemeral range (Linux 32768–60999, other systems higher), from which outgoing
 * connections take their source ports: there only another listener can take one in between.
 */
async function freePorts(count: number): Promise<number[]> {
  const bound: Server[] = [];
  try {
    while (bound.length < count) {
      const server = createServer();
      await listening(server, 15_000 + Math.floor(Math.random() * 17_000)).then(
        () => bound.push(server),
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRINUSE') throw err;
        },
      );
    }
    return bound.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(bound.map(closing));
  }
}

/** Whether some socket holds the port on 127.0.0.1, so a server cannot listen there. */
export async function portTaken(port: number): Promise<boolean> {
  const probe = createServer();
  try {
    await listening(probe, port);
    await closing(probe);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
    throw err;
  }
}

/**
 * Starts what must be told its ports before it listens (a child process: PostgreSQL, Temporal, `npm start`)
 * on `count` ports that were free a moment ago. No process can hold a port for another one, so when the
 * start fails and one of its ports is taken by now (by someone else: what failed has let go of its own),
 * it starts again on new ports, `attempts` times in all; any other failure is thrown at once.
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(count);
    try {
      return await start(ports);
    } catch (err) {
      const taken = [];
      for (const port of ports) if (await portTaken(port)) taken.push(port);
      if (taken.length === 0 || attempt >= attempts) throw err;
      console.warn(`port ${taken.join(', ')} was taken before it could be used; starting again on other ports`);
    }
  }
}
