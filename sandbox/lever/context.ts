import type { Request } from 'express';
import { LeverError } from './errors';
import type { ApiKey, FaultKind } from './model';
import type { AccountState } from './state';

/** What the /v1 pipeline learns about one request, for handlers and the request log. */
export interface RequestTrace {
  startedAt: number;
  account?: AccountState;
  apiKey?: ApiKey;
  rateLimited: boolean;
  faults: FaultKind[];
}

const traces = new WeakMap<Request, RequestTrace>();

export function beginTrace(req: Request): RequestTrace {
  const trace: RequestTrace = { startedAt: Date.now(), rateLimited: false, faults: [] };
  traces.set(req, trace);
  return trace;
}

export function traceOf(req: Request): RequestTrace {
  const trace = traces.get(req);
  if (!trace) throw new LeverError(500, 'InternalServer', 'request was not traced');
  return trace;
}

export interface Authed { account: AccountState; apiKey: ApiKey; trace: RequestTrace }

/** The authenticated account of a /v1 request (set by `authenticate`). */
export function authed(req: Request): Authed {
  const trace = traceOf(req);
  if (!trace.account || !trace.apiKey) throw new LeverError(500, 'InternalServer', 'request was not authenticated');
  return { account: trace.account, apiKey: trace.apiKey, trace };
}
