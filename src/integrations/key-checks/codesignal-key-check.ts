import type { CodeSignalClient } from '../../codesignal/client';
import type { DocumentNode } from 'graphql';
import * as documents from '../../codesignal/documents';
import { ExternalApiError } from '../../external-api-error';
import { keyCheck, mapLimited, type KeyCheck, type PermissionCheck } from './key-check';

/**
 * An id no CodeSignal object has, whatever its kind: CodeSignal's ids are (as far as known) 17-character
 * Meteor ids from an alphabet without `-` or `0`; this one has both, is no 24-hex ObjectId nor a UUID,
 * and the sandbox's ids are `kind_` + base62. Reads of it answer "not found"; write probes aim at it only.
 */
export const MADE_UP_ID = 'permission-check-00000000';
/** Shown on anything a write probe might (against all expectations) create, so it can be found and deleted. */
export const PROBE_TEXT = 'CodeSignal integration permission check';
/** RFC 2606: the `.invalid` TLD never resolves, so no e-mail to it can be delivered. */
const PROBE_EMAIL = 'permission-check@example.invalid';
const HOUR = 3_600_000;

/** One mutation the service sends, re-sent against MADE_UP_ID so the only possible answers are refusals. */
export interface MutationProbe {
  /** The GraphQL operation name, as sent (operations/*.graphql). */
  operation: string;
  send: (codesignal: CodeSignalClient) => Promise<unknown>;
}

export interface CodeSignalPermission {
  name: string;
  /** CodeSignal's `AccessType` name; which one each call needs is not documented (the sandbox's mapping). */
  scope: string;
  /** A read-only call that needs the permission. */
  probe?: (codesignal: CodeSignalClient) => Promise<{ company: { name: string } } | void>;
  /** For permissions only mutations need: each mutation of the service that needs it, aimed at MADE_UP_ID. */
  writes?: readonly MutationProbe[];
}

const write = (operation: DocumentNode, send: MutationProbe['send']): MutationProbe => ({ operation: documents.operationName(operation), send });

/** What the service calls CodeSignal for, by the permission each call needs. */
export const CODESIGNAL_PERMISSIONS: readonly CodeSignalPermission[] = [
  { name: 'read company and team', scope: 'company_read', probe: async (cs) => ({ company: { name: (await cs.getCompany()).name } }) },
  { name: 'list tests', scope: 'company_test_read', probe: async (cs) => void (await cs.listCompanyTests({ first: 1 })) },
  { name: 'read test sessions', scope: 'company_test_session_read', probe: async (cs) => void (await cs.getTestSession(MADE_UP_ID)) },
  { name: 'read live interviews', scope: 'interview_read', probe: async (cs) => void (await cs.getLiveInterview(MADE_UP_ID)) },
  {
    name: 'send and manage test sessions', scope: 'company_test_session_create',
    writes: [
      // a session of a test that does not exist; no invitation e-mail even if it did
      write(documents.createTestSession, (cs) => cs.createTestSession({
        testId: MADE_UP_ID, candidateEmail: PROBE_EMAIL, candidateFirstName: 'Permission', candidateLastName: 'Check',
        externalId: MADE_UP_ID, noInvitationEmail: true, preferExisting: false,
      })),
      write(documents.resendTestSession, (cs) => cs.resendTestSession(MADE_UP_ID)),
      write(documents.extendTestSession, (cs) => cs.extendTestSession(MADE_UP_ID, Date.now() + 14 * 24 * HOUR)),
      write(documents.reactivateTestSession, (cs) => cs.reactivateTestSession(MADE_UP_ID, false)),
      write(documents.deleteTestSession, (cs) => cs.deleteTestSession(MADE_UP_ID, false)),
    ],
  },
  {
    // No target to make up for a create: the interviewer and the template cannot exist, and the
    // expiry is past the documented 1–336 hours — three reasons for CodeSignal to refuse it.
    name: 'create live interviews', scope: 'interview_create',
    writes: [
      write(documents.createLiveInterview, (cs) => cs.createLiveInterview({
        candidateEmail: PROBE_EMAIL, candidateName: PROBE_TEXT, interviewerId: MADE_UP_ID, templateId: MADE_UP_ID, expirationTime: 337 * HOUR,
      })),
    ],
  },
  {
    name: 'edit and delete live interviews', scope: 'live_interview_write',
    writes: [
      write(documents.editLiveInterview, (cs) => cs.updateLiveInterview(MADE_UP_ID, { expirationTime: 72 * HOUR })),
      write(documents.deleteLiveInterview, (cs) => cs.deleteLiveInterview(MADE_UP_ID)),
    ],
  },
];

export type CodeSignalKeyCheck = KeyCheck & { company?: { name: string } };

/** Mutation probes in flight at once: CodeSignal documents no rate limit for mutations (reference §2). */
const WRITE_CONCURRENCY = 3;

class KeyRefused extends Error {}

type Verdict = Pick<PermissionCheck, 'granted' | 'detail'>;

/**
 * CodeSignal's TEST button: one probe per permission, so one missing permission fails only its own
 * probe ("Access Denied"). 401 → `keyValid: false`; CodeSignal unreachable or 5xx → throws.
 *
 * * Reads first, all at once: `company`, `companyTests(first: 1)`, and
 * `companyTestSession` / `liveInterview` of MADE_UP_ID ("not found" = allowed). Only then, a key that
 * works gets the write probes: each mutation the service sends, well-formed, aimed at MADE_UP_ID (a
 * create names it as the test, interviewer or template), so the answer is "Access Denied" when the key
 * lacks the permission and "not found" or another refusal of the made-up object when it holds it.
 * A permission probed by several mutations is granted only if all of them got past the check.
 *
 * That reading relies on CodeSignal checking a key's permissions before it looks the object up or
 * validates the arguments — NOT confirmed (reference §3 only says missing permissions read "Access
 * Denied"); the sandbox checks them first (`guarded` in sandbox/codesignal/resolvers.ts). If real
 * CodeSignal looked up first, a missing write permission would show as granted (a false pass, never a
 * false alarm); nothing would be written either way, since no real object has MADE_UP_ID. Should a
 * write probe ever return data, the permission is granted and `detail` says so, with the id answered.
 */
export async function checkCodeSignalKey(codesignal: CodeSignalClient): Promise<CodeSignalKeyCheck> {
  let company: { name: string } | undefined;
  const results = new Map<string, PermissionCheck>();
  try {
    await Promise.all(
      CODESIGNAL_PERMISSIONS.map(async ({ name, scope, probe }) => {
        if (!probe) return;
        try {
          company = (await probe(codesignal))?.company ?? company;
          results.set(name, { name, scope, granted: true });
        } catch (err) {
          results.set(name, { name, scope, ...readVerdict(err) });
        }
      }),
    );
    const writes = CODESIGNAL_PERMISSIONS.flatMap(({ name, writes: probes = [] }) => probes.map((probe) => ({ name, probe })));
    const verdicts = await mapLimited(writes, WRITE_CONCURRENCY, async ({ probe }) => writeVerdict(probe, codesignal));
    for (const { name, scope, writes: probes } of CODESIGNAL_PERMISSIONS) {
      if (!probes) continue;
      results.set(name, { name, scope, ...combine(verdicts.filter((_, i) => writes[i]!.name === name)) });
    }
  } catch (err) {
    if (err instanceof KeyRefused) return keyCheck(false, CODESIGNAL_PERMISSIONS.map(({ name, scope }) => ({ name, scope, granted: null })));
    throw err;
  }
  return { ...keyCheck(true, CODESIGNAL_PERMISSIONS.map(({ name, scope }) => results.get(name) ?? { name, scope, granted: null, detail: 'not checked' })), ...(company ? { company } : {}) };
}

function readVerdict(err: unknown): Verdict {
  if (!(err instanceof ExternalApiError)) throw err;
  if (err.status === 401) throw new KeyRefused();
  if (err.code === 'AccessDenied') return { granted: false, detail: err.message };
  if (err.code === 'NotFound') return { granted: true };
  if (err.code === 'RateLimited') return { granted: null, detail: 'CodeSignal answered "too often" (rate limited): TEST again in a minute' };
  if (err.retryable) throw err;
  return { granted: null, detail: `cannot tell from this answer: ${err.message}` };
}

/**
 * Messages of GraphQL's own document and variable checks (graphql-js wording), which a server may send
 * with HTTP 200: they come before any resolver, so they say nothing about the key's permissions.
 */
const DOCUMENT_ERROR = /cannot query field|unknown (argument|type|operation)|variable "\$|argument "[^"]*" of|syntax error|got invalid value|expected (value of )?type|must (not )?have a selection/i;

async function writeVerdict(probe: MutationProbe, codesignal: CodeSignalClient): Promise<Verdict> {
  let answer: unknown;
  try {
    answer = await probe.send(codesignal);
  } catch (err) {
    if (!(err instanceof ExternalApiError)) throw err;
    if (err.status === 401) throw new KeyRefused();
    if (err.code === 'AccessDenied') return { granted: false, detail: err.message };
    if (err.code === 'NotFound') return { granted: true };
    if (err.code === 'RateLimited') return { granted: null, detail: `CodeSignal answered "too often" (rate limited) to ${probe.operation}: TEST again in a minute` };
    if (err.retryable) throw err;
    // a GraphQL error in a 200 answer: the mutation ran and refused the made-up object (validation, conflict…)
    if (err.code === 'GraphQLError' && err.status === 200 && !DOCUMENT_ERROR.test(err.message)) return { granted: true };
    return { granted: null, detail: `cannot tell from this answer: ${err.message}` };
  }
  const id = typeof answer === 'string' ? answer : (answer as { id?: unknown } | null)?.id;
  return {
    granted: true,
    detail: `CodeSignal accepted the probe ${probe.operation}, built to be refused (made-up id ${MADE_UP_ID})`
      + `${typeof id === 'string' ? ` and answered the object ${id}` : ''}: please report this`,
  };
}

/**
 * Several mutations behind one permission: missing if any was denied, unknown if any could not tell.
 * `detail` gives the deciding answers, and always any probe CodeSignal accepted.
 */
function combine(verdicts: readonly Verdict[]): Verdict {
  const granted = verdicts.some((v) => v.granted === false) ? false : verdicts.some((v) => v.granted === null) ? null : true;
  const detail = verdicts.filter((v) => v.detail && (v.granted === granted || v.granted === true)).map((v) => v.detail).join('; ');
  return { granted, ...(detail ? { detail } : {}) };
}
