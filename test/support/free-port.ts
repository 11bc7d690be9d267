import { createServer } from 'node:net';

/** A port that was free a moment ago; for servers whose URL must be known before they listen. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
