import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_SCHEME } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { tracingEnabled } from './tracing';

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Liveness and readiness probes, every few seconds from the orchestrator: no trace each. */
const probes = new Set(['/healthz', '/readyz']);

/**
 * The API's server spans, as the first middleware of the app: a request that carries a W3C `traceparent`
 * continues that trace, any other one (Lever's and CodeSignal's webhooks) starts one. Everything the
 * request then does — the Temporal call, fetches, log lines — runs in the span's context (the request
 * and response emitters are bound to it, so body parsing keeps it).
 *
 * Recorded: the method, the route as declared (`/webhooks/lever/:integrationId`, never the path as sent:
 * no ids, no query string with a link's signature), the scheme and the status. Not recorded: headers,
 * bodies, the client's address or user agent. A request no route matched is named by its method only.
 * The health probes (/healthz, /readyz) are not traced.
 *
 * A middleware rather than @opentelemetry/instrumentation-http: that one patches node:http when the
 * module is first loaded (so it must be registered before anything imports it, with a preload flag in
 * every entry), traces every server and client of the process (the sandboxes and the Temporal UI proxy
 * in `npm start`) and records the raw URL.
 */
export function httpServerSpans(): RequestHandler {
  return (req, res, next) => {
    if (!tracingEnabled() || probes.has(req.path)) {
      next();
      return;
    }
    const method = knownMethods.has(req.method) ? req.method : '_OTHER';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = trace
      .getTracer('lever-codesignal-api')
      .startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: req.protocol } }, parent);
    const ctx = trace.setSpan(parent, span);
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once('close', () => {
      // Express keeps the route that handled the request on req.route; its path is the router's declaration
      const route: unknown = (req as { route?: { path?: unknown } }).route?.path;
      if (typeof route === 'string') {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${method} ${route}`);
      }
      if (res.writableFinished) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      } else {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the answer was sent' });
      }
      span.end();
    });
    context.with(ctx, next);
  };
}
