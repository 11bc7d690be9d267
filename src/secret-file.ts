import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** A secret generated once and kept in a 0600 file, for local runs that have none configured. */
export function readOrCreateSecret(file: string, generate: () => string = () => randomBytes(24).toString('hex')): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = generate();
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
