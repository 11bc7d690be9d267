import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../log';

/** An error with the HTTP status and stable code the client sees; the message names the problem. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Headers sent with the answer, e.g. Retry-After on a 503. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

/** Every request gets an id, sent back as X-Request-Id and named in the log lines and 500 answers about it. */
export const assignRequestId: RequestHandler = (_req, res, next) => {
  const id = randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

const requestIdOf = (res: Response): string => (typeof res.locals.requestId === 'string' ? res.locals.requestId : randomUUID());

/** What body-parser / raw-body report by `type`, as the answers the API promises. */
const bodyParserErrors: Record<string, [status: number, code: string, message: string]> = {
  'entity.too.large': [413, 'body_too_large', 'request body exceeds the size limit'],
  'entity.parse.failed': [400, 'malformed_json', 'request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'unsupported body encoding'],
  'charset.unsupported': [415, 'unsupported_encoding', 'unsupported body encoding'],
  'request.aborted': [400, 'request_aborted', 'the client closed the connection before the request body was complete'],
  'request.size.invalid': [400, 'body_length_mismatch', 'request body length does not match its Content-Length'],
  'parameters.too.many': [413, 'too_many_parameters', 'request body has too many parameters'],
  'entity.verify.failed': [403, 'body_verification_failed', 'request body failed verification'],
};

const statusOf = (err: { status?: unknown; statusCode?: unknown }): number | undefined => {
  const status = err.status ?? err.statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
};

/** `Request Header Fields Too Large` → `request_header_fields_too_large`. */
const codeForStatus = (status: number): string =>
  (STATUS_CODES[status] ?? `http ${status}`).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/**
 * Errors the client caused that Express and its body parsers raise with their own 4xx status
 * (http-errors' `status`/`statusCode`): malformed percent-encoding in a path parameter, a body that is
 * not what its Content-Encoding says, an aborted or short body, … Answered as HttpErrors; the message
 * is ours, never a parser's text that may quote the body.
 */
export function clientErrorOf(err: unknown, req: Request): HttpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; code?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const known = typeof e.type === 'string' ? bodyParserErrors[e.type] : undefined;
  if (known) return new HttpError(...known);
  const status = statusOf(e);
  if (status === undefined || status < 400 || status > 499) return undefined;
  // the router's decodeURIComponent of a path parameter
  if (err instanceof URIError) return new HttpError(400, 'malformed_url', 'the URL path contains malformed percent-encoding');
  // zlib, when the body is not the gzip/deflate/br data its Content-Encoding declares
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
    const named = ['gzip', 'deflate', 'br', 'zstd'].includes(encoding) ? ` (${encoding})` : '';
    return new HttpError(400, 'malformed_body_encoding', `request body is not encoded as its Content-Encoding header declares${named}`);
  }
  const text = STATUS_CODES[status] ?? `HTTP ${status}`;
  return new HttpError(status, codeForStatus(status), e.expose === true && typeof e.message === 'string' && e.message.length <= 200 ? e.message : text);
}

/**
 * Log lines about client errors, at info level and at most `perWindow` per key (route and error code)
 * in each window; what was held back is summed up in one "suppressed k similar" line when the window
 * ends. Anyone can cause client errors, so a flood of them must not become a flood of log lines.
 */
export function clientErrorLog(logger: Logger, opts: { perWindow?: number; windowMs?: number } = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const budget = new RateLimiterMemory({ points: opts.perWindow ?? 10, duration: windowMs / 1000 });
  const suppressed = new Map<string, { count: number; fields: Record<string, unknown> }>();
  return (key: string, fields: Record<string, unknown>, message: string): void => {
    budget.consume(key).then(
      () => logger.info(fields, message),
      (res: unknown) => {
        if (!(res instanceof RateLimiterRes)) return;
        const held = suppressed.get(key);
        if (held) {
          held.count += 1;
          return;
        }
        const { requestId: _requestId, path: _path, ip: _ip, ...similar } = fields;
        suppressed.set(key, { count: 1, fields: similar });
        setTimeout(() => {
          const summary = suppressed.get(key);
          suppressed.delete(key);
          if (summary) logger.info({ ...summary.fields, suppressed: summary.count }, `suppressed ${summary.count} similar: ${message}`);
        }, Math.max(res.msBeforeNext, 1)).unref();
      },
    );
  };
}

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The matched route's pattern (`/api/integrations/:integrationId`; never the raw path, which the client chooses); undefined before a route matched. */
export function matchedRoute(req: Request): string | undefined {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : undefined;
}

/** The matched route's pattern, for grouping log lines. */
const routeOf = (req: Request): string => matchedRoute(req) ?? '(before a route matched)';

/** The client is gone (aborted, or the server already answered on the socket, e.g. with a 408): nobody to answer. */
const clientGone = (req: Request) => !req.socket || req.socket.destroyed || req.socket.writableEnded;

export function errorHandler(logger: Logger): ErrorRequestHandler {
  const logClientError = clientErrorLog(logger);
  return (err, req, res, _next) => {
    const requestId = requestIdOf(res);
    const method = knownMethods.has(req.method) ? req.method : 'OTHER';
    const route = routeOf(req);
    const known = err instanceof HttpError ? err : clientErrorOf(err, req);
    if (known && known.status < 500) {
      logClientError(
        `${method} ${route} ${known.code}`,
        { requestId, method, route, path: req.path.slice(0, 200), status: known.status, code: known.code, ip: req.ip },
        known.message,
      );
      if (clientGone(req)) return;
      if (res.headersSent) {
        req.socket.destroy();
        return;
      }
      if (known.headers) res.set(known.headers);
      res.status(known.status).json({ error: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) });
      return;
    }
    if (known) {
      logger.warn({ requestId, method, route, status: known.status, code: known.code }, known.message);
    } else {
      logger.error({ err, requestId, method, route, path: req.path.slice(0, 200) }, 'unhandled error');
    }
    if (clientGone(req)) return;
    if (res.headersSent) {
      // the answer is half written: cutting the connection is the only honest signal left
      req.socket.destroy();
      return;
    }
    if (known) {
      if (known.headers) res.set(known.headers);
      res.status(known.status).json({ error: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) });
      return;
    }
    res.status(500).json({ error: 'internal', message: `internal error (request id ${requestId})`, requestId });
  };
}
