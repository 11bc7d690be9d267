import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An error answered as Lever does: `{code, message}` with an HTTP status. Codes follow restify's names. */
export class LeverError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'LeverError';
  }
}

export const badRequest = (message: string): LeverError => new LeverError(400, 'BadRequest', message);
export const unauthorized = (message: string): LeverError => new LeverError(401, 'Unauthorized', message);
export const forbidden = (message: string): LeverError => new LeverError(403, 'Forbidden', message);
export const notFound = (collection: string, id: string): LeverError =>
  new LeverError(404, 'ResourceNotFound', `${collection} ${id} was not found`);
export const tooManyRequests = (retryAfterSeconds: number | null): LeverError =>
  new LeverError(429, 'TooManyRequests', 'Rate limit exceeded, retry with exponential backoff',
    retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) });

/** Last middleware of a router: anything unmatched is an unknown route. */
export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new LeverError(404, 'ResourceNotFound', `${req.method} ${req.originalUrl.split('?')[0]} does not exist`));
};

interface HttpishError { status?: number; statusCode?: number; type?: string; message?: string }

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const error = toLeverError(err);
    if (error.status >= 500) logger.error({ err }, 'sandbox handler failed');
    if (res.headersSent) return;
    res.set(error.headers);
    res.status(error.status).json({ code: error.code, message: error.message });
  };
}

function toLeverError(err: unknown): LeverError {
  if (err instanceof LeverError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
  // body-parser errors carry a type and a 4xx status
  if (e.type === 'entity.parse.failed') return badRequest(`Invalid JSON body: ${e.message ?? ''}`.trim());
  if (e.type === 'entity.too.large') return new LeverError(413, 'PayloadTooLarge', 'Request body too large');
  const status = e.status ?? e.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new LeverError(status, 'BadRequest', e.message ?? 'Bad request');
  return new LeverError(500, 'InternalServer', 'Internal server error');
}
