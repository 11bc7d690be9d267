import { Router, type Response } from 'express';
import { isCanonicalUuid, isCodeSignalId, isSequenceNumber } from '../workflows/shared/ids';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/pool';
import { findIntegration, type Integration } from '../integrations/repository';
import { HttpError } from './errors';

/**
 * Ids in URL paths, checked once at the edge for every route: they become workflow ids
 * (`candidate/<integrationId>/<opportunityId>`, `assessment/…/<n>`, `import/…/<candidateId>`) and
 * database keys, where `ABC` and `abc` are two different things. So each is accepted only in the one
 * form the service and Lever write it, and refused otherwise — never folded, so that no two
 * spellings of one id ever reach Temporal.
 */

/** The answer to an integration id that names no integration; a malformed id gets exactly this answer too, so nothing is learned from it. */
export const unknownIntegration = (id: string): HttpError => new HttpError(404, 'unknown_integration', `no integration ${id.slice(0, 100)}`);

/** The integration an admin route names, read fresh from the repository, or that 404. */
export async function integrationOr404(db: Db, box: SecretBox, id: string): Promise<Integration> {
  const integration = await findIntegration(db, box, id);
  if (!integration) throw unknownIntegration(id);
  return integration;
}

const invalidParameter = (name: string, message: string): HttpError =>
  new HttpError(400, 'invalid_parameter', `${name}: ${message}`, { issues: [{ path: name, message }] });

/** Every path parameter the API's routes may use, and what a value of the wrong shape is answered. */
const pathIdChecks: Readonly<Record<string, (value: string) => HttpError | undefined>> = {
  integrationId: (v) => (isCanonicalUuid(v) ? undefined : unknownIntegration(v)),
  opportunityId: (v) => (isCanonicalUuid(v) ? undefined : invalidParameter('opportunityId', 'must be a Lever opportunity id: a UUID in lower case')),
  // the answer a well-formed number that is no assessment gets
  assessmentId: (v) => (isSequenceNumber(v) ? undefined : new HttpError(404, 'unknown_assessment', `no assessment ${v.slice(0, 100)}`)),
  interviewId: (v) => (isSequenceNumber(v) ? undefined : new HttpError(404, 'unknown_interview', `no interview ${v.slice(0, 100)}`)),
  codesignalCandidateId: (v) =>
    isCodeSignalId(v) ? undefined : invalidParameter('codesignalCandidateId', 'must be a CodeSignal id: letters, digits, "_" and "-", at most 100 characters'),
  sessionId: (v) => (isCodeSignalId(v) ? undefined : invalidParameter('sessionId', 'must be a CodeSignal id: letters, digits, "_" and "-", at most 100 characters')),
  // a webhook_deliveries row (bigserial), in decimal without leading zeros
  deliveryId: (v) => (/^[1-9][0-9]{0,17}$/.test(v) ? undefined : invalidParameter('deliveryId', 'must be a delivery id: a decimal number without leading zeros')),
};

/** The path parameters checked; a route may use no other (test/api/attack-case-variant-id.test.ts walks every router). */
export const checkedPathParameters: readonly string[] = Object.keys(pathIdChecks);

export interface IdCheckedRouterOptions {
  /** How a refused id is answered; by default the error handler answers the HttpError (JSON, logged as a client error). */
  answer?: (res: Response, error: HttpError) => void;
}

/**
 * `express.Router()` with the id checks registered as `param` handlers: every route of the router
 * that names one of the parameters has it checked before any of its handlers (and before the
 * middleware mounted on its path) runs. Every router in src/api and src/ui is made with this.
 */
export function idCheckedRouter(opts: IdCheckedRouterOptions = {}): Router {
  const router = Router();
  for (const [name, check] of Object.entries(pathIdChecks)) {
    router.param(name, (_req, res, next, value: unknown) => {
      const refused = check(typeof value === 'string' ? value : '');
      if (!refused) return next();
      if (opts.answer) return opts.answer(res, refused);
      next(refused);
    });
  }
  return router;
}
