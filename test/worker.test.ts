import { IllegalStateError } from '@temporalio/common';
import { workerStopped } from '../src/worker';

/**
 * workerStopped (src/worker.ts): a drained worker whose native finalization met a reference still held by the
 * bridge counts as stopped; the same error before the drain, or any other error, still fails the caller.
 */
describe('workerStopped', () => {
  const inUse = () => new IllegalStateError('Worker still in use: Expected 1 reference, but got 2');
  const worker = (state: 'STOPPED' | 'FAILED' | 'DRAINING') => ({ getState: () => state });

  it('counts a drained worker whose finalization found a reference still held as stopped', async () => {
    await expect(workerStopped(worker('STOPPED'), Promise.reject(inUse()))).resolves.toBeUndefined();
  });

  it('passes on the same error when the worker had not drained', async () => {
    await expect(workerStopped(worker('FAILED'), Promise.reject(inUse()))).rejects.toThrow('Worker still in use');
    await expect(workerStopped(worker('DRAINING'), Promise.reject(inUse()))).rejects.toThrow('Worker still in use');
  });

  it('passes on any other failure of a stopped worker', async () => {
    await expect(workerStopped(worker('STOPPED'), Promise.reject(new IllegalStateError('Cannot close connection')))).rejects.toThrow('Cannot close connection');
    await expect(workerStopped(worker('STOPPED'), Promise.reject(new Error('Worker still in use')))).rejects.toThrow('Worker still in use');
  });

  it('resolves when the run ended cleanly', async () => {
    await expect(workerStopped(worker('STOPPED'), Promise.resolve())).resolves.toBeUndefined();
  });
});
