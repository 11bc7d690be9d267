import { z } from 'zod';
import { badRequest } from './errors';

/** Parses a request body (or any input) or answers 400 with zod's readable message. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw badRequest(z.prettifyError(result.error));
  return result.data;
}
