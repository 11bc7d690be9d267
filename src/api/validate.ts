import { z } from 'zod';
import { HttpError } from './errors';

interface Issue {
  path: string;
  message: string;
}

const pathOf = (path: ReadonlyArray<PropertyKey>) => path.map(String).join('.');

/**
 * zod's issues as `{path, message}`; a field the schema does not know (strict objects) is one issue
 * per field, `unknown field lever.webhookSigningToken`, so a misspelt name is never dropped silently.
 */
function describe(error: z.ZodError, whole: string): { issues: Issue[]; message: string } {
  const named = error.issues.flatMap((i): Array<Issue & { text: string }> =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => {
          const path = pathOf([...i.path, key]);
          return { path, message: 'unknown field', text: `unknown field ${path}` };
        })
      : [{ path: pathOf(i.path) || whole, message: i.message, text: `${pathOf(i.path) || whole}: ${i.message}` }],
  );
  return { issues: named.map(({ path, message }) => ({ path, message })), message: named.map((i) => i.text).join('; ') };
}

/** Parses a request body with zod; the 400 names every field that is wrong or unknown. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object (Content-Type: application/json)');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { issues, message } = describe(parsed.error, '(body)');
  throw new HttpError(400, 'invalid_body', message, { issues });
}

/** Like parseBody, for query strings: the 400 names every parameter that is wrong. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const { issues, message } = describe(parsed.error, '');
  throw new HttpError(400, 'invalid_query', message, { issues });
}

/**
 * A secret that goes into an HTTP header (the Lever and CodeSignal API keys): printable ASCII only,
 * refused at input naming the field. Anything else (the README's `"…"` placeholder, a pasted line
 * break) would be saved and then make every call fail before it leaves the process (fetch refuses
 * the header: "network error (TypeError)").
 */
export const headerSecret = z.string().min(1).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
