import type { Router } from 'express';
import type { Client } from '@temporalio/client';
import { databaseIsReady, type Db } from '../db/pool';
import { temporalIsReady } from '../temporal/connection';
import { idCheckedRouter } from './ids';

/** /healthz: the process answers. /readyz: PostgreSQL and Temporal answer too. */
export function healthRoutes(deps: { db: Db; temporal: Client; timeoutMs: number }): Router {
  const router = idCheckedRouter();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([databaseIsReady(deps.db), temporalIsReady(deps.temporal, deps.timeoutMs)]);
    const ready = postgres && temporal;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', postgres, temporal });
  });
  return router;
}
