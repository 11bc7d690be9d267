import type { Request } from 'express';
import { badRequest } from './errors';

/** All values of a repeatable parameter; `name[]=` spelling is accepted too (Lever's docs use both). */
export function queryList(req: Request, name: string): string[] {
  return [req.query[name], req.query[`${name}[]`]].flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]))
    .filter((v): v is string => typeof v === 'string');
}

export function queryString(req: Request, name: string): string | undefined {
  const values = queryList(req, name);
  if (values.length > 1) throw badRequest(`${name} must be given once`);
  return values[0];
}

export function queryBool(req: Request, name: string): boolean | undefined {
  const value = queryString(req, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badRequest(`${name} must be true or false`);
}

/** Millisecond timestamp filters; anything but an integer is a 400, as Lever answers. */
export function queryTimestamp(req: Request, name: string): number | undefined {
  const value = queryString(req, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`${name} must be a timestamp in milliseconds`);
  return Number(value);
}

/** `<name>_start`/`<name>_end`, an inclusive range of millisecond timestamps (either may be absent). */
export function queryRange(req: Request, name: string): [number | undefined, number | undefined] {
  return [queryTimestamp(req, `${name}_start`), queryTimestamp(req, `${name}_end`)];
}

export function inRange(value: number, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || value >= start) && (end === undefined || value <= end);
}
