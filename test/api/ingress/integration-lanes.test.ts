import { deliveriesAtOncePerIntegration, inIntegrationLane, integrationLanesHeld } from '../../../src/api/ingress/inbound';

/**
 * The ingress's per-integration lane: one organization's flood of deliveries runs at most
 * deliveriesAtOncePerIntegration at a time, and another organization's delivery does not wait behind it.
 */
describe('live deliveries run in one lane per integration', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("bounds one integration's deliveries at once and lets another's through while that one is full", async () => {
    let releaseA!: () => void;
    const gateA = new Promise<void>((resolve) => (releaseA = resolve));
    let runningA = 0;
    let mostAtOnceA = 0;
    const bulk = Array.from({ length: 40 }, (_, i) =>
      inIntegrationLane('integration-a', async () => {
        runningA++;
        mostAtOnceA = Math.max(mostAtOnceA, runningA);
        await gateA;
        runningA--;
        return i;
      }),
    );
    await settle();
    expect(runningA).toBe(deliveriesAtOncePerIntegration);

    // A's lane is full and 24 of its deliveries wait; B's runs now, before any of A's has finished
    const single = await inIntegrationLane('integration-b', async () => 'b');
    expect(single).toBe('b');
    expect(runningA).toBe(deliveriesAtOncePerIntegration);

    releaseA();
    expect(await Promise.all(bulk)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(mostAtOnceA).toBe(deliveriesAtOncePerIntegration);
    await settle();
    await settle();
    expect(integrationLanesHeld()).toBe(0);
  });

  it('passes a failure through to its caller and keeps the lane working', async () => {
    await expect(inIntegrationLane('integration-c', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await inIntegrationLane('integration-c', async () => 'next')).toBe('next');
  });
});
