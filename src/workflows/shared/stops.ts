import { ActivityFailure, condition, defineUpdate, isCancellation, patched, setHandler, TimeoutFailure } from '@temporalio/workflow';
import { failureDetail, failureOf } from './failures';

/**
 * Named, fixable stops (README "When a flow stops: named errors"). Where an assessment or a live
 * interview cannot go on — no e-mail on the candidate, a test CodeSignal does not know, a permission the
 * Lever key lacks, the default Lever user deactivated, an interviewer not mapped, … — it does not fail:
 * it stops at that step under a stable name, with a tag and a private note saying what to fix, and waits.
 * `CodeSignal: retry` (or "Re-sync now") sends `retryStoppedFlowUpdate`, and the step that stopped runs again.
 */

/** From this version on, a flow stops under a name and waits for a retry instead of failing. */
export const namedStopsPatch = 'named-stops-v1';

/**
 * From this version on, a retry accepted while the stop is still being announced (its tag and note on their way
 * to Lever) resumes the flow once the announcement is done. Before, the count of retries was taken after the
 * announcement, so such a retry was answered "resumed" and then waited for a second one.
 */
export const retryDuringAnnouncePatch = 'stop-retry-during-announce-v1';

export const stopNames = [
  'candidate-without-email',
  'test-not-found',
  'no-default-lever-user',
  'lever-user-deactivated',
  'lever-permission-missing',
  'lever-key-rejected',
  'lever-refused',
  'lever-unavailable',
  'codesignal-key-rejected',
  'codesignal-not-found',
  'codesignal-refused',
  'codesignal-unavailable',
  'session-deleted',
  'interviewer-not-mapped',
  'unreadable-answer',
  'unexpected-error',
] as const;
export type StopName = (typeof stopNames)[number];

/** What a recruiting-ops admin does about each stop, in the note (the retry tag follows it). */
export const stopFixes: Record<StopName, string> = {
  'candidate-without-email': 'The candidate has no e-mail address in Lever: add one to the candidate in Lever.',
  'test-not-found': 'CodeSignal does not know the test chosen for this candidate (deleted, archived, never published, or a wrong id): publish it in CodeSignal, or choose another test for the stage or posting on the integration\'s Configuration page.',
  'no-default-lever-user': 'No default Lever user is configured: choose one on the integration\'s Configuration page.',
  'lever-user-deactivated': 'The default Lever user is deactivated in Lever: reactivate the user in Lever or choose an active one on the integration\'s Configuration page.',
  'lever-permission-missing': 'The Lever API key lacks a permission this step needs (named below): grant it to the key in Lever, then TEST the key on the integration\'s Credentials page.',
  'lever-key-rejected': 'Lever no longer accepts the integration\'s API key (revoked or wrong): enter a valid key on the Credentials page and TEST it.',
  'lever-refused': 'Lever refused the request (its answer is below): correct what it names in Lever or in the integration\'s configuration.',
  'lever-unavailable': 'Lever did not answer for a day (outage or rate limit): nothing is needed once Lever answers again.',
  'codesignal-key-rejected': 'CodeSignal refuses the integration\'s API key (revoked, wrong, or without access): enter a valid key on the Credentials page and TEST it.',
  'codesignal-not-found': 'CodeSignal no longer has what this step needs (named below), for instance a test or interview deleted in CodeSignal: restore it in CodeSignal, or cancel this flow.',
  'codesignal-refused': 'CodeSignal refused the request (its answer is below): correct what it names in CodeSignal or in the integration\'s configuration.',
  'codesignal-unavailable': 'CodeSignal did not answer for a day (outage or throttling): nothing is needed once CodeSignal answers again.',
  'session-deleted': 'The CodeSignal test session was deleted in CodeSignal: cancel this assessment and move the candidate into the trigger stage again to send a new one.',
  'interviewer-not-mapped': 'No CodeSignal interviewer: map the opportunity owner to a CodeSignal user on the User mapping page, or set a default interviewer on the Configuration page.',
  'unreadable-answer': 'Lever or CodeSignal answered something the service cannot read (named below). This is not the candidate\'s result: an engineer looks at the flow in the Temporal Web UI; retry once it is fixed.',
  'unexpected-error': 'An unexpected error (below): an engineer looks at the flow in the Temporal Web UI; retry once it is fixed.',
};

/** A flow stopped at a step: the stable name, its Lever tag, and the error as the API or the service put it. */
export interface FlowStop {
  name: StopName;
  /** `<the flow's failed tag> – <name>`, e.g. `CodeSignal: error – candidate-without-email`. */
  tag: string;
  /** The activity (or step) that stopped. */
  step: string;
  /** The failure's type (`Lever.Forbidden`, `CandidateWithoutEmail`, …) and message; never candidate data. */
  failureType: string;
  message: string;
  /** What to fix (`stopFixes`), for the note and the admin UI. */
  fix: string;
  /** How many times this flow has stopped so far, this one included. */
  count: number;
}

export const stopTag = (failedTag: string, name: StopName): string => `${failedTag} – ${name}`;

/** A stop about the default Lever user: its tag and note are written by the API key itself, without `perform_as`. */
export const aboutTheLeverUser = (stop: Pick<FlowStop, 'name'>): boolean => stop.name === 'no-default-lever-user' || stop.name === 'lever-user-deactivated';

/** Resumes a stopped flow: the step that stopped runs again. Refused (validator) when the flow is not stopped. */
export const retryStoppedFlowUpdate = defineUpdate<{ resumed: StopName }, []>('retryStoppedFlow');

/** The HTTP status an activity's failure carries in its details (src/activities/shared/failures.ts), if any. */
function statusOf(err: unknown): number | undefined {
  const status = failureDetail(err)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** True when the activity's retries ran out of time (schedule-to-close), as opposed to a non-retryable answer. */
const retriesRanOut = (err: unknown) => err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;

/**
 * The stable name of a failure. `step` is the activity that stopped: CodeSignal's "not found" to an
 * invitation means the test. `Lever.*` 400/404 answers may mean the default user is deactivated: that
 * is for the caller to confirm with Lever (`lever-refused` is the name until then).
 */
export function nameOf(err: unknown, step: string): { name: StopName; failureType: string; message: string } {
  const { type, message } = failureOf(err, 'UnexpectedError');
  const status = statusOf(err);
  const named = (name: StopName) => ({ name, failureType: type, message });
  switch (type) {
    case 'CandidateWithoutEmail':
      return named('candidate-without-email');
    case 'NoDefaultLeverUser':
      return named('no-default-lever-user');
    case 'NoInterviewer':
      return named('interviewer-not-mapped');
    case 'SessionNotFound':
      return named('session-deleted');
  }
  const [service, code] = type.split('.') as [string, string | undefined];
  if ((service !== 'Lever' && service !== 'CodeSignal') || code === undefined) return named('unexpected-error');
  const lever = service === 'Lever';
  if (code === 'UnexpectedResponse') return named('unreadable-answer');
  if (retriesRanOut(err) || ['RateLimited', 'TooManyRequests', 'ServerError', 'Timeout', 'NetworkError'].includes(code) || (status !== undefined && (status === 429 || status >= 500))) {
    return named(lever ? 'lever-unavailable' : 'codesignal-unavailable');
  }
  if (lever) {
    if (status === 401 || code === 'Unauthorized') return named('lever-key-rejected');
    if (status === 403 || code === 'Forbidden') return named('lever-permission-missing');
    return named('lever-refused');
  }
  if (code === 'Unauthorized' || code === 'AccessDenied' || status === 401 || status === 403) return named('codesignal-key-rejected');
  if (code === 'NotFound') return named(step === 'sendInvitation' ? 'test-not-found' : 'codesignal-not-found');
  return named('codesignal-refused');
}

/** Thrown out of a stopped step when the flow is cancelled while it waits (archived, hired, a recruiter's cancel). */
export class StoppedFlowCancelled extends Error {
  constructor(readonly stop: FlowStop) {
    super(`cancelled while stopped (${stop.name})`);
    this.name = 'StoppedFlowCancelled';
  }
}

export interface StopHooks {
  /** The flow's failed-status tag; the stop's tag is `<failed tag> – <name>`. */
  failedTag: () => string;
  /** Confirms with Lever whether the default Lever user is deactivated (asked for Lever's 400/404 answers). */
  defaultUserDeactivated: () => Promise<boolean>;
  /** Writes the stop's tag and note (best effort: the stop may be the very permission they need). */
  announce: (stop: FlowStop) => Promise<void>;
  /** Removes the stop's tag once the step ran again. */
  resumed: (stop: FlowStop) => Promise<void>;
  /** Tells the candidate workflow (the admin UI) that the flow stopped or resumed. */
  report: (stop: FlowStop | null) => Promise<void>;
  /** True once the flow is to end instead (cancelled while it waits). */
  cancelled: () => boolean;
}

export interface Stops {
  /** Runs `step`; a failure stops the flow here under its name until a retry, then `step` runs again. */
  untilFixed: <T>(step: string, run: () => Promise<T>) => Promise<T>;
  /** The activities with every call run `untilFixed` (the activity's name is the step). */
  wrap: <A extends object>(activities: A) => A;
  /** Runs `run` with failures passing through instead of stopping (the stop's own writes, a cancellation's). */
  passThrough: <T>(run: () => Promise<T>) => Promise<T>;
  current: () => FlowStop | null;
}

/**
 * The stop-and-retry mechanism of one flow (one per workflow run; it registers `retryStoppedFlowUpdate`).
 * Calls made while announcing or ending a stop pass failures through, so a stop never stops inside itself.
 */
export function createStops(hooks: StopHooks): Stops {
  let current: FlowStop | null = null;
  let count = 0;
  let retries = 0;
  let passing = 0;

  async function passThrough<T>(run: () => Promise<T>): Promise<T> {
    passing += 1;
    try {
      return await run();
    } finally {
      passing -= 1;
    }
  }

  async function stopAt(err: unknown, step: string): Promise<FlowStop> {
    let named = nameOf(err, step);
    if (named.name === 'lever-refused' && (await passThrough(hooks.defaultUserDeactivated).catch(() => false))) named = { ...named, name: 'lever-user-deactivated' };
    count += 1;
    return { ...named, step, tag: stopTag(hooks.failedTag(), named.name), fix: stopFixes[named.name], count };
  }

  async function untilFixed<T>(step: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (err) {
        if (isCancellation(err) || err instanceof StoppedFlowCancelled || passing > 0 || !patched(namedStopsPatch)) throw err;
        const stop = await stopAt(err, step);
        // the retry update is accepted from here on (its validator asks for `current`)
        const retriesAtStop = retries;
        current = stop;
        await passThrough(async () => {
          await hooks.announce(stop).catch(() => undefined);
          await hooks.report(stop);
        });
        const retriesBefore = patched(retryDuringAnnouncePatch) ? retriesAtStop : retries;
        await condition(() => retries > retriesBefore || hooks.cancelled());
        current = null;
        if (retries === retriesBefore) throw new StoppedFlowCancelled(stop);
        await passThrough(async () => {
          await hooks.resumed(stop).catch(() => undefined);
          await hooks.report(null);
        });
      }
    }
  }

  setHandler(
    retryStoppedFlowUpdate,
    () => {
      retries += 1;
      return { resumed: current!.name };
    },
    {
      validator: () => {
        if (!current) throw new Error('the flow is not stopped');
      },
    },
  );

  return {
    untilFixed,
    passThrough,
    current: () => current,
    wrap<A extends object>(activities: A): A {
      return new Proxy(activities, {
        get(target, name) {
          const call = (target as Record<string | symbol, unknown>)[name];
          if (typeof call !== 'function') return call;
          return (...args: unknown[]) => untilFixed(String(name), () => (call as (...a: unknown[]) => Promise<unknown>)(...args));
        },
      });
    },
  };
}
