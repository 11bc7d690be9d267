import { loadConfig } from '../../../src/config';
import { integrationLanes } from '../../../src/api/ingress/inbound';

/**
 * The ingress's per-integration lanes (at the configured default width): one organization's flood of
 * deliveries runs at most that many at a time, and another organization's delivery does not wait behind it.
 */
describe('live deliveries run in one lane per integration', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const lanes = integrationLanes(loadConfig({}).INGRESS_DELIVERIES_PER_INTEGRATION);
  const width = lanes.width;
  // more deliveries than the lane holds, so some wait
  beforeAll(() => expect(width).toBeLessThan(40));

  it("bounds one integration's deliveries at once and lets another's through while that one is full", async () => {
    let releaseA!: () => void;
    const gateA = new Promise<void>((resolve) => (releaseA = resolve));
    let runningA = 0;
    let mostAtOnceA = 0;
    const bulk = Array.from({ length: 40 }, (_, i) =>
      lanes.run('integration-a', async () => {
        runningA++;
        mostAtOnceA = Math.max(mostAtOnceA, runningA);
        await gateA;
        runningA--;
        return i;
      }),
    );
    await settle();
    expect(runningA).toBe(width);

    // A's lane is full and the rest of its 40 deliveries wait; B's runs now, before any of A's has finished
    const single = await lanes.run('integration-b', async () => 'b');
    expect(single).toBe('b');
    expect(runningA).toBe(width);

    releaseA();
    expect(await Promise.all(bulk)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(mostAtOnceA).toBe(width);
    await settle();
    await settle();
    expect(lanes.held()).toBe(0);
  });

  it('passes a failure through to its caller and keeps the lane working', async () => {
    await expect(lanes.run('integration-c', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await lanes.run('integration-c', async () => 'next')).toBe('next');
  });
});
