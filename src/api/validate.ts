import type { z } from 'zod';
import { HttpError } from './errors';

/** Parses a request body with zod; the 400 names every field that is wrong. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object (Content-Type: application/json)');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new HttpError(400, 'invalid_body', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
}

/** Like parseBody, for query strings: the 400 names every parameter that is wrong. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new HttpError(400, 'invalid_query', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
}
