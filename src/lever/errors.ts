import { ExternalApiError, isRetryableStatus, parseRetryAfter, redactSecrets } from '../external-api-error';
import { errorBodySchema } from './schemas';

/**
 * A non-2xx Lever answer as an ExternalApiError: Lever's `{code, message}` when the body has it,
 * `Retry-After` when sent (Lever does not document one; honour it if present).
 */
export async function leverHttpError(call: string, res: Response, secrets: readonly string[]): Promise<ExternalApiError> {
  // a body that cannot be read still leaves the status to classify by
  const text = await res.text().catch(() => '');
  const body = errorBodySchema.safeParse(parseJson(text));
  const code = body.success ? body.data.code : res.status === 429 ? 'RateLimited' : 'HttpError';
  const apiMessage = body.success && body.data.message ? `: ${body.data.message}` : '';
  const message = redactSecrets(`Lever ${call} failed: ${res.status} ${code}${apiMessage}`, secrets);
  return new ExternalApiError(message, {
    service: 'lever',
    status: res.status,
    code,
    retryable: isRetryableStatus(res.status),
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
