import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pushCapped } from '../shared/capped-log';
import { beginTrace } from './context';
import { REQUEST_LOG_CAP } from './defaults';
import { newId } from './ids';
import type { RequestLogEntry } from './model';
import type { LeverStore } from './state';

/** First /v1 middleware: starts the trace and records the outcome once the connection is done with it. */
export function logRequests(store: LeverStore, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const trace = beginTrace(req);
    res.once('close', () => {
      const entry: RequestLogEntry = {
        id: newId(),
        at: trace.startedAt,
        accountId: trace.account?.id ?? null,
        keyName: trace.apiKey?.name ?? null,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        query: req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '',
        status: res.statusCode,
        performAs: performAsOf(req),
        durationMs: Date.now() - trace.startedAt,
        rateLimited: trace.rateLimited,
        faults: trace.faults,
      };
      pushCapped(trace.account?.requests ?? store.unattributedRequests, entry, REQUEST_LOG_CAP);
      logger.debug({ method: entry.method, path: entry.path, status: entry.status, faults: entry.faults }, 'lever sandbox request');
    });
    next();
  };
}

function performAsOf(req: Request): string | null {
  const value = req.query.perform_as;
  return typeof value === 'string' ? value : null;
}
