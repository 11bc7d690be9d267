import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireExternal } from '../config';
import { secretBoxFrom } from '../crypto/secret-box';
import { sealStoredSecrets } from '../db/integrations';
import { ensureAdmin } from '../db/admin-users';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger } from '../log';
import { registerSearchAttributes } from '../temporal/connection';
import { dataConverterFor } from '../temporal/payload-codec';
import { createApp, type ApiDeps } from './app';
import { pruneDeliveriesHourly } from './delivery-log';

/** Listens and resolves once the port is bound; close() stops taking connections and waits for open ones. */
export async function listen(deps: ApiDeps, port: number, host: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const stopPruning = pruneDeliveriesHourly(deps.db, deps.config.WEBHOOK_LOG_RETENTION_DAYS, deps.logger);
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        stopPruning();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Production entry: the API alone, against an external Temporal and PostgreSQL. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireExternal(config, 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'ADMIN_TOKEN', 'LINK_SIGNING_SECRET', 'ENCRYPTION_KEY');
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = createPool(config.DATABASE_URL!, logger);
  await migrate(config.DATABASE_URL!, logger);
  await sealStoredSecrets(db, secretBoxFrom(config), logger);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config) });
  await registerSearchAttributes(temporal, logger);
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await ensureAdmin(db, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
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
