import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where the browser tests save their screenshots: a temporary folder, so `npm test` never rewrites a
 * tracked file; `SCREENSHOTS_DIR` points elsewhere. `npm run screenshots` (scripts/refresh-screenshots.sh)
 * sets it to docs/screenshots/ to refresh the README's pictures on purpose.
 */
export function screenshotsDir(): string {
  const dir = process.env.SCREENSHOTS_DIR ? path.resolve(process.env.SCREENSHOTS_DIR) : path.join(tmpdir(), 'lever-codesignal-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The file for the screenshot `name` (`04-credentials` → `<dir>/04-credentials.png`). */
export const screenshotPath = (name: string): string => path.join(screenshotsDir(), `${name}.png`);
