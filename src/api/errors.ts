import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log';

/** An error with the HTTP status and stable code the client sees; the message names the problem. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

/** Body-parser failures carry a `type`; map them to the answers the API promises. */
function fromBodyParser(err: unknown): HttpError | undefined {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') return new HttpError(413, 'body_too_large', 'request body exceeds the size limit');
  if (type === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new HttpError(415, 'unsupported_encoding', 'unsupported body encoding');
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof HttpError ? err : fromBodyParser(err);
    if (known) {
      if (known.status >= 500) logger.warn({ path: req.path, code: known.code }, known.message);
      res.status(known.status).json({ error: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) });
      return;
    }
    logger.error({ err, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal', message: 'internal error' });
  };
}
