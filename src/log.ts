import pino from 'pino';

/** Paths that may carry secrets; pino replaces them before anything is written. */
const redact = [
  'apiKey', '*.apiKey', '*.*.apiKey', 'token', '*.token', 'signature', '*.signature',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'webhookSecret', '*.webhookSecret', '*.*.webhookSecret', 'webhookSigningTokens', '*.webhookSigningTokens', '*.*.webhookSigningTokens',
  'password', '*.password', 'DATABASE_URL', 'databaseUrl',
];

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'lever-codesignal'): Logger {
  return pino({ name, level, redact: { paths: redact, censor: '[redacted]' } });
}
