import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireExternal } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger } from '../log';
import { registerSearchAttributes } from '../temporal/connection';
import { createApp, type ApiDeps } from './app';

/** Listens and resolves once the port is bound; close() stops taking connections and waits for open ones. */
export async function listen(deps: ApiDeps, port: number, host: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Production entry: the API alone, against an external Temporal and PostgreSQL. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireExternal(config, 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET');
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = createPool(config.DATABASE_URL!, logger);
  await migrate(config.DATABASE_URL!, logger);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await registerSearchAttributes(temporal, logger);
  const api = await listen({ config, db, temporal, logger }, config.PORT, config.HOST);
  logger.info({ url: config.publicUrl }, 'api listening');

  const stop = async () => {
    logger.info('shutting down');
    await api.close();
    await connection.close();
    await db.end();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
