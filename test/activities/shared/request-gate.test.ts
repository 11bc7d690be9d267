import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { activityRequestGate, HAND_BACK_AFTER_MS, HANDED_BACK } from '../../../src/activities/shared/attempt';
import { RateBudgetBusy } from '../../../src/external-api-error';
import type { BudgetWait } from '../../../src/integrations/clients';

/**
 * The gate every activity's Lever and CodeSignal clients wait behind (src/activities/shared/attempt.ts), in an
 * activity context as the worker runs one: the budget's wait, the hand-back of a first wait that would be long, and
 * an attempt cancelled while it waits (the worker's shutdown after its grace time) ending then.
 */
describe('the activities\' request gate', () => {
  const environment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => undefined) });

  /** An activity that waits behind the gate with `wait`, then makes its request (counted). */
  const activity = (wait: BudgetWait, sent: { count: number }) => async () => {
    await activityRequestGate.wait(wait, 'integration-1');
    sent.count += 1;
  };

  it('lets the request go once the budget grants it, the first wait with the hand-back limit', async () => {
    const sent = { count: 0 };
    const asked: unknown[] = [];
    await environment().run(activity(async (o) => void asked.push(o), sent));
    expect(sent.count).toBe(1);
    expect(asked).toEqual([{ giveUpAfterMs: HAND_BACK_AFTER_MS }]);
  });

  it('hands the slot back when the first wait would be long, having sent nothing', async () => {
    const sent = { count: 0 };
    const failure = await environment().run(activity(() => Promise.reject(new RateBudgetBusy('lever', 9_000)), sent)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: HANDED_BACK, details: ['lever'] });
    expect(sent.count).toBe(0);
  });

  it('ends an attempt cancelled while it waits, before its request, without waiting for the turn', async () => {
    const env = environment();
    const sent = { count: 0 };
    let turnCame: () => void = () => undefined;
    const running = env.run(activity(() => new Promise<void>((resolve) => (turnCame = resolve)), sent));
    const outcome = running.then(() => 'sent', (e: unknown) => e);
    env.cancel('WORKER_SHUTDOWN');
    expect(await outcome).toBeInstanceOf(CancelledFailure);
    // the turn coming later changes nothing: the request is never made
    turnCame();
    await new Promise((r) => setImmediate(r));
    expect(sent.count).toBe(0);
  });
});
