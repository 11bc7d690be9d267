import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { directoryKeeper } from '../../../src/activities/shared/directory';
import type { CandidateDirectory } from '../../../src/db/candidate-directory';

/**
 * What the import, the public-link and the Lever-event activities keep of an opportunity in the
 * candidate directory (so the admin UI names the candidate): best effort, never a reason to fail.
 */
describe('keeping opportunities in the candidate directory from activities', () => {
  const opportunity = { id: '0b6a2c3e-1f5d-4c8e-9a7b-2d4e6f8a0c1e', name: 'Ada Byron', emails: ['ada@example.net'], stage: 'lead-new' };
  const directoryWith = (record: CandidateDirectory['record']) => ({ record }) as unknown as CandidateDirectory;
  const inActivity = (fn: () => Promise<void>, entries: LogEntry[] = []) =>
    new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN', (e) => entries.push(e)) }).run(fn);

  it('records the opportunity’s name and e-mails as Lever shows them', async () => {
    const record = jest.fn(async () => undefined);
    await inActivity(() => directoryKeeper(directoryWith(record))('integration-1', opportunity));
    expect(record).toHaveBeenCalledWith({ integrationId: 'integration-1', opportunityId: opportunity.id, name: 'Ada Byron', emails: ['ada@example.net'] });
  });

  it('logs a directory that fails, and answers anyway', async () => {
    const entries: LogEntry[] = [];
    const failing = directoryWith(async () => {
      throw new Error('database unavailable');
    });
    await expect(inActivity(() => directoryKeeper(failing)('integration-1', opportunity), entries)).resolves.toBeUndefined();
    expect(entries).toEqual([expect.objectContaining({ level: 'WARN', message: 'candidate directory not updated', meta: expect.objectContaining({ error: 'database unavailable' }) })]);
    // nothing personal in the log line
    expect(JSON.stringify(entries.map((e) => e.meta))).not.toContain('Ada');
  });

  it('keeps nothing without a directory', async () => {
    await expect(inActivity(() => directoryKeeper(undefined)('integration-1', opportunity))).resolves.toBeUndefined();
  });
});
