import type { Request, Response } from 'express';
import type { Actor } from '../actions/actor';
import type { PermissionGuard } from '../auth';
import { authed } from '../context';
import { badRequest, notFound } from '../errors';
import type { ResolvedOptions } from '../options';
import type { Page } from '../pagination';
import { queryList, queryString } from '../query';
import type { AccountState, LeverStore } from '../state';
import { EXPANDABLE, type Shape } from '../views/opportunity';
import type { WebhookEmitter } from '../webhooks';

/** What every /v1 route module is built from. */
export interface V1Deps {
  store: LeverStore;
  events: WebhookEmitter;
  options: ResolvedOptions;
  need: PermissionGuard;
}

/** The acting user from `perform_as` (query string only): 400 when required and missing, 400/404 when not an active user. */
export function apiActor(req: Request, deps: V1Deps, required: true): Actor & { userId: string };
export function apiActor(req: Request, deps: V1Deps, required: boolean): Actor;
export function apiActor(req: Request, deps: V1Deps, required: boolean): Actor {
  const { account } = authed(req);
  const id = queryString(req, 'perform_as');
  if (id === undefined || id === '') {
    if (required) throw badRequest('perform_as is required: pass the id of an active Lever user in the query string');
    return { via: 'api', userId: null };
  }
  const user = account.users.get(id);
  if (!user || user.deactivatedAt !== null) {
    throw deps.options.quirks.performAsUnknownStatus === 404
      ? notFound('users', id)
      : badRequest(`perform_as ${id} is not an active user of this account`);
  }
  return { via: 'api', userId: id };
}

/** `expand=`/`include=` (repeatable) for opportunity answers. */
export function shapeOf(req: Request): Shape {
  const expand = queryList(req, 'expand');
  const unknown = expand.filter((e) => !(EXPANDABLE as readonly string[]).includes(e));
  if (unknown.length) throw badRequest(`Cannot expand ${unknown.join(', ')}`);
  return { expand: new Set(expand), include: new Set(queryList(req, 'include')) };
}

export const accountOf = (req: Request): AccountState => authed(req).account;

/** Base URL of this API as the client reached it, for `downloadUrl`s. */
export const apiBase = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}/v1`;

export function sendData(res: Response, data: unknown, status = 200, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ data, ...extra });
}

/** 201 for a create of an interview, panel or webhook: `{data}`, or `{data:{data}}` as the docs show it (quirk `createdWrappedTwice`). */
export function sendCreated(res: Response, data: unknown, wrappedTwice: boolean): void {
  sendData(res, wrappedTwice ? { data } : data, 201);
}

/** `lastHasNextOptional`: the small lists whose last page may come without `hasNext` (§1.2, doc examples). */
export function sendPage<T>(res: Response, page: Page<T>, lastHasNextOptional = false): void {
  res.json(page.hasNext ? { data: page.data, hasNext: true, next: page.next } : lastHasNextOptional ? { data: page.data } : { data: page.data, hasNext: false });
}

export const sendNoContent = (res: Response): void => { res.status(204).end(); };
