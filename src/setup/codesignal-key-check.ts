import type { CodeSignalClient } from '../codesignal/client';
import { ExternalApiError } from '../external-api-error';
import { keyCheck, type KeyCheck, type PermissionCheck } from './key-check';

/** An id no CodeSignal object has: reading it answers "not found" once the permission check passed. */
const MADE_UP_ID = 'permission-check-00000000';

export interface CodeSignalPermission {
  name: string;
  /** CodeSignal's `AccessType` name; which one each call needs is not documented (the sandbox's mapping). */
  scope: string;
  /** A read-only call that needs the permission; none for mutations, which the TEST never sends. */
  probe?: (codesignal: CodeSignalClient) => Promise<{ company: { name: string } } | void>;
}

/** What the service calls CodeSignal for, by the permission each call needs. */
export const CODESIGNAL_PERMISSIONS: readonly CodeSignalPermission[] = [
  { name: 'read company and team', scope: 'company_read', probe: async (cs) => ({ company: { name: (await cs.getCompany()).name } }) },
  { name: 'list tests', scope: 'company_test_read', probe: async (cs) => void (await cs.listCompanyTests({ first: 1 })) },
  { name: 'read test sessions', scope: 'company_test_session_read', probe: async (cs) => void (await cs.getTestSession(MADE_UP_ID)) },
  { name: 'read live interviews', scope: 'interview_read', probe: async (cs) => void (await cs.getLiveInterview(MADE_UP_ID)) },
  { name: 'read sourcing candidates', scope: 'integration_read', probe: async (cs) => void (await cs.listSourcingCandidates({ first: 1 })) },
  { name: 'send and manage test sessions', scope: 'company_test_session_create' },
  { name: 'create live interviews', scope: 'interview_create' },
  { name: 'edit and delete live interviews', scope: 'live_interview_write' },
  { name: 'update sourcing candidate status', scope: 'integration_write' },
];

export type CodeSignalKeyCheck = KeyCheck & { company?: { name: string } };

class KeyRefused extends Error {}

/**
 * CodeSignal's TEST button: read-only GraphQL queries, one per permission, so one missing permission
 * fails only its own probe ("Access Denied"). Mutation permissions are listed as unknown: only a
 * mutation would show them. 401 → `keyValid: false`; CodeSignal unreachable or 5xx → throws.
 */
export async function checkCodeSignalKey(codesignal: CodeSignalClient): Promise<CodeSignalKeyCheck> {
  let company: { name: string } | undefined;
  let permissions: PermissionCheck[];
  try {
    permissions = await Promise.all(
      CODESIGNAL_PERMISSIONS.map(async ({ name, scope, probe }): Promise<PermissionCheck> => {
        if (!probe) return { name, scope, granted: null, detail: 'not checked: only a mutation would show it, and the TEST sends none' };
        try {
          company = (await probe(codesignal))?.company ?? company;
          return { name, scope, granted: true };
        } catch (err) {
          return { name, scope, ...verdict(err) };
        }
      }),
    );
  } catch (err) {
    if (err instanceof KeyRefused) return keyCheck(false, CODESIGNAL_PERMISSIONS.map(({ name, scope }) => ({ name, scope, granted: null })));
    throw err;
  }
  return { ...keyCheck(true, permissions), ...(company ? { company } : {}) };
}

function verdict(err: unknown): Pick<PermissionCheck, 'granted' | 'detail'> {
  if (!(err instanceof ExternalApiError)) throw err;
  if (err.status === 401) throw new KeyRefused();
  if (err.code === 'AccessDenied') return { granted: false, detail: err.message };
  if (err.code === 'NotFound') return { granted: true };
  if (err.code === 'RateLimited') return { granted: null, detail: 'CodeSignal answered "too often" (rate limited): TEST again in a minute' };
  if (err.retryable) throw err;
  return { granted: null, detail: `cannot tell from this answer: ${err.message}` };
}
