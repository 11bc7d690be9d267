import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromSnapshotJson, toSnapshotJson } from './shared/snapshot-json';

/** Bumped when a snapshot's shape changes so an older file is refused with a clear message, not misread. */
const FORMAT_VERSION = 1;

/**
 * One sandbox's state in a JSON file under the data directory, so `npm start` keeps the sandboxes'
 * records across restarts as PostgreSQL and Temporal keep theirs. Written whole to a temporary file and
 * renamed over the old one: a crash leaves the previous snapshot, never half of one.
 */
export class StateFile<T extends object> {
  private lastWritten: string | undefined;

  constructor(readonly file: string) {}

  /** The saved state, or undefined when there is none yet; a file it cannot read stops the start, naming it. */
  read(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let saved: { version?: unknown; state?: T };
    try {
      saved = fromSnapshotJson(text) as typeof saved;
    } catch {
      throw new Error(`${this.file} is not a readable sandbox snapshot; delete it to start that sandbox with a fresh demo account`);
    }
    if (saved.version !== FORMAT_VERSION || typeof saved.state !== 'object' || saved.state === null) {
      throw new Error(`${this.file} was written by another version of the sandbox; delete it to start that sandbox with a fresh demo account`);
    }
    this.lastWritten = text;
    return saved.state;
  }

  /** Writes the state when it differs from what the file holds; true when it wrote. */
  write(state: T): boolean {
    const text = toSnapshotJson({ version: FORMAT_VERSION, state });
    if (text === this.lastWritten) return false;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, this.file);
    this.lastWritten = text;
    return true;
  }
}

/** Runs `save` every `intervalMs` (without keeping the process alive) until stopped; a failure is reported once per kind. */
export function saveEvery(intervalMs: number, save: () => void, onError: (err: Error) => void): { stop(): void } {
  let lastError: string | undefined;
  const timer = setInterval(() => {
    try {
      save();
      lastError = undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (error.message !== lastError) onError(error);
      lastError = error.message;
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
