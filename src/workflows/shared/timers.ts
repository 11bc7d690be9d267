import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

/** A durable timer that calls `onFire` when it elapses; the returned function cancels it. */
export function startTimer(ms: number, onFire: () => void): () => void {
  const scope = new CancellationScope();
  scope.run(() => sleep(Math.max(1, ms))).then(onFire, (err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  return () => scope.cancel();
}
