import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';

/** Paths that may carry secrets; pino replaces them before anything is written. */
const redact = [
  'apiKey', '*.apiKey', '*.*.apiKey', 'token', '*.token', 'signature', '*.signature',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'webhookSecret', '*.webhookSecret', '*.*.webhookSecret', 'webhookSigningTokens', '*.webhookSigningTokens', '*.*.webhookSigningTokens',
  'password', '*.password', 'DATABASE_URL', 'databaseUrl',
  'ENCRYPTION_KEY', '*.ENCRYPTION_KEY', 'ENCRYPTION_KEYS_PREVIOUS', '*.ENCRYPTION_KEYS_PREVIOUS',
  // an Integration in memory holds its secrets in plain text
  ...['leverApiKey', 'leverWebhookSigningTokens', 'codesignalApiKey', 'codesignalWebhookSecret'].flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

export type Logger = pino.Logger;

/** A line written while a span is active carries its trace (docs/observability.md "Traces"); with tracing off there is none. */
function traceIds(): Record<string, string> {
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** `destination` is for tests that read what was logged; stdout otherwise. */
export function createLogger(level: string, name = 'lever-codesignal', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: redact, censor: '[redacted]' }, mixin: traceIds }, destination);
}
