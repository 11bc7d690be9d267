import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createLeverEventActivities } from '../../../src/activities/candidate/lever-events';
import { activityFailureMapping, toActivityFailure } from '../../../src/activities/shared/failures';
import { ExternalApiError } from '../../../src/external-api-error';
import type { IntegrationContexts } from '../../../src/integrations/context';
import { workerInterceptors } from '../../../src/worker';

/**
 * API errors leave every activity as the Temporal failure they stand for, through the activity
 * interceptor every worker registers (workerInterceptors), not through each factory.
 */
describe('activity failure mapping', () => {
  /** Runs an activity as the worker does: in an activity context, with the worker's activity interceptors. */
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment(undefined, {
      interceptors: workerInterceptors().activity ?? [],
      logger: new DefaultLogger('ERROR', () => undefined),
    }).run(fn, ...args);

  const failing = (err: unknown) => async (): Promise<never> => {
    throw err;
  };

  it('is registered once, as the workers\' activity interceptor', () => {
    // (next to observability's: src/observability/activity-metrics-interceptor.ts)
    expect(workerInterceptors().activity?.filter((i) => i === activityFailureMapping)).toHaveLength(1);
  });

  it('stops at once on a non-retryable error, with a stable type and the message', async () => {
    const err = new ExternalApiError('Lever POST /opportunities/o1/files: 403 Forbidden', { service: 'lever', status: 403, code: 'Forbidden', retryable: false });
    const failure = await run(failing(err)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'Lever.Forbidden', message: err.message, nonRetryable: true });
    expect((failure as ApplicationFailure).nextRetryDelay).toBeUndefined();
  });

  it('retries a retryable error, after Retry-After when given', async () => {
    const limited = new ExternalApiError('CodeSignal CreateInvitation: 429', { service: 'codesignal', status: 429, code: 'RateLimited', retryable: true, retryAfterMs: 2_500 });
    expect(await run(failing(limited)).catch((e: unknown) => e)).toMatchObject({
      type: 'CodeSignal.RateLimited',
      message: limited.message,
      nonRetryable: false,
      nextRetryDelay: 2_500,
    });
    const down = new ExternalApiError('Lever GET /opportunities/o1: 503', { service: 'lever', status: 503, code: 'ServiceUnavailable', retryable: true });
    const failure = await run(failing(down)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'Lever.ServiceUnavailable', nonRetryable: false });
    expect((failure as ApplicationFailure).nextRetryDelay).toBeUndefined();
  });

  it('leaves other errors and results as they are', async () => {
    const own = ApplicationFailure.nonRetryable('no interviewer', 'NoInterviewer');
    expect(await run(failing(own)).catch((e: unknown) => e)).toBe(own);
    const plain = new TypeError('boom');
    expect(await run(failing(plain)).catch((e: unknown) => e)).toBe(plain);
    expect(await run(async (a: number, b: number) => a + b, 2, 3)).toBe(5);
    expect(toActivityFailure(plain)).toBe(plain);
  });

  it('maps the errors of a factory\'s activities, which no longer map them themselves', async () => {
    const err = new ExternalApiError('Lever GET /opportunities/o1: 401 Unauthorized', { service: 'lever', status: 401, code: 'Unauthorized', retryable: false });
    const contexts = { get: async () => ({ lever: { getOpportunity: failing(err) } }) } as unknown as IntegrationContexts;
    const { confirmLeverEvent } = createLeverEventActivities({ contexts });
    const input = { integrationId: 'i', opportunityId: 'o1', event: { kind: 'hired' as const, key: 'k', triggeredAt: 1 } };
    await expect(confirmLeverEvent(input)).rejects.toBe(err);
    expect(await run(confirmLeverEvent, input).catch((e: unknown) => e)).toMatchObject({ type: 'Lever.Unauthorized', nonRetryable: true });
  });
});
