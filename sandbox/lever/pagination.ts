import type { Request } from 'express';
import { badRequest } from './errors';
import { queryString } from './query';

export interface Page<T> { data: T[]; hasNext: boolean; next?: string }

const MAX_LIMIT = 100;

/**
 * Slices a list by `limit`/`offset`. Tokens are minted like live Lever's: a percent-encoded JSON array
 * `[nextIndex, mintedAt, lastKey]`; resuming after `lastKey` keeps pages stable when items are added.
 */
export function paginate<T>(req: Request, items: readonly T[], keyOf: (item: T) => string): Page<T> {
  const limit = parseLimit(queryString(req, 'limit'));
  const offset = queryString(req, 'offset');
  const start = offset === undefined ? 0 : resumeIndex(offset, items, keyOf);
  const data = items.slice(start, start + limit);
  const end = start + data.length;
  if (end >= items.length || data.length === 0) return { data, hasNext: false };
  const token = JSON.stringify([end, Date.now(), keyOf(data[data.length - 1])]);
  return { data, hasNext: true, next: encodeURIComponent(token) };
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return MAX_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit must be an integer between 1 and ${MAX_LIMIT}`);
  return limit;
}

/** Accepts the token raw (still percent-encoded) or already decoded once by the query parser. */
function resumeIndex<T>(offset: string, items: readonly T[], keyOf: (item: T) => string): number {
  const decoded = decodeOffset(offset);
  const [index, , lastKey] = decoded;
  const after = items.findIndex((item) => keyOf(item) === lastKey);
  return after >= 0 ? after + 1 : index;
}

function decodeOffset(offset: string): [number, number, string] {
  try {
    const text = offset.startsWith('%') ? decodeURIComponent(offset) : offset;
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.length === 3 && Number.isInteger(value[0]) && value[0] >= 0
      && typeof value[1] === 'number' && typeof value[2] === 'string') {
      return [value[0], value[1], value[2]];
    }
  } catch {
    // fall through: any unparsable token is the client's mistake
  }
  throw badRequest('Invalid offset: pass back the `next` value of the previous page');
}
