import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(readonly pid: number, readonly dataDir: string) {
    super(`Lever <> CodeSignal integration is already running (pid ${pid}, data directory ${dataDir}); stop it first (Ctrl-C in its terminal, or kill ${pid})`);
  }
}

/**
 * One `npm start` per data directory: a pid file in it, created exclusively. A file whose process is
 * gone (killed, machine restarted) is stale and taken over; a live one makes this throw
 * AlreadyRunningError. Returns the release, which removes the file while it is still ours.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'npm-start.pid');
  const release = () => {
    if (readPid(file) !== process.pid) return;
    unlinkQuietly(file);
  };
  if (createPidFile(file)) return release;
  const pid = readPid(file);
  if (pid !== undefined && pid !== process.pid && isRunningDevStack(pid)) throw new AlreadyRunningError(pid, dataDir);
  unlinkQuietly(file); // stale: the process that wrote it is gone
  if (createPidFile(file)) return release;
  // another start took the stale file over at the same moment
  throw new AlreadyRunningError(readPid(file) ?? 0, dataDir);
}

/** Written whole, then linked into place: the file appears atomically, never empty; false when it exists. */
function createPidFile(file: string): boolean {
  const written = `${file}.${process.pid}.tmp`;
  writeFileSync(written, `${process.pid}\n`);
  try {
    linkSync(written, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkQuietly(written);
  }
}

/** Whether that process runs and is an `npm start` (by its command line on Linux; elsewhere any live process counts). */
function isRunningDevStack(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // The pid of a file left by a stopped machine may belong to another program now.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dev/main');
  } catch {
    return true;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
