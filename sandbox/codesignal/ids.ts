import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 string; CodeSignal ids look like 17-char Meteor ids, ours add a prefix for readable logs. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export type IdKind = 'cmp' | 'key' | 'usr' | 'cnt' | 'tst' | 'tsk' | 'ses' | 'liv' | 'tpl' | 'src' | 'whk' | 'dlv' | 'eml' | 'req';

export function newId(kind: IdKind): string {
  return `${kind}_${randomToken(14)}`;
}
