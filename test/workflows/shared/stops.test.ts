import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { nameOf, stopFixes, stopNames } from '../../../src/workflows/shared/stops';

/** An activity's failure as the workflow receives it: the ApplicationFailure of src/activities/shared/failures.ts under an ActivityFailure. */
function activityFailure(type: string, status: number | null, nonRetryable = true): ActivityFailure {
  const cause = ApplicationFailure.create({ type, message: `${type} answer`, nonRetryable, details: [{ status }] });
  return new ActivityFailure('activity failed', 'someActivity', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);
}

/** Retries that ran out of time (schedule-to-close): the last attempt's failure under a TimeoutFailure. */
function ranOut(type: string, status: number | null): ActivityFailure {
  const timeout = new TimeoutFailure('activity timeout', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
  (timeout as { cause?: Error }).cause = ApplicationFailure.create({ type, message: 'last attempt', details: [{ status }] });
  return new ActivityFailure('activity failed', 'someActivity', '1', RetryState.TIMEOUT, 'worker', timeout);
}

describe('the names of stops', () => {
  it.each([
    ['CandidateWithoutEmail', null, 'getCandidate', 'candidate-without-email'],
    ['NoDefaultLeverUser', null, 'postAssessmentNote', 'no-default-lever-user'],
    ['NoInterviewer', null, 'resolveInterviewer', 'interviewer-not-mapped'],
    ['SessionNotFound', null, 'readSession', 'session-deleted'],
    ['Lever.Unauthorized', 401, 'getCandidate', 'lever-key-rejected'],
    ['Lever.Forbidden', 403, 'uploadAssessmentReport', 'lever-permission-missing'],
    ['Lever.SomethingElse', 403, 'uploadAssessmentReport', 'lever-permission-missing'],
    ['Lever.BadRequest', 400, 'postAssessmentNote', 'lever-refused'],
    ['Lever.ResourceNotFound', 404, 'postAssessmentNote', 'lever-refused'],
    ['Lever.UnexpectedResponse', 200, 'getCandidate', 'unreadable-answer'],
    ['CodeSignal.NotFound', 200, 'sendInvitation', 'test-not-found'],
    ['CodeSignal.NotFound', 200, 'readSession', 'codesignal-not-found'],
    ['CodeSignal.AccessDenied', 200, 'sendInvitation', 'codesignal-key-rejected'],
    ['CodeSignal.Unauthorized', 401, 'sendInvitation', 'codesignal-key-rejected'],
    ['CodeSignal.GraphQLError', 200, 'sendInvitation', 'codesignal-refused'],
    ['CodeSignal.ValidationError', 400, 'sendInvitation', 'codesignal-refused'],
    ['SessionNotFinal', null, 'uploadAssessmentReport', 'unexpected-error'],
  ] as const)('%s (HTTP %s) at %s is %s', (type, status, step, name) => {
    expect(nameOf(activityFailure(type, status), step)).toEqual({ name, failureType: type, message: `${type} answer` });
  });

  it.each([
    ['Lever.TooManyRequests', 429, 'lever-unavailable'],
    ['Lever.HttpError', 503, 'lever-unavailable'],
    ['Lever.NetworkError', null, 'lever-unavailable'],
    ['CodeSignal.RateLimited', 200, 'codesignal-unavailable'],
    ['CodeSignal.ServerError', 502, 'codesignal-unavailable'],
  ] as const)('retries of %s (HTTP %s) that ran out after a day are %s', (type, status, name) => {
    expect(nameOf(ranOut(type, status), 'sendInvitation').name).toBe(name);
  });

  it('a failure thrown by workflow code itself is named by its type', () => {
    expect(nameOf(ApplicationFailure.nonRetryable('no e-mail', 'CandidateWithoutEmail'), 'getCandidate').name).toBe('candidate-without-email');
    expect(nameOf(new Error('boom'), 'anything')).toMatchObject({ name: 'unexpected-error', failureType: 'UnexpectedError' });
  });

  it('every name has what to fix', () => {
    for (const name of stopNames) expect(stopFixes[name].length).toBeGreaterThan(20);
  });
});
