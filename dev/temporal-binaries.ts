import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The project root (two levels above this file in both src/ and dist/). */
export const projectRoot = path.resolve(__dirname, '..');

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Finds a Temporal binary: the explicit path, then the project's .tools/bin (installed by
 * scripts/install-temporal.sh), then PATH. Undefined means "let @temporalio/testing download it".
 */
export function findTemporalBinary(name: 'temporal' | 'temporal-test-server', explicitPath?: string, pathEnv = ''): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`Temporal binary at ${explicitPath} is missing or not executable`);
    return explicitPath;
  }
  const local = path.join(projectRoot, '.tools', 'bin', name);
  if (isExecutable(local)) return local;
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    // pyenv shims are bash wrappers; skip them so teardown signals reach the real server process.
    if (dir.includes('.pyenv/shims')) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}
