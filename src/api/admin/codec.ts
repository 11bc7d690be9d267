import express, { type Request, type Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../temporal/payload-codec';
import { requireAdmin } from './admin-auth';
import { HttpError } from '../errors';
import { idCheckedRouter } from '../ids';
import { parseBody } from '../validate';

export interface CodecRoutesDeps {
  codec: PayloadCodec;
  adminToken: string | undefined;
  /** The Temporal Web UI's URL: the only origin that gets CORS answers (the UI calls from the browser). */
  temporalUiUrl: string | undefined;
}

/** A request with no body bytes at all (no Content-Length, or 0, and not chunked): no payloads either. */
const bodyless = (req: Request) => req.get('transfer-encoding') === undefined && Number(req.get('content-length') ?? 0) === 0;

/** Proto3 JSON writes bytes as base64 (standard or URL-safe, padding optional). */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/**
 * Proto3 JSON leaves an empty repeated field out: the CLI's query without arguments sends `{}` (or
 * `"payloads": null`), which is `{"payloads":[]}` and is answered as such.
 */
const codecBodySchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .nullish()
    .transform((payloads) => payloads ?? []),
});

type JsonPayload = z.infer<typeof codecBodySchema>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});

/** As protojson writes it: empty data is left out. */
const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(data && data.length > 0 ? { data: Buffer.from(data).toString('base64') } : {}),
});

/**
 * CORS for the Web UI's origin only, with credentials (the UI's "include cross-origin credentials"
 * sends the admin session cookie). Preflights are answered here, before authorization: browsers send
 * them without credentials.
 */
function corsForUi(temporalUiUrl: string | undefined): RequestHandler {
  const uiOrigin = temporalUiUrl ? new URL(temporalUiUrl).origin : undefined;
  return (req, res, next) => {
    res.vary('Origin');
    const allowed = uiOrigin !== undefined && req.get('origin') === uiOrigin;
    if (allowed) res.set({ 'Access-Control-Allow-Origin': uiOrigin, 'Access-Control-Allow-Credentials': 'true' });
    if (req.method !== 'OPTIONS') return next();
    if (allowed) {
      res.set({
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    res.status(204).end();
  };
}

/**
 * Temporal's remote codec protocol for the Web UI and the CLI (`--codec-endpoint <publicUrl>/codec`):
 * POST /codec/encode and /codec/decode with `{"payloads":[{"metadata":{…},"data":"…"}]}` in proto JSON,
 * answered in the same shape. Admins only: decoding shows candidates' personal data.
 */
export function codecRoutes(deps: CodecRoutesDeps): Router {
  const router = idCheckedRouter();
  const cors = corsForUi(deps.temporalUiUrl);
  // The Web UI cannot send our CSRF token; none is needed: both operations change nothing, and only the
  // UI's origin may read an answer (a JSON POST from elsewhere fails its preflight).
  const admin = requireAdmin(deps.adminToken, { csrfCheck: false });
  for (const operation of ['encode', 'decode'] as const) {
    const path = `/codec/${operation}`;
    router.options(path, cors);
    router.post(path, cors, admin, express.json({ limit: '4mb' }), async (req, res) => {
      const { payloads } = parseBody(codecBodySchema, req.body === undefined && bodyless(req) ? {} : req.body);
      // One payload at a time, so a refusal names the payload that failed.
      const done = await Promise.all(
        payloads.map(async (payload, i) => {
          try {
            const [result] = await deps.codec[operation]([fromJson(payload)]);
            return toJson(result!);
          } catch (err) {
            if (err instanceof PayloadDecryptionError) throw new HttpError(400, 'undecryptable_payload', `payloads.${i}: ${err.message}`);
            throw err;
          }
        }),
      );
      res.json({ payloads: done });
    });
  }
  return router;
}
